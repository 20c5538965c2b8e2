"""Watching the connection: the database asked now and then whether it still answers."""

from __future__ import annotations

from textual import on
from textual.app import App
from textual.reactive import reactive
from textual.worker import Worker, WorkerState

from deskapp.services import connection
from screens.messages import ConnectionChecked


class WatchesConnection(App[None]):
    """App part: asks the database every CONNECTION_CHECK_SECONDS; the header shows the answer."""

    CONNECTION_CHECK_SECONDS = 10.0
    """How often the header asks the database whether it still answers."""

    database_reachable: reactive[bool | None] = reactive[bool | None](True)
    """Whether the database answered the last check; the header shows it."""

    def __init__(self) -> None:
        super().__init__()
        self._checking_connection = False

    def on_mount(self) -> None:
        """Check the connection now and then."""
        self.set_interval(self.CONNECTION_CHECK_SECONDS, self.check_connection)

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

    @on(Worker.StateChanged)
    def _connection_check_ended(self, event: Worker.StateChanged) -> None:
        """A check that failed or was cancelled leaves room for the next one."""
        if event.worker.group == "connection" and event.state is not WorkerState.RUNNING:
            self._checking_connection = False
