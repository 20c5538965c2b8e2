"""Card refunds through Stripe's Refund API, recorded on the payment rows they return.

A refund is recorded as the payment's refunded_cents (never above what was paid), whoever
reports it: the desk that asked for it, or Stripe's charge.refunded event afterwards (which then
finds nothing left to record). When the order's card money is all back, its paid invoice is
marked Refunded without going to credit, so the ledger stays consistent (`deskapp db check`).
"""

from __future__ import annotations

import uuid

from deskapp.db import feed, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import Entity, Invoice, InvoiceStatus, Order, PaymentTransaction
from deskapp.money import Money
from deskapp.payments.gateway import StripeGateway
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key, lock_client
from deskapp.services.card_state import STRIPE_GATEWAY
from deskapp.services.invoices import record_gateway_refund
from deskapp.services.rights import Right, check


def refund_card_payment(actor: Actor, order_id: object, gateway: StripeGateway, reason: str) -> int:
    """Refund what is left of an order's card payments to the card (admins only); returns the
    cents refunded. The order's paid invoice becomes Refunded (the money went back to the card,
    not to credit)."""
    why = validation.text("reason", reason, "Reason", limit=500, required=True)
    actor = check(actor, Right.REFUND)  # a gateway call runs in no transaction: check first
    order = Order.get_or_none(Order.id == key(order_id, "order"))
    if order is None:
        raise NotFound("That order no longer exists.")
    label = format_number("order", order.number)
    payments = list(
        PaymentTransaction.select()
        .where(
            (PaymentTransaction.order == order.id)
            & (PaymentTransaction.gateway == STRIPE_GATEWAY)
            & (PaymentTransaction.amount_cents > PaymentTransaction.refunded_cents)
        )
        .order_by(PaymentTransaction.created_at, PaymentTransaction.id)
    )
    if not payments:
        raise Conflict(f"{label} has no card payment left to refund.")
    refunded = 0
    for payment in payments:
        left = payment.amount_cents - payment.refunded_cents
        made = gateway.refund_payment(
            payment.reference,
            left,
            reason=why,
            idempotency_key=f"payment-{payment.id}-refund-{payment.refunded_cents}",
        )
        with write_transaction():
            added = record_refund(
                actor, payment.id, payment.refunded_cents + made.amount_cents, made.id, why
            )
            if added and _all_back(order.id):
                _refund_invoice(actor, order.id, why)
        refunded += added
    return refunded


def refund_invoice_to_card(
    actor: Actor, invoice_id: object, gateway: StripeGateway, reason: str
) -> int:
    """Refund a paid invoice to the card it was paid with through Stripe (admins only);
    returns the cents refunded. The invoice becomes Refunded, its money back on the card, not
    on credit. Only an order's invoice is paid by card; any other is refused with a sentence."""
    validation.text("reason", reason, "Reason", limit=500, required=True)
    invoice = Invoice.get_or_none(Invoice.id == key(invoice_id, "invoice"))
    if invoice is None:
        raise NotFound("That invoice no longer exists.")
    if invoice.status != InvoiceStatus.PAID:
        raise Conflict(f"{invoice.number} is {invoice.status}; only a paid one is refunded.")
    card_paid = sum(
        row.amount_cents - row.refunded_cents
        for row in PaymentTransaction.select().where(
            (PaymentTransaction.invoice == invoice.id)
            & (PaymentTransaction.gateway == STRIPE_GATEWAY)
        )
    )
    if invoice.order_id is None or card_paid <= 0:
        raise ValidationError(
            "refund", f"{invoice.number} was not paid by card; refund it to credit."
        )
    if card_paid != invoice.total_cents:
        raise ValidationError(
            "refund",
            f"Only {Money(card_paid)} of {invoice.number}'s {Money(invoice.total_cents)} was "
            "paid by card; refund it to credit.",
        )
    return refund_card_payment(actor, invoice.order_id, gateway, reason)


def record_refund(
    actor: Actor | None, payment_id: uuid.UUID, refunded_total: int, reference: str, why: str
) -> int:
    """The payment's refunds now total `refunded_total` (capped at what was paid); returns the
    cents newly recorded, 0 when that was known already."""
    client_id = (
        PaymentTransaction.select(PaymentTransaction.client)
        .where(PaymentTransaction.id == payment_id)
        .scalar()
    )
    with write_transaction():
        if client_id is not None:
            lock_client(client_id)
        query = PaymentTransaction.select().where(PaymentTransaction.id == payment_id)
        payment = (query.for_update() if is_postgres() else query).first()
        if payment is None:
            raise NotFound("That payment no longer exists.")
        total = min(max(refunded_total, payment.refunded_cents), payment.amount_cents)
        added = total - payment.refunded_cents
        if added <= 0:
            return 0
        PaymentTransaction.update(refunded_cents=total).where(
            PaymentTransaction.id == payment.id
        ).execute()
        audit.record(
            actor,
            "payment.refunded",
            "payment_transaction",
            payment.id,
            f"{Money(added)} of card payment {payment.reference} refunded ({reference}): {why}",
            before={"refunded_cents": payment.refunded_cents},
            after={"refunded_cents": total, "refund": reference, "reason": why},
        )
        feed.publish(Entity.PAYMENT, payment.id, "updated")
    return added


def _refund_invoice(actor: Actor, order_id: uuid.UUID, why: str) -> None:
    """The order's paid invoice is Refunded; the money went back to the card, not to credit."""
    invoice = Invoice.get_or_none(
        (Invoice.order == order_id) & (Invoice.status == InvoiceStatus.PAID)
    )
    if invoice is not None:
        record_gateway_refund(actor, invoice.id, why)


def _all_back(order_id: uuid.UUID) -> bool:
    """Whether every card payment of the order is refunded in full."""
    return not (
        PaymentTransaction.select()
        .where(
            (PaymentTransaction.order == order_id)
            & (PaymentTransaction.gateway == STRIPE_GATEWAY)
            & (PaymentTransaction.amount_cents > PaymentTransaction.refunded_cents)
        )
        .exists()
    )
