"""The mail a staff reply queues: who gets it (the ticket's contact or the client, subscribers by
their Support category), one row per recipient with its own Message-ID, the "[T-…]" subject and
the signature; notes and client messages never queue mail. Both backends."""

from __future__ import annotations

import re
import uuid

import pytest
from ledger_helpers import client as make_client
from test_conversation import make_contact, make_staff, make_ticket, story

from deskapp.errors import NotFound
from deskapp.models import Client, Department, OutboxMail, Staff, Subscriber
from deskapp.services.conversation import (
    post_note,
    post_reply,
    record_client_message,
    reply_recipients,
)

MESSAGE_ID = re.compile(r"^<([0-9a-f]{32})\.(\d+)@deskapp>$")


def mails(ticket_id: uuid.UUID | None = None) -> list[OutboxMail]:
    query = OutboxMail.select()
    if ticket_id is not None:
        query = query.where(OutboxMail.ticket == ticket_id)
    return list(query.order_by(OutboxMail.message_id))


def test_reply_mails_the_contact_and_subscribers_with_support_mail(desk: str) -> None:
    s = story(subject="Line drops\r\nBcc: everyone@example.com")
    quiet = make_contact(s.client_id, "Quinn", "quinn@okafor.example", support=False)
    twin = make_contact(s.client_id, "Twin", "ADA@okafor.example")  # Ada's address, other case
    Subscriber.create(ticket=s.ticket_id, contact=quiet)
    Subscriber.create(ticket=s.ticket_id, contact=twin)
    unsubscribed = make_contact(s.client_id, "Uma", "uma@okafor.example")
    assert unsubscribed  # a contact with Support mail on, but not following this ticket

    assert reply_recipients(s.ticket_id) == ["ada@okafor.example", "ben@okafor.example"]
    reply = post_reply(s.sam, s.ticket_id, "We're on it.\n\n")

    queued = mails(s.ticket_id)
    assert sorted(m.to_address for m in queued) == ["ada@okafor.example", "ben@okafor.example"]
    for mail in queued:
        match = MESSAGE_ID.match(mail.message_id)
        assert match and match.group(1) == reply.id.hex
        assert mail.subject == f"[T-{s.number}] Line drops Bcc: everyone@example.com"
        assert mail.body == "We're on it.\n\n-- \nSam\nBluebay Networks, support desk\n"
        assert mail.body.rstrip().endswith("Bluebay Networks, support desk")
        assert (mail.status, mail.attempts, mail.sent_at) == ("queued", 0, None)
    assert len({m.message_id for m in queued}) == 2


def test_without_a_contact_the_client_is_mailed(desk: str) -> None:
    s = story()
    bare = make_ticket(s.client_id, s.department_id)
    Subscriber.create(ticket=bare.id, contact=s.subscriber_id)
    client_email = Client.get_by_id(s.client_id).email
    post_reply(s.sam, bare.id, "Hello")
    assert sorted(m.to_address for m in mails(bare.id)) == sorted(
        [client_email, "ben@okafor.example"]
    )


def test_a_subscriber_who_turned_support_mail_off_gets_nothing(desk: str) -> None:
    s = story()
    from deskapp.models import Contact

    Contact.update(mail_support=False).where(Contact.id == s.subscriber_id).execute()
    post_reply(s.sam, s.ticket_id, "Hello")
    assert [m.to_address for m in mails()] == ["ada@okafor.example"]


def test_notes_and_client_messages_never_queue_mail(desk: str) -> None:
    s = story()
    for index in range(3):
        post_note(s.sam, s.ticket_id, f"Internal {index}: do not send")
        record_client_message(s.ticket_id, f"Client {index}", message_id=f"<c{index}@x>")
    assert mails() == []
    post_reply(s.sam, s.ticket_id, "Now a reply")
    assert len(mails()) == 2
    post_note(s.sam, s.ticket_id, "And a note again")
    assert len(mails()) == 2
    assert all("Internal" not in m.body and "note again" not in m.body for m in mails())


def test_every_row_has_its_own_message_id_across_replies(desk: str) -> None:
    s = story()
    for index in range(4):
        Subscriber.create(
            ticket=s.ticket_id,
            contact=make_contact(s.client_id, f"Sub{index}", f"sub{index}@okafor.example"),
        )
    replies = [post_reply(s.sam, s.ticket_id, f"Reply {n}") for n in range(5)]
    queued = mails(s.ticket_id)
    assert len(queued) == 5 * 6
    assert len({m.message_id for m in queued}) == len(queued)
    for reply in replies:
        mine = [m for m in queued if reply.id.hex in m.message_id]
        assert sorted(int(MESSAGE_ID.match(m.message_id).group(2)) for m in mine) == [
            1,
            2,
            3,
            4,
            5,
            6,
        ]
        assert {m.body.split("\n")[0] for m in mine} == {reply.body}


def test_signature_falls_back_to_the_staff_name(desk: str) -> None:
    s = story()
    plain = make_staff("kim")
    assert Staff.get_by_id(plain.id).signature == ""
    post_reply(plain, s.ticket_id, "Fixed.")
    assert {m.body for m in mails()} == {"Fixed.\n\n-- \nKim Adler\n"}


def test_a_closed_client_is_still_mailed_the_reply(desk: str) -> None:
    s = story(status="Completed", waiting_since=None)
    Client.update(status="Closed").where(Client.id == s.client_id).execute()
    post_reply(s.sam, s.ticket_id, "Your final invoice is settled.")
    assert len(mails(s.ticket_id)) == 2


def test_mail_of_another_clients_ticket_stays_apart(desk: str) -> None:
    s = story()
    support = Department.create(name="Support")
    other = make_client("Eve", "Fox", email="eve@fox.example")
    theirs = make_ticket(other, support.id)
    post_reply(s.sam, theirs.id, "Hi Eve")
    post_reply(s.sam, s.ticket_id, "Hi Ada")
    assert [m.to_address for m in mails(theirs.id)] == ["eve@fox.example"]
    assert "eve@fox.example" not in [m.to_address for m in mails(s.ticket_id)]
    with pytest.raises(NotFound):
        reply_recipients(uuid.uuid4())
