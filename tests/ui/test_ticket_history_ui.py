"""A ticket's history through Pilot, on SQLite and PostgreSQL (issue 13): after the status and
the assignee are changed with their dialogs, `h` shows both changes with who made them and
when."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from textual.widgets import Select
from ticket_screen_data import SIZE, demo_app, open_ticket

from deskapp import clock
from deskapp.services.ticket_actions import list_staff
from screens.ticket_dialogs import AssignDialog, StatusDialog
from screens.ticket_history import TicketHistoryDialog

TICKET = "T-20046"
"""In the demo under the frozen clock: a conversation with several messages."""


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


async def test_history_shows_status_and_assignee_changes_with_who_and_when(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        assert screen.ticket is not None
        before, assignee = screen.ticket.status, screen.ticket.assignee or "nobody"
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StatusDialog)
        await pilot.press("left", "enter")
        await settle(pilot)
        after = screen.ticket.status if screen.ticket else ""
        assert after != before
        await pilot.press("a")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, AssignDialog)
        kim = next(staff for staff in list_staff() if staff.username == "kim")
        await wait_for(pilot, lambda: dialog.query_one("#assignee", Select).value != Select.NULL)
        dialog.query_one("#assignee", Select).value = str(kim.id)
        await pilot.click("#submit")
        await settle(pilot)
        await pilot.press("h")
        await wait_for(pilot, lambda: "→" in screen_text(pilot), what="the history")
        assert isinstance(pilot.app.screen, TicketHistoryDialog)
        text = screen_text(pilot)
        when = f"{clock.now():%Y-%m-%d %H:%M}"
        assert f"{when}  Sam Okoye  Status: {before} → {after}" in text
        assert f"{when}  Sam Okoye  Assignee: {assignee} → {kim.name}" in text
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
