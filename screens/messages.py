"""Messages the app's screens and widgets post, how failed work reaches the app, and how a
screen follows other desks' changes.

Textual posts `Worker.StateChanged` only to the node that started the worker and does not bubble
it, so every node that runs service calls mixes in `ReportsFailedWork`: a failed worker is handed
to the app, whose one `@on(Worker.StateChanged)` handler shows or logs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from deskapp.services.changes import Change


class ReportsFailedWork:
    """Mixin for a Screen or Widget: pass failed workers on to the app's one error handler."""

    def _on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A naming-convention handler: Textual does not collect @on handlers from plain mixins.
        if event.state is WorkerState.ERROR and event.worker.node is self:
            app = self.app  # type: ignore[attr-defined]
            app.post_message(Worker.StateChanged(event.worker, event.state))


class ConnectionChecked(Message):
    """The periodic check of the database connection has an answer."""

    def __init__(self, reachable: bool) -> None:
        super().__init__()
        self.reachable = reachable
        """Whether the database answered."""


class FollowsChanges:
    """Mixin for a Screen that shows one entity: when another desk changes it (the app's
    `changes_signal`, read from the change feed), the screen refreshes (`action_refresh`) at
    once if it is on screen, else when it is shown again (a dialog over it closed).

    The screen calls `follow_changes()` when mounted and says in `shows_change` which
    changes are its business.
    """

    _changed_while_away = False

    def follow_changes(self) -> None:
        """Start following (in on_mount)."""
        self.app.changes_signal.subscribe(self, self._changes_seen)  # type: ignore[attr-defined]

    def shows_change(self, change: Change) -> bool:
        """Whether this screen shows what `change` changed."""
        raise NotImplementedError

    def refresh_for_changes(self) -> None:
        """Show the changes now (on screen): `action_refresh` unless a screen says otherwise."""
        self.action_refresh()  # type: ignore[attr-defined]

    def _changes_seen(self, changes: tuple[Change, ...]) -> None:
        if not any(self.shows_change(change) for change in changes):
            return
        if self.app.screen is self:  # type: ignore[attr-defined]
            self.refresh_for_changes()
        else:
            self._changed_while_away = True

    def _on_screen_resume(self) -> None:
        # A naming-convention handler, as in ReportsFailedWork.
        if self._changed_while_away:
            self._changed_while_away = False
            self.action_refresh()  # type: ignore[attr-defined]
