"""Issue 13: the outbox opens a mail (Enter): its full error, headers, text (inert) and ticket
(t); `s` sends it now, audited, or says why not for mail already sent or for someone disabled
meanwhile. An admin discards a mail from the outbox (`x`, asked); an admin demoted while the
question is open is told why in it (the service reads the role at the moment of the action)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from outbox_mail_data import ERROR, failed_reply
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from textual.widgets import Static
from ticket_screen_data import demo_app
from ticket_ui_data import SIZE, sqlite_demo

from deskapp import clock
from deskapp.models import AuditEntry, OutboxMail, Role, Staff
from deskapp.services.outbox import get_outbox_mail
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.commands import show_outbox
from screens.outbox_list import MailDecisionDialog, OutboxScreen
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


async def test_someone_disabled_meanwhile_is_told_why_the_mail_is_not_sent_again(
    local: DeskSession,
) -> None:
    OutboxMail.delete().execute()
    mail_id = failed_reply()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(OutboxMailScreen(mail_id))
        await wait_for(pilot, lambda: "failed · 8 tries" in screen_text(pilot), what="the mail")
        Staff.update(active=False).where(Staff.username == "sam").execute()
        await pilot.press("s")
        await wait_for(pilot, lambda: "Not sent again" in screen_text(pilot), what="the answer")
        text = " ".join(screen_text(pilot).split())
        assert "Not sent again: Sam Okoye can no longer use this desk" in text
        assert OutboxMail.get_by_id(mail_id).status == "failed"


async def test_an_admin_discards_a_mail_and_a_demotion_meanwhile_is_refused_in_the_question(
    desk: str,
) -> None:
    app = demo_app(desk, "admin")
    OutboxMail.delete().execute()
    mail_id = failed_reply()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        show_outbox(pilot.app)
        await wait_for(pilot, lambda: "Last error" in screen_text(pilot), what="the outbox")
        outbox = pilot.app.screen
        assert isinstance(outbox, OutboxScreen)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MailDecisionDialog))
        dialog = pilot.app.screen
        Staff.update(role=Role.AGENT).where(Staff.username == "admin").execute()
        await pilot.press("enter")
        refusal = "Only an admin can discard a mail of the outbox; ask an admin to do it."
        error = dialog.query_one("#form-error", Static)
        await wait_for(pilot, lambda: refusal in str(error.render()), what="the refusal")
        assert get_outbox_mail(mail_id).status == "failed" and pilot.app.screen is dialog

        Staff.update(role=Role.ADMIN).where(Staff.username == "admin").execute()
        await pilot.click("#submit")
        await wait_for(pilot, lambda: pilot.app.screen is outbox, what="the outbox again")
        await wait_for(pilot, lambda: "Discarded 1" in screen_text(pilot), what="the count")
        assert get_outbox_mail(mail_id).status == "discarded"
        entry = AuditEntry.get(AuditEntry.action == "mail.discard")
        assert entry.staff_name == "Alex Carter"
