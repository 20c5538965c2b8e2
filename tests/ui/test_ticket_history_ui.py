"""A ticket's history through Pilot, on SQLite and PostgreSQL (issue 13): after the status and
the assignee are changed with their dialogs, `h` shows both changes with who made them and
when; a reply sent from the composer that answers the ticket is a status change there too."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from textual.widgets import Select
from ticket_screen_data import SIZE, demo_app, open_ticket

from deskapp import clock
from deskapp.models import Staff
from deskapp.services.actors import actor_from
from deskapp.services.conversation import find_ticket
from deskapp.services.ticket_actions import change_status, list_staff
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


async def test_a_reply_that_answers_the_ticket_is_in_its_history(
    desk: str, frozen_time: dt.datetime
) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        ticket = find_ticket(TICKET)
        kim = actor_from(Staff.get(Staff.username == "kim"))
        change_status(kim, ticket.id, "On Hold")
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.composing, what="the composer")
        await pilot.press(*"The mailboxes move tonight.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.composing, what="the reply sent")
        await wait_for(
            pilot, lambda: screen.ticket is not None and screen.ticket.status == "Answered"
        )
        await pilot.press("h")
        await wait_for(pilot, lambda: "→ Answered" in screen_text(pilot), what="the history")
        assert isinstance(pilot.app.screen, TicketHistoryDialog)
        text = screen_text(pilot)
        when = f"{frozen_time:%Y-%m-%d %H:%M}"
        assert f"{when}  Kim Larsen  Status: {ticket.status} → On Hold" in text
        assert f"{when}  Sam Okoye  Status: On Hold → Answered" in text
