"""Issuing an invoice to a locked client: the lines, the number, the addressee snapshot, and
the credit applied at once. Used inside the transaction of the order and billing-run services."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import ValidationError
from deskapp.ids import invoice_number
from deskapp.models import Client, Entity, Invoice, InvoiceLine, InvoiceStatus
from deskapp.money import Money
from deskapp.services import audit, contacts
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import apply_locked, change_amount_due, client_label
from deskapp.services.numbers import next_number

LINE_LIMIT = 300
"""The longest line description an invoice keeps."""


@dataclass(frozen=True)
class NewLine:
    """A charge to put on an invoice being issued."""

    description: str
    """What is charged (cut to 300 characters)."""
    amount_cents: int
    """The charge in cents."""
    service_id: uuid.UUID | None = None
    """The service billed, for a recurring period."""
    period_start: dt.date | None = None
    """The period's first day; (service, period_start) is billed once (unique index)."""
    period_end: dt.date | None = None
    """The period's last day."""


def issue_locked(
    actor: Actor | None,
    client: Client,
    lines: Sequence[NewLine],
    *,
    order_id: uuid.UUID | None = None,
    due_on: dt.date | None = None,
    use_credit: bool = True,
) -> Invoice:
    """Issue an invoice to a locked client, then pay what it can from the client's credit
    (unless `use_credit` is False: the caller counts payments first, then applies credit).

    Call inside write_transaction() after lock_client() and after locking anything else: the
    invoice number counter is locked last (a rolled-back issue gives its number back, so numbers
    stay gapless, and the counter is held only briefly).
    """
    total = sum(line.amount_cents for line in lines)
    if total < 0:
        raise ValidationError("lines", "An invoice cannot total less than 0.00.")
    addressee = contacts.bill_to(client.id)
    today = clock.today()
    number = invoice_number(today.year, next_number(f"invoice-{today.year}"))
    invoice = Invoice.create(
        number=number,
        client=client.id,
        order=order_id,
        status=InvoiceStatus.UNPAID,
        issued_on=today,
        due_on=due_on or today,
        total_cents=total,
        amount_due_cents=total,
        bill_to_name=addressee.name,
        bill_to_email=addressee.email,
        bill_to_address=addressee.address,
    )
    InvoiceLine.insert_many(
        [
            {
                "invoice": invoice.id,
                "service": line.service_id,
                "description": line.description[:LINE_LIMIT],
                "amount_cents": line.amount_cents,
                "period_start": line.period_start,
                "period_end": line.period_end,
            }
            for line in lines
        ]
    ).execute()
    audit.record(
        actor,
        "invoice.issued",
        "invoice",
        invoice.id,
        f"{number} issued to {client_label(client)} for {Money(total)}",
        after={
            "number": number,
            "total_cents": total,
            "lines": len(lines),
            "bill_to": addressee.name,
        },
    )
    feed.publish(Entity.INVOICE, invoice.id, "issued")
    if total == 0:
        change_amount_due(actor, invoice, 0)
    elif use_credit and client.credit_cents > 0:
        apply_locked(actor, client, invoice, None)
    return invoice
