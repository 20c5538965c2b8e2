"""The conversation service: the ticket's header and side panel, keyset-paged messages, replies,
notes and client messages, on both backends.

Rows go in through the models (tests may); everything under test goes through the services.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_desk import add_hostile_rows
from ledger_helpers import client as make_client

from deskapp import clock
from deskapp.db import close_database, db, feed
from deskapp.errors import NotFound, ValidationError
from deskapp.models import (
    Attachment,
    CannedReply,
    ChangeEvent,
    Client,
    Contact,
    Department,
    Estimate,
    Message,
    Order,
    OutboxMail,
    Role,
    Staff,
    Subscriber,
    Ticket,
    TimeEntry,
)
from deskapp.services.actors import Actor, actor_from
from deskapp.services.attachments import store_attachment
from deskapp.services.canned import (
    canned_values,
    fill_canned_reply,
    fill_template,
    list_canned_replies,
)
from deskapp.services.conversation import (
    ConversationMessage,
    find_ticket,
    get_ticket,
    list_messages,
    post_note,
    post_reply,
    record_client_message,
)
from deskapp.services.numbers import next_number

OUTAGE_FIELDS = [
    {"name": "affected_service", "label": "Affected service", "required": True},
    {"name": "down_since", "label": "Down since", "required": False},
]


@dataclass(frozen=True)
class Story:
    """One ticket of a client with two contacts, one subscribed."""

    ticket_id: uuid.UUID
    number: int
    client_id: uuid.UUID
    contact_id: uuid.UUID
    subscriber_id: uuid.UUID
    sam: Actor
    department_id: uuid.UUID


def make_staff(username: str = "sam", *, signature: str = "", role: str = Role.AGENT) -> Actor:
    """A staff member with a signature."""
    name = {"sam": "Sam Reyes", "kim": "Kim Adler"}.get(username, username.title())
    return actor_from(Staff.create(username=username, name=name, role=role, signature=signature))


def make_contact(
    client_id: uuid.UUID, first: str, email: str, *, support: bool = True
) -> uuid.UUID:
    """A contact of the client; `support` is its Support mail category."""
    row = Contact.create(
        client=client_id, first_name=first, last_name="Okafor", email=email, mail_support=support
    )
    return row.id


def make_ticket(
    client_id: uuid.UUID,
    department_id: uuid.UUID,
    *,
    contact_id: uuid.UUID | None = None,
    subject: str = "Line drops every evening",
    status: str = "Open",
    waiting_since: dt.datetime | None = None,
    **fields: object,
) -> Ticket:
    """A ticket with the next number."""
    return Ticket.create(
        number=next_number("ticket"),
        client=client_id,
        contact=contact_id,
        department=department_id,
        subject=subject,
        status=status,
        waiting_since=waiting_since,
        last_activity_at=clock.now() - dt.timedelta(days=1),
        **fields,
    )


def story(**ticket_fields: object) -> Story:
    """Ada Okafor's outage ticket: contact Ada, subscriber Ben (Support mail on)."""
    sam = make_staff("sam", signature="Sam\nBluebay Networks, support desk")
    outage = Department.create(name="Outage", extra_fields=json.dumps(OUTAGE_FIELDS))
    client_id = make_client("Ada", "Okafor", company="Okafor Lines", support_minutes=210)
    ada = make_contact(client_id, "Ada", "ada@okafor.example")
    ben = make_contact(client_id, "Ben", "ben@okafor.example")
    ticket_fields.setdefault("waiting_since", clock.now() - dt.timedelta(hours=3))
    ticket = make_ticket(client_id, outage.id, contact_id=ada, **ticket_fields)
    Subscriber.create(ticket=ticket.id, contact=ben)
    return Story(ticket.id, ticket.number, client_id, ada, ben, sam, outage.id)


def add_messages(ticket_id: uuid.UUID, count: int, *, start: dt.datetime | None = None) -> None:
    """`count` messages a minute apart (every fifth pair shares its timestamp), in bulk."""
    start = start or clock.now() - dt.timedelta(days=30)
    rows = []
    for index in range(count):
        rows.append(
            Message(
                ticket=ticket_id,
                kind=("client", "reply", "note")[index % 3],
                author_name=f"Author {index}",
                body=f"Message {index}",
                created_at=start + dt.timedelta(minutes=index - (index % 5 == 1)),
            )
        )
    Message.bulk_create(rows, batch_size=500)


