"""Issue 13: a reply says "queued for mail" until the outbox has sent it, "sent" after, and
"failed: <reason>" when the outbox gave up; read from the outbox rows linked to the reply
(migration 13 links the mail queued before it, from its Message-ID)."""

from __future__ import annotations

import uuid

import pytest
from mail_helpers import RecordingHandler, SmallDesk, mail_to, small_desk, smtp_server
from old_rows import insert_old

from deskapp import migrations
from deskapp.db import open_database
from deskapp.mail import send_outbox
from deskapp.models import ChangeEvent, Message, OutboxMail
from deskapp.services.conversation import list_messages, post_note, post_reply
from deskapp.services.conversation.reply_state import reply_state, short_reason


@pytest.fixture
def shop(desk: str) -> SmallDesk:
    return small_desk()


def states(shop: SmallDesk) -> list[tuple[str, str]]:
    return [(m.kind, m.mail) for m in list_messages(shop.ticket_id)]


def test_a_reply_is_queued_then_sent_and_a_refused_one_says_why(shop: SmallDesk, desk: str) -> None:
    reply = post_reply(shop.agent, shop.ticket_id, "We are on it.")
    post_note(shop.agent, shop.ticket_id, "Checked the logs.")
    assert reply.mail == "queued for mail"
    assert states(shop) == [("reply", "queued for mail"), ("note", "")]
    rows = list(OutboxMail.select().where(OutboxMail.ticket_message == reply.id))
    assert len(rows) == 1 and rows[0].to_address == shop.contact_email
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        seen = ChangeEvent.select().count()
        assert send_outbox(mail_to(server.port), None).sent == 1
        assert states(shop)[0] == ("reply", "sent")
        # The open ticket screens hear of it (their conversation reloads the newest page).
        events = ChangeEvent.select().order_by(ChangeEvent.id).offset(seen)
        assert ("ticket", str(shop.ticket_id), "mail") in [
            (e.entity, e.entity_id, e.action) for e in events
        ]

        refused = post_reply(shop.agent, shop.ticket_id, "Second answer.")
        OutboxMail.update(to_address="gone@example.org").where(
            OutboxMail.ticket_message == refused.id
        ).execute()
        assert send_outbox(mail_to(server.port), None).failed == 1
    mail = {m.id: m.mail for m in list_messages(shop.ticket_id)}
    assert mail[reply.id] == "sent"
    assert mail[refused.id].startswith("failed: The mail server refused gone@example.org: 550")
    assert len(mail[refused.id]) <= len("failed: ") + 60


def test_the_recipient_that_needs_a_person_decides_the_words() -> None:
    assert reply_state([]) == ""
    assert reply_state([("sent", ""), ("queued", "")]) == "queued for mail"
    assert reply_state([("sent", ""), ("sending", "")]) == "queued for mail"
    assert reply_state([("sent", ""), ("sent", "")]) == "sent"
    assert reply_state([("sent", ""), ("failed", "550 no\nsuch user")]) == (
        "failed: 550 no such user"
    )
    assert reply_state([("failed", "")]) == "failed: see the outbox"
    assert reply_state([("uncertain", "")]).startswith("uncertain")
    assert reply_state([("discarded", "")]).startswith("not mailed")
    assert short_reason("x" * 100) == "x" * 59 + "…"


def test_mail_queued_before_the_link_is_linked_by_the_upgrade(database_url: str) -> None:
    open_database(database_url)
    migrations.upgrade(target=12)
    shop = small_desk()
    reply = Message(
        id=uuid.uuid4(), ticket=shop.ticket_id, kind="reply", author_name="Ana", body="Hi"
    )
    insert_old(reply)
    for n, message_id in enumerate(
        (f"<{reply.id.hex}.1@deskapp>", f"<{reply.id.hex}.2@deskapp>", "<welcome-1-2@deskapp>")
    ):
        insert_old(
            OutboxMail(
                ticket=shop.ticket_id,
                to_address=f"p{n}@example.org",
                subject="s",
                body="b",
                message_id=message_id,
                status="sent" if n else "queued",
            )
        )

    migrations.upgrade()

    linked = {row.message_id: row.ticket_message_id for row in OutboxMail.select()}
    assert linked == {
        f"<{reply.id.hex}.1@deskapp>": reply.id,
        f"<{reply.id.hex}.2@deskapp>": reply.id,
        "<welcome-1-2@deskapp>": None,
    }
    assert [m.mail for m in list_messages(shop.ticket_id)] == ["queued for mail"]
