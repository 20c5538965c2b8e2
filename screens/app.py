"""The app shell: header, footer, the four areas as modes, palette, themes, one error handler."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from deskapp.errors import DeskError
from deskapp.services import connection, preferences
from deskapp.services.session import DeskSession
from screens.client_list import ClientListScreen
from screens.messages import ConnectionChecked
from screens.styles_path import (
    ReusingStylesheet,
    first_stylesheets,
    later_stylesheets,
    parsed_styles_path,
)
from screens.widgets.desk_footer import DeskFooter
from screens.widgets.record_table import RecordTable
from screens.widgets.untrusted import untrusted_message

if TYPE_CHECKING:
    from deskapp.services.changes import Change

log = logging.getLogger("deskapp.screens")

AREAS = ("clients", "tickets", "orders", "ledger")
"""The four places, in the order of their number keys."""


def _desk_commands() -> type[Provider]:
    from screens.commands import DeskCommands

    return DeskCommands


def _ticket_list() -> Screen[None]:
    from screens.ticket_list import TicketListScreen

    return TicketListScreen()


def _order_list() -> Screen[None]:
    from screens.order_list import OrderListScreen

    return OrderListScreen()


def _ledger_list() -> Screen[None]:
    from screens.ledger_list import LedgerListScreen

    return LedgerListScreen()


class DeskApp(App[None]):
    """The desk: clients, tickets, orders and the credit ledger, one area per mode.

    | Key(s) | Description |
    | :- | :- |
    | 1 2 3 4 | Go to clients, tickets, orders, the credit ledger. |
    | ? | List the keys. |
    | ctrl+p | The command palette. |
    | ctrl+t | Choose a theme (remembered). |
    | escape | Back. |
    """

    CSS_PATH = first_stylesheets()
    TITLE = "deskapp"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "clients": ClientListScreen,
        "tickets": _ticket_list,
        "orders": _order_list,
        "ledger": _ledger_list,
    }
    DEFAULT_MODE = "clients"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_desk_commands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "1",
            "switch_area('clients')",
            "Clients",
            tooltip="Go to the client list.",
            id="area.clients",
        ),
        Binding(
            "2",
            "switch_area('tickets')",
            "Tickets",
            tooltip="Go to the ticket queue.",
            id="area.tickets",
        ),
        Binding(
            "3", "switch_area('orders')", "Orders", tooltip="Go to the orders.", id="area.orders"
        ),
        Binding(
            "4",
            "switch_area('ledger')",
            "Ledger",
            tooltip="Go to the credit ledger.",
            id="area.ledger",
        ),
        Binding(
            "question_mark",
            "show_keys",
            "Keys",
            tooltip="List the keys of this screen.",
            id="app.keys",
        ),
        Binding(
            "ctrl+t",
            "change_theme",
            "Theme",
            tooltip="Choose a colour theme; the desk remembers it.",
            id="app.theme",
        ),
    ]

    CONNECTION_CHECK_SECONDS = 10.0
    """How often the header asks the database whether it still answers."""
    HISTORY_LENGTH = 20
    """How many areas escape can walk back through."""

    database_reachable: reactive[bool | None] = reactive[bool | None](True)
    """Whether the database answered the last check; the header shows it."""

    def __init__(
        self,
        session: DeskSession,
        *,
        theme: str | None = None,
        parsed_styles: Path | None = None,
    ) -> None:
        super().__init__()
        self.stylesheet = self._styles = ReusingStylesheet.replacing(self.stylesheet)
        self.parsed_styles = parsed_styles
        """Where parsed stylesheets are kept between starts (None: parse every time)."""
        if parsed_styles is not None:
            self._styles.load_parsed(parsed_styles)
        self.session = session
        """The open desk: mode, database and who is signed in."""
        self._area_history: list[str] = []
        self._checking_connection = False
        self._later_stylesheets_loaded = False
        self.hold_footer_keys = True
        """True until the first frame and the first list's rows are on screen: footers show
        their keys after that."""
        self.first_frame_drawn = False
        """Whether the whole first screen has gone out (see _draw_whole_screen)."""
        self._first_page_on_screen = False
        self.changes_signal: Signal[tuple[Change, ...]] = Signal(self, "changes")
        """Other desks' (and this one's) committed changes, as they are seen: screens
        subscribe and refresh what they show of those entities."""
        self._last_change: int | None = None
        self._reading_changes = False
        if theme and theme in self.available_themes:
            self.theme = theme

    FIRST_PAGE_WAIT_SECONDS = 0.5
    """How long start-up waits for the first list's rows before finishing anyway."""

    def _end_batch(self) -> None:
        """Textual's start-up batch ends just before its message loop starts: the whole first
        screen goes out right then (see _draw_whole_screen)."""
        super()._end_batch()
        if not self._batch_count and self._running and not self.first_frame_drawn:
            self.first_frame_drawn = True
            self._draw_whole_screen()

    def on_ready(self) -> None:
        """The first frame is on screen: finish starting once the first page shows too."""
        if not self.first_frame_drawn:
            self.first_frame_drawn = True
            self._draw_whole_screen()
        self.set_timer(self.FIRST_PAGE_WAIT_SECONDS, self.first_page_shown)
        self._finish_start_up()

    def _draw_whole_screen(self) -> None:
        """Write the whole first screen to the terminal now.

        Textual lays out the first frame while it is still starting (inside its start-up
        batch), renders it and drops it; only a partial update followed, and the whole screen,
        rows and all, waited for the next scheduled refresh: about 25 ms more start-up. The
        first screen skips that dropped render (AreaScreen._compositor_refresh); this one is
        the first frame's only render.
        """
        try:  # Textual's own parts: if they ever change, the next refresh draws as before
            screen = self.screen
            update = screen._compositor.render_update(
                full=True, screen_stack=self._background_screens
            )
            self._display(screen, update)
            screen._dirty_widgets.clear()  # all drawn just now
        except Exception:  # noqa: BLE001
            log.debug("drawing the first screen at once failed", exc_info=True)
            return
        time.sleep(0)  # let the output thread take the GIL and write it before we go on

    def first_page_shown(self) -> None:
        """The first screen's list shows its rows (or failed to load): see _finish_start_up."""
        self._first_page_on_screen = True
        self._finish_start_up()

    def _finish_start_up(self) -> None:
        """Once the first frame and the first rows are on screen: footer keys, the list's next
        page (see RecordTable.reload), collector, change feed.

        The footer's keys (see DeskFooter) and the garbage collector would each have delayed
        the rows by some 30 ms. `deskapp` pauses the collector while starting: start-up makes
        a few hundred thousand objects that live as long as the app and almost no garbage, so
        they are frozen (never scanned again), which also keeps later full collections short.
        """
        if not (self.first_frame_drawn and self._first_page_on_screen):
            return
        if not self.hold_footer_keys:
            return
        self.hold_footer_keys = False
        for footer in self.screen.query(DeskFooter):
            footer.show_keys()
        for table in self.screen.query(RecordTable):
            table.release_paging()
        if not gc.isenabled():
            gc.freeze()
            gc.enable()
        self.call_after_refresh(self.keep_parsed_styles)
        self.read_changes()  # where following starts
        self.set_interval(self.CHANGES_POLL_SECONDS, self.read_changes)
        # A thread of its own, not a worker: it lives as long as the app (waiting for all
        # workers to finish must not wait for it), and ends within a wait once the app stops.
        threading.Thread(target=self._listen_for_changes, name="changes", daemon=True).start()

    KEEP_STYLES_AFTER_SECONDS = 1.0
    """How long after more stylesheets load they are kept for the next start."""

    def keep_parsed_styles(self) -> None:
        """Keep what has been parsed for the next start (a desk is often closed by hanging up,
        so this happens once start-up has drawn everything, and after more stylesheets load,
        not at exit). Nothing is written when nothing new was parsed."""
        if self.parsed_styles is not None:
            self._styles.save_parsed(self.parsed_styles)

    def on_mount(self) -> None:
        """Follow theme changes (to remember them) and check the connection now and then."""
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # Immediate: a posted callback could run after the new screen's first rows are drawn
        # with their component styles (waiting colours) still missing.
        self.screen_change_signal.subscribe(self, self._load_later_stylesheets, immediate=True)
        self.set_interval(self.CONNECTION_CHECK_SECONDS, self.check_connection)

    def _load_later_stylesheets(self, _: Screen[Any]) -> None:
        """The first time another screen is shown: load every other screen's stylesheet.

        This runs before the new screen composes, so its widgets are styled from the start.
        """
        if self._later_stylesheets_loaded:
            return
        self._later_stylesheets_loaded = True
        for path in later_stylesheets():
            self.stylesheet.read(path)
        self.stylesheet.reparse()
        self.stylesheet.update(self)
        self.set_timer(self.KEEP_STYLES_AFTER_SECONDS, self.keep_parsed_styles)

    @property
    def previous_area(self) -> str | None:
        """The area escape returns to from an area's list, if any."""
        return self._area_history[-1] if self._area_history else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The current area's key is shown dimmed; the key list is not offered over itself."""
        if action == "switch_area":
            return None if parameters and parameters[0] == self.current_mode else True
        if action == "show_keys":
            from screens.keys import KeysScreen

            return not isinstance(self.screen, KeysScreen)
        return True

    def action_switch_area(self, area: str) -> None:
        """Go to one of the four areas (each keeps its place while you are elsewhere)."""
        if area not in AREAS or area == self.current_mode:
            return
        self._area_history = [*self._area_history, self.current_mode][-self.HISTORY_LENGTH :]
        self.switch_mode(area)
        self.refresh_bindings()

    def return_to_previous_area(self) -> None:
        """Go back to the area you came from (escape on an area's list)."""
        if self._area_history:
            self.switch_mode(self._area_history.pop())
            self.refresh_bindings()

    def action_show_keys(self) -> None:
        """Show the keys of the current screen and the app."""
        from screens.keys import KeysScreen, keys_of

        title = getattr(self.screen, "AREA_TITLE", "") or self.screen.__class__.__name__
        self.push_screen(KeysScreen(keys_of(self.screen), title))

    CHANGES_POLL_SECONDS = 1.0
    """How often the desk asks the change feed what others changed."""

    class ChangesRead(Message, bubble=False):
        """The change feed's newer events (possibly none), read in a thread."""

        def __init__(self, after: int, changes: tuple[Change, ...]) -> None:
            super().__init__()
            self.after = after
            self.changes = changes

    def read_changes(self) -> None:
        """Ask, in a thread, for the changes since the last seen (skipped while one asks)."""
        if self._reading_changes:
            return
        self._reading_changes = True
        self.run_worker(self._ask_changes, thread=True, exit_on_error=False, group="changes")

    def _listen_for_changes(self) -> None:
        """In a thread: read the feed the moment a shared database says something changed."""
        from deskapp.services.changes import wait_for_changes  # after the first screen

        try:
            wait_for_changes(lambda: self.call_from_thread(self.read_changes), self._still_on)
        except Exception:  # noqa: BLE001 (reading now and then goes on; the header tells)
            log.debug("listening for changes stopped", exc_info=True)

    def _still_on(self) -> bool:
        return self.is_running and not self._closing

    def _ask_changes(self) -> None:
        from deskapp.services.changes import (  # after the first screen
            changes_after,
            start_following,
        )

        try:
            if self._last_change is None:
                after, changes = start_following(), ()
            else:
                after = self._last_change
                changes = tuple(changes_after(after))
                if changes:
                    after = changes[-1].id
        except Exception:  # noqa: BLE001 (the connection check tells; ask again next time)
            log.debug("reading the change feed failed", exc_info=True)
            self._reading_changes = False
            return
        self.post_message(self.ChangesRead(after, changes))

    @on(ChangesRead)
    def _changes_read(self, message: ChangesRead) -> None:
        self._last_change = message.after
        self._reading_changes = False
        if message.changes:
            self.changes_signal.publish(message.changes)

    def check_connection(self) -> None:
        """Ask, in a thread, whether the database still answers (skipped while one asks)."""
        if self._checking_connection:
            return
        self._checking_connection = True
        self.run_worker(self._ask_database, thread=True, exit_on_error=False, group="connection")

    def _ask_database(self) -> None:
        self.post_message(ConnectionChecked(connection.database_reachable()))

    @on(ConnectionChecked)
    def _show_connection(self, message: ConnectionChecked) -> None:
        self._checking_connection = False
        self.database_reachable = message.reachable

    def _remember_theme(self, theme: Theme) -> None:
        self.run_worker(
            partial(preferences.remember_theme, theme.name),
            thread=True,
            exit_on_error=False,
            group="preferences",
        )

    @on(Worker.StateChanged)
    def report_failed_work(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker is reported; the app carries on either way.

        A DeskError's own sentence is shown; anything else is a bug: its traceback goes to the
        log file and a short notice says where.
        """
        if event.worker.group == "connection" and event.state is not WorkerState.RUNNING:
            self._checking_connection = False
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if isinstance(error, DeskError):
            self.notify(untrusted_message(str(error)), severity="error", markup=False)
            return
        where = _log_unexpected(error, event.worker.name or "work")
        self.notify(
            untrusted_message(
                f"Something went wrong ({type(error).__name__}); the details are in {where}."
            ),
            title="Unexpected error",
            severity="error",
            markup=False,
        )


def _log_unexpected(error: BaseException, what: str) -> str:
    """Write the traceback to the log file (set up on first use); returns where it went."""
    from deskapp.config import log_file_path

    try:
        path = log_file_path()
    except OSError:
        log.error("%s failed", what, exc_info=(type(error), error, error.__traceback__))
        return "the log"
    if not any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    log.error("%s failed", what, exc_info=(type(error), error, error.__traceback__))
    return str(path)


def desk_app(session: DeskSession, *, configured_theme: str | None = None) -> DeskApp:
    """The app as `deskapp` starts it: the theme chosen last time, else the configured one,
    and the stylesheets as the last start parsed them."""
    return DeskApp(
        session,
        theme=preferences.saved_theme() or configured_theme,
        parsed_styles=parsed_styles_path(),
    )


def run_desk(session: DeskSession, *, configured_theme: str | None = None) -> None:
    """Run the desk in this terminal until the person quits."""
    app = desk_app(session, configured_theme=configured_theme)
    try:
        app.run()
    finally:
        app.keep_parsed_styles()  # if quit before start-up kept them
