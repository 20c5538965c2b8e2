"""A list of records with a row cursor, drawn line by line (`ScrollView.render_line`).

Line 0 is the heading, each further line one record; columns have fixed widths (or fit what is
loaded). Where the list is narrower than its columns, columns give way in the order their
`drop_rank` states (see record_lines.columns_that_fit). Amounts align right, rows are
zebra-striped and the cursor's row highlighted through component classes, so every theme
colours them. A record's strip is built once and kept until the records, the width or the
styles change: moving the cursor redraws only the two lines it leaves and reaches. Cells are
rich Text drawn without any markup parser (see record_lines).

RecordTable (record_table.py) adds paging from a service; SectionTable shows a list whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets.record_lines import RecordColumn, column_widths, columns_that_fit, row_strip

__all__ = ["RecordList"]

RecordT = TypeVar("RecordT")


class RecordList(ScrollView, Generic[RecordT], can_focus=True):
    """Records in fixed columns under a heading, with a row cursor.

    | Key(s) | Description |
    | :- | :- |
    | j / down | Move to the next record. |
    | k / up | Move to the previous record. |
    | pagedown / pageup | Move a screenful down / up. |
    | home / end (or ctrl+) | Move to the first / the last loaded record. |
    | enter | Select the record (posts `Selected`). |

    A click moves the cursor to a record; a click on the cursor's record (the second click of
    a double click) selects it. The wheel scrolls.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First record", show=False),
        Binding("end,ctrl+end", "last", "Last record", show=False),
        Binding("j", "cursor_down", "Next", show=False, tooltip="Move to the next record."),
        Binding("k", "cursor_up", "Previous", show=False, tooltip="Move to the previous record."),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-list--header",
        "record-list--even-row",
        "record-list--odd-row",
        "record-list--cursor",
        "record-list--cursor-blurred",
    }
    """| Class | Description |
    | :- | :- |
    | `record-list--header` | The heading line. |
    | `record-list--even-row` | Rows 0, 2, 4, ... (zebra stripes). |
    | `record-list--odd-row` | Rows 1, 3, 5, ... |
    | `record-list--cursor` | The cursor's row while the list has the focus. |
    | `record-list--cursor-blurred` | The cursor's row while the focus is elsewhere. |
    """

    DEFAULT_CSS = """
    RecordList {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        /* No scroll bar (the keys and the wheel scroll, see on_mouse_scroll_down; the count
           line says how many are loaded): Textual redraws a bar with every style update
           of the list, and the whole list again when the bar comes or goes (a search
           narrowing the rows), 1-6 KB over SSH each time (bench/wire.py). */
        overflow-y: hidden;

        /* Focus shows in the cursor's row only, and through two component classes rather
           than a :focus rule: Textual repaints a whole widget whose styles follow its focus
           (15 KB over SSH at 120x36 for a list) each time the focus comes or goes; this
           way only the cursor's row is drawn again (see on_focus). */
        &:dark > .record-list--even-row {
            background: $surface-darken-1 40%;
        }
        & > .record-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .record-list--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .record-list--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .record-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .record-list--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False)
    """The index of the record under the cursor (0 when the list is empty)."""

    class _RecordMessage(Message):
        """A message about the record on one row of a list."""

        def __init__(self, table: RecordList[Any], row: int, record: Any) -> None:
            super().__init__()
            self.table = table
            """The list."""
            self.row = row
            """The record's row."""
            self.record = record
            """The record."""

        @property
        def control(self) -> RecordList[Any]:
            """The list (for `@on(RecordTable.Highlighted, "#id")` and the like)."""
            return self.table

    class Highlighted(_RecordMessage):
        """The cursor moved to a record (or the first record arrived under it)."""

    class Selected(_RecordMessage):
        """The record under the cursor was chosen (enter, or a click on the cursor's row)."""

    def __init__(
        self,
        columns: Sequence[RecordColumn[RecordT]],
        *,
        record_key: Callable[[RecordT], object] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._columns = tuple(columns)
        self._record_key = record_key
        self._headings = tuple(
            Text(column.label, justify="right" if column.align_right else "left")
            for column in self._columns
        )
        self._records: list[RecordT] = []
        self._cells: list[tuple[Text, ...]] = []
        self._rows_by_key: dict[str, int] = {}
        self._widths = column_widths(self._columns, ())
        self._shown = tuple(range(len(self._columns)))
        self._strips: LRUCache[tuple[int, str], Strip] = LRUCache(1024)
        self._header: Strip | None = None
        self._strip_width = 0
        self._frame: tuple[Style, int] | None = None

    # The records ------------------------------------------------------------------------------

    @property
    def records(self) -> Sequence[RecordT]:
        """The records shown, in order."""
        return tuple(self._records)

    @property
    def row_count(self) -> int:
        """How many records the list holds."""
        return len(self._records)

    @property
    def highlighted_record(self) -> RecordT | None:
        """The record under the cursor, if any."""
        if 0 <= self.cursor_row < len(self._records):
            return self._records[self.cursor_row]
        return None

    def show(self, records: Sequence[RecordT]) -> None:
        """Show exactly these records (no fetcher: a list bounded elsewhere), keeping the
        cursor's row where it can."""
        row = self.cursor_row
        self._clear()
        self._append(records)
        if self._records:
            self.move_cursor(min(row, len(self._records) - 1))

    def _clear(self) -> None:
        self._records.clear()
        self._cells.clear()
        self._rows_by_key.clear()
        self.set_reactive(RecordList.cursor_row, 0)
        self._widths = column_widths(self._columns, ())
        self._relayout()
        self.scroll_to(0, 0, animate=False, force=True, immediate=True)

    def _append(self, records: Sequence[RecordT]) -> None:
        """Add records at the end (a record already shown, moved between pages, is skipped)."""
        was_empty = not self._records
        added: list[tuple[Text, ...]] = []
        for record in records:
            key = self._key_of(record, len(self._records))
            if key in self._rows_by_key:
                continue
            self._rows_by_key[key] = len(self._records)
            self._records.append(record)
            added.append(tuple(column.cell(record) for column in self._columns))
        self._cells += added
        widths = tuple(map(max, self._widths, column_widths(self._columns, added)))
        if widths != self._widths:  # a column fitting its content grew
            self._widths = widths
            self._relayout()
        else:  # the rows drawn so far stay as they are
            self.virtual_size = self._content_size()
            self.refresh()
        if was_empty and self._records:
            self._post_highlighted()

    def _key_of(self, record: RecordT, row: int) -> str:
        """The record's key; without a `record_key`, its position (a list shown whole)."""
        return str(row if self._record_key is None else self._record_key(record))

    # The cursor ------------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        """Keep the cursor on a record (row 0 when there is none)."""
        return max(0, min(row, len(self._records) - 1))

    def watch_cursor_row(self, old_row: int, new_row: int) -> None:
        """Redraw the two rows, bring the new one into view, say so."""
        self.refresh_line(old_row + 1)
        self.refresh_line(new_row + 1)
        self._scroll_cursor_into_view()
        self._post_highlighted()
        self.cursor_moved()

    def on_focus(self, event: events.Focus) -> None:
        """The cursor's row takes the focused look; the rest of the list stays as drawn.

        Textual's own handler would repaint the whole list (every row, 12 KB at 120x36 over
        SSH) for a change that shows on one row, so this one does what it does otherwise:
        the focus state, the styles, and the parent told (`DescendantFocus`)."""
        event.prevent_default()
        self.has_focus = True
        self.refresh_line(self.cursor_row + 1)
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def on_blur(self, event: events.Blur) -> None:
        """The cursor's row takes the blurred look (as on_focus, one row redrawn)."""
        event.prevent_default()
        self.has_focus = False
        self.refresh_line(self.cursor_row + 1)
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def cursor_moved(self) -> None:
        """Called after every move of the cursor (RecordTable loads the next page near the end)."""

    def move_cursor(self, row: int) -> None:
        """Put the cursor on record `row` (kept within the records) and bring it into view."""
        self.cursor_row = row

    def _post_highlighted(self) -> None:
        record = self.highlighted_record
        if record is not None:
            self.post_message(self.Highlighted(self, self.cursor_row, record))

    def _scroll_cursor_into_view(self) -> None:
        if not self.size.height:  # not laid out yet: once it is
            self.call_after_refresh(self._scroll_cursor_into_view)
            return
        self.scroll_to_region(
            Region(0, self.cursor_row + 1, 1, 1),
            spacing=Spacing(1, 0, 0, 0),  # the heading covers the top line
            animate=False,
            force=True,
            x_axis=False,
            immediate=True,
        )

    @property
    def _page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        """The next record."""
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        """The previous record."""
        self.cursor_row -= 1

    def action_page_down(self) -> None:
        """A screenful down; the cursor keeps its place on the screen."""
        page = self._page_height
        self.scroll_to(y=self.scroll_y + page, animate=False, force=True, immediate=True)
        self.cursor_row += page

    def action_page_up(self) -> None:
        """A screenful up; the cursor keeps its place on the screen."""
        page = self._page_height
        self.scroll_to(y=self.scroll_y - page, animate=False, force=True, immediate=True)
        self.cursor_row -= page

    def action_first(self) -> None:
        """The first record."""
        self.cursor_row = 0

    def action_last(self) -> None:
        """The last loaded record (the next page then loads)."""
        self.cursor_row = len(self._records) - 1

    def action_select_cursor(self) -> None:
        """Select the record under the cursor."""
        record = self.highlighted_record
        if record is not None:
            self.post_message(self.Selected(self, self.cursor_row, record))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor to its record; a click on the cursor's record selects it."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return  # the heading, or the scrollbar
        row = self.scroll_offset.y + offset.y - 1
        if row >= len(self._records):
            return
        event.stop()
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.cursor_row = row

    WHEEL_LINES: ClassVar[int] = 3
    """Lines the list scrolls for a step of the mouse wheel."""

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel scrolls the list (it has no scroll bar, so Textual's own wheel
        handling leaves it alone)."""
        event.stop()
        self.scroll_to(
            y=self.scroll_y + self.WHEEL_LINES, animate=False, force=True, immediate=True
        )

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel scrolls the list up."""
        event.stop()
        self.scroll_to(
            y=self.scroll_y - self.WHEEL_LINES, animate=False, force=True, immediate=True
        )

    # Drawing ---------------------------------------------------------------------------------

    @property
    def shown_columns(self) -> tuple[str, ...]:
        """The headings of the columns shown at the list's width now."""
        return tuple(self._columns[index].label for index in self._shown)

    def _content_size(self) -> Size:
        return Size(sum(self._widths[i] for i in self._shown), len(self._records) + 1)

    def _fit_columns(self, room: int) -> bool:
        """Choose the columns shown in `room` cells; True if the choice changed."""
        shown = columns_that_fit(self._columns, self._widths, room) if room > 0 else self._shown
        if shown == self._shown:
            return False
        self._shown = shown
        self._strips.clear()
        self._header = None
        return True

    def _room(self) -> int:
        """The width for the columns; before the first layout, the terminal's width less the
        list's own gutter (an area's list spans the screen), so that rows added before the
        screen first shows already have the columns it will show (one frame, not two)."""
        width = self.scrollable_content_region.width
        if width or not self.is_mounted:
            return width
        return max(0, self.app.size.width - self.styles.gutter.width)

    def _refit(self) -> None:
        """Fit the columns to the width the list has now (after a resize or a scrollbar)."""
        if self._fit_columns(self._room()):
            self.virtual_size = self._content_size()
            self.refresh()

    def on_resize(self) -> None:
        """A narrower or wider list may show other columns."""
        self._refit()

    def _relayout(self) -> None:
        """The virtual size for the records now held; forget the rows drawn."""
        self._strips.clear()
        self._header = None
        self._fit_columns(self._room())
        self.virtual_size = self._content_size()
        self.refresh()

    def notify_style_update(self) -> None:
        """A theme, focus or class change: the drawn rows have the old colours."""
        super().notify_style_update()
        self._strips.clear()
        self._header = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines in `crop`, with the list's own style and width looked up once for all
        of them (the style walks up the DOM, a cost as large as drawing a cached line)."""
        self._frame = self._look_up_frame()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def _look_up_frame(self) -> tuple[Style, int]:
        width = self.scrollable_content_region.width
        if width != self._strip_width:
            self._strip_width = width
            self._strips.clear()
            self._header = None
            if self._fit_columns(width):  # a scrollbar came or went
                self.call_later(self._refit_size)
        return self.rich_style, width

    def _refit_size(self) -> None:
        self.virtual_size = self._content_size()

    def render_line(self, y: int) -> Strip:
        """Line `y` of the widget: the heading, then the records from the scroll position."""
        base, width = self._frame or self._look_up_frame()
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            strip = self._header
            if strip is None:
                header = self.get_component_rich_style("record-list--header")
                strip = self._header = self._draw(self._headings, header, None, width)
        else:
            row = scroll_y + y - 1
            if row >= len(self._records):
                # Blank cells need only a background: half the bytes of a line (the
                # foreground's colour code would go out with every one of them).
                return Strip.blank(width, Style(bgcolor=base.bgcolor))
            cursor = ""
            if row == self.cursor_row:
                cursor = "record-list--cursor" if self.has_focus else "record-list--cursor-blurred"
            strip = self._strips.get((row, cursor))
            if strip is None:
                zebra = "record-list--odd-row" if row % 2 else "record-list--even-row"
                strip = self._strips[(row, cursor)] = self._draw(
                    self._cells[row],
                    self.get_component_rich_style(zebra),
                    self.get_component_rich_style(cursor) if cursor else None,
                    width,
                )
        if scroll_x == 0 and strip.cell_length == width:
            return strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _draw(
        self, cells: Sequence[Text], row_style: Style, cursor: Style | None, width: int
    ) -> Strip:
        shown = self._shown
        if len(shown) < len(cells):
            cells = [cells[index] for index in shown]
            widths: Sequence[int] = [self._widths[index] for index in shown]
        else:
            widths = self._widths
        return row_strip(self.app.console, cells, widths, row_style, cursor=cursor, width=width)
