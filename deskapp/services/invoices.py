"""Invoices: issued for orders and by the billing run, paid by credit and by manual payments.

An invoice's amount due is always its total less the credit applied to it less what was paid
towards it; it is Paid exactly when that reaches zero. Its addressee is a snapshot of the
billing contact taken at issue time, so editing the client later never rewrites an old invoice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    CreditKind,
    Entity,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Order,
    OrderItem,
    OrderStatus,
    PaymentTransaction,
    Product,
)
from deskapp.money import Money
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import (
    Amount,
    append_entry,
    apply_locked,
    change_amount_due,
    key,
    lock_client,
    lock_invoice,
    positive_cents,
    save_invoice,
)
from deskapp.services.invoice_issue import NewLine, issue_locked
from deskapp.services.mail_routes import queue_invoice_mail
from deskapp.services.rights import Right, acting
from deskapp.services.validation import text

PAYMENT_METHODS = ("Bank transfer", "Cash", "Cheque")
"""How staff record money that arrived outside the payment gateway."""

MANUAL_GATEWAY = "manual"
"""The gateway name of payments recorded by hand."""


@dataclass(frozen=True)
class InvoiceSummary:
    """An invoice as lists and the ledger screen show it."""

    id: uuid.UUID
    """The invoice's key."""
    number: str
    """INV-2026-00017: sequential per year, no gaps."""
    client_id: uuid.UUID
    """Who is billed."""
    order_id: uuid.UUID | None
    """The order it bills, if it was issued for one."""
    status: str
    """Unpaid, Paid, Cancelled or Refunded."""
    issued_on: dt.date
    """The day it was issued."""
    due_on: dt.date
    """The day payment is due."""
    paid_on: dt.date | None
    """The day it became Paid, if it is."""
    total_cents: int
    """The sum of its lines."""
    amount_due_cents: int
    """What is left to pay: total less credit applied less payments."""
    bill_to_name: str
    """The addressee at issue time (untrusted text)."""
    bill_to_email: str
    """Where the invoice was sent at issue time."""
    bill_to_address: str
    """The postal address at issue time, one line per line (untrusted text)."""
    version: int
    """The row version, for conflict checks."""


@dataclass(frozen=True)
class InvoiceLineView:
    """One charge on an invoice."""

    description: str
    """What is charged, with the period for a recurring service."""
    amount_cents: int
    """The charge."""
    service_id: uuid.UUID | None
    """The service billed, for recurring lines."""
    period_start: dt.date | None
    """The first day of the service period billed."""
    period_end: dt.date | None
    """The last day of that period."""


@dataclass(frozen=True)
class InvoiceDetail:
    """An invoice with its lines."""

    summary: InvoiceSummary
    """The invoice itself."""
    lines: tuple[InvoiceLineView, ...]
    """Its charges, in the order they were added."""


@dataclass(frozen=True)
class PaymentRecorded:
    """A manual payment and what it did."""

    payment_id: uuid.UUID
    """The payment transaction's key."""
    invoice: InvoiceSummary
    """The invoice after the payment."""
    applied_cents: int
    """How much of the payment went to the invoice."""
    overpayment_cents: int
    """How much went to the client's credit because it was more than due."""


def summary(invoice: Invoice) -> InvoiceSummary:
    """The dataclass for an invoice row."""
    return InvoiceSummary(
        id=invoice.id,
        number=invoice.number,
        client_id=invoice.client_id,
        order_id=invoice.order_id,
        status=invoice.status,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        paid_on=invoice.paid_on,
        total_cents=invoice.total_cents,
        amount_due_cents=invoice.amount_due_cents,
        bill_to_name=invoice.bill_to_name,
        bill_to_email=invoice.bill_to_email,
        bill_to_address=invoice.bill_to_address,
        version=invoice.version,
    )


