"""A DataTable of records that pages itself in from a service, a page at a time.

The screen gives the columns and a fetcher: `fetch(last, limit)` returns the records after
`last` (the last record shown, None for the first page), so the service can page by keyset.
The fetcher runs in a thread worker; the next page loads when the cursor or the scroll nears
the end. Nothing ever loads a whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NamedTuple, TypeVar

from rich.containers import Lines
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from screens.widgets.failed_work import ReportsFailedWork

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rich.console import Console
    from textual.css.styles import RenderStyles
    from textual.geometry import Region
    from textual.strip import Strip
    from textual.widgets.data_table import RowKey

RecordT = TypeVar("RecordT")

PageFetcher = Callable[[Any, int], Sequence[Any]]
"""`fetch(last_record_or_None, limit)`: the next page of records; called in a thread."""


class RecordColumn(NamedTuple, Generic[RecordT]):
    """One column: its heading, its width and how a record becomes its cell."""

    label: str
    """The heading."""
    cell: Callable[[RecordT], Text]
    """The cell of a record: always a Text (see screens.widgets.untrusted), never a str."""
    width: int | None = None
    """Fixed width in cells; None fits the content."""
    align_right: bool = False
    """Right-align the heading (amounts, durations: their cells align right themselves)."""


class RecordTable(ReportsFailedWork, DataTable[Text], Generic[RecordT]):
    """A row-cursor table that loads pages of records from a fetcher, in a thread worker.

    | Key(s) | Description |
    | :- | :- |
    | j / down | Move to the next record. |
    | k / up | Move to the previous record. |
    | enter | Select the record (posts `DataTable.RowSelected`). |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Next", show=False, tooltip="Move to the next record."),
        Binding("k", "cursor_up", "Previous", show=False, tooltip="Move to the previous record."),
    ]

    PREFETCH_ROWS = 20
    """Load the next page when the cursor or the view is this close to the last row."""

    class Loaded(Message):
        """A page arrived (or the list turned out empty)."""

        def __init__(self, table: RecordTable[Any], shown: int, complete: bool) -> None:
            super().__init__()
            self.table = table
            """The table that loaded."""
            self.shown = shown
            """How many records the table holds now."""
            self.complete = complete
            """True when there is nothing more to load."""

        @property
        def control(self) -> RecordTable[Any]:
            """The table (for `@on(RecordTable.Loaded, "#id")`)."""
            return self.table

    class LoadFailed(Message):
        """Loading a page failed; the app's error handler has shown why."""

        def __init__(self, table: RecordTable[Any]) -> None:
            super().__init__()
            self.table = table
            """The table whose page failed."""

        @property
        def control(self) -> RecordTable[Any]:
            """The table (for `@on(RecordTable.LoadFailed, "#id")`)."""
            return self.table

    class _PageArrived(Message, bubble=False):
        def __init__(self, generation: int, records: Sequence[Any], limit: int) -> None:
            super().__init__()
            self.generation = generation
            self.records = records
            self.limit = limit

    def __init__(
        self,
        columns: Sequence[RecordColumn[RecordT]],
        *,
        record_key: Callable[[RecordT], object],
        page_size: int = 50,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self._columns_spec = tuple(columns)
        self._record_key = record_key
        self.page_size = page_size
        """How many records one page holds."""
        self._fetch: PageFetcher | None = None
        self._records: list[RecordT] = []
        self._keys: set[str] = set()
        self._generation = 0
        self._fetching = False
        self._complete = False
        self._paging_held = False
        self._keep_key: str | None = None

    def on_mount(self) -> None:
        """Set up the columns."""
        for column in self._columns_spec:
            justify = "right" if column.align_right else "left"
            self.add_column(Text(column.label, justify=justify), width=column.width)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """As DataTable does, without measuring every new cell when no column fits its
        content (all ours have fixed widths, and rows are one line): the measures would go
        unused, and they cost the first screen some 3 ms."""
        if not any(column.auto_width for column in self.columns.values()):
            new_rows = ()
        super()._update_dimensions(new_rows)

    _render_memo: dict[tuple[str, ...], Any] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """As DataTable draws, with the table's own and its row styles worked out once per
        drawing instead of once per line (each walks up the DOM: a fifth of drawing a page)."""
        self._render_memo = {}
        try:
            return super().render_lines(crop)
        finally:
            self._render_memo = None

    @property
    def rich_style(self) -> Style:
        """The table's style (the same for every line of one drawing)."""
        memo = self._render_memo
        if memo is None:
            return super().rich_style
        style = memo.get(())
        if style is None:
            style = memo[()] = super().rich_style
        return style

    def get_component_styles(self, *names: str) -> Any:
        """A component's styles; while drawing, with its rich_style worked out once."""
        memo = self._render_memo
        if memo is None:
            return super().get_component_styles(*names)
        styles = memo.get(names)
        if styles is None:
            styles = memo[names] = _StylesOnce(super().get_component_styles(*names))
        return styles

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        """A body cell drawn straight from its Text (as DataTable does, with less machinery).

        DataTable renders each cell through rich's Styled(Padding(cell)) and console layers,
        which is most of the time the first screen takes to show its rows (about 20 ms for 30
        rows); our cells are one-line Texts, which need only truncating, justifying and
        padding. The result is the same segments. Anything else (headings, str, wrapped or
        multi-line cells) goes the DataTable way.
        """
        if row_index < 0 or column_index < 0 or width <= 2 * self.cell_padding:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        cache_key = (
            row_key,
            self._column_locations.get_key(column_index),
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cached = self._cell_render_cache.get(cache_key)
        if cached is not None:
            return cached
        cell = self._get_row_renderables(row_index).cells[column_index]
        if (
            not isinstance(cell, Text)
            or self.rows[row_key].height != 1
            or "\n" in cell.plain
            or "\t" in cell.plain
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            fixed,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        pre_style = base_style + Style.from_meta({"row": row_index, "column": column_index})
        line = _one_line(self.app.console, cell, width, self.cell_padding)
        lines = [list(Segment.apply_style(line, pre_style + component_style, post_style))]
        self._cell_render_cache[cache_key] = lines
        return lines

    @property
    def records(self) -> Sequence[RecordT]:
        """The records shown, in order."""
        return tuple(self._records)

    @property
    def complete(self) -> bool:
        """Whether every record the fetcher has is shown."""
        return self._complete

    @property
    def fetching(self) -> bool:
        """Whether a page is on its way."""
        return self._fetching

    @property
    def highlighted_record(self) -> RecordT | None:
        """The record under the cursor, if any."""
        if 0 <= self.cursor_row < len(self._records):
            return self._records[self.cursor_row]
        return None

    def reload(
        self, fetch: PageFetcher | None = None, *, at_once: bool = False, keep_cursor: bool = False
    ) -> None:
        """Start again from the first page, with a new fetcher if given (a changed filter).

        `keep_cursor` puts the cursor back on the record it is on, if the first page has it.

        `at_once` reads the first page here, in the event loop, not in a thread: for a local
        desk starting up, whose file answers within a few milliseconds, so that the first
        frame already shows rows (a page from a thread lands a frame later). If it fails, the
        thread worker tries again and reports the error as usual. The next page then waits
        for `release_paging()`, once the first frame is out: a thread reading it while that
        frame is drawn would slow the drawing.
        """
        if fetch is not None:
            self._fetch = fetch
        highlighted = self.highlighted_record if keep_cursor else None
        if highlighted is not None:
            self._keep_key = str(self._record_key(highlighted))
        elif not keep_cursor:
            self._keep_key = None
        # else: a reload while one is on its way (the table empty) aims where that one aimed
        self._generation += 1
        self._fetching = True  # clear() scrolls to the top, which must not ask for a page
        self.clear()
        self._records.clear()
        self._keys.clear()
        self._complete = False
        self._paging_held = False
        if at_once and self._fetch is not None:
            # No more rows than the terminal has lines; the next page is asked for once
            # these are drawn.
            limit = max(1, min(self.page_size, self.app.size.height))
            try:
                records = self._fetch(None, limit)
            except Exception:  # noqa: BLE001 (the worker below reads it again and reports)
                pass
            else:
                self._paging_held = True
                self._add_page(self._PageArrived(self._generation, records, limit))
                return
        self._request_page()

    def release_paging(self) -> None:
        """Load pages again after the first page read `at_once` (see reload)."""
        if self._paging_held:
            self._paging_held = False
            self.load_more()

    def load_more(self) -> None:
        """Load the next page unless one is on its way, there is no more, or paging is held."""
        if not self._fetching and not self._complete and not self._paging_held:
            self._request_page()

    def _request_page(self) -> None:
        if self._fetch is None:
            self._fetching = False
            return
        self._fetching = True
        last = self._records[-1] if self._records else None
        work = partial(self._fetch_page, self._fetch, self._generation, last, self.page_size)
        self.run_worker(
            work, thread=True, exit_on_error=False, group="record-page", name="load page"
        )

    def _fetch_page(self, fetch: PageFetcher, generation: int, last: Any, limit: int) -> None:
        """Runs in a thread: ask the service, hand the page to the event loop."""
        self.post_message(self._PageArrived(generation, fetch(last, limit), limit))

    @on(_PageArrived)
    def _add_page(self, message: _PageArrived) -> None:
        if message.generation != self._generation:
            return  # a page for a filter that is no longer shown
        self._fetching = False
        self._complete = len(message.records) < message.limit
        for record in message.records:
            key = str(self._record_key(record))
            if key in self._keys:
                continue  # a row that moved between pages while we read them
            self._keys.add(key)
            self._records.append(record)
            self.add_row(*(column.cell(record) for column in self._columns_spec), key=key)
        if self._keep_key is not None:
            if self._keep_key in self._keys:
                self.move_cursor(row=self.get_row_index(self._keep_key), animate=False)
            self._keep_key = None
        self.post_message(self.Loaded(self, len(self._records), self._complete))
        self._near_the_end()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed page: stop waiting for it (the app shows the error)."""
        if event.worker.group == "record-page" and event.state is WorkerState.ERROR:
            self._fetching = False
            self.post_message(self.LoadFailed(self))

    def _on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._near_the_end()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolling close to the bottom loads the next page too."""
        super().watch_scroll_y(old_value, new_value)
        if self.max_scroll_y - new_value <= self.PREFETCH_ROWS:
            self.load_more()

    def _near_the_end(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - self.PREFETCH_ROWS:
            self.load_more()


class _StylesOnce:
    """A component's RenderStyles with its rich_style computed once (see render_lines)."""

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self.rich_style = styles.rich_style

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


def _one_line(console: Console, cell: Text, width: int, padding: int) -> list[Segment]:
    """A one-line cell's segments, `width` wide with `padding` spaces each side: what rich's
    Padding and Text rendering make of it (truncate and justify as the Text asks; no wrap)."""
    inner = width - 2 * padding
    line = cell.copy()
    overflow = cell.overflow or "fold"
    Lines([line]).justify(console, inner, justify=cell.justify or "default", overflow=overflow)
    line.truncate(inner, overflow=overflow)
    pad = [Segment(" " * padding)] if padding else []
    if line.spans or not line.style:
        segments = [*pad, *line.render(console, end="")]
    else:  # Text.render leaves out the style of a Text without spans
        segments = [*pad, Segment(line.plain, console.get_style(line.style))]
    fill = inner - line.cell_len
    if fill > 0:
        segments.append(Segment(" " * fill))
    return [*segments, *pad]
