"""What every Pilot test does to wait for the app and to read it, written once."""

from __future__ import annotations

import html
import re
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from rich.cells import cell_len
from rich.style import Style
from textual.app import App
from textual.command import CommandList
from textual.driver import Driver
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.widgets import OptionList, Select

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


SVG_TEXT = re.compile(r"<text ([^>]*)>(.*?)</text>", re.DOTALL)
"""A run of text in the screenshot's SVG: its attributes, its escaped characters."""
SVG_ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
SVG_ROW = re.compile(r"-line-(\d+)\)")
"""The row a run of text belongs to, from the clip path Rich gives each row."""


def screen_rows(pilot: Pilot[Any]) -> list[str]:
    """What the terminal shows, one string per row, each as wide as the screen.

    Read from `App.export_screenshot`, Textual's public way to the composed screen (a dialog
    over the dimmed screen beneath it included). Rich writes each run of styled text as an SVG
    `<text>` clipped to its row (`...-line-N`) at x = column x cell width, with
    `textLength` = characters x cell width, spaces as `&#160;`; runs of spaces are left out
    and each row ends in a run of "\\n". The rows are put together again from those columns.
    """
    width, height = pilot.app.size
    runs: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for attributes, escaped in SVG_TEXT.findall(pilot.app.export_screenshot()):
        attribute = dict(SVG_ATTRIBUTE.findall(attributes))
        row = SVG_ROW.search(attribute.get("clip-path", ""))
        if row is None:
            continue  # the screenshot's window title
        text = html.unescape(escaped.replace("&#160;", " "))
        cell_width = float(attribute["textLength"]) / len(text)
        if text != "\n":  # each row's end
            runs[int(row[1])].append((round(float(attribute["x"]) / cell_width), text))
    rows = []
    for y in range(height):
        line, cells = "", 0
        for column, text in sorted(runs[y]):
            line += " " * (column - cells) + text
            cells = column + cell_len(text)
        rows.append(line + " " * (width - cells))
    return rows


def screen_text(pilot: Pilot[Any]) -> str:
    """What the terminal shows, as plain text (rows joined by newlines; see `screen_rows`)."""
    return "\n".join(screen_rows(pilot))


def style_of(pilot: Pilot[Any], text: str) -> Style:
    """The style of the first cell where `text` shows on screen (the first row that has it),
    as Textual composes it (`Screen.get_style_at`)."""
    for y, row in enumerate(screen_rows(pilot)):
        if text in row:
            return pilot.app.screen.get_style_at(cell_len(row[: row.index(text)]), y)
    raise AssertionError(f"{text!r} is not on the screen:\n{screen_text(pilot)}")


RAISED: WeakKeyDictionary[App[Any], list[str]] = WeakKeyDictionary()
"""The notifications each running app raised since it started or last cleared them."""


def note_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Have every app note the messages it notifies (`App.notify`, which widgets' `notify`
    calls too) and forget them when it clears its notifications (`App.clear_notifications`),
    for `notices` to read: Textual keeps its own list private. tests/ui/conftest.py does this
    for every test."""
    notify = App.notify
    clear = App.clear_notifications

    def noting(app: App[Any], message: str, **options: Any) -> None:
        RAISED.setdefault(app, []).append(message)
        notify(app, message, **options)

    def clearing(app: App[Any]) -> None:
        RAISED.pop(app, None)
        clear(app)

    monkeypatch.setattr(App, "notify", noting)
    monkeypatch.setattr(App, "clear_notifications", clearing)


def notices(pilot: Pilot[Any]) -> list[str]:
    """The notifications raised so far (since the last `clear_notifications`), oldest first."""
    return list(RAISED.get(pilot.app, []))


def terminal_recorder() -> tuple[type[Driver], list[str]]:
    """A driver class for `App.driver_class` and the list it keeps what the app writes in.

    Run the app with `run_test(headless=False)`: Textual then draws every frame and hands it
    to the driver's `write` as the exact string a terminal would receive (text, SGR colours,
    cursor moves, hyperlinks); Textual's headless driver would be told to draw nothing. Input
    still comes from the Pilot; nothing reaches a real terminal.
    """
    written: list[str] = []

    class Recorder(HeadlessDriver):
        """Textual's headless driver (no terminal, size from `run_test`) that is drawn to."""

        @property
        def is_headless(self) -> bool:
            """Not headless: Textual draws its frames only to a driver that is not."""
            return False

        def write(self, data: str) -> None:
            """Keep what the app would send to the terminal."""
            written.append(data)

    return Recorder, written


def offered(select: Select[Any]) -> list[str]:
    """The lines the menu of `select` offers, as plain text, without its blank line (which
    shows the Select's prompt)."""
    menu = select.query_one(OptionList)
    lines = [plain(option.prompt) for option in menu.options]
    return [line for line in lines if line != select.prompt]


async def choose(pilot: Pilot[Any], select: Select[Any], wanted: str) -> None:
    """Choose in `select` the first line of its menu that shows `wanted`, as a person does:
    open the menu (what enter on it does), move to that line, press enter."""
    menu = select.query_one(OptionList)
    lines = [plain(option.prompt) for option in menu.options]
    index = next((i for i, line in enumerate(lines) if wanted in line), None)
    assert index is not None, f"{wanted!r} is not offered: {lines}"
    select.action_show_overlay()
    await wait_for(pilot, lambda: menu.has_focus, what="the menu to open")
    menu.highlighted = index
    await pilot.press("enter")
    await wait_for(pilot, lambda: not select.expanded, what="the menu to close")


def plain(prompt: object) -> str:
    """A prompt or label as plain text (Rich Text and Textual Content have `plain`)."""
    return str(getattr(prompt, "plain", prompt))


def palette_hit(pilot: Pilot[Any]) -> str:
    """The command the open palette has highlighted, as plain text ("" while it has none)."""
    found = pilot.app.screen.query(CommandList)
    option = found.first().highlighted_option if found else None
    if option is None:
        return ""
    return plain(option.prompt)


def use_tmp_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences, logs and drafts go under tmp_path, never into the real home."""
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
