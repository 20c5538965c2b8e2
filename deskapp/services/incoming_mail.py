"""Mail in: one email (RFC 5322 bytes) becomes a client message on a ticket
(`deskapp ticket import FILE|-`, e.g. from the mail server's pipe or a maildir hook).

- The same Message-ID twice from the same sender address (the mail's From) is one message:
  the second import adds nothing and says so. This is decided first, from the Message-ID and
  the From address alone, so a mail delivered again after its sender's contact changed address
  is still the one message it was. From another sender it is another message: a stranger
  reusing a client's Message-ID cannot make that client's mail vanish.
- Who sent it: with `authserv_id` (the `[mail] authserv_id` setting) the desk's mail server's
  Authentication-Results must verify the sender (deskapp.mail.authentication). An unverified
  mail is filed on its ticket (or opens one) marked "sender not verified": it reopens nothing,
  moves nothing in the queue, and nothing is ever sent to it automatically (the desk sends no
  automatic replies at all). Without authserv_id every sender counts as verified, as before.
- The sender (From) is found by its address among contacts and clients (any case). Mail from
  an address nobody has waits for triage (deskapp.services.mail_triage): staff attach it to a
  client, create the client from it, or discard it. It neither bounces nor vanishes.
- "T-20311" in the subject, or an In-Reply-To/References header naming a mail of the desk,
  points at a ticket; when that ticket is the sender's client's, the mail is added to it
  (record_client_message). Otherwise it opens a new ticket (open_ticket, as the client: actor
  None) in the department whose address is in To or Cc, else Support, without asking for the
  department's extra fields.
- Attachments (and inline files that have a name) are stored with the ticket, on the message,
  up to MAX_ATTACHMENTS files of at most the desk's attachment size; a line in the text says
  which were left out.
- An automatic mail (an out-of-office or other auto-reply, a bulk or list mail) is filed on the
  ticket it answers, marked, without reopening it or making it wait on staff; one that answers
  no ticket opens none. So a vacation notice never reopens a finished ticket, and two
  auto-responders cannot loop.

- Faults: a malformed mail or one beyond the caps is MailRefused (the command exits 65 so the
  mail server bounces it); a client merged or deleted while its mail is imported is looked up
  again, and a database that cannot be reached is the command's 75 (try again later).

Reading the mail itself is deskapp.mail.parsing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, cast

import peewee

from deskapp.db import is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, DeskError, NotFound
from deskapp.ids import format_number
from deskapp.mail import parsing
from deskapp.mail.authentication import sender_verified
from deskapp.mail.parsing import DEFAULT_MAX_BYTES, MailFile
from deskapp.models import Client, ClientStatus, Contact, Department, Message, OutboxMail, Ticket
from deskapp.services.attachments import MAX_ATTACHMENT_BYTES, limit_text, store_attachment
from deskapp.services.conversation import record_client_message
from deskapp.services.mail_triage import fallback_department, hold_unassigned_mail, is_waiting
from deskapp.services.ticket_open import open_ticket

MAX_ATTACHMENTS = 50
"""Files of one mail kept, at most."""
_TICKET_IN_SUBJECT = re.compile(r"(?<![\w-])T-(\d{1,12})(?!\d)", re.IGNORECASE)

ATTEMPTS = 3
"""Tries of one import when the sender's client changes under it (merged or deleted)."""
_TicketRef = tuple[uuid.UUID, int, uuid.UUID]
"""A ticket's (id, number, client id)."""


@dataclass(frozen=True)
class ImportResult:
    """Where an imported mail went."""

    ticket_label: str
    """The ticket it was added to or opened ("T-20311")."""
    created: bool
    """Whether it opened a new ticket."""
    duplicate: bool
    """Whether it had been imported before (nothing was added this time)."""
    client_label: str = ""
    """The client it was filed under ("C-1042")."""
    automatic: bool = False
    """Whether it was an automatic reply (filed without reopening; "" ticket_label: not filed,
    since it answered no ticket)."""
    unverified: bool = False
    """Whether the desk's mail server could not verify the sender (filed, marked, reopening
    nothing)."""
    waiting_for_triage: int = 0
    """Nobody at the desk has the sender's address: the mail waits for triage, with this many
    in all (0: it was filed on a ticket)."""
    sender_address: str = ""
    """The From address (lower case), for a mail waiting for triage."""