def issue_invoice_for_order(actor: Actor | None, order_id: object) -> InvoiceSummary:
    """Invoice an order's items (once): payments taken upfront for it count first, then the
    client's credit pays what it can. `actor` None is the desk itself (a card payment Stripe
    confirmed)."""
    order_key = key(order_id, "order")
    client_id = Order.select(Order.client).where(Order.id == order_key).scalar()
    if client_id is None:
        raise NotFound("That order no longer exists.")
    with write_transaction():
        client = lock_client(client_id)
        assert client is not None
        order = Order.get_or_none(Order.id == order_key)
        if order is None or order.client_id != client.id:
            raise Conflict("That order changed just now; open it again.")
        label = format_number("order", order.number)
        if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
            raise Conflict(f"{label} is {order.status.lower()}; there is nothing to invoice.")
        earlier = Invoice.get_or_none(
            (Invoice.order == order.id) & (Invoice.status != InvoiceStatus.CANCELLED)
        )
        if earlier is not None:
            raise Conflict(f"{label} is already invoiced on {earlier.number}.")
        items = (
            OrderItem.select(OrderItem, Product.name)
            .join(Product)
            .where(OrderItem.order == order.id)
            .order_by(OrderItem.created_at, OrderItem.id)
        )
        lines = [NewLine(_item_text(item), item.price_cents * item.quantity) for item in items]
        if not lines:
            raise Conflict(f"{label} has no items to invoice.")
        invoice = issue_locked(actor, client, lines, order_id=order.id, use_credit=False)
        _count_upfront_payments(actor, client, invoice, order)
        if invoice.status == InvoiceStatus.UNPAID and client.credit_cents > 0:
            apply_locked(actor, client, invoice, None)
        queue_invoice_mail(invoice.id)
    return summary(invoice)


def _item_text(item: OrderItem) -> str:
    what = item.description or f"{item.product.name} ({item.cycle})"
    return what if item.quantity == 1 else f"{item.quantity} × {what}"


def _count_upfront_payments(
    actor: Actor | None, client: Client, invoice: Invoice, order: Order
) -> None:
    """Attach the order's gateway payments to its new invoice and count them as paid."""
    payments = PaymentTransaction.select().where(
        (PaymentTransaction.order == order.id) & (PaymentTransaction.invoice.is_null())
    )
    received = sum(row.amount_cents - row.refunded_cents for row in payments)
    PaymentTransaction.update(invoice=invoice.id).where(
        (PaymentTransaction.order == order.id) & (PaymentTransaction.invoice.is_null())
    ).execute()
    if received > 0:
        _pay_locked(actor, client, invoice, received, "paid upfront")


def _pay_locked(
    actor: Actor | None, client: Client, invoice: Invoice, amount_cents: int, how: str
) -> tuple[int, int]:
    """Count a payment towards a locked invoice; what exceeds the amount due becomes credit.

    Returns (applied to the invoice, overpayment to credit).
    """
    due = invoice.amount_due_cents if invoice.status == InvoiceStatus.UNPAID else 0
    applied = min(amount_cents, due)
    over = amount_cents - applied
    if applied:
        change_amount_due(actor, invoice, due - applied)
    if over:
        append_entry(
            actor,
            client,
            CreditKind.OVERPAYMENT,
            over,
            f"Overpayment of {invoice.number} ({how})",
            invoice=invoice,
        )
    return applied, over


def record_manual_payment(
    actor: Actor, invoice_id: object, amount: Amount, method: str, reference: str = ""
) -> PaymentRecorded:
    """Record a bank transfer, cash or cheque against an unpaid invoice.

    A partial payment lowers the amount due; an overpayment pays the invoice and the rest goes
    to the client's credit as an Overpayment entry.
    """
    paid = positive_cents(amount)
    chosen = {name.lower(): name for name in PAYMENT_METHODS}.get(str(method).strip().lower())
    if chosen is None:
        raise ValidationError("method", f"The method must be one of {', '.join(PAYMENT_METHODS)}.")
    ref = text("reference", reference, "Reference", limit=200)
    with acting(actor, Right.RECORD_PAYMENT) as person:
        invoice, client = lock_invoice(invoice_id)
        if invoice.status != InvoiceStatus.UNPAID:
            raise Conflict(
                f"{invoice.number} is {invoice.status}; record the money as credit instead."
            )
        payment = PaymentTransaction.create(
            client=client.id,
            client_name=_client_name(client),
            invoice=invoice.id,
            order=invoice.order_id,
            gateway=MANUAL_GATEWAY,
            method=chosen,
            reference=ref,
            amount_cents=paid,
            staff=person.id,
        )
        audit.record(
            person,
            "payment.recorded",
            "payment_transaction",
            payment.id,
            f"{chosen} of {Money(paid)} for {invoice.number}" + (f" (ref {ref})" if ref else ""),
            after={"invoice": invoice.number, "method": chosen, "amount_cents": paid, "ref": ref},
        )
        feed.publish(Entity.PAYMENT, payment.id, "created")
        applied, over = _pay_locked(person, client, invoice, paid, chosen)
    return PaymentRecorded(payment.id, summary(invoice), applied, over)


