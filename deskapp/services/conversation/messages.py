"""A conversation's messages: read a page at a time, newest first, with their files; and the
staff's replies (mailed to the client) and internal notes (never mailed)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import ValidationError
from deskapp.models import (
    Attachment,
    Contact,
    Entity,
    Message,
    MessageKind,
    Staff,
    Ticket,
    TicketStatus,
    tuple_rows,
)
from deskapp.services import validation
from deskapp.services.actors import Actor
from deskapp.services.attachments import (
    AttachmentInfo,
    read_attachment_file,
    store_attachment,
)
from deskapp.services.bookkeeping import key
from deskapp.services.conversation.detail import missing_ticket
from deskapp.services.conversation.reply_mail import queue_reply_mail
from deskapp.services.conversation.reply_state import QUEUED, page_reply_states
from deskapp.services.rights import Right, acting
from deskapp.services.ticket_write import lock_ticket, record_change

BODY_MAX = 200_000
"""The longest message a staff member may post (characters)."""
PAGE_MAX = 1000
"""The most messages one page returns."""
STATUSES = tuple(status.value for status in TicketStatus)
"""Every ticket status, in the usual order."""
MessagePageKey = tuple[dt.datetime, uuid.UUID]
"""Where a page of messages starts: the oldest message's (created_at, id)."""


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
    sender_unverified: bool = False
    """A client's mail whose sender the desk's mail server could not verify (shown in red)."""
    mail: str = ""
    """What became of a reply's mail: "queued for mail", "sent", "failed: <reason>" (see
    reply_state); empty for other messages and for a reply that queued no mail."""

    @property
    def page_key(self) -> MessagePageKey:
        """Messages page by (created_at, id); pass the message as `before` for older ones."""
        return (self.created_at, self.id)


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
            Message.id,
            Message.kind,
            author.alias("author"),
            Message.body,
            Message.created_at,
            Message.sender_unverified,
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
    rows = list(tuple_rows(query))
    if not rows:
        if not Ticket.select(Ticket.id).where(Ticket.id == ticket_id).exists():
            raise missing_ticket()
        return []
    rows.reverse()
    files = _page_attachments(ticket_id, rows[0][4], rows[-1][4])
    replies = any(row[1] == MessageKind.REPLY for row in rows)
    mail = page_reply_states(ticket_id, rows[0][4], rows[-1][4]) if replies else {}
    return [
        ConversationMessage(
            id=message_id,
            kind=kind,
            author=author or ("Client" if kind == MessageKind.CLIENT else "Staff"),
            body=body,
            created_at=created_at,
            attachments=tuple(files.get(message_id, ())),
            sender_unverified=bool(unverified),
            mail=mail.get(message_id, ""),
        )
        for message_id, kind, author, body, created_at, unverified in rows
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
    )
    files: dict[uuid.UUID, list[AttachmentInfo]] = {}
    for row in tuple_rows(query):
        info = AttachmentInfo(*row)
        if info.message_id is not None:  # always: the query joins the message
            files.setdefault(info.message_id, []).append(info)
    return files


def _staff_body(body: object) -> str:
    text = validation.text("body", body, "The message", limit=BODY_MAX, multiline=True)
    if not text.strip():
        raise ValidationError("body", "Write something first: the message is empty.")
    return text


def _read_files(paths: Sequence[Path]) -> list[tuple[str, str, bytes]]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [read_attachment_file(Path(path)) for path in paths]


def touch_ticket(ticket_id: uuid.UUID, now: dt.datetime, **changes: object) -> dict[str, Any]:
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
        raise missing_ticket()
    row = rows[0]
    return {
        "number": row.number,
        "subject": row.subject,
        "client": row.client_id,
        "contact": row.contact_id,
    }


def store_files(
    ticket_id: uuid.UUID, message_id: uuid.UUID, files: Sequence[tuple[str, str, bytes]]
) -> tuple[AttachmentInfo, ...]:
    """Store a message's files (name, content type, bytes) with it, inside its transaction."""
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
    return message, store_files(ticket_id, message.id, files)


def post_reply(
    actor: Actor,
    ticket_id: uuid.UUID,
    body: str,
    *,
    attachment_paths: Sequence[Path] = (),
    status: str | None = None,
    mail_kind: str = "reply",
) -> ConversationMessage:
    """Answer the client: the reply, its files, the ticket's new status (`status` or Answered;
    the client no longer waits; in the ticket's history when it changed) and one mail per
    recipient, all in one transaction.

    Recipients are the ticket's contact (the client's own address when there is none) and the
    subscribers whose Support mail is on, each address once; for another `mail_kind` ("order"
    for an order approved) the client's contacts of that kind's category. A Closed client's or
    a Completed ticket can still be answered.
    """
    ticket_id = key(ticket_id, "ticket")
    text = _staff_body(body)
    new_status = validation.choice(
        "status", status if status is not None else TicketStatus.ANSWERED.value, "Status", STATUSES
    )
    files = _read_files(attachment_paths)
    now = clock.now()
    with acting(actor, Right.WORK_TICKETS) as actor:
        before = lock_ticket(ticket_id)
        ticket = touch_ticket(ticket_id, now, status=new_status, waiting_since=None)
        record_change(actor, before, "status", before.status, new_status)
        message, attachments = _staff_message(actor, ticket_id, MessageKind.REPLY, text, files, now)
        queued = queue_reply_mail(actor, ticket_id, ticket, message.id, text, mail_kind)
        feed.publish(Entity.TICKET, ticket_id, "reply")
    return ConversationMessage(
        message.id,
        MessageKind.REPLY.value,
        actor.name,
        text,
        now,
        attachments,
        mail=QUEUED if queued else "",
    )


def post_note(
    actor: Actor, ticket_id: uuid.UUID, body: str, *, attachment_paths: Sequence[Path] = ()
) -> ConversationMessage:
    """An internal note (staff only): never mailed; the status and the client's waiting stay."""
    ticket_id = key(ticket_id, "ticket")
    text = _staff_body(body)
    files = _read_files(attachment_paths)
    now = clock.now()
    with acting(actor, Right.WORK_TICKETS) as actor:
        touch_ticket(ticket_id, now)
        message, attachments = _staff_message(actor, ticket_id, MessageKind.NOTE, text, files, now)
        feed.publish(Entity.TICKET, ticket_id, "note")
    return ConversationMessage(
        message.id, MessageKind.NOTE.value, actor.name, text, now, attachments
    )
