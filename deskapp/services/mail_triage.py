"""Mail from an address nobody at the desk has: it waits for triage instead of bouncing.

`deskapp ticket import` keeps such a mail here (`hold_unassigned_mail`), parsed as it would have
been filed: From name and address, subject, body, Message-ID, the department whose address it
was sent to, its attachments, whether the desk's mail server verified the sender. It is not a
ticket: a ticket belongs to a client, and the queue, search and billing join ticket to client.

Staff then (Right.WORK_TICKETS, so agents too):
- attach it to an existing client (`attach_unassigned_mail`), or create the client from it
  (`create_client_from_mail`): either way it becomes a ticket of that client (the contact with
  the From address, if the client has one), the first message keeping its Message-ID and From
  address, so m0009's unique key still tells a re-delivered mail from a new one; the waiting
  mail goes, in the same transaction;
- or discard it as spam (`discard_unassigned_mail`): kept nowhere else, the audit entry says
  who discarded what.

Two mails from the same unknown address wait side by side, each its own item (each becomes its
own ticket): the triage list shows them next to each other, oldest first. The same mail twice
(same Message-ID from the same address) is one item.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, DeskError, NotFound
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Contact,
    Department,
    Entity,
    Message,
    Ticket,
    dict_rows,
    tuple_rows,
)
from deskapp.models.triage import UnassignedFile, UnassignedMail
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.attachments import store_attachment
from deskapp.services.client_form import ClientForm
from deskapp.services.client_profile import ClientProfile
from deskapp.services.rights import Right, acting
from deskapp.services.ticket_open import open_ticket
from deskapp.services.tickets import TicketSummary

__all__ = [
    "DEFAULT_DEPARTMENT",
    "HeldMail",
    "UnassignedMailDetails",
    "UnassignedMailRow",
    "attach_unassigned_mail",
    "count_unassigned_mail",
    "create_client_from_mail",
    "discard_unassigned_mail",
    "fallback_department",
    "get_unassigned_mail",
    "hold_unassigned_mail",
    "list_unassigned_mail",
    "split_name",
]

DEFAULT_DEPARTMENT = "Support"
"""Where a ticket goes when no department's address is in To or Cc."""
GONE = "That mail is no longer waiting: someone attached it to a client or discarded it."


@dataclass(frozen=True)
class HeldMail:
    """What `hold_unassigned_mail` did."""

    duplicate: bool
    """Whether the same mail was already waiting (nothing was added)."""
    waiting: int
    """How many mails wait for triage now, this one included."""


@dataclass(frozen=True)
class UnassignedMailRow:
    """One line of the triage list (every string is untrusted text from the mail)."""

    id: uuid.UUID
    """The waiting mail's key."""
    received_at: dt.datetime
    """When the desk received it (UTC)."""
    from_name: str
    """The From name ("" when the mail gave none)."""
    from_address: str
    """The From address, lower case."""
    subject: str
    """The subject."""
    unverified: bool
    """Whether the desk's mail server could not verify the sender."""
    files: int
    """How many files came with it."""

    @property
    def sender(self) -> str:
        """ "Name <address>", or the address alone."""
        return f"{self.from_name} <{self.from_address}>" if self.from_name else self.from_address

    @property
    def page_key(self) -> tuple[dt.datetime, uuid.UUID]:
        """Where this row sits in the oldest-first order."""
        return (self.received_at, self.id)


@dataclass(frozen=True)
class UnassignedMailDetails:
    """A waiting mail in full, for reading it before deciding."""

    row: UnassignedMailRow
    """The list's line."""
    body: str
    """The text of the mail (untrusted)."""
    message_id: str
    """Its Message-ID."""
    department: str
    """The department it will open a ticket in ("" : the default one)."""
    filenames: tuple[str, ...]
    """The names of its files (untrusted)."""


def fallback_department() -> uuid.UUID | None:
    """The department a mail goes to when its address names none: Support, else the first one;
    None on a desk with no departments yet."""
    rows = list(
        Department.select(Department.id, Department.name).order_by(
            Department.sort_order, Department.name
        )
    )
    for row in rows:
        if row.name.lower() == DEFAULT_DEPARTMENT.lower():
            return row.id
    return rows[0].id if rows else None


