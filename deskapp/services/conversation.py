"""A ticket's conversation: the header and side panel, paged messages, replies, notes, client
messages, and the mail a reply queues.

A staff reply is seen by the client: it becomes one OutboxMail row per recipient in the same
transaction (the sender in deskapp/mail.py delivers them). A note is for staff only and never
produces mail. A client's message (from mail import) puts the ticket back in front of the desk.
Bodies, names and file names are untrusted text, stored as written; screens make them inert.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import NotFound, ValidationError
from deskapp.ids import format_number, parse_number
from deskapp.models import (
    Attachment,
    Client,
    Contact,
    Department,
    Entity,
    Estimate,
    Message,
    MessageKind,
    Order,
    OutboxMail,
    Staff,
    Subscriber,
    Ticket,
    TicketStatus,
    TimeEntry,
)
from deskapp.services import validation
from deskapp.services.actors import Actor
from deskapp.services.attachments import (
    AttachmentInfo,
    attachment_infos,
    read_attachment_file,
    store_attachment,
)
from deskapp.services.bookkeeping import key
from deskapp.services.ticket_actions import EstimateInfo
from deskapp.services.transaction import write_transaction

__all__ = [
    "AttachmentInfo",
    "BODY_MAX",
    "ConversationMessage",
    "MessagePageKey",
    "SubscriberInfo",
    "TicketDetail",
    "find_ticket",
    "get_ticket",
    "list_messages",
    "post_note",
    "post_reply",
    "record_client_message",
    "reply_recipients",
]

BODY_MAX = 200_000
"""The longest message a staff member may post (characters)."""
PAGE_MAX = 1000
"""The most messages one page returns."""
STATUSES = tuple(status.value for status in TicketStatus)
"""Every ticket status, in the usual order."""
SIGNATURE_SEPARATOR = "\n\n-- \n"
"""What stands between a reply and the signature in its mail (the usual "-- " line)."""

MessagePageKey = tuple[dt.datetime, uuid.UUID]
"""Where a page of messages starts: the oldest message's (created_at, id)."""


@dataclass(frozen=True)
class SubscriberInfo:
    """Another contact of the client who follows the ticket."""

    contact_id: uuid.UUID
    """The contact's key."""
    name: str
    """First and last name (untrusted text)."""
    email: str
    """Their address."""
    mail_support: bool
    """Whether they receive Support mail, so the replies of this ticket."""


@dataclass(frozen=True)
class ConversationMessage:
    """One entry of the conversation: a client message, a staff reply or an internal note."""

    id: uuid.UUID
    """The message's key."""
    kind: str
    """"client", "reply" (seen by the client) or "note" (staff only)."""
    author: str
    """Who wrote it, as shown (untrusted text for a client)."""
    body: str
    """What was written, as written (untrusted text)."""
    created_at: dt.datetime
    """When (UTC)."""
    attachments: tuple[AttachmentInfo, ...] = ()
    """The files that came with it."""

    @property
    def page_key(self) -> MessagePageKey:
        """Messages page by (created_at, id); pass the message as `before` for older ones."""
        return (self.created_at, self.id)


