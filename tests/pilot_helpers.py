"""What every Pilot test does to wait for the app and to read it, written once."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList
from textual.pilot import Pilot

from screens.widgets.search_box import SearchBox

WAIT_STEP = 0.01
"""Seconds between two looks at a condition `wait_for` waits on."""


async def settle(pilot: Pilot[Any], *, rounds: int = 3) -> None:
    """Let typed searches start, workers finish, their messages land and what they start finish.

    Each round pauses until the app is idle, waits for the search boxes' debounce to pass and
    for every worker; a last pause lets the final messages land.
    """
    for _ in range(rounds):
        await pilot.pause()
        await wait_for(pilot, lambda: not searching(pilot), what="the typed search to start")
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def searching(pilot: Pilot[Any]) -> bool:
    """Whether a search box on the screen still waits for more keys before it searches."""
    return any(box.pending for box in pilot.app.screen.query(SearchBox))


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 5, what: str = ""
) -> None:
    """Pause in small steps until `condition()` is true; fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            what = what or getattr(condition, "__name__", "a condition")
            raise AssertionError(
                f"waited {timeout} s for {what}; the screen:\n{screen_text(pilot)}"
            )
        await pilot.pause(WAIT_STEP)


def screen_text(pilot: Pilot[Any]) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def notices(pilot: Pilot[Any]) -> list[str]:
    """The notifications shown so far."""
    return [notification.message for notification in pilot.app._notifications]


def palette_hit(pilot: Pilot[Any]) -> str:
    """The command the open palette has highlighted, as plain text ("" while it has none)."""
    found = pilot.app.screen.query(CommandList)
    option = found.first().highlighted_option if found else None
    if option is None:
        return ""
    prompt = option.prompt
    return str(getattr(prompt, "plain", prompt))


def use_tmp_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences, logs and drafts go under tmp_path, never into the real home."""
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
