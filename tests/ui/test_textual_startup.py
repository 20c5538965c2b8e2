"""The one module with Textual's private names (screens._textual_startup) fails here first
when Textual changes under it: another version than the pin, or a private name gone."""

from __future__ import annotations

import re
from pathlib import Path

import textual
from textual.app import App
from textual.screen import Screen

from screens import _textual_startup
from screens._textual_startup import (
    APP_ATTRIBUTES,
    APP_NAMES,
    PINNED,
    SCREEN_ATTRIBUTES,
    SCREEN_NAMES,
    DrawsFirstFrameAtOnce,
    SkipsDroppedFirstRender,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_textual_is_the_pinned_one() -> None:
    assert textual.__version__ == PINNED
    assert _textual_startup.installed_textual_is_pinned()


def test_pyproject_pins_that_version() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(rf'"textual=={re.escape(PINNED)}"', pyproject)


async def test_the_private_names_it_relies_on_exist() -> None:
    assert _textual_startup.private_names_present()
    app: App[None] = App()
    async with app.run_test():
        for name in (*APP_NAMES, *APP_ATTRIBUTES):
            assert hasattr(app, name), name
        for name in SCREEN_NAMES:
            assert hasattr(Screen, name), name
        for name in SCREEN_ATTRIBUTES:
            assert hasattr(app.screen, name), name
        assert isinstance(app._batch_count, int)
        assert callable(app.screen._compositor.render_update)
        assert hasattr(app.screen._dirty_widgets, "clear")


def test_it_is_on_with_the_pinned_textual() -> None:
    assert _textual_startup.ACTIVE
    assert "_end_batch" in vars(DrawsFirstFrameAtOnce)
    assert "_compositor_refresh" in vars(SkipsDroppedFirstRender)


class FirstFrameApp(DrawsFirstFrameAtOnce, App[None]):
    """The work-around on the smallest app."""


async def test_the_first_frame_is_drawn_as_the_start_up_batch_ends() -> None:
    app = FirstFrameApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.first_frame_drawn


def test_another_textual_version_is_not_taken_for_the_pinned_one(tmp_path: Path) -> None:
    (tmp_path / "textual").mkdir()
    (tmp_path / "textual-9.0.0.dist-info").mkdir()
    assert not _textual_startup.installed_textual_is_pinned(tmp_path)
    (tmp_path / f"textual-{PINNED}.dist-info").mkdir()
    assert _textual_startup.installed_textual_is_pinned(tmp_path)
