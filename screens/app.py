"""The app shell: the four areas as modes, their keys, the palette, themes, one error handler.

Its other parts: start-up (screens.start_up), following other desks (screens.following) and
watching the connection (screens.connection_watch).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from deskapp.errors import DatabaseUnavailable, DeskError
from deskapp.services import preferences
from deskapp.services.actors import Actor
from deskapp.services.session import DeskSession
from screens.client_list import ClientListScreen
from screens.connection_watch import WatchesConnection
from screens.following import FollowsOtherDesks
from screens.held_output import HoldsOutput
from screens.start_up import StartsQuickly
from screens.widgets.untrusted import untrusted_message

log = logging.getLogger("deskapp.screens")

AREAS = ("clients", "tickets", "orders", "ledger")
"""The four places, in the order of their number keys."""


SIGN_IN_MODE = "sign_in"
"""The mode of the sign-in screen, while a shared desk asks who you are."""
NEEDS_SIGN_IN = frozenset({"switch_area", "command_palette"})
"""The app's actions that wait until someone has signed in."""


def _sign_in() -> Screen[None]:
    from screens.sign_in import SignInScreen

    return SignInScreen()


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


class DeskApp(StartsQuickly, HoldsOutput, FollowsOtherDesks, WatchesConnection, App[None]):
    """The desk: clients, tickets, orders and the credit ledger, one area per mode.

    | Key(s) | Description |
    | :- | :- |
    | 1 2 3 4 | Go to clients, tickets, orders, the credit ledger. |
    | ? / f1 | List the keys (f1 in a text field, where ? is typed). |
    | ctrl+p | The command palette. |
    | ctrl+t | Choose a theme (remembered). |
    | escape | Back. |
    """

    TITLE = "deskapp"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "clients": ClientListScreen,
        "tickets": _ticket_list,
        "orders": _order_list,
        "ledger": _ledger_list,
    }
    DEFAULT_MODE = "clients"
    DEFAULT_AREA: ClassVar[str] = "clients"
    """The area the desk opens on (after signing in, on a shared desk)."""
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
            "question_mark,f1",
            "show_keys",
            "Keys",
            tooltip="List the keys of this screen (f1 also works in a text field).",
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

    def __init__(self, session: DeskSession, *, theme: str | None = None) -> None:
        if session.needs_sign_in:
            # A shared desk asks who you are before any area shows (screens.sign_in); the
            # areas' modes are made only once someone has signed in.
            self.DEFAULT_MODE = SIGN_IN_MODE
        super().__init__()
        self.session = session
        """The open desk: mode, database and who is signed in."""
        self._following = False
        if session.needs_sign_in:
            self.add_mode(SIGN_IN_MODE, _sign_in)
        if theme and theme in self.available_themes:
            self.theme = theme

    def on_mount(self) -> None:
        """Follow theme changes, to remember them."""
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def after_start_up(self) -> None:
        """Once the first screen shows its rows: follow other desks (once someone signed in)."""
        if self.signed_in_actor is not None and not self._following:
            self._following = True
            self.start_following()

    @property
    def signed_in_actor(self) -> Actor | None:
        """Who is signed in; None while the sign-in screen asks."""
        return self.session.signed_in_as

    def signed_in(self, actor: Actor) -> None:
        """The sign-in screen proved who `actor` is: the desk opens as them, on the client list."""
        self.session = self.session.signed_in(actor)
        self.switch_mode(self.DEFAULT_AREA)
        self.remove_mode(SIGN_IN_MODE)
        self.refresh_bindings()
        if not self.starting_up:
            self.after_start_up()

    def feed_unread(self) -> None:
        """The change feed failed to answer: is the database gone?"""
        self.check_connection()

    def reconnected(self) -> None:
        """Back after an outage: read what other desks changed meanwhile."""
        self.read_changes()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The current area's key is shown dimmed on its list (elsewhere in the area it goes back
        to the list); the key list is not offered over itself."""
        if self.signed_in_actor is None and action in NEEDS_SIGN_IN:
            return False
        if action == "switch_area":
            here = bool(parameters) and parameters[0] == self.current_mode
            opened = any(not isinstance(s, ModalScreen) for s in self.screen_stack[1:])
            return None if here and not opened else True
        if action == "show_keys":
            from screens.keys import KeysScreen

            return not isinstance(self.screen, KeysScreen)
        return True

    def action_switch_area(self, area: str) -> None:
        """Go to one of the four areas' lists, as the keys' labels say: the list keeps its
        filter and place, and what was opened over it closes (see `close_to_list`)."""
        if area not in AREAS:
            return
        if area != self.current_mode:
            self.hold_output()  # the area's screen says when it is ready (screens.area)
            self.switch_mode(area)
        self.close_to_list()
        self.refresh_bindings()

    def close_to_list(self) -> None:
        """Close the screens opened over the current area's list, each as its own escape
        closes it (a screen's `leave()`: a ticket keeps its draft, the list hears what changed).
        A dialog waiting for an answer stays open, with what was typed into it."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
            screen = self.screen
            leave = getattr(screen, "leave", None)
            if callable(leave):
                leave()
            else:
                screen.dismiss()
            if self.screen is screen:
                break  # it chose to stay

    def action_show_keys(self) -> None:
        """Show the keys of the current screen and the app."""
        from screens.keys import KeysScreen, keys_of

        title = getattr(self.screen, "AREA_TITLE", "") or self.screen.__class__.__name__
        self.push_screen(KeysScreen(keys_of(self.screen), title))

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
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        error = event.worker.error
        if isinstance(error, DeskError):
            self.notify(untrusted_message(str(error)), severity="error", markup=False)
            if isinstance(error, DatabaseUnavailable):
                self.connection_lost()
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
    """The app as `deskapp` starts it: the theme chosen last time, else the configured one."""
    return DeskApp(session, theme=preferences.saved_theme() or configured_theme)


def run_desk(session: DeskSession, *, configured_theme: str | None = None) -> None:
    """Run the desk in this terminal until the person quits."""
    desk_app(session, configured_theme=configured_theme).run()
