"""What the four area screens share: header, filter bar, a paged record table, a count line.

An area screen says which records it shows (columns, a page fetcher calling one service, the
filter choices); AreaScreen does the layout, paging, filtering, the count line and the keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, Static

from deskapp.wording import showing
from screens.held_output import DrawnWhenReady
from screens.messages import FollowsChanges
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.desk_footer import DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.search_box import SearchBox

if TYPE_CHECKING:
    from deskapp.services.changes import Change
    from screens.app import DeskApp


class AreaScreen(DrawnWhenReady, FollowsChanges, ReportsFailedWork, Screen[None]):
    """Base of the client, ticket, order and ledger lists."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", tooltip="Choose which records the list shows."),
        Binding("r", "refresh", "Refresh", tooltip="Load the list again from the database."),
        Binding(
            "escape",
            "back",
            "Back",
            tooltip="Leave the filter or search for the list (one client's list: back to them).",
        ),
    ]

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """The focused widget, as Screen's, except that a change repaints only the widgets whose
    look follows the focus (the stylesheet refreshes those), not the whole screen: over SSH a
    whole 120x36 screen is 15-40 KB for a key that moves the focus (bench/wire.py)."""

    AUTO_FOCUS = "#records"
    AREA_TITLE: ClassVar[str] = ""
    """The place's name in the header."""
    NOUN: ClassVar[str] = "records"
    """What the list holds, plural, for the count line ("clients")."""
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = ()
    """The filter choices as (label, value); the first is the default; empty: no filter bar."""
    FILTER_NOUNS: ClassVar[dict[str, str]] = {}
    """How the count line names the records under a filter value ("active clients")."""

    def __init__(self, client_id: uuid.UUID | None = None, client_label: str = "") -> None:
        """An area shows every client's records; the order and ticket lists can also be pushed
        for one client (the client screen's `o` and `t`): titled with its number, and escape
        goes back to the client."""
        super().__init__()
        self.client_id = client_id
        """Only this client's records; None for every client's."""
        self.client_label = client_label
        """The client's number (C-1042) for the title, when the list is one client's."""
        if client_id is not None and client_label:
            # The header and the key list name the place by AREA_TITLE: say whose list it is.
            self.AREA_TITLE = f"{self.AREA_TITLE} · {client_label}"
        self._start_filter = ""

    def compose(self) -> ComposeResult:
        """Header, filter bar, the list, the count line, the footer (the first screen's
        comes after start-up: see mount_footer)."""
        yield DeskHeader()
        if self.FILTERS:
            with Horizontal(id="filters"):
                yield Label(Text("Show"), id="filter-label")
                yield ChoiceBar(self.FILTERS, id="filter")
                yield from self.compose_filter_extras()
        yield RecordTable(self.columns(), record_key=self.record_key, id="records")
        yield Static(Text("Loading…"), id="count")
        if not self.desk_app.starting_up:
            yield DeskFooter()

    def compose_filter_extras(self) -> ComposeResult:
        """More filter widgets after the choice (a search box drops in here)."""
        yield from ()

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """The table's columns."""
        raise NotImplementedError

    def record_key(self, record: Any) -> object:
        """A record's unique key (its id)."""
        return record.id

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """`fetch(last, limit)` for the filter: calls one service; runs in a thread."""
        raise NotImplementedError

    _shown_before = False

    @on(events.ScreenResume)
    async def _first_showing(self, event: events.ScreenResume) -> None:
        """The first showing: Textual then styles the whole screen again, though every widget
        was styled as it mounted a moment before, so the first showing skips that. A screen
        shown after start-up without its footer (see compose) gets it now. (A list others
        changed meanwhile loads again: FollowsChanges.)"""
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False
        if not self.desk_app.starting_up:
            await self.mount_footer()

    async def mount_footer(self) -> None:
        """Mount the footer, unless it is there (the desk's first screen gets it after
        start-up: see screens.start_up)."""
        if not self.query(DeskFooter):
            await self.mount(DeskFooter())
            self.refresh_bindings()  # the footer shows the keys it hears of

    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset()
    """The entities whose changes (by any desk) this list shows, e.g. {"ticket"}."""

    def shows_change(self, change: Change) -> bool:
        """Changes to the entities the list shows (see CHANGES_SHOWN)."""
        return change.entity in self.CHANGES_SHOWN

    def refresh_for_changes(self) -> None:
        """Load the list again, keeping the cursor's record, unless the reader is past the first
        page (a reload would lose their place: the count line says so instead)."""
        if self.records.cursor_row >= self.records.page_size:
            self.query_one("#count", Static).update(
                Text("This list has changed since it loaded; press r to load it again.")
            )
        else:
            self.action_refresh()

    @property
    def desk_app(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    @property
    def records(self) -> RecordTable[Any]:
        """The list."""
        return self.query_one("#records", RecordTable)

    @property
    def filter_value(self) -> str:
        """The chosen filter value ("" where the area has no filter)."""
        found = self.query("#filter")
        return found.first(ChoiceBar).value if found else ""

    async def on_mount(self) -> None:
        """Title the header (it follows the session itself) and load the first page; while
        the app holds its output for this screen, the screen shows once the page is in."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        if self._start_filter:
            values = [value for _, value in self.FILTERS]
            bar = self.query_one("#filter", ChoiceBar)
            bar.set_reactive(ChoiceBar.index, values.index(self._start_filter))
        if self.CHANGES_SHOWN:
            self.follow_changes()
        # A local desk reads the first rows here (its file answers in a few milliseconds), so
        # the screen is drawn once with them, not empty and again (screens.held_output).
        at_once = self.desk_app.session.mode == "local"
        self.records.reload(
            self.page_fetcher(self.filter_value),
            at_once=at_once,
            hold_paging=self.desk_app.starting_up,
        )
        if not at_once and self.desk_app.holding_output:
            # From a thread (a shared desk): Textual shows the screen once this returns.
            await self.records.wait_for_page(self.desk_app.HOLD_LIMIT_SECONDS)

    def show_filter(self, value: str) -> None:
        """Show the records of the filter choice `value` (one of FILTERS' values); called
        before the screen is mounted, the choice it opens on (the palette and the dashboard
        open lists this way)."""
        if not self.is_mounted:
            self._start_filter = value
            return
        self.query_one("#filter", ChoiceBar).value = value

    @on(ChoiceBar.Changed, "#filter")
    def _filter_changed(self, event: ChoiceBar.Changed) -> None:
        self.query_one("#count", Static).update(Text("Loading…"))
        self.records.reload(self.page_fetcher(event.value))

    @on(RecordTable.Loaded, "#records")
    def _show_count(self, event: RecordTable.Loaded) -> None:
        noun = self.FILTER_NOUNS.get(self.filter_value, self.NOUN)
        line = showing(event.shown, event.complete, noun)
        line += "." if event.complete else "; more load as you scroll."
        self.query_one("#count", Static).update(Text(line))
        self._first_page_done()

    def _first_page_done(self) -> None:
        """Tell the app once the rows are drawn, so it can finish starting (screens.start_up)."""
        if self.desk_app.starting_up:
            self.call_after_refresh(self.desk_app.first_page_shown)

    @on(RecordTable.LoadFailed, "#records")
    def _show_failure(self) -> None:
        self.query_one("#count", Static).update(
            Text("The list could not be loaded; press r to retry.")
        )
        self._first_page_done()

    @on(SearchBox.MoveResult)
    def _move_result(self, message: SearchBox.MoveResult) -> None:
        """Up and down in a search box move the list's cursor (see compose_filter_extras)."""
        if message.step > 0:
            self.records.action_cursor_down()
        else:
            self.records.action_cursor_up()

    def action_focus_filter(self) -> None:
        """Focus the filter."""
        if found := self.query("#filter"):
            found.first().focus()

    def action_refresh(self) -> None:
        """Load the list again from the first page (the cursor stays on its record)."""
        self.query_one("#count", Static).update(Text("Loading…"))
        self.records.reload(keep_cursor=True)

    def action_back(self) -> None:
        """From the filter back to the list; one client's list goes back to the client. On an
        area's own list escape does nothing: the areas are places, not a history (1-4 go
        between them), so escape never lands somewhere unexpected."""
        if self.focused is not self.records:
            self.records.focus()
        elif self.client_id is not None:
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer Filter only with a filter bar; Back is dimmed with nowhere to go back to."""
        if action == "focus_filter":
            return bool(self.FILTERS)
        if action == "back":
            if self.client_id is not None:
                return True
            tables = self.query("#records")
            if tables and self.focused is not tables.first():
                return True
            return None  # dimmed, not hidden, with nowhere to go back to: the footer shows esc
        return True
