"""Issue 13: on the ticket, a reply says "queued for mail" until the outbox sent it, "sent"
after, and "failed: <reason>" when the outbox gave up (the screen follows the change feed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from ticket_screen_data import SIZE, demo_app, open_ticket

from deskapp.db import feed
from deskapp.models import Entity, OutboxMail
from deskapp.services.conversation import find_ticket, post_reply
from deskapp.services.session import DeskSession


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_tmp_user_dirs(tmp_path, monkeypatch)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_reply_shows_what_became_of_its_mail(desk: str) -> None:
    app = demo_app(desk)
    session: DeskSession = app.session
    ticket = find_ticket("T-20046")
    reply = post_reply(session.actor, ticket.id, "The mailboxes move tonight.")
    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, "T-20046")
        assert "STAFF REPLY · queued for mail  Sam Okoye" in screen_text(pilot)
        # The sender gives up (as `mail send` would, with its change event): the screen follows.
        OutboxMail.update(status="failed", last_error="550 5.1.1 No such user here.").where(
            OutboxMail.ticket_message == reply.id
        ).execute()
        feed.publish(Entity.TICKET, ticket.id, "mail")
        await wait_for(
            pilot,
            lambda: "STAFF REPLY · failed: 550 5.1.1 No such user here." in screen_text(pilot),
            what="the failed label",
        )
        await settle(pilot)
        assert "STAFF REPLY · sent to the client  Sam Okoye" in screen_text(pilot)  # the demo's