@dataclass(frozen=True)
class TicketDetail:
    """Everything the conversation screen's header and side panel show of a ticket."""

    id: uuid.UUID
    """The ticket's key."""
    number: int
    """Its number."""
    label: str
    """The number as people say it: T-20311."""
    subject: str
    """The subject (untrusted text)."""
    client_id: uuid.UUID
    """The client's key."""
    client_number: int
    """The client's number."""
    client_label: str
    """C-1042."""
    client_name: str
    """The company, or the person's name (untrusted text)."""
    client_status: str
    """Active, Inactive or Closed (a Closed client can still be answered)."""
    contact_id: uuid.UUID | None
    """The contact who raised it, if any."""
    contact_name: str
    """Their name, or empty."""
    contact_email: str
    """Their address (or the client's own when there is no contact)."""
    department_id: uuid.UUID
    """The department's key."""
    department: str
    """The department's name."""
    extra: tuple[tuple[str, str], ...]
    """(label, value) of the department's extra fields in its order, then any others."""
    status: str
    """Open, Answered, Customer-Reply, On Hold, In Progress or Completed."""
    priority: str
    """Low, Medium, High or Urgent."""
    assignee_id: uuid.UUID | None
    """Who has it, if anyone."""
    assignee: str
    """Their name, or empty."""
    tags: str
    """"a, b" (lower-case)."""
    created_at: dt.datetime
    """When it was opened (UTC)."""
    last_activity_at: dt.datetime
    """When the conversation last moved (UTC)."""
    waiting_since: dt.datetime | None
    """Since when the client waits for an answer; None when they do not."""
    version: int
    """Changes with every write to the ticket."""
    message_count: int
    """Messages in the conversation (notes included)."""
    support_minutes_left: int
    """The client's prepaid support time left."""
    time_logged_minutes: int
    """Time logged on this ticket."""
    subscribers: tuple[SubscriberInfo, ...]
    """Other contacts following it."""
    estimates: tuple[EstimateInfo, ...]
    """Work proposed, oldest first."""
    attachments: tuple[AttachmentInfo, ...]
    """Every file of the ticket, oldest first."""
    order_id: uuid.UUID | None = None
    """The order the ticket is about, if any."""
    order_label: str = ""
    """O-5531, or empty."""

    def waiting(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long the client has been waiting at `now` (default: the clock's now)."""
        if self.waiting_since is None:
            return None
        return max((now or clock.now()) - self.waiting_since, dt.timedelta(0))


def _person(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _missing_ticket() -> NotFound:
    return NotFound("That ticket no longer exists; it may have been merged or deleted.")


# Reading -------------------------------------------------------------------------------------


def get_ticket(ticket_id: uuid.UUID) -> TicketDetail:
    """The ticket with its client, contact, department, assignee, counts, subscribers, estimates
    and attachments (four queries); NotFound when it is gone."""
    ticket_id = key(ticket_id, "ticket")
    message_count = (
        Message.select(peewee.fn.COUNT(Message.id)).where(Message.ticket == Ticket.id)
    ).alias("message_count")
    minutes = (
        TimeEntry.select(peewee.fn.COALESCE(peewee.fn.SUM(TimeEntry.minutes), 0)).where(
            TimeEntry.ticket == Ticket.id
        )
    ).alias("time_logged")
    row = (
        Ticket.select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.tags,
            Ticket.extra,
            Ticket.created_at,
            Ticket.last_activity_at,
            Ticket.waiting_since,
            Ticket.version,
            Ticket.client,
            Ticket.contact,
            Ticket.department,
            Ticket.assignee,
            Ticket.order,
            Client.number.alias("client_number"),
            Client.first_name.alias("client_first"),
            Client.last_name.alias("client_last"),
            Client.company.alias("client_company"),
            Client.email.alias("client_email"),
            Client.status.alias("client_status"),
            Client.support_minutes.alias("support_minutes"),
            Contact.first_name.alias("contact_first"),
            Contact.last_name.alias("contact_last"),
            Contact.email.alias("contact_email"),
            Department.name.alias("department_name"),
            Department.extra_fields.alias("extra_fields"),
            Staff.name.alias("assignee_name"),
            Order.number.alias("order_number"),
            message_count,
            minutes,
        )
        .join(Client, on=(Ticket.client == Client.id))
        .switch(Ticket)
        .join(Department, on=(Ticket.department == Department.id))
        .switch(Ticket)
        .join(Contact, peewee.JOIN.LEFT_OUTER, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(Staff, peewee.JOIN.LEFT_OUTER, on=(Ticket.assignee == Staff.id))
        .switch(Ticket)
        .join(Order, peewee.JOIN.LEFT_OUTER, on=(Ticket.order == Order.id))
        .where(Ticket.id == ticket_id)
        .dicts()
        .first()
    )
    if row is None:
        raise _missing_ticket()
    subscribers = tuple(
        SubscriberInfo(
            contact_id=sub["contact_id"],
            name=_person(sub["first_name"], sub["last_name"]),
            email=sub["email"],
            mail_support=bool(sub["mail_support"]),
        )
        for sub in Subscriber.select(
            Contact.id.alias("contact_id"),
            Contact.first_name,
            Contact.last_name,
            Contact.email,
            Contact.mail_support,
        )
        .join(Contact, on=(Subscriber.contact == Contact.id))
        .where(Subscriber.ticket == ticket_id)
        .order_by(Subscriber.created_at, Subscriber.id)
        .dicts()
    )
    estimates = tuple(
        EstimateInfo(
            id=est["id"],
            description=est["description"],
            amount_cents=est["amount_cents"],
            minutes=est["minutes"],
            status=est["status"],
            staff_name=est["staff_name"] or "",
            created_at=est["created_at"],
            decided_at=est["decided_at"],
        )
        for est in Estimate.select(
            Estimate.id,
            Estimate.description,
            Estimate.amount_cents,
            Estimate.minutes,
            Estimate.status,
            Estimate.created_at,
            Estimate.decided_at,
            Staff.name.alias("staff_name"),
        )
        .join(Staff, peewee.JOIN.LEFT_OUTER, on=(Estimate.staff == Staff.id))
        .where(Estimate.ticket == ticket_id)
        .order_by(Estimate.created_at, Estimate.id)
        .dicts()
    )
    attachments = tuple(attachment_infos(Attachment.ticket == ticket_id))
    contact_name = _person(row["contact_first"], row["contact_last"])
    client_person = _person(row["client_first"], row["client_last"])
    return TicketDetail(
        id=row["id"],
        number=row["number"],
        label=format_number("ticket", row["number"]),
        subject=row["subject"],
        client_id=row["client"],
        client_number=row["client_number"],
        client_label=format_number("client", row["client_number"]),
        client_name=row["client_company"] or client_person,
        client_status=row["client_status"],
        contact_id=row["contact"],
        contact_name=contact_name,
        contact_email=row["contact_email"] or row["client_email"] or "",
        department_id=row["department"],
        department=row["department_name"],
        extra=_extra(row["extra_fields"], row["extra"]),
        status=row["status"],
        priority=row["priority"],
        assignee_id=row["assignee"],
        assignee=row["assignee_name"] or "",
        tags=row["tags"],
        created_at=row["created_at"],
        last_activity_at=row["last_activity_at"],
        waiting_since=row["waiting_since"],
        version=row["version"],
        message_count=int(row["message_count"] or 0),
        support_minutes_left=int(row["support_minutes"] or 0),
        time_logged_minutes=int(row["time_logged"] or 0),
        subscribers=subscribers,
        estimates=estimates,
        attachments=attachments,
        order_id=row["order"],
        order_label=(
            format_number("order", row["order_number"]) if row["order_number"] is not None else ""
        ),
    )


def _extra(fields_json: str, values_json: str) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs: the department's fields in its order, then values of no field."""
    try:
        fields = json.loads(fields_json or "[]")
    except ValueError:
        fields = []
    try:
        values = json.loads(values_json or "{}")
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    if not isinstance(fields, list):
        fields = []
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            continue
        name = field["name"]
        seen.add(name)
        value = values.get(name)
        if value is None or value == "":
            continue
        pairs.append((str(field.get("label") or name), str(value)))
    for name in sorted(set(values) - seen, key=str):
        value = values[name]
        if value is not None and value != "":
            pairs.append((str(name).replace("_", " ").capitalize(), str(value)))
    return tuple(pairs)


def find_ticket(label_or_number: str) -> TicketDetail:
    """The ticket "T-20311" (or "20311", "t20311"); NotFound with a sentence otherwise."""
    text = label_or_number if isinstance(label_or_number, str) else ""
    number = parse_number("ticket", text)
    if number is None:
        shown = text.strip()[:40]
        raise NotFound(f"“{shown}” is not a ticket number; type it like T-20311.")
    ticket_id = Ticket.select(Ticket.id).where(Ticket.number == number).scalar()
    if ticket_id is None:
        raise NotFound(f"There is no ticket {format_number('ticket', number)}.")
    if isinstance(ticket_id, str):
        ticket_id = uuid.UUID(ticket_id)
    return get_ticket(ticket_id)


def list_messages(
    ticket_id: uuid.UUID, *, before: ConversationMessage | None = None, limit: int = 200
) -> list[ConversationMessage]:
    """The `limit` messages just before `before` (default: the newest), oldest first.

    Keyset paging by (created_at, id) newest first on the (ticket, created_at) index; the
    attachments of the page come in one more query. NotFound when the ticket is gone.
    """
    ticket_id = key(ticket_id, "ticket")
    if not 1 <= limit <= PAGE_MAX:
        raise ValueError(f"limit must be 1..{PAGE_MAX}, not {limit}")
    fallback = peewee.fn.TRIM(Contact.first_name.concat(" ").concat(Contact.last_name))
    author = peewee.fn.COALESCE(peewee.fn.NULLIF(Message.author_name, ""), Staff.name, fallback)
    query = (
        Message.select(
            Message.id, Message.kind, author.alias("author"), Message.body, Message.created_at
        )
        .join(Staff, peewee.JOIN.LEFT_OUTER, on=(Message.staff == Staff.id))
        .switch(Message)
        .join(Contact, peewee.JOIN.LEFT_OUTER, on=(Message.contact == Contact.id))
        .where(Message.ticket == ticket_id)
    )
    if before is not None:
        at, last = before.created_at, before.id
        # "<= at" first gives the index a range to walk backwards (an OR alone makes SQLite
        # merge two index searches and sort every older message: ten times slower).
        query = query.where(
            Message.created_at <= at, (Message.created_at < at) | (Message.id < last)
        )
    query = query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    rows = list(query.tuples())
    if not rows:
        if not Ticket.select(Ticket.id).where(Ticket.id == ticket_id).exists():
            raise _missing_ticket()
        return []
    rows.reverse()
    files = _page_attachments(ticket_id, rows[0][4], rows[-1][4])
    return [
        ConversationMessage(
            id=message_id,
            kind=kind,
            author=author or ("Client" if kind == MessageKind.CLIENT else "Staff"),
            body=body,
            created_at=created_at,
            attachments=tuple(files.get(message_id, ())),
        )
        for message_id, kind, author, body, created_at in rows
    ]


def _page_attachments(
    ticket_id: uuid.UUID, oldest: dt.datetime, newest: dt.datetime
) -> dict[uuid.UUID, list[AttachmentInfo]]:
    """The attachments of the ticket's messages written from `oldest` to `newest`, by message.

    One query bounded by the page's time span (not a list of 200 keys, which costs more to
    build than to run); a message just outside the page that shares a boundary time may come
    along and is simply not asked for.
    """
    query = (
        Attachment.select(
            Attachment.id,
            Attachment.filename,
            Attachment.content_type,
            Attachment.size,
            Attachment.created_at,
            Attachment.message,
        )
        .join(Message, on=(Attachment.message == Message.id))
        .where(
            Attachment.ticket == ticket_id,
            Message.ticket == ticket_id,
            Message.created_at >= oldest,
            Message.created_at <= newest,
        )
        .order_by(Attachment.created_at, Attachment.id)
        .tuples()
    )
    files: dict[uuid.UUID, list[AttachmentInfo]] = {}
    for row in query:
        info = AttachmentInfo(*row)
        files.setdefault(info.message_id, []).append(info)  # type: ignore[arg-type]
    return files


# Writing -------------------------------------------------------------------------------------


def _staff_body(body: object) -> str:
    text = validation.text("body", body, "The message", limit=BODY_MAX, multiline=True)
    if not text.strip():
        raise ValidationError("body", "Write something first: the message is empty.")
    return text


def _read_files(paths: Sequence[Path]) -> list[tuple[str, str, bytes]]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [read_attachment_file(Path(path)) for path in paths]


def _touch_ticket(ticket_id: uuid.UUID, now: dt.datetime, **changes: object) -> dict[str, Any]:
    """Update the ticket (activity, version) and return what mail needs; NotFound when gone.

    The UPDATE comes first, so on PostgreSQL the ticket's row is locked for the transaction
    and concurrent writers to one ticket queue up instead of interleaving.
    """
    rows = list(
        Ticket.update(
            last_activity_at=now,
            updated_at=now,
            version=Ticket.version + 1,
            **changes,
        )
        .where(Ticket.id == ticket_id)
        .returning(Ticket.number, Ticket.subject, Ticket.client, Ticket.contact)
        .execute()
    )
    if not rows:
        raise _missing_ticket()
    row = rows[0]
    return {
        "number": row.number,
        "subject": row.subject,
        "client": row.client_id,
        "contact": row.contact_id,
    }


def _store_files(
    ticket_id: uuid.UUID, message_id: uuid.UUID, files: Sequence[tuple[str, str, bytes]]
) -> tuple[AttachmentInfo, ...]:
    return tuple(
        store_attachment(ticket_id, name, content_type, content, message_id=message_id)
        for name, content_type, content in files
    )


def _staff_message(
    actor: Actor,
    ticket_id: uuid.UUID,
    kind: str,
    text: str,
    files: Sequence[tuple[str, str, bytes]],
    now: dt.datetime,
) -> tuple[Message, tuple[AttachmentInfo, ...]]:
    message = Message.create(
        ticket=ticket_id,
        kind=kind,
        staff=actor.id,
        author_name=actor.name[:200],
        body=text,
        created_at=now,
    )
    return message, _store_files(ticket_id, message.id, files)


def post_reply(
    actor: Actor,
    ticket_id: uuid.UUID,
    body: str,
    *,
    attachment_paths: Sequence[Path] = (),
    status: str | None = None,
) -> ConversationMessage:
    """Answer the client: the reply, its files, the ticket's new status (`status` or Answered;
    the client no longer waits) and one mail per recipient, all in one transaction.

    Recipients are the ticket's contact (the client's own address when there is none) and the
    subscribers whose Support mail is on, each address once. A Closed client's or a Completed
    ticket can still be answered.
    """
    ticket_id = key(ticket_id, "ticket")
    text = _staff_body(body)
    new_status = validation.choice(
        "status", status if status is not None else TicketStatus.ANSWERED.value, "Status", STATUSES
    )
    files = _read_files(attachment_paths)
    now = clock.now()
    with write_transaction():
        ticket = _touch_ticket(ticket_id, now, status=new_status, waiting_since=None)
        message, attachments = _staff_message(actor, ticket_id, MessageKind.REPLY, text, files, now)
        _queue_reply_mail(actor, ticket_id, ticket, message.id, text)
        feed.publish(Entity.TICKET, ticket_id, "reply")
    return ConversationMessage(
        message.id, MessageKind.REPLY.value, actor.name, text, now, attachments
    )


def post_note(
    actor: Actor, ticket_id: uuid.UUID, body: str, *, attachment_paths: Sequence[Path] = ()
) -> ConversationMessage:
    """An internal note (staff only): never mailed; the status and the client's waiting stay."""
    ticket_id = key(ticket_id, "ticket")
    text = _staff_body(body)
    files = _read_files(attachment_paths)
    now = clock.now()
    with write_transaction():
        _touch_ticket(ticket_id, now)
        message, attachments = _staff_message(actor, ticket_id, MessageKind.NOTE, text, files, now)
        feed.publish(Entity.TICKET, ticket_id, "note")
    return ConversationMessage(
        message.id, MessageKind.NOTE.value, actor.name, text, now, attachments
    )


def record_client_message(
    ticket_id: uuid.UUID,
    body: str,
    *,
    contact_id: uuid.UUID | None = None,
    author_name: str = "",
    message_id: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    automatic: bool = False,
) -> ConversationMessage | None:
    """What the client wrote (mail import), with its files (name, content type, bytes).

    None when `message_id` was imported already. The ticket becomes Customer-Reply (a Completed
    one reopens), the client waits from now unless they already did, and its activity moves;
    an `automatic` message (an out-of-office reply) is only added: status, waiting and the
    queue's order stay as they were.
    The body is kept as written (only NUL, which PostgreSQL cannot hold, becomes U+FFFD).
    """
    ticket_id = key(ticket_id, "ticket")
    text = body if isinstance(body, str) else ""
    text = text.replace("\x00", "\ufffd")
    files = list(attachments)
    if not text.strip() and not files:
        raise ValidationError("body", "The client's message is empty.")
    mail_id = (message_id or "").strip()[:300] or None
    name = (author_name or "").replace("\x00", "\ufffd").strip()[:200]
    now = clock.now()
    with write_transaction():
        if mail_id and Message.select(Message.id).where(Message.message_id == mail_id).exists():
            return None
        client_id = Ticket.select(Ticket.client).where(Ticket.id == ticket_id).scalar()
        if client_id is None:
            raise _missing_ticket()
        if contact_id is not None:
            contact = (
                Contact.select(Contact.first_name, Contact.last_name, Contact.client)
                .where(Contact.id == contact_id)
                .first()
            )
            if contact is None or str(contact.client_id) != str(client_id):
                raise ValidationError(
                    "contact", "That contact does not belong to the ticket's client."
                )
            name = name or _person(contact.first_name, contact.last_name)
        if not name:
            client = (
                Client.select(Client.first_name, Client.last_name, Client.company)
                .where(Client.id == client_id)
                .first()
            )
            name = (
                (_person(client.first_name, client.last_name) or client.company) if client else ""
            )
        try:
            with write_transaction():
                message = Message.create(
                    ticket=ticket_id,
                    kind=MessageKind.CLIENT,
                    contact=contact_id,
                    author_name=name,
                    body=text,
                    message_id=mail_id,
                    created_at=now,
                )
        except peewee.IntegrityError:
            # Another import of the same Message-ID committed first: that one holds it.
            if mail_id and Message.select(Message.id).where(Message.message_id == mail_id).exists():
                return None
            raise
        stored = _store_files(ticket_id, message.id, files)
        if automatic:
            Ticket.update(updated_at=now, version=Ticket.version + 1).where(
                Ticket.id == ticket_id
            ).execute()
        else:
            _touch_ticket(ticket_id, now, status=TicketStatus.CUSTOMER_REPLY.value)
            Ticket.update(waiting_since=now).where(
                Ticket.id == ticket_id, Ticket.waiting_since.is_null()
            ).execute()
        feed.publish(Entity.TICKET, ticket_id, "client_message")
    return ConversationMessage(
        message.id, MessageKind.CLIENT.value, name or "Client", text, now, stored
    )


# Reply mail ----------------------------------------------------------------------------------


def reply_recipients(ticket_id: uuid.UUID) -> list[str]:
    """Who a reply on the ticket is mailed to: its contact (or the client's own address) first,
    then subscribers whose Support mail is on, each address once (whatever its case)."""
    ticket_id = key(ticket_id, "ticket")
    row = Ticket.select(Ticket.client, Ticket.contact).where(Ticket.id == ticket_id).dicts().first()
    if row is None:
        raise _missing_ticket()
    return _recipients(ticket_id, row["client"], row["contact"])


def _recipients(ticket_id: uuid.UUID, client_id: object, contact_id: object) -> list[str]:
    first = None
    if contact_id is not None:
        first = Contact.select(Contact.email).where(Contact.id == contact_id).scalar()
    if not first:
        first = Client.select(Client.email).where(Client.id == client_id).scalar()
    addresses = [first] if first else []
    addresses += [
        email
        for (email,) in Subscriber.select(Contact.email)
        .join(Contact, on=(Subscriber.contact == Contact.id))
        .where(Subscriber.ticket == ticket_id, Contact.mail_support == True)  # noqa: E712
        .order_by(Subscriber.created_at, Subscriber.id)
        .tuples()
    ]
    unique: dict[str, str] = {}
    for address in addresses:
        cleaned = (address or "").strip()
        if cleaned and "\n" not in cleaned and "\r" not in cleaned:
            unique.setdefault(cleaned.lower(), cleaned)
    return list(unique.values())


def _mail_subject(number: int, subject: str) -> str:
    flat = " ".join((subject or "").replace("\x00", "").split())
    return f"[{format_number('ticket', number)}] {flat}"[:300]


def _queue_reply_mail(
    actor: Actor,
    ticket_id: uuid.UUID,
    ticket: dict[str, Any],
    message_id: uuid.UUID,
    text: str,
) -> int:
    """One OutboxMail per recipient, inside the reply's transaction; returns how many."""
    signature = Staff.select(Staff.signature).where(Staff.id == actor.id).scalar() or ""
    signature = signature.strip("\n") or actor.name
    mail_body = f"{text.rstrip()}{SIGNATURE_SEPARATOR}{signature}\n"
    subject = _mail_subject(ticket["number"], ticket["subject"])
    recipients = _recipients(ticket_id, ticket["client"], ticket["contact"])
    now = clock.now()
    for n, address in enumerate(recipients, 1):
        OutboxMail.create(
            ticket=ticket_id,
            to_address=address,
            subject=subject,
            body=mail_body,
            message_id=f"<{uuid.UUID(str(message_id)).hex}.{n}@deskapp>",
            next_attempt_at=now,
            created_at=now,
        )
    return len(recipients)
