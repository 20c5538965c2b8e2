"""The mail a staff reply queues: one OutboxMail per recipient, in the reply's transaction (the
sender in deskapp's mail package delivers them). Recipients are the ticket's contact (or the
client's own address) and the subscribers whose Support mail is on, each address once."""

from __future__ import annotations

import uuid
from typing import Any

from deskapp import clock
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Contact,
    Department,
    OutboxMail,
    Staff,
    Subscriber,
    Ticket,
    tuple_rows,
)
from deskapp.services import mail_routes
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key
from deskapp.services.conversation.detail import missing_ticket

SIGNATURE_SEPARATOR = "\n\n-- \n"
"""What stands between a reply and the signature in its mail (the usual "-- " line)."""


def reply_recipients(ticket_id: uuid.UUID) -> list[str]:
    """Who a reply on the ticket is mailed to: its contact (or the client's own address) first,
    then subscribers whose Support mail is on, each address once (whatever its case)."""
    ticket_id = key(ticket_id, "ticket")
    row = Ticket.select(Ticket.client, Ticket.contact).where(Ticket.id == ticket_id).dicts().first()
    if row is None:
        raise missing_ticket()
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
        for (email,) in tuple_rows(
            Subscriber.select(Contact.email)
            .join(Contact, on=(Subscriber.contact == Contact.id))
            .where(Subscriber.ticket == ticket_id, Contact.mail_support == True)  # noqa: E712
            .order_by(Subscriber.created_at, Subscriber.id)
        )
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


def queue_reply_mail(
    actor: Actor,
    ticket_id: uuid.UUID,
    ticket: dict[str, Any],
    message_id: uuid.UUID,
    text: str,
    mail_kind: str = "reply",
) -> int:
    """One OutboxMail per recipient, inside the reply's transaction; returns how many. The
    body ends with the staff member's signature and then the ticket's department's.

    A reply goes to the ticket's contact and its Support subscribers; a reply that is another
    kind of mail (an order approved: "order") goes to the client's contacts of that kind's
    category instead (deskapp.services.mail_routes)."""
    signature = Staff.select(Staff.signature).where(Staff.id == actor.id).scalar() or ""
    signature = signature.strip("\n") or actor.name
    department = (
        Department.select(Department.signature)
        .join(Ticket, on=(Ticket.department == Department.id))
        .where(Ticket.id == ticket_id)
        .scalar()
    )
    if department and department.strip():
        signature = f"{signature}\n\n{department.strip(chr(10))}"
    mail_body = f"{text.rstrip()}{SIGNATURE_SEPARATOR}{signature}\n"
    subject = _mail_subject(ticket["number"], ticket["subject"])
    if mail_kind == "reply":
        recipients = _recipients(ticket_id, ticket["client"], ticket["contact"])
    else:
        recipients = mail_routes.recipients(key(ticket["client"], "client"), mail_kind)
    now = clock.now()
    for n, address in enumerate(recipients, 1):
        OutboxMail.create(
            ticket=ticket_id,
            to_address=address,
            subject=subject,
            body=mail_body,
            message_id=f"<{uuid.UUID(str(message_id)).hex}.{n}@deskapp>",
            ticket_message=message_id,
            next_attempt_at=now,
            created_at=now,
        )
    return len(recipients)