@dataclass(frozen=True)
class _Sender:
    client_id: uuid.UUID
    client_number: int
    client_closed: bool
    contact_id: uuid.UUID | None
    name: str


def import_message(
    raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, authserv_id: str | None = None
) -> ImportResult:
    """File one email (its raw bytes) on a ticket; see the module's description.

    Raises DeskError subclasses with a sentence: MailRefused for a malformed mail or one beyond
    the caps (`max_bytes` the largest), ValidationError or Conflict from the ticket services (a
    Closed client cannot open tickets). An unknown sender's mail waits for triage.
    """
    message = parsing.read_mail(raw, max_bytes)
    message_id = parsing.message_id(message, raw)
    name, address = parsing.sender(message)
    verified = True
    if authserv_id and authserv_id.strip():
        results = message.get_all("Authentication-Results", failobj=[])
        verified = sender_verified([str(r) for r in results], authserv_id, address)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _import(message, message_id, name, address, verified)
        except (peewee.IntegrityError, NotFound):
            # The client or ticket went away meanwhile (a merge, a delete), or another import
            # of the mail won the race: look again from the start.
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _import(
    message: EmailMessage, message_id: str, name: str, address: str, verified: bool
) -> ImportResult:
    seen = _already_imported(message_id, address)
    if seen is not None:
        return seen
    senders = _senders(address)
    subject = parsing.subject(message)
    attachments, left_out = _kept_files(*parsing.files(message, MAX_ATTACHMENT_BYTES))
    body = parsing.body(message)
    if left_out:
        body = f"{body}\n\n" + "\n".join(left_out)
    if not senders:
        return _hold(message, message_id, name, address, subject, body, attachments, verified)
    found = _ticket_for(subject, parsing.referenced_ids(message), senders)
    automatic = parsing.is_automatic(message)
    mail = _Mail(name, address.lower(), message_id, body, attachments, automatic, not verified)
    try:
        if found is not None:
            ticket_id, number, sender = found
            return _append(ticket_id, number, sender, mail)
        sender = _preferred(senders)
        if automatic:
            client = format_number("client", sender.client_number)
            return ImportResult("", created=False, duplicate=False, client_label=client,
                                automatic=True)  # fmt: skip
        department_id = _department(message)
        if department_id is None:
            raise DeskError("The desk has no departments yet, so the mail cannot open a ticket.")
        return _open(sender, department_id, subject, mail)
    except Conflict:
        # Another import of the same mail won the race: that one holds the message.
        seen = _already_imported(message_id, address)
        if seen is None:
            raise
        return seen


@dataclass(frozen=True)
class _Mail:
    name: str
    address: str
    message_id: str
    body: str
    attachments: list[MailFile]
    automatic: bool
    unverified: bool


def _kept_files(
    files: list[MailFile], too_big: list[tuple[str, int]]
) -> tuple[list[MailFile], list[str]]:
    """The files a ticket keeps (at most MAX_ATTACHMENTS, each within the attachment size), and
    a line for each one left out."""
    kept: list[MailFile] = []
    left_out: list[str] = []
    for filename, size in too_big:
        left_out.append(
            f"[deskapp: the attached file “{filename}” ({size / (1024 * 1024):.1f} MB) was not "
            f"kept: an attachment may be at most {limit_text()}.]"
        )
    for file in files:
        if len(file.content) > MAX_ATTACHMENT_BYTES:
            size_text = f"{len(file.content) / (1024 * 1024):.1f} MB"
            left_out.append(
                f"[deskapp: the attached file “{file.filename}” ({size_text}) was not kept: an "
                f"attachment may be at most {limit_text()}.]"
            )
        elif len(kept) >= MAX_ATTACHMENTS:
            left_out.append(
                f"[deskapp: the attached file “{file.filename}” was not kept: at most "
                f"{MAX_ATTACHMENTS} files of one mail are kept.]"
            )
        else:
            kept.append(file)
    return kept, left_out


