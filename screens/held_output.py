"""A new screen goes out to the terminal once, whole, not once per part arriving.

Over SSH every frame of a new screen is a whole screen (8-10 KB at 120x36). Textual draws a
screen it shows for the first time twice (once as it lays it out, once more as it resumes), and
again for each part that arrives after it (the footer's keys, the list's first page, a client's
profile from a thread). While the desk puts a new screen together it holds the terminal output
in Textual's public `App.batch_update()`, and lets it go once the screen is ready: shown, and
none of its work (thread workers loading its parts) still running; or after
HOLD_LIMIT_SECONDS at most. The whole screen is then drawn once. Keys still work meanwhile;
only drawing waits. bench/wire.py measures it.
"""

from __future__ import annotations

from contextlib import ExitStack

from textual import events, on
from textual.app import App
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState


class HoldsOutput(App[None]):
    """App part: `hold_output()` before opening a screen; the screen lets it go when ready."""

    HOLD_LIMIT_SECONDS = 0.4
    """The longest the terminal waits for a screen that is slow to be ready."""

    _held: ExitStack | None = None
    _hold_limit: Timer | None = None

    @property
    def holding_output(self) -> bool:
        """Whether drawing waits for a screen being put together."""
        return self._held is not None

    def hold_output(self) -> None:
        """Hold what is drawn until `release_output()` (or the limit); a second hold is one."""
        if self._held is not None:
            return
        held = ExitStack()
        held.enter_context(self.batch_update())
        self._held = held
        self._hold_limit = self.set_timer(self.HOLD_LIMIT_SECONDS, self.release_output)

    def release_output(self) -> None:
        """Draw the screen as it is now, whole, and stop holding (nothing if not held)."""
        held, self._held = self._held, None
        if held is None:
            return
        if self._hold_limit is not None:
            self._hold_limit.stop()
            self._hold_limit = None
        held.close()
        self.screen.refresh()


class DrawnWhenReady(Screen[object]):
    """Screen part: lets the app's held output go once this screen is shown and its work done."""

    @on(events.ScreenResume)
    @on(Worker.StateChanged)
    def _maybe_ready(self) -> None:
        app = self.app
        if isinstance(app, HoldsOutput) and app.holding_output:
            self.call_after_refresh(self._release_if_ready)

    def _release_if_ready(self) -> None:
        app = self.app
        if isinstance(app, HoldsOutput) and self.is_current and not self._work_running():
            app.release_output()

    def _work_running(self) -> bool:
        for worker in self.app.workers:
            if worker.state not in (WorkerState.PENDING, WorkerState.RUNNING):
                continue
            node = worker.node
            if node is self or (isinstance(node, Widget) and self in node.ancestors):
                return True
        return False
