"""Untrusted text reaches the screen inert: no markup parsed, no control character, no escape
sequence, on its own and in the real client list (both backends)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hostile import CORPUS
from pilot_helpers import screen_rows, screen_text, terminal_recorder, wait_for
from rich.cells import cell_len
from rich.text import Text
from shell_data import add_clients
from signed_in import open_as
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.widgets.record_table import RecordTable
from screens.widgets.untrusted import untrusted, untrusted_message

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 controls and DEL; newline (\\x0a) and tab (\\x09) are checked separately."""
TERMINAL_COMMANDS = re.compile(r"\x1b[\]P^_X]|\x07|\x9b|\x9d|\x90")
"""What would make the terminal do something: OSC, DCS, APC/PM/SOS, BEL, 8-bit CSI/OSC/DCS."""


def entry_ids() -> list[str]:
    """Test ids from the corpus' descriptions."""
    return [entry["what"] for entry in CORPUS]


@pytest.mark.parametrize("entry", CORPUS, ids=entry_ids())
def test_every_entry_comes_out_without_controls_or_markup(entry: dict[str, str]) -> None:
    line = untrusted(entry["text"])
    body = untrusted(entry["text"], multiline=True)
    assert isinstance(line, Text) and not line.spans
    assert not CONTROL.search(line.plain) and "\n" not in line.plain and "\t" not in line.plain
    assert not CONTROL.search(body.plain)
    assert "\x1b" not in line.plain + body.plain
    assert not CONTROL.search(untrusted_message(entry["text"]))


@pytest.mark.parametrize(
    "text",
    [
        "[bold red]urgent[/bold red]",
        "[b]never closed",
        "[@click=app.quit]click me[/]",
        "\\[not markup]",
        "[/b] unbalanced",
        "[link=https://evil.example]pay here[/link]",
    ],
)
def test_markup_is_kept_as_the_characters_typed(text: str) -> None:
    assert untrusted(text).plain == text
    assert untrusted(text, multiline=True).plain == text


def test_long_text_is_shortened_on_one_line_and_kept_whole_in_a_body() -> None:
    text = "x" * 500 + "\n" + "y" * 10
    assert untrusted(text, limit=40).plain == "x" * 39 + "…"
    assert untrusted(text, multiline=True).plain == text


class Cells(App[None]):
    """One DataTable with every corpus entry in a cell, as screens put untrusted text there."""

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("what", width=30)
        table.add_column("text", width=150)
        for entry in CORPUS:
            table.add_row(Text(entry["what"]), untrusted(entry["text"], limit=140))


TEXTUAL_OWN_WRITES = re.compile(r"\x1b\]22;[a-z-]+\x07|\x07")
"""What Textual writes to the terminal by itself, each in a write of its own: the mouse
pointer's shape (OSC 22, as the pointer moves over widgets) and the bell."""


def terminal_output(written: list[str]) -> str:
    """All the app wrote to its terminal (see `pilot_helpers.terminal_recorder`) but Textual's
    own pointer-shape and bell commands. A frame is written whole: text, colours, cursor
    moves and any hyperlink, which markup parsed from a `[link=...]` would make."""
    return "".join(data for data in written if not TEXTUAL_OWN_WRITES.fullmatch(data))


async def test_every_entry_renders_literally_in_a_table_cell() -> None:
    recorder, written = terminal_recorder()
    app = Cells(driver_class=recorder)
    async with app.run_test(headless=False, size=(200, len(CORPUS) + 4)) as pilot:
        await wait_for(
            pilot,
            lambda: "[@click=app.quit]click me[/]" in terminal_output(written),
            what="the table to reach the terminal",
        )
        lines = screen_rows(pilot)
        checked = 0
        for row, entry in enumerate(CORPUS, start=1):  # row 0 is the header
            line = lines[row]
            assert line.startswith(f" {entry['what'][:30]}")
            shown = untrusted(entry["text"], limit=140).plain
            if shown.isprintable() and cell_len(shown) == len(shown):  # one cell per character
                assert shown[:100] in line, entry["what"]
                checked += 1
        assert checked >= 25
        assert "[bold red]urgent[/bold red]" in "\n".join(lines)
        assert "[@click=app.quit]click me[/]" in "\n".join(lines)
        assert not TERMINAL_COMMANDS.search(terminal_output(written))


@pytest.fixture
def hostile_desk(desk: str) -> Iterator[DeskSession]:
    """Clients whose names try markup, an action link and a terminal title change."""
    add_clients(1, first_name="[@click=app.quit]")
    add_clients(1, first_name="\x1b]0;owned\x07")
    add_clients(1, first_name="[bold red]x[/]")
    add_clients(1, first_name="[/b]")
    yield open_as(desk)


async def test_hostile_client_names_show_literally_and_do_nothing(
    hostile_desk: DeskSession,
) -> None:
    recorder, written = terminal_recorder()
    app = DeskApp(hostile_desk)
    app.driver_class = recorder  # what App(driver_class=...) sets; DeskApp takes a session
    async with app.run_test(headless=False, size=(120, 36)) as pilot:
        await wait_for(
            pilot,
            lambda: "␛]0;owned" in terminal_output(written),
            what="the client list to reach the terminal",
        )
        text = screen_text(pilot)
        # The name column is 20 cells wide: longer names end in an ellipsis.
        assert "[@click=app.quit] O…" in text
        assert "␛]0;owned Okafor" in text
        assert "[bold red]x[/] Okaf…" in text
        assert "[/b] Okafor" in text
        assert not TERMINAL_COMMANDS.search(terminal_output(written))
        list_screen = app.screen
        records = list_screen.query_one("#records", RecordTable)
        for row in range(records.row_count):  # click each name, open its client, come back
            await pilot.click(RecordTable, offset=(15, row + 1))
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is not list_screen, what="the client")
            await app.workers.wait_for_complete()
            assert not TERMINAL_COMMANDS.search(terminal_output(written))
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is list_screen, what="the client list")
        assert app.is_running and app.return_code is None
    assert not TERMINAL_COMMANDS.search(terminal_output(written))  # every frame, to the last