def _append(ticket_id: uuid.UUID, number: int, sender: _Sender, mail: _Mail) -> ImportResult:
    author = _author(mail.name, sender)
    added = record_client_message(
        ticket_id,
        mail.body,
        contact_id=sender.contact_id,
        author_name=f"{author} (automatic reply)" if mail.automatic else author,
        message_id=mail.message_id,
        attachments=mail.attachments,
        automatic=mail.automatic,
        sender_address=mail.address,
        sender_unverified=mail.unverified,
    )
    label = format_number("ticket", number)
    client = format_number("client", sender.client_number)
    return ImportResult(
        label,
        created=False,
        duplicate=added is None,
        client_label=client,
        automatic=mail.automatic,
        unverified=mail.unverified,
    )


def _open(sender: _Sender, department_id: uuid.UUID, subject: str, mail: _Mail) -> ImportResult:
    with write_transaction():
        summary = open_ticket(
            None,
            sender.client_id,
            department_id,
            subject,
            mail.body,
            contact_id=sender.contact_id,
            check_extra=False,
            message_id=mail.message_id,
            author_name=_author(mail.name, sender),
            sender_address=mail.address,
            sender_unverified=mail.unverified,
        )
        if mail.attachments:
            first = Message.get(
                Message.message_id == mail.message_id, Message.sender_address == mail.address
            )
            for filename, content_type, content in mail.attachments:
                store_attachment(summary.id, filename, content_type, content, message_id=first.id)
    return ImportResult(
        format_number("ticket", summary.number),
        created=True,
        duplicate=False,
        client_label=format_number("client", sender.client_number),
        unverified=mail.unverified,
    )


def _hold(
    message: EmailMessage,
    message_id: str,
    name: str,
    address: str,
    subject: str,
    body: str,
    attachments: list[MailFile],
    verified: bool,
) -> ImportResult:
    """Nobody has the address: the mail waits for triage (in the department it was sent to)."""
    held = hold_unassigned_mail(
        from_name=name,
        from_address=address,
        subject=subject,
        body=body,
        message_id=message_id,
        department_id=_department(message),
        unverified=not verified,
        files=[(file.filename, file.content_type, file.content) for file in attachments],
    )
    return ImportResult(
        "",
        created=False,
        duplicate=held.duplicate,
        unverified=not verified,
        waiting_for_triage=held.waiting,
        sender_address=address.lower(),
    )


def _already_imported(message_id: str, address: str) -> ImportResult | None:
    row: dict[str, Any] | None = (
        Message.select(Ticket.number, Client.number.alias("client_number"))
        .join(Ticket)
        .join(Client)
        .where(Message.message_id == message_id, Message.sender_address == address.lower())
        .dicts()
        .first()
    )
    if row is None:
        if is_waiting(message_id, address):
            return ImportResult(
                "", created=False, duplicate=True, waiting_for_triage=1,
                sender_address=address.lower(),
            )  # fmt: skip
        return None
    return ImportResult(
        format_number("ticket", row["number"]),
        created=False,
        duplicate=True,
        client_label=format_number("client", row["client_number"]),
    )


# --- who sent it, and where it goes ----------------------------------------------------------


def _lower_equals(column: peewee.Field, value: str) -> peewee.Expression:
    """lower(column) = value as the m0003 indexes have it ("C" collation on PostgreSQL)."""
    lowered: peewee.ColumnBase = peewee.fn.lower(column)
    if is_postgres():
        lowered = peewee.NodeList((lowered, peewee.SQL('COLLATE "C"')))
    return lowered == value.lower()


