"""A new screen goes out to the terminal once, whole, not once per part arriving.

Over SSH every frame of a new screen is a whole screen (8-10 KB at 120x36). Textual draws a
screen it shows for the first time twice (once as it lays it out, once more as it resumes), and
again for each part that arrives after it (the footer's keys, the list's first page, a client's
profile from a thread). While the desk puts a new screen together it holds the terminal output
in Textual's public `App.batch_update()`, and lets it go once the screen is ready: shown, its
footer's keys built, none of its work (thread workers loading its parts) still running; or after
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

from screens.widgets.desk_footer import DeskFooter


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
        """Hold what is drawn until `release_output()` (or the limit); a second hold is one.
        Headless (tests, no terminal) there is nothing to hold: screens show as they come."""
        if self._held is not None or self.is_headless:
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
    """Screen part: lets the app's held output go once this screen is shown and its work done.

    It also gives the screen its breakpoint classes (HORIZONTAL_BREAKPOINTS) for the app's size
    as it mounts: Textual sets them at the screen's first resize, after its first layout,
    and the change of class lays the whole screen out again, another frame.
    """

    @on(events.Mount)
    def _breakpoints_for_the_size(self) -> None:
        width, height = self.app.size
        for breakpoints, dimension in (
            (self.HORIZONTAL_BREAKPOINTS or self.app.HORIZONTAL_BREAKPOINTS or [], width),
            (self.VERTICAL_BREAKPOINTS or self.app.VERTICAL_BREAKPOINTS or [], height),
        ):
            reached = [(at, name) for at, name in breakpoints if dimension >= at]
            self.update_classes(
                {name: (at, name) == max(reached, default=None) for at, name in breakpoints}
            )

    @on(events.ScreenResume)
    @on(Worker.StateChanged)
    @on(DeskFooter.KeysShown)
    def _maybe_ready(self) -> None:
        app = self.app
        if isinstance(app, HoldsOutput) and app.holding_output:
            self.call_after_refresh(self._release_if_ready)

    def _release_if_ready(self) -> None:
        app = self.app
        if (
            isinstance(app, HoldsOutput)
            and self.is_current
            and not self._work_running()
            and all(footer.keys_shown for footer in self.query(DeskFooter))
        ):
            app.release_output()

    def _work_running(self) -> bool:
        for worker in self.app.workers:
            if worker.state not in (WorkerState.PENDING, WorkerState.RUNNING):
                continue
            node = worker.node
            if node is self or (isinstance(node, Widget) and self in node.ancestors):
                return True
        return False