def _client_name(client: Client) -> str:
    person = f"{client.first_name} {client.last_name}".strip()
    return (f"{client.company} ({person})" if client.company else person)[:300]


def cancel_invoice(actor: Actor, invoice_id: object, reason: str) -> InvoiceSummary:
    """Cancel an unpaid invoice with a required reason (admins only); credit applied and
    payments made towards it go to credit."""
    why = text("reason", reason, "Reason", limit=500, required=True)
    with acting(actor, Right.CANCEL_INVOICE) as person:
        invoice, client = lock_invoice(invoice_id)
        if invoice.status != InvoiceStatus.UNPAID:
            paid = invoice.status == InvoiceStatus.PAID
            advice = "refund it instead" if paid else "there is nothing to cancel"
            raise Conflict(f"{invoice.number} is {invoice.status}; {advice}.")
        _close(person, client, invoice, InvoiceStatus.CANCELLED, why, returned="cancelled")
    return summary(invoice)


def refund_invoice(
    actor: Actor, invoice_id: object, reason: str, *, to_credit: bool = True
) -> InvoiceSummary:
    """Mark a paid invoice Refunded (admins only), its total going to the client's credit.

    With `to_credit=False` the money went back another way (a gateway refund recorded on the
    payment) and only the status changes.
    """
    why = text("reason", reason, "Reason", limit=500, required=True)
    with acting(actor, Right.REFUND) as person:
        invoice = _refund_locked(person, invoice_id, why, to_credit)
    return summary(invoice)


def record_gateway_refund(actor: Actor | None, invoice_id: object, why: str) -> InvoiceSummary:
    """Mark a paid invoice Refunded because its money went back through the gateway (inside
    the caller's transaction). No right is checked here: the money has moved already, and the
    caller checked the right before moving it (or Stripe reported a refund made elsewhere)."""
    return summary(_refund_locked(actor, invoice_id, why, to_credit=False))


def _refund_locked(actor: Actor | None, invoice_id: object, why: str, to_credit: bool) -> Invoice:
    invoice, client = lock_invoice(invoice_id)
    if invoice.status != InvoiceStatus.PAID:
        raise Conflict(f"{invoice.number} is {invoice.status}; only a paid one is refunded.")
    returned = "refunded" if to_credit else None
    _close(actor, client, invoice, InvoiceStatus.REFUNDED, why, returned=returned)
    return invoice


def _close(
    actor: Actor | None,
    client: Client,
    invoice: Invoice,
    status: InvoiceStatus,
    why: str,
    returned: str | None,
) -> None:
    """End an invoice; what the client put into it (total less due) goes back to credit."""
    put_in = invoice.total_cents - invoice.amount_due_cents
    if put_in and returned:
        description = f"{invoice.number} {returned}" + (f": {why}" if why else "")
        append_entry(actor, client, CreditKind.REFUND, put_in, description, invoice=invoice)
    before = {"status": invoice.status, "amount_due_cents": invoice.amount_due_cents}
    invoice.status = status
    invoice.amount_due_cents = 0
    save_invoice(actor, invoice, {**before, "reason": why}, f"invoice.{status.lower()}")


def get_invoice(invoice_id: object) -> InvoiceDetail:
    """One invoice with its lines."""
    invoice = Invoice.get_or_none(Invoice.id == key(invoice_id, "invoice"))
    if invoice is None:
        raise NotFound("That invoice no longer exists.")
    lines = InvoiceLine.select().where(InvoiceLine.invoice == invoice.id)
    return InvoiceDetail(
        summary(invoice),
        tuple(
            InvoiceLineView(
                line.description,
                line.amount_cents,
                line.service_id,
                line.period_start,
                line.period_end,
            )
            for line in lines.order_by(InvoiceLine.period_start, InvoiceLine.id)
        ),
    )


def invoices_for_client(
    client_id: object,
    status: str | None = None,
    after: InvoiceSummary | None = None,
    limit: int = 50,
) -> list[InvoiceSummary]:
    """A client's invoices, newest first, after the invoice `after` (keyset paging)."""
    if status is not None and status not in tuple(InvoiceStatus):
        raise ValidationError("status", f"“{str(status)[:40]}” is not an invoice status.")
    query = Invoice.select().where(Invoice.client == key(client_id, "client"))
    if status is not None:
        query = query.where(Invoice.status == status)
    if after is not None:
        query = query.where(Invoice.id < after.id)
    limit = max(1, min(int(limit), 500))
    return [summary(row) for row in query.order_by(Invoice.id.desc()).limit(limit)]