def hold_unassigned_mail(
    *,
    from_name: str,
    from_address: str,
    subject: str,
    body: str,
    message_id: str,
    department_id: uuid.UUID | None,
    unverified: bool,
    files: Sequence[tuple[str, str, bytes]] = (),
) -> HeldMail:
    """Keep a mail from an unknown sender for triage (run by `deskapp ticket import`, as its
    system job). The same Message-ID from the same address again adds nothing."""
    address = from_address.strip().lower()[:254]
    with write_transaction():
        if _waiting(message_id, address):
            return HeldMail(duplicate=True, waiting=count_unassigned_mail())
        row = UnassignedMail.create(
            received_at=clock.now(),
            from_name=from_name[:200],
            from_address=address,
            subject=subject[:300],
            body=body,
            message_id=message_id,
            department=department_id,
            sender_unverified=unverified,
        )
        for filename, content_type, content in files:
            UnassignedFile.create(
                mail=row.id, filename=filename[:255], content_type=content_type[:100],
                content=content,
            )  # fmt: skip
        audit.record(
            None,
            "mail.held",
            "unassigned_mail",
            row.id,
            f"Mail from {address} waits for triage",
            after={"from": address, "subject": row.subject, "message_id": message_id},
        )
        feed.publish(Entity.UNASSIGNED_MAIL, row.id, "created")
        return HeldMail(duplicate=False, waiting=count_unassigned_mail())


def _waiting(message_id: str, address: str) -> bool:
    return (
        UnassignedMail.select(UnassignedMail.id)
        .where(UnassignedMail.message_id == message_id, UnassignedMail.from_address == address)
        .exists()
    )


def is_waiting(message_id: str, address: str) -> bool:
    """Whether this mail (Message-ID and From address) waits for triage."""
    return _waiting(message_id, address.strip().lower())


def count_unassigned_mail() -> int:
    """How many mails wait for triage."""
    return int(UnassignedMail.select().count())


def list_unassigned_mail(
    after: UnassignedMailRow | None = None, limit: int = 100
) -> list[UnassignedMailRow]:
    """A page of the waiting mail, oldest first, after `after` (keyset paging)."""
    files = (
        UnassignedFile.select(peewee.fn.COUNT(UnassignedFile.id))
        .where(UnassignedFile.mail == UnassignedMail.id)
        .alias("files")
    )
    query = UnassignedMail.select(
        UnassignedMail.id,
        UnassignedMail.received_at,
        UnassignedMail.from_name,
        UnassignedMail.from_address,
        UnassignedMail.subject,
        UnassignedMail.sender_unverified,
        files,
    )
    if after is not None:
        at, key = after.page_key
        query = query.where(
            (UnassignedMail.received_at > at)
            | ((UnassignedMail.received_at == at) & (UnassignedMail.id > key))
        )
    query = query.order_by(UnassignedMail.received_at, UnassignedMail.id).limit(limit)
    return [_row(values) for values in dict_rows(query)]


def _row(values: Mapping[str, Any]) -> UnassignedMailRow:
    return UnassignedMailRow(
        id=values["id"],
        received_at=values["received_at"],
        from_name=values["from_name"],
        from_address=values["from_address"],
        subject=values["subject"],
        unverified=bool(values["sender_unverified"]),
        files=int(values.get("files") or 0),
    )


def get_unassigned_mail(mail_id: uuid.UUID) -> UnassignedMailDetails:
    """A waiting mail in full; NotFound once it was attached or discarded."""
    row = UnassignedMail.get_or_none(UnassignedMail.id == mail_id)
    if row is None:
        raise NotFound(GONE)
    names = tuple(
        name
        for (name,) in tuple_rows(
            UnassignedFile.select(UnassignedFile.filename)
            .where(UnassignedFile.mail == mail_id)
            .order_by(UnassignedFile.created_at, UnassignedFile.id)
        )
    )
    department = ""
    if row.department_id is not None:
        found = Department.get_or_none(Department.id == row.department_id)
        department = found.name if found else ""
    summary = UnassignedMailRow(
        row.id, row.received_at, row.from_name, row.from_address, row.subject,
        bool(row.sender_unverified), len(names),
    )  # fmt: skip
    return UnassignedMailDetails(summary, row.body, row.message_id, department, names)


def split_name(from_name: str, address: str) -> tuple[str, str]:
    """First and last name for the client form, from the From name ("Ada Lindqvist"; "Lindqvist,
    Ada"); the address's local part when the mail gave no name."""
    name = " ".join(from_name.replace('"', " ").split())
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    if not name:
        local = address.partition("@")[0]
        name = " ".join(local.replace(".", " ").replace("_", " ").split()).title()
    first, _, last = name.partition(" ")
    return first, last.strip()


