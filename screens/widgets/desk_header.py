"""The line atop every place: where you are, which desk, whether it answers, who you are."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

from screens.widgets.untrusted import untrusted


class DeskHeader(Horizontal):
    """Area title, mode and database, connection state, and the signed-in staff member."""

    area = reactive("")
    """The title of the place shown below the header."""
    mode = reactive("")
    """local, shared or replica."""
    database = reactive("")
    """The database's short label (a file name, or host/database)."""
    staff = reactive("")
    """Who is signed in, with their role."""
    reachable: reactive[bool | None] = reactive[bool | None](True)
    """Whether the database answered the last check (None: checking; False: the desk is
    reconnecting)."""

    def compose(self) -> ComposeResult:
        """The parts of the line, left to right."""
        yield Static(id="area")
        yield Static(id="database")
        yield Static(id="connection")
        yield Static(id="staff")

    def on_mount(self) -> None:
        """Show the desk's session (mode, database, staff) and follow its connection state."""
        session = getattr(self.app, "session", None)
        if session is not None:
            self.mode = session.mode
            self.database = session.database.label
            self.staff = f"{session.actor.name} ({session.actor.role})"
        if hasattr(self.app, "database_reachable"):
            self.watch(self.app, "database_reachable", self._follow_reachable)
        self._show_area()
        self._show_database()
        self._show_connection()
        self._show_staff()

    def _follow_reachable(self, reachable: bool | None) -> None:
        self.reachable = reachable

    def watch_area(self) -> None:
        self._show_area()

    def watch_mode(self) -> None:
        self._show_database()

    def watch_database(self) -> None:
        self._show_database()

    def watch_reachable(self) -> None:
        self._show_connection()

    def watch_staff(self) -> None:
        self._show_staff()

    def _part(self, name: str) -> Static | None:
        found = self.query(f"#{name}")
        return found.first(Static) if found else None

    def _show_area(self) -> None:
        if part := self._part("area"):
            part.update(Text.assemble(("deskapp", "bold"), "  ", untrusted(self.area)))

    def _show_database(self) -> None:
        if part := self._part("database"):
            part.update(Text.assemble(untrusted(self.mode), " · ", untrusted(self.database)))

    def _show_connection(self) -> None:
        if part := self._part("connection"):
            if self.reachable is None:
                part.update(Text("◌ checking"))
            elif self.reachable:
                part.update(Text("● connected"))
            else:
                part.update(Text("○ reconnecting"))
            part.set_class(self.reachable is False, "-unreachable")

    def _show_staff(self) -> None:
        if part := self._part("staff"):
            part.update(untrusted(self.staff))
