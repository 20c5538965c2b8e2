"""How failed work reaches the app's one error handler, for screens and widgets alike.

Textual posts `Worker.StateChanged` only to the node that started the worker and does not bubble
it, so every node that runs service calls mixes in `ReportsFailedWork`: a failed worker is handed
to the app, whose one `@on(Worker.StateChanged)` handler shows or logs it. It lives with the
widgets because widgets need it and never import a screen module.
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

__all__ = ["ReportsFailedWork"]


class ReportsFailedWork:
    """Mixin for a Screen or Widget: pass failed workers on to the app's one error handler."""

    def _on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A naming-convention handler: Textual does not collect @on handlers from plain mixins.
        node = event.worker.node
        if event.state is WorkerState.ERROR and node is self:
            node.app.post_message(Worker.StateChanged(event.worker, event.state))