def attach_unassigned_mail(
    actor: Actor | None, mail_id: uuid.UUID, client_id: uuid.UUID
) -> TicketSummary:
    """Make the waiting mail a ticket of `client_id` (its contact with the From address, if
    any), and take it off the triage list. Audited."""
    with acting(actor, Right.WORK_TICKETS) as person:
        return _file(person, mail_id, client_id, "mail.attach")


def create_client_from_mail(
    actor: Actor | None,
    mail_id: uuid.UUID,
    fields: ClientForm | Mapping[str, Any],
    queue_welcome: bool = False,
) -> tuple[ClientProfile, TicketSummary]:
    """Add the client (the client form's values, usually the From name and address) and make the
    waiting mail its first ticket, in one transaction: a refused form keeps the mail waiting."""
    from deskapp.services.clients import create_client

    with acting(actor, Right.WORK_TICKETS) as person:
        _locked(mail_id)
        client = create_client(person, fields, queue_welcome=queue_welcome)
        ticket = _file(person, mail_id, client.id, "mail.create_client")
    return client, ticket


def discard_unassigned_mail(actor: Actor | None, mail_id: uuid.UUID) -> None:
    """Throw the waiting mail away (spam): kept nowhere; the audit entry says what it was."""
    with acting(actor, Right.WORK_TICKETS) as person:
        row = _locked(mail_id)
        before = _described(row)
        UnassignedMail.delete().where(UnassignedMail.id == row.id).execute()
        audit.record(
            person,
            "mail.discard",
            "unassigned_mail",
            row.id,
            f"Discarded the mail from {row.from_address} as spam",
            before=before,
        )
        feed.publish(Entity.UNASSIGNED_MAIL, row.id, "deleted")


def _locked(mail_id: uuid.UUID) -> UnassignedMail:
    """The waiting mail, locked until the transaction ends (two people deciding about one mail
    at once: the second is told it is gone). SQLite's write transaction locks the whole file."""
    query = UnassignedMail.select().where(UnassignedMail.id == mail_id)
    row = (query.for_update() if is_postgres() else query).first()
    if row is None:
        raise NotFound(GONE)
    return row


def _described(row: UnassignedMail) -> dict[str, Any]:
    return {
        "from": row.from_address,
        "from_name": row.from_name,
        "subject": row.subject,
        "message_id": row.message_id,
        "received_at": row.received_at,
    }


def _file(actor: Actor, mail_id: uuid.UUID, client_id: uuid.UUID, action: str) -> TicketSummary:
    """Inside the caller's transaction: the mail becomes a ticket of the client."""
    row = _locked(mail_id)
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise NotFound("That client no longer exists; it may have been merged or deleted.")
    already = (
        Message.select(Ticket.number)
        .join(Ticket)
        .where(Message.message_id == row.message_id, Message.sender_address == row.from_address)
        .tuples()
        .first()
    )
    if already is not None:
        raise Conflict(
            f"That mail is already on {format_number('ticket', already[0])}; discard it here."
        )
    department_id = row.department_id or fallback_department()
    if department_id is None:
        raise DeskError(
            "The desk has no departments yet, so the mail cannot open a ticket; add one first."
        )
    contact = (
        Contact.select(Contact.id)
        .where(Contact.client == client.id, peewee.fn.lower(Contact.email) == row.from_address)
        .order_by(Contact.created_at)
        .first()
    )
    ticket = open_ticket(
        None,
        client.id,
        department_id,
        row.subject,
        row.body,
        contact_id=contact.id if contact else None,
        check_extra=False,
        message_id=row.message_id,
        author_name=row.from_name,
        sender_address=row.from_address,
        sender_unverified=bool(row.sender_unverified),
    )
    files = list(UnassignedFile.select().where(UnassignedFile.mail == row.id))
    if files:
        first = Message.get(Message.ticket == ticket.id)
        for file in files:
            store_attachment(
                ticket.id, file.filename, file.content_type, bytes(file.content),
                message_id=first.id,
            )  # fmt: skip
    before = _described(row)
    UnassignedMail.delete().where(UnassignedMail.id == row.id).execute()
    client_label = format_number("client", client.number)
    audit.record(
        actor,
        action,
        "unassigned_mail",
        row.id,
        f"Mail from {row.from_address} filed as {ticket.label} for {client_label}",
        before=before,
        after={"ticket": ticket.label, "client": client_label},
    )
    feed.publish(Entity.UNASSIGNED_MAIL, row.id, "deleted")
    return ticket
