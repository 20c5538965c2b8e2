"""Issue 13: the outbox opens a mail (Enter): its full error, headers, text (inert) and ticket
(t); `s` sends it now, audited, or says why not for mail already sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_mail_data import ERROR, failed_reply
from pilot_helpers import screen_text, settle, use_tmp_user_dirs
from ticket_ui_data import SIZE, sqlite_demo

from deskapp import clock
from deskapp.models import AuditEntry, OutboxMail
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.commands import show_outbox
from screens.outbox_list import OutboxScreen
from screens.outbox_mail import OutboxMailScreen
from screens.ticket_detail import TicketScreen


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_tmp_user_dirs(tmp_path, monkeypatch)


@pytest.fixture
def local(tmp_path: Path, frozen_time: dt.datetime) -> Iterator[DeskSession]:
    yield from sqlite_demo(tmp_path)


async def test_enter_opens_the_mail_and_s_sends_it_now_or_says_why_not(
    local: DeskSession,
) -> None:
    OutboxMail.delete().execute()
    mail_id = failed_reply()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        show_outbox(pilot.app)
        await settle(pilot)
        assert isinstance(pilot.app.screen, OutboxScreen)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, OutboxMailScreen)
        text = " ".join(word for word in screen_text(pilot).split() if word != "█")
        assert " ".join(ERROR.split()) in text  # the whole error, which the list cuts
        assert "To bjorn.stewart@stewart.example" in text
        assert "[bold]from[/bold]" in text and "[@click=app.quit]not a link[/]" in text
        assert "Ticket T-20046 (t opens it)" in text
        assert "failed · 8 tries" in text

        await pilot.press("s")
        await settle(pilot)
        row = OutboxMail.get_by_id(mail_id)
        assert (row.status, row.attempts, row.next_attempt_at) == ("queued", 0, clock.now())
        assert AuditEntry.get(AuditEntry.action == "mail.resend").entity_id == str(mail_id)
        text = screen_text(pilot)
        assert "Queued: it goes out with the next `deskapp mail send`." in text
        assert "queued · 0 tries" in text

        OutboxMail.update(status="sent", sent_at=clock.now()).where(
            OutboxMail.id == mail_id
        ).execute()
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "Not sent again: This mail was already sent on" in screen_text(pilot)
        assert OutboxMail.get_by_id(mail_id).status == "sent"

        await pilot.press("t")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TicketScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OutboxScreen)
