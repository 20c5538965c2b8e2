"""The one place the desk uses Textual's private names: its first frame drawn once, at once.

What it works around, in Textual 8.2.8 (the version pyproject.toml pins):

- An app starts inside a batch: `App._process_messages` composes, mounts and styles the
  first screen in `with self.batch_update():`
  (https://github.com/Textualize/textual/blob/v8.2.8/src/textual/app.py).
- The first screen lays out and renders its first frame while that batch is still open
  (`Screen._refresh_layout` queues `Screen._compositor_refresh`), and `App._display` drops any
  output while a batch is open
  (https://github.com/Textualize/textual/blob/v8.2.8/src/textual/screen.py).
- So the first frame is rendered, thrown away, and the whole screen waits for the screen's
  next scheduled update after the batch ends.

Here the first screen skips the render that would be dropped (`SkipsDroppedFirstRender`),
and the app renders and writes the whole screen the moment the start-up batch ends
(`DrawsFirstFrameAtOnce`): one render, written at once. bench/README.md has what it saves.
No upstream issue is filed; the public API has no hook at the end of the start-up batch
(`App.on_ready` arrives later, and `Screen.refresh()` waits for the update timer).

Guarded: `ACTIVE` is true only when the installed Textual is exactly `PINNED` and every
private name used here exists. On any other version both classes are empty, and the desk
starts as any Textual app does (correct, a little slower). tests/ui/test_textual_startup.py
fails when Textual changes under this module, so an upgrade comes here first.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import textual
from textual.app import App
from textual.screen import Screen

log = logging.getLogger("deskapp.screens")

PINNED = "8.2.8"
"""The Textual version this module was written against (pyproject.toml pins it)."""

APP_NAMES = ("_end_batch", "_display", "_background_screens")
"""App's private methods and properties used here."""
APP_ATTRIBUTES = ("_batch_count", "_running")
"""App's private instance attributes used here (set in App.__init__)."""
SCREEN_NAMES = ("_compositor_refresh",)
"""Screen's private methods used here."""
SCREEN_ATTRIBUTES = ("_compositor", "_dirty_widgets")
"""Screen's private instance attributes used here (set in Screen.__init__)."""


def installed_textual_is_pinned(site: Path | None = None) -> bool:
    """Whether the installed Textual is exactly PINNED (`site`: where it is installed).

    Read from the installed distribution's metadata folder beside the package, not through
    importlib.metadata, which would scan the whole path at every start.
    """
    if site is None:
        site = Path(textual.__file__).resolve().parent.parent
    return (site / f"textual-{PINNED}.dist-info").is_dir()


def private_names_present() -> bool:
    """Whether the private methods this module overrides or calls exist on App and Screen."""
    return all(hasattr(App, name) for name in APP_NAMES) and all(
        hasattr(Screen, name) for name in SCREEN_NAMES
    )


ACTIVE = installed_textual_is_pinned() and private_names_present()
"""Whether the work-around is on (else plain Textual behaviour)."""


class DrawsFirstFrameAtOnce:
    """App mixin: the whole first screen is rendered and written as the start-up batch ends."""

    first_frame_drawn = False
    """Whether the whole first screen has been written (always false when not ACTIVE)."""

    if ACTIVE:

        def _end_batch(self) -> None:
            super()._end_batch()  # type: ignore[misc]
            app: App[object] = self  # type: ignore[assignment]
            if not app._batch_count and app._running and not self.first_frame_drawn:
                self.first_frame_drawn = True
                _draw_whole_screen(app)


class SkipsDroppedFirstRender:
    """Screen mixin: no render while the start-up batch would drop it (the app draws it then)."""

    if ACTIVE:

        def _compositor_refresh(self) -> None:
            screen: Screen[object] = self  # type: ignore[assignment]
            app = screen.app
            if app._batch_count and not getattr(app, "first_frame_drawn", True):
                return
            super()._compositor_refresh()  # type: ignore[misc]


def _draw_whole_screen(app: App[object]) -> None:
    """Render the whole current screen and write it now; on any failure the screen's next
    scheduled refresh draws it, as in plain Textual."""
    try:
        screen = app.screen
        update = screen._compositor.render_update(full=True, screen_stack=app._background_screens)
        app._display(screen, update)
        screen._dirty_widgets.clear()  # all drawn just now
    except Exception:  # noqa: BLE001
        log.debug("drawing the first screen at once failed", exc_info=True)
        return
    time.sleep(0)  # let the output thread take the GIL and write it before start-up goes on
