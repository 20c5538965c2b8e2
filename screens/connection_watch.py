"""Watching the connection: the database asked now and then whether it still answers, and
every RECONNECT_CHECK_SECONDS while it does not, so the header turns from "reconnecting" back
to "connected" within a second or two of the server being back.

Anything that finds the database gone (a failed check, a failed read of the change feed, work
that failed with DatabaseUnavailable) calls `connection_lost()`; the database layer itself
replaces a dead connection at the next unit of work (deskapp.db.postgres)."""

from __future__ import annotations

from textual import on
from textual.app import App
from textual.reactive import reactive
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from deskapp.services import connection
from screens.messages import ConnectionChecked


class WatchesConnection(App[None]):
    """App part: asks the database every CONNECTION_CHECK_SECONDS (every
    RECONNECT_CHECK_SECONDS while it does not answer); the header shows the answer."""

    CONNECTION_CHECK_SECONDS = 10.0
    """How often the header asks the database whether it still answers."""
    RECONNECT_CHECK_SECONDS = 1.0
    """How often the desk asks again while the database does not answer."""

    database_reachable: reactive[bool | None] = reactive[bool | None](True)
    """Whether the database answered the last check; the header shows it."""

    def __init__(self) -> None:
        super().__init__()
        self._checking_connection = False
        self._reconnecting: Timer | None = None

    def on_mount(self) -> None:
        """Check the connection now and then."""
        self.set_interval(self.CONNECTION_CHECK_SECONDS, self.check_connection)

    def check_connection(self) -> None:
        """Ask, in a thread, whether the database still answers (skipped while one asks)."""
        if self._checking_connection:
            return
        self._checking_connection = True
        self.run_worker(self._ask_database, thread=True, exit_on_error=False, group="connection")

    def connection_lost(self) -> None:
        """Something found the database gone: say "reconnecting" and ask again until it
        answers."""
        self.database_reachable = False
        self.check_connection()

    def _ask_database(self) -> None:
        self.post_message(ConnectionChecked(connection.database_reachable()))

    @on(ConnectionChecked)
    def _show_connection(self, message: ConnectionChecked) -> None:
        self._checking_connection = False
        was_reachable = self.database_reachable
        self.database_reachable = message.reachable
        if not message.reachable and self._reconnecting is None:
            self._reconnecting = self.set_interval(
                self.RECONNECT_CHECK_SECONDS, self.check_connection
            )
        elif message.reachable and self._reconnecting is not None:
            self._reconnecting.stop()
            self._reconnecting = None
        if message.reachable and was_reachable is False:
            self.reconnected()

    def reconnected(self) -> None:
        """The database answers again after it did not (other app parts catch up)."""

    @on(Worker.StateChanged)
    def _connection_check_ended(self, event: Worker.StateChanged) -> None:
        """A check that failed or was cancelled leaves room for the next one."""
        if event.worker.group == "connection" and event.state is not WorkerState.RUNNING:
            self._checking_connection = False