@contextlib.contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Collect the SQL the database runs inside the block."""
    database = db.obj
    seen: list[str] = []
    original = database.execute_sql

    def execute_sql(sql: str, params: object = None, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return original(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql
    try:
        yield seen
    finally:
        del database.execute_sql


def ticket_row(ticket_id: uuid.UUID) -> Ticket:
    return Ticket.get_by_id(ticket_id)


# get_ticket / find_ticket --------------------------------------------------------------------


def test_get_ticket_has_the_header_and_side_panel(desk: str) -> None:
    s = story(
        extra=json.dumps(
            {"down_since": "2026-03-14 07:10", "affected_service": "FTTH-1", "x": "y"}
        ),
        tags="fibre, outage",
        priority="High",
    )
    kim = make_staff("kim", role=Role.ADMIN)
    Ticket.update(assignee=kim.id).where(Ticket.id == s.ticket_id).execute()
    add_messages(s.ticket_id, 7)
    TimeEntry.create(ticket=s.ticket_id, staff=s.sam.id, minutes=30)
    TimeEntry.create(ticket=s.ticket_id, staff=s.sam.id, minutes=45)
    Estimate.create(
        ticket=s.ticket_id,
        description="Replace the ONT",
        amount_cents=12_500,
        minutes=60,
        staff=s.sam.id,
        created_at=clock.now() - dt.timedelta(hours=2),
    )
    Estimate.create(ticket=s.ticket_id, description="Second visit", amount_cents=5_000, staff=None)
    Attachment.create(
        ticket=s.ticket_id, filename="trace.txt", content_type="text/plain", size=3, content=b"abc"
    )

    with counting_queries() as queries:
        detail = get_ticket(s.ticket_id)

    assert len(queries) == 4, queries
    assert detail.label == f"T-{s.number}"
    assert (detail.client_label, detail.client_name) == (
        f"C-{Client.get_by_id(s.client_id).number}",
        "Okafor Lines",
    )
    assert detail.client_status == "Active"
    assert (detail.contact_id, detail.contact_name, detail.contact_email) == (
        s.contact_id,
        "Ada Okafor",
        "ada@okafor.example",
    )
    assert (detail.department_id, detail.department) == (s.department_id, "Outage")
    assert detail.extra == (
        ("Affected service", "FTTH-1"),
        ("Down since", "2026-03-14 07:10"),
        ("X", "y"),
    )
    assert (detail.status, detail.priority, detail.tags) == ("Open", "High", "fibre, outage")
    assert (detail.assignee_id, detail.assignee) == (kim.id, "Kim Adler")
    assert detail.message_count == 7
    assert detail.support_minutes_left == 210
    assert detail.time_logged_minutes == 75
    assert detail.version == 1
    assert detail.waiting_since == clock.now() - dt.timedelta(hours=3)
    assert detail.waiting() == dt.timedelta(hours=3)
    assert [(sub.name, sub.email, sub.mail_support) for sub in detail.subscribers] == [
        ("Ben Okafor", "ben@okafor.example", True)
    ]
    assert [(e.description, e.amount_cents, e.staff_name) for e in detail.estimates] == [
        ("Replace the ONT", 12_500, "Sam Reyes"),
        ("Second visit", 5_000, ""),
    ]
    assert [(a.filename, a.size, a.message_id) for a in detail.attachments] == [
        ("trace.txt", 3, None)
    ]
    assert detail.order_label == ""


def test_get_ticket_without_contact_shows_the_clients_address_and_the_order(desk: str) -> None:
    s = story()
    order = Order.create(
        number=next_number("order"), client=s.client_id, start_date=dt.date(2026, 3, 20)
    )
    bare = make_ticket(s.client_id, s.department_id, order=order.id)
    detail = get_ticket(bare.id)
    assert detail.contact_id is None and detail.contact_name == ""
    assert detail.contact_email == Client.get_by_id(s.client_id).email
    assert detail.order_id == order.id and detail.order_label == f"O-{order.number}"
    assert detail.message_count == 0 and detail.time_logged_minutes == 0
    assert detail.subscribers == () and detail.estimates == () and detail.attachments == ()
    assert detail.extra == ()


def test_get_and_find_ticket_say_what_is_missing(desk: str) -> None:
    s = story()
    assert find_ticket(f"T-{s.number}").id == s.ticket_id
    assert find_ticket(f"  {s.number} ").id == s.ticket_id
    assert find_ticket(f"t{s.number}").id == s.ticket_id
    with pytest.raises(NotFound, match="no longer exists"):
        get_ticket(uuid.uuid4())
    with pytest.raises(NotFound, match="There is no ticket T-99999"):
        find_ticket("T-99999")
    with pytest.raises(NotFound, match="not a ticket number"):
        find_ticket("[bold]hello")


# list_messages -------------------------------------------------------------------------------


def test_list_messages_pages_backwards_oldest_first_without_gaps(desk: str) -> None:
    s = story()
    add_messages(s.ticket_id, 230)
    other = make_ticket(s.client_id, s.department_id)
    add_messages(other.id, 5)

    newest = list_messages(s.ticket_id, limit=100)
    assert [m.body for m in newest] == [f"Message {i}" for i in range(130, 230)]
    keys = [m.page_key for m in newest]
    assert keys == sorted(keys)

    pages = [newest]
    while len(pages[-1]) == 100:
        pages.append(list_messages(s.ticket_id, before=pages[-1][0], limit=100))
    assert [len(page) for page in pages] == [100, 100, 30]
    everything = [m for page in reversed(pages) for m in page]
    assert [m.body for m in everything] == [f"Message {i}" for i in range(230)]
    assert len({m.id for m in everything}) == 230
    assert list_messages(s.ticket_id, before=everything[0]) == []
    assert list_messages(s.ticket_id, before=everything[1], limit=5) == everything[:1]
    assert everything[3].kind == "client" and everything[4].kind == "reply"
    assert everything[5].kind == "note" and everything[5].author == "Author 5"


def test_list_messages_fetches_the_pages_attachments_and_mail_in_one_query_each(
    desk: str,
) -> None:
    s = story()
    add_messages(s.ticket_id, 40)
    messages = list_messages(s.ticket_id, limit=40)
    for message in messages[::3]:
        for n in range(2):
            Attachment.create(
                ticket=s.ticket_id,
                message=message.id,
                filename=f"{message.body}-{n}.txt",
                size=1,
                content=b"x",
            )
    with counting_queries() as queries:
        page = list_messages(s.ticket_id, limit=40)
    assert len(queries) == 3, queries  # the messages, their files, their replies' mail
    for index, message in enumerate(page):
        expected = [f"{message.body}-{n}.txt" for n in range(2)] if index % 3 == 0 else []
        assert [a.filename for a in message.attachments] == expected
        assert all(a.message_id == message.id for a in message.attachments)


def test_list_messages_of_a_missing_ticket_or_an_empty_one(desk: str) -> None:
    s = story()
    assert list_messages(s.ticket_id) == []
    with pytest.raises(NotFound):
        list_messages(uuid.uuid4())
    with pytest.raises(ValueError):
        list_messages(s.ticket_id, limit=0)


def test_author_falls_back_to_staff_or_contact_names(desk: str) -> None:
    s = story()
    Message.create(ticket=s.ticket_id, kind="client", contact=s.contact_id, body="hi")
    Message.create(ticket=s.ticket_id, kind="reply", staff=s.sam.id, body="hello")
    Message.create(ticket=s.ticket_id, kind="client", body="anon")
    authors = [m.author for m in list_messages(s.ticket_id)]
    assert sorted(authors) == sorted(["Ada Okafor", "Sam Reyes", "Client"])


# post_reply / post_note ----------------------------------------------------------------------


def feed_actions(ticket_id: uuid.UUID) -> list[str]:
    return [
        e.action
        for e in ChangeEvent.select()
        .where(ChangeEvent.entity == "ticket", ChangeEvent.entity_id == str(ticket_id))
        .order_by(ChangeEvent.id)
    ]


def test_reply_answers_the_client(desk: str, tmp_path: Path) -> None:
    s = story(status="Customer-Reply")
    log = tmp_path / "trace.txt"
    log.write_bytes(b"1 192.168.1.1\n")
    reply = post_reply(s.sam, s.ticket_id, "We see the fault.\n", attachment_paths=[log])

    assert isinstance(reply, ConversationMessage)
    assert (reply.kind, reply.author, reply.body) == ("reply", "Sam Reyes", "We see the fault.\n")
    assert reply.created_at == clock.now()
    assert [(a.filename, a.content_type, a.size, a.message_id) for a in reply.attachments] == [
        ("trace.txt", "text/plain", 14, reply.id)
    ]
    row = ticket_row(s.ticket_id)
    assert row.status == "Answered"
    assert row.waiting_since is None
    assert row.last_activity_at == clock.now()
    assert row.version == 2
    assert feed_actions(s.ticket_id) == ["reply"]
    assert list_messages(s.ticket_id) == [reply]
    assert OutboxMail.select().where(OutboxMail.ticket == s.ticket_id).count() == 2
    assert get_ticket(s.ticket_id).attachments == reply.attachments


def test_reply_can_set_another_status_and_refuses_bad_input(desk: str, tmp_path: Path) -> None:
    s = story()
    post_reply(s.sam, s.ticket_id, "Waiting for the engineer.", status="On Hold")
    assert ticket_row(s.ticket_id).status == "On Hold"
    with pytest.raises(ValidationError) as error:
        post_reply(s.sam, s.ticket_id, "x", status="Closed")
    assert error.value.field == "status"
    with pytest.raises(ValidationError, match="empty") as error:
        post_reply(s.sam, s.ticket_id, "  \n ")
    assert error.value.field == "body"
    with pytest.raises(ValidationError, match="There is no file") as error:
        post_reply(s.sam, s.ticket_id, "see file", attachment_paths=[tmp_path / "missing.pdf"])
    assert error.value.field == "path"
    with pytest.raises(NotFound):
        post_reply(s.sam, uuid.uuid4(), "hello")
    assert Message.select().where(Message.ticket == s.ticket_id).count() == 1
    assert OutboxMail.select().count() == 2
    assert ticket_row(s.ticket_id).version == 2


def test_a_closed_clients_completed_ticket_can_still_be_answered(desk: str) -> None:
    s = story(status="Completed", waiting_since=None)
    Client.update(status="Closed").where(Client.id == s.client_id).execute()
    post_reply(s.sam, s.ticket_id, "One more thing.", status="Completed")
    assert ticket_row(s.ticket_id).status == "Completed"
    assert OutboxMail.select().count() == 2
    assert get_ticket(s.ticket_id).client_status == "Closed"


def test_note_changes_neither_status_nor_waiting(desk: str, tmp_path: Path) -> None:
    s = story(status="Customer-Reply")
    waiting = ticket_row(s.ticket_id).waiting_since
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n")
    note = post_note(s.sam, s.ticket_id, "Called the NOC.", attachment_paths=[picture])
    assert note.kind == "note"
    assert [(a.filename, a.content_type) for a in note.attachments] == [("photo.png", "image/png")]
    row = ticket_row(s.ticket_id)
    assert (row.status, row.waiting_since) == ("Customer-Reply", waiting)
    assert row.last_activity_at == clock.now() and row.version == 2
    assert feed_actions(s.ticket_id) == ["note"]
    assert OutboxMail.select().count() == 0


def test_a_failed_reply_leaves_nothing_behind(desk: str, monkeypatch: pytest.MonkeyPatch) -> None:
    s = story(status="Customer-Reply")

    def broken(*args: object) -> None:
        raise RuntimeError("feed down")

    monkeypatch.setattr(feed, "publish", broken)
    with pytest.raises(RuntimeError):
        post_reply(s.sam, s.ticket_id, "Lost?")
    assert Message.select().count() == 0
    assert OutboxMail.select().count() == 0
    row = ticket_row(s.ticket_id)
    assert (row.status, row.version) == ("Customer-Reply", 1)


# record_client_message -----------------------------------------------------------------------


def test_client_message_puts_the_ticket_back_in_front(desk: str) -> None:
    s = story(status="Answered", waiting_since=None)
    message = record_client_message(
        s.ticket_id,
        "Still down [bold]\x1b]0;x\x07",
        contact_id=s.contact_id,
        message_id="<abc@mail.example>",
        attachments=[("photo.jpg", "image/jpeg", b"\xff\xd8\xff"), ("../x", "", b"y")],
    )
    assert message is not None
    assert (message.kind, message.author) == ("client", "Ada Okafor")
    assert message.body == "Still down [bold]\x1b]0;x\x07"
    assert [(a.filename, a.content_type) for a in message.attachments] == [
        ("photo.jpg", "image/jpeg"),
        ("../x", "application/octet-stream"),
    ]
    row = ticket_row(s.ticket_id)
    assert row.status == "Customer-Reply"
    assert row.waiting_since == clock.now() and row.last_activity_at == clock.now()
    assert row.version == 2
    assert feed_actions(s.ticket_id) == ["client_message"]
    assert OutboxMail.select().count() == 0

    again = record_client_message(s.ticket_id, "dup", message_id="<abc@mail.example>")
    assert again is None
    assert Message.select().count() == 1
    assert ticket_row(s.ticket_id).version == 2


def test_client_message_keeps_an_earlier_wait_and_reopens_completed(desk: str) -> None:
    s = story()
    earlier = ticket_row(s.ticket_id).waiting_since
    record_client_message(s.ticket_id, "Any news?", author_name="Ada from the office")
    row = ticket_row(s.ticket_id)
    assert row.waiting_since == earlier and row.status == "Customer-Reply"
    assert list_messages(s.ticket_id)[-1].author == "Ada from the office"

    done = make_ticket(s.client_id, s.department_id, status="Completed")
    record_client_message(done.id, "It broke again")
    row = ticket_row(done.id)
    assert (row.status, row.waiting_since) == ("Customer-Reply", clock.now())
    assert list_messages(done.id)[-1].author == "Ada Okafor"


def test_client_message_refuses_a_stranger_or_nothing(desk: str) -> None:
    s = story()
    other_client = make_client("Eve", "Fox")
    stranger = make_contact(other_client, "Eve", "eve@fox.example")
    with pytest.raises(ValidationError) as error:
        record_client_message(s.ticket_id, "hi", contact_id=stranger)
    assert error.value.field == "contact"
    with pytest.raises(ValidationError):
        record_client_message(s.ticket_id, "   ")
    with pytest.raises(NotFound):
        record_client_message(uuid.uuid4(), "hello")
    nul = record_client_message(s.ticket_id, "a\x00b")
    assert nul is not None and nul.body == "a\ufffdb"
    assert Message.select().count() == 1


# canned replies ------------------------------------------------------------------------------


def test_canned_replies_of_a_department_and_the_general_ones(desk: str) -> None:
    s = story()
    billing = Department.create(name="Billing")
    CannedReply.create(title="Greeting", body="Hi")
    CannedReply.create(title="Fibre cut", body="cut", department=s.department_id)
    CannedReply.create(title="Refund issued", body="refund", department=billing.id)
    titles = [(c.title, c.department) for c in list_canned_replies(s.department_id)]
    assert titles == [("Fibre cut", "Outage"), ("Greeting", "")]
    assert [c.title for c in list_canned_replies()] == ["Fibre cut", "Greeting", "Refund issued"]


def test_fill_canned_reply_fills_the_fields_and_leaves_the_rest(desk: str) -> None:
    s = story(subject="Line {drops}")
    Client.update(company="{client_name} & Co").where(Client.id == s.client_id).execute()
    body = (
        "Hi {first_name} of {client_name},\n{ticket_number}: {subject} ({department})\n"
        "Starts {start_date}. {unknown} {a.b} {c[0]} {{literal}} {first_name:>6}\n{staff_name}"
    )
    canned = CannedReply.create(title="All", body=body)
    assert fill_canned_reply(canned.id, s.ticket_id, s.sam) == (
        "Hi Ada of {client_name} & Co,\n"
        f"T-{s.number}: Line {{drops}} (Outage)\n"
        "Starts {start_date}. {unknown} {a.b} {c[0]} {literal}    Ada\nSam Reyes"
    )
    order = Order.create(
        number=next_number("order"), client=s.client_id, start_date=dt.date(2026, 3, 20)
    )
    Ticket.update(order=order.id).where(Ticket.id == s.ticket_id).execute()
    start = CannedReply.create(title="Order approved", body="Starts on {start_date}.")
    assert fill_canned_reply(start.id, s.ticket_id, s.sam) == "Starts on 20 March 2026."
    with pytest.raises(NotFound):
        fill_canned_reply(uuid.uuid4(), s.ticket_id, s.sam)
    with pytest.raises(NotFound):
        fill_canned_reply(canned.id, uuid.uuid4(), s.sam)


STRAY = ("{", "}", "}}", "{{", "{0}", "{}", "{a.b}", "{a[", "{x!z}", "{ticket_number:%Y}", "{:}")


def test_filling_never_fails_on_braces(desk: str) -> None:
    s = story()
    values = canned_values(s.ticket_id, s.sam)
    for text in STRAY:
        canned = CannedReply.create(title=f"stray {text}", body=f"{text} {{ticket_number}}")
        filled = fill_canned_reply(canned.id, s.ticket_id, s.sam)
        assert f"T-{s.number}" in filled, (text, filled)
    assert fill_template("{", values) == "{"
    assert fill_template("{0} {first_name}", values) == "{0} Ada"
    assert fill_template("{a.b} {first_name}", values) == "{a.b} Ada"
    rng = random.Random(5)
    pieces = ["{", "}", "{first_name}", "x", "!", ":", ".", "[", "]", "0", "{{", "}}", "a"]
    for _ in range(2000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert isinstance(fill_template(text, values), str)


def test_paging_through_messages_of_one_instant_keeps_their_files(desk: str) -> None:
    s = story()
    posted = []
    for index in range(7):  # the clock is frozen: every message has the same created_at
        posted.append(post_note(s.sam, s.ticket_id, f"note {index}"))
        store_attachment(s.ticket_id, f"file {index}", "", b"x", message_id=posted[-1].id)
    pages = [list_messages(s.ticket_id, limit=3)]
    while len(pages[-1]) == 3:
        pages.append(list_messages(s.ticket_id, before=pages[-1][0], limit=3))
    seen = [m for page in reversed(pages) for m in page]
    assert [m.body for m in seen] == [f"note {i}" for i in range(7)]
    assert [[a.filename for a in m.attachments] for m in seen] == [[f"file {i}"] for i in range(7)]


def test_every_demo_ticket_opens_and_fills_its_canned_replies(desk: str, tmp_path: Path) -> None:
    from deskapp.demo import load_demo
    from deskapp.services.attachments import save_attachment

    load_demo()
    add_hostile_rows()
    sam = actor_from(Staff.get(Staff.username == "sam"))
    hostile = None
    for ticket_id, number in Ticket.select(Ticket.id, Ticket.number).tuples():
        detail = get_ticket(ticket_id)
        messages = list_messages(ticket_id)
        assert detail.label == f"T-{number}" and detail.message_count == len(messages) > 0
        assert [m.page_key for m in messages] == sorted(m.page_key for m in messages)
        for choice in list_canned_replies(detail.department_id):
            filled = fill_canned_reply(choice.id, ticket_id, sam)
            assert "{ticket_number}" not in filled and "{client_name}" not in filled
        if detail.department == "Billing":
            assert detail.extra[0][0] == "Invoice number"
        for attachment in detail.attachments:
            if "\x1b" in attachment.filename:
                hostile = attachment
    assert hostile is not None
    saved = save_attachment(hostile.id, tmp_path)
    assert saved.parent == tmp_path and saved.name == "invoice_[31mfdp.exe"


def _record_at_once(ticket_id: uuid.UUID, message_id: str, workers: int) -> list[object]:
    """record_client_message of one mail from `workers` threads released together."""
    barrier = threading.Barrier(workers)
    results: list[object] = []

    def record() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(record_client_message(ticket_id, "same", message_id=message_id))
        except Exception as error:  # noqa: BLE001 - the assertions show it
            results.append(error)
        finally:
            close_database()

    threads = [threading.Thread(target=record) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_the_same_mail_recorded_twice_at_once_is_kept_once(desk: str) -> None:
    s = story()
    for attempt in range(3):
        results = _record_at_once(s.ticket_id, f"<race{attempt}@x>", 4)
        assert sum(isinstance(r, ConversationMessage) for r in results) == 1, results
        assert sum(r is None for r in results) == 3, results
    assert Message.select().count() == 3
    assert ticket_row(s.ticket_id).version == 4