def _senders(address: str) -> list[_Sender]:
    """Every contact and client that has `address` (any case)."""
    found: list[_Sender] = []
    contacts = (
        Contact.select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Client.id.alias("client_id"),
            Client.number.alias("client_number"),
            Client.status.alias("client_status"),
        )
        .join(Client)
        .where(_lower_equals(Contact.email, address))
        .limit(20)
    )
    for row in _dicts(contacts):
        found.append(
            _Sender(
                row["client_id"],
                row["client_number"],
                row["client_status"] == ClientStatus.CLOSED,
                row["id"],
                f"{row['first_name']} {row['last_name']}".strip(),
            )
        )
    clients = (
        Client.select(Client.id, Client.number, Client.status, Client.first_name, Client.last_name)
        .where(_lower_equals(Client.email, address))
        .limit(20)
    )
    for row in _dicts(clients):
        found.append(
            _Sender(
                row["id"],
                row["number"],
                row["status"] == ClientStatus.CLOSED,
                None,
                f"{row['first_name']} {row['last_name']}".strip(),
            )
        )
    return found


def _dicts(query: peewee.ModelSelect[Any]) -> Iterable[dict[str, Any]]:
    """The rows of `query` as dicts (peewee's hints type them as models)."""
    return cast(Iterable[dict[str, Any]], query.dicts())


def _ticket_refs(query: peewee.ModelSelect[Ticket]) -> Iterable[_TicketRef]:
    """The rows of a query of (Ticket.id, Ticket.number, Ticket.client) as tuples."""
    return cast(Iterable[_TicketRef], query.tuples())


def _preferred(senders: list[_Sender]) -> _Sender:
    """Of several clients with the address: an open one before a Closed one, a contact before
    the client's own address, then the lowest client number (stable, so re-imports agree)."""
    return min(senders, key=lambda s: (s.client_closed, s.contact_id is None, s.client_number))


def _ticket_for(
    subject: str, referenced: list[str], senders: list[_Sender]
) -> tuple[uuid.UUID, int, _Sender] | None:
    """The sender's ticket the mail answers: by "T-20311" in the subject, else by a referenced
    Message-ID (a reply of the desk, or an earlier message). A ticket of another client never."""
    by_client: dict[uuid.UUID, _Sender] = {}
    for sender in sorted(senders, key=lambda s: s.contact_id is None):
        by_client.setdefault(sender.client_id, sender)
    numbers = [int(match) for match in _TICKET_IN_SUBJECT.findall(subject)][:10]
    if numbers:
        rows = Ticket.select(Ticket.id, Ticket.number, Ticket.client).where(
            Ticket.number.in_(numbers), Ticket.client.in_(list(by_client))
        )
        tickets = {
            number: (ticket_id, client_id) for ticket_id, number, client_id in _ticket_refs(rows)
        }
        for number in numbers:
            if number in tickets:
                ticket_id, client_id = tickets[number]
                return ticket_id, number, by_client[client_id]
    if referenced:
        for model in (OutboxMail, Message):
            rows = (
                Ticket.select(Ticket.id, Ticket.number, Ticket.client)
                .join(model, on=(model.ticket == Ticket.id))
                .where(model.message_id.in_(referenced), Ticket.client.in_(list(by_client)))
                .order_by(Ticket.last_activity_at.desc())
                .limit(1)
            )
            for ticket_id, number, client_id in _ticket_refs(rows):
                return ticket_id, number, by_client[client_id]
    return None


def _department(message: EmailMessage) -> uuid.UUID | None:
    """The department whose address the mail was sent to (To, then Cc), else Support (else the
    first); None on a desk with no departments."""
    addresses = parsing.recipients(message)
    departments = Department.select(Department.id, Department.email).where(Department.email != "")
    by_address = {row.email.strip().lower(): row.id for row in departments if row.email.strip()}
    for address in addresses:
        if address in by_address:
            return by_address[address]
    return fallback_department()


def _author(name: str, sender: _Sender) -> str:
    return (sender.name if sender.contact_id else "") or name or sender.name
