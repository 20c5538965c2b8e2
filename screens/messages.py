"""Messages the app's screens and widgets post, and how failed work reaches the app.

Textual posts `Worker.StateChanged` only to the node that started the worker and does not bubble
it, so every node that runs service calls mixes in `ReportsFailedWork`: a failed worker is handed
to the app, whose one `@on(Worker.StateChanged)` handler shows or logs it.
"""

from __future__ import annotations

from textual.message import Message
from textual.worker import Worker, WorkerState


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
