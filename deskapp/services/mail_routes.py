"""Mail categories drive mail: which contacts of a client receive each kind of mail the desk
sends, and the invoice mail queued when an invoice is issued.

A contact ticks the categories it wants (General, Invoice, Support, Product, Domain). Mail of a
kind goes to the contacts that ticked its category; when none did, to the client's billing
contact; when there is none, to the client's own email. Ticket replies keep their own rule
(the ticket's contact and its Support subscribers, deskapp.services.conversation.reply_mail).

Which category each kind goes to is the desk's setting (`desk_settings.mail_routes()`, the
admin's mail settings, DEFAULT_MAIL_ROUTES until they choose): `route()` is the one place that
reads it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from deskapp import clock
from deskapp.db import feed
from deskapp.models import Client, Contact, Entity, OutboxMail, tuple_rows
from deskapp.money import Money
from deskapp.services.contacts import MAIL_CATEGORIES
from deskapp.services.desk_settings import DEFAULT_MAIL_ROUTES, mail_routes
from deskapp.services.invoice_document import InvoiceDocument, invoice_text, load_invoice_document

__all__ = [
    "DEFAULT_MAIL_ROUTES",
    "invoice_subject",
    "queue_invoice_mail",
    "recipients",
    "route",
]

_FIELDS = {label: field for field, label in MAIL_CATEGORIES.items()}
"""A category's name to the contact's field that ticks it."""


def route(kind: str) -> str:
    """The contact category mail of `kind` goes to ("invoice" -> "Invoice")."""
    chosen = mail_routes().get(kind) or DEFAULT_MAIL_ROUTES[kind]
    return chosen if chosen in _FIELDS else DEFAULT_MAIL_ROUTES[kind]


def recipients(client_id: uuid.UUID, kind: str) -> list[str]:
    """Who mail of `kind` for the client goes to: its contacts that ticked the kind's category
    (the billing contact first), else the billing contact, else the client's own email. Each
    address once, whatever its case; an address that could not be a header is skipped."""
    field = getattr(Contact, _FIELDS[route(kind)])
    contacts = (
        Contact.select(Contact.email)
        .where((Contact.client == client_id) & (field == True))  # noqa: E712
        .order_by(Contact.is_billing.desc(), Contact.created_at, Contact.id)
    )
    found = _unique(email for (email,) in tuple_rows(contacts))
    if found:
        return found
    billing = (
        Contact.select(Contact.email)
        .where((Contact.client == client_id) & (Contact.is_billing == True))  # noqa: E712
        .order_by(Contact.created_at, Contact.id)
    )
    found = _unique(email for (email,) in tuple_rows(billing))
    if found:
        return found[:1]
    return _unique([Client.select(Client.email).where(Client.id == client_id).scalar()])


def _unique(addresses: Iterable[str | None]) -> list[str]:
    unique: dict[str, str] = {}
    for address in addresses:
        cleaned = (address or "").strip()
        if cleaned and "@" in cleaned and not any(c in cleaned for c in "\r\n\x00"):
            unique.setdefault(cleaned.lower(), cleaned)
    return list(unique.values())


def invoice_subject(doc: InvoiceDocument) -> str:
    """The invoice mail's subject: "Invoice INV-2026-00017 — amount due 1,234.00"."""
    return f"Invoice {doc.number} — amount due {Money(doc.amount_due_cents)}"


def queue_invoice_mail(invoice_id: uuid.UUID) -> tuple[str, ...]:
    """Queue the invoice, as text, to the client's Invoice recipients (inside the caller's
    transaction, so the invoice and its mail commit together). Returns the addresses; none when
    the client has no usable address at all (the invoice stands, unmailed)."""
    doc = load_invoice_document(invoice_id)
    addresses = recipients(doc.client.id, "invoice")
    if not addresses:
        return ()
    subject, body, now = invoice_subject(doc), invoice_text(doc), clock.now()
    for n, address in enumerate(addresses, 1):
        mail = OutboxMail.create(
            to_address=address[:254],
            subject=subject,
            body=body,
            message_id=f"<invoice-{doc.id.hex}.{n}@deskapp>",
            next_attempt_at=now,
            created_at=now,
        )
        feed.publish(Entity.OUTBOX, mail.id, "created")
    return tuple(addresses)
