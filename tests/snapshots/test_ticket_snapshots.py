"""Snapshots of the ticket screen with the demo desk under the frozen clock (SQLite): a
conversation with a client message, a staff reply and an internal note, and the composer in
reply mode and in note mode.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle, use_tmp_user_dirs
from textual.pilot import Pilot
from ticket_screen_data import SIZE

from deskapp import migrations
from deskapp.db import close_database, db, open_database
from deskapp.demo import load_demo
from deskapp.services.conversation import find_ticket
from deskapp.services.session import DeskSession, open_desk
from screens.app import DeskApp
from screens.ticket_detail import TicketScreen

TICKET = "T-20046"
"""A client message, a staff reply, another client message, an internal note."""


@pytest.fixture
def demo_session(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeskSession]:
    """A local desk.db with the demo business (as the Pilot tests have it), signed in as sam:
    this file's own, over the shared one in conftest."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_database(url)
    migrations.upgrade()
    load_demo()
    yield open_desk(url, staff="sam")
    close_database()
    db.initialize(None)


def on_the_ticket(*keys: str, text: str = "") -> Callable[[Pilot[None]], object]:
    """Open the ticket, press `keys`, put `text` in the composer (its cursor held still)."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = TicketScreen(find_ticket(TICKET).id)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        area = screen.composer.text_area
        area.cursor_blink = False
        if text:
            area.insert(text)
        await settle(pilot)

    return run


class TestTicketSnapshots:
    """The ticket a support person reads and answers."""

    def test_conversation(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = on_the_ticket()
        assert snap_compare(DeskApp(demo_session), terminal_size=SIZE, run_before=run_before)

    def test_composer_reply(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = on_the_ticket("r", text="Hi Björn,\n\nSaturday works for us.")
        assert snap_compare(DeskApp(demo_session), terminal_size=SIZE, run_before=run_before)

    def test_composer_note(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = on_the_ticket("n", text="Prepaid hours are used up: quote the weekend.")
        assert snap_compare(DeskApp(demo_session), terminal_size=SIZE, run_before=run_before)
