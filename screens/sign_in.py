"""Signing in to a shared desk: who you are (username, password), asked before anything shows.

A shared (PostgreSQL) desk opens on this screen when its session has nobody signed in yet;
`--staff NAME` only fills in the username. The password is checked by the staff service in a
thread worker; a refusal is shown as the service's sentence, which says how long to wait when
failed attempts have made the service pause that username (the pause grows with each failure,
and the sign-in button stays off until it is over). On success the desk opens as that person.

| Key(s) | Description |
| :- | :- |
| enter | Sign in (or go from the username to the password). |
| tab | The next field. |
| ctrl+q | Quit without signing in. |
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState

from deskapp.errors import DeskError
from deskapp.services.staff import authenticate, has_staff
from deskapp.wording import counted
from screens.styles_path import STYLES
from screens.widgets.desk_session import desk_session
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.actors import Actor
    from screens.app import DeskApp

__all__ = ["NO_STAFF_YET", "SignInScreen"]

NO_STAFF_YET = (
    "This desk has no staff yet: add the first admin with "
    "`deskapp staff add NAME --role admin`, then sign in."
)
"""What a new shared desk says: nobody can sign in before the first `staff add`."""


class SignInScreen(ReportsFailedWork, Screen[None]):
    """Username and password; the desk opens as the person they prove."""

    # The desk loads only the client list's stylesheet at start (screens.start_up); a shared
    # desk shows this screen first, so it brings its own, as Textual loads a screen's CSS_PATH.
    CSS_PATH = STYLES / "sign_in.tcss"
    AUTO_FOCUS = None
    AREA_TITLE = "Sign in"
    """The place's name in the key list."""

    checking: reactive[bool] = reactive(False)
    """Whether the password is being checked (the button is off meanwhile)."""
    wait_until: reactive[float] = reactive(0.0)
    """When (time.monotonic) the service's pause after failed attempts ends; 0: no pause."""

    class SignedIn(Message, bubble=False):
        """The service accepted the password."""

        def __init__(self, actor: Actor) -> None:
            super().__init__()
            self.actor = actor
            """Who signed in."""

    class Refused(Message, bubble=False):
        """The service refused: its sentence, and how long it pauses this username."""

        def __init__(self, sentence: str, wait_seconds: float) -> None:
            super().__init__()
            self.sentence = sentence
            """Why, in the service's words (never says whether the username exists)."""
            self.wait_seconds = wait_seconds
            """Seconds before the next attempt is heard (0: none)."""

    class NoStaffYet(Message, bubble=False):
        """The desk has nobody who could sign in."""

    def __init__(self) -> None:
        super().__init__()
        self._countdown: Timer | None = None
        self._wait_said = ""

    def compose(self) -> ComposeResult:
        """The desk's name and database, the two fields, a line for the answer, the button."""
        session = desk_session(self)
        with Center(id="sign-in-box"), Vertical(id="sign-in-panel"):
            yield Static(Text("Sign in to the desk"), id="sign-in-title")
            yield Static(
                untrusted(f"{session.mode} desk · {session.database.label}", limit=70),
                id="sign-in-database",
            )
            yield Static(Text("Username"), classes="field-label")
            yield Input(
                value=preselected_username(self),
                id="username",
                max_length=64,
                compact=True,
                select_on_focus=False,
            )
            yield Static(Text("Password"), classes="field-label")
            yield Input(id="password", password=True, max_length=1024, compact=True)
            yield Static(id="sign-in-answer")
            yield Static(id="sign-in-wait")
            with Horizontal(id="sign-in-buttons"):
                yield Button("Sign in", variant="primary", id="sign-in")

    def on_mount(self) -> None:
        """The password field when the username is known already, else the username; and
        whether the desk has anyone at all (a new shared desk has nobody yet)."""
        username = self.query_one("#username", Input)
        (self.query_one("#password", Input) if username.value else username).focus()
        app = cast("DeskApp", self.app)
        if app.starting_up:
            # This is the desk's first screen and has no list to wait for: start-up is
            # over once it is drawn (screens.start_up).
            self.call_after_refresh(app.first_page_shown)
        self.run_worker(
            self._look_for_staff, thread=True, exit_on_error=False, name="look for staff"
        )

    def _look_for_staff(self) -> None:
        if not has_staff():
            self.post_message(self.NoStaffYet())

    @on(NoStaffYet)
    def _no_staff_yet(self) -> None:
        self.answer(NO_STAFF_YET, error=False)

    @on(Input.Submitted, "#username")
    def _username_entered(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#password", Input).focus()
        else:
            self.answer("Type your username.")

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def sign_in(self) -> None:
        """Check the password (in a thread), unless a check or the service's pause is on."""
        if self.checking or self.waiting:
            return
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username:
            self.query_one("#username", Input).focus()
            self.answer("Type your username.")
            return
        if not password:
            self.query_one("#password", Input).focus()
            self.answer("Type your password.")
            return
        self.checking = True
        self.answer("Checking…", error=False)
        self.run_worker(
            lambda: self._check(username, password),
            thread=True,
            exit_on_error=False,
            group="sign-in",
            name="sign in",
        )

    def _check(self, username: str, password: str) -> None:
        try:
            actor = authenticate(username, password)
        except DeskError as error:
            wait = float(getattr(error, "wait_seconds", 0) or 0)
            self.post_message(self.Refused(str(error), wait))
            return
        self.post_message(self.SignedIn(actor))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A check that failed for another reason than the password (the app's one error
        handler says what) leaves the screen usable: the person can try again."""
        if event.worker.group == "sign-in" and event.state is WorkerState.ERROR:
            self.checking = False
            self.answer("The password could not be checked; try again.")

    @on(SignedIn)
    def _signed_in(self, message: SignedIn) -> None:
        self.checking = False
        self.query_one("#password", Input).value = ""
        cast("DeskApp", self.app).signed_in(message.actor)

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.checking = False
        password = self.query_one("#password", Input)
        password.value = ""
        password.focus()
        self.answer(message.sentence)
        if message.wait_seconds > 0:
            self._wait_said = seconds(message.wait_seconds)
            self.wait_until = time.monotonic() + message.wait_seconds
            self._tick()
            self._countdown = self.set_interval(0.5, self._tick)

    @property
    def waiting(self) -> bool:
        """Whether the service's pause after failed attempts is still on."""
        return self.wait_until > time.monotonic()

    def _tick(self) -> None:
        """Say how long the pause still holds; once over, say so and stop counting."""
        left = self.wait_until - time.monotonic()
        if left > 0:
            # The service's sentence said the whole wait; the count starts once it shrinks.
            still = seconds(left)
            sentence = "" if still == self._wait_said else f"You can try again in {still}."
        else:
            sentence = "You can try again now."
            self.wait_until = 0.0
            if self._countdown is not None:
                self._countdown.stop()
                self._countdown = None
        self.query_one("#sign-in-wait", Static).update(Text(sentence))
        self._refresh_button()

    def answer(self, sentence: str, *, error: bool = True) -> None:
        """Show the service's (or the form's) sentence under the fields."""
        line = self.query_one("#sign-in-answer", Static)
        line.update(untrusted(sentence, limit=200))
        line.set_class(error, "-refused")

    def watch_checking(self) -> None:
        """The button is off while checking."""
        self._refresh_button()

    def watch_wait_until(self) -> None:
        """... and while the service pauses the username."""
        self._refresh_button()

    def _refresh_button(self) -> None:
        for button in self.query("#sign-in").results(Button):
            button.disabled = self.checking or self.waiting


def seconds(left: float) -> str:
    """A pause as people say it: "1 second", "8 seconds", "2 minutes"."""
    whole = max(1, math.ceil(left))
    if whole < 120:
        return counted(whole, "second")
    return counted(math.ceil(whole / 60), "minute")


def preselected_username(screen: Screen[None]) -> str:
    """The username `--staff` named, if any (the session carries it)."""
    return desk_session(screen).preselect
