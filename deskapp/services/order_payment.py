"""Recording what happened to an order's payment: paid (once), or waiting, or failed.

Whoever reports a payment first records it (the person at the desk, the card charge, or Stripe's
webhook); `mark_order_paid` does nothing for an order already paid, so a late second report
never records the money twice. The client's row is locked first, then the order's, as every
money service does.
"""

from __future__ import annotations

import datetime as dt
import uuid

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Cycle,
    Entity,
    Invoice,
    InvoiceStatus,
    Order,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Product,
    Service,
    ServiceStatus,
)
from deskapp.models.billing import CYCLE_MONTHS
from deskapp.money import Money
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.billing_run import add_months
from deskapp.services.bookkeeping import lock_order
from deskapp.services.invoices import MANUAL_GATEWAY, issue_invoice_for_order

CYCLE_VALUES = frozenset(Cycle)
"""Every cycle's name, to read a stored one back as a Cycle."""
NOTE_LIMIT = 500
"""The longest gateway note kept on an order."""


def invoice_number_of(order_id: uuid.UUID) -> str:
    """The number of the order's live (not cancelled) invoice, or ""."""
    number = (
        Invoice.select(Invoice.number)
        .where((Invoice.order == order_id) & (Invoice.status != InvoiceStatus.CANCELLED))
        .scalar()
    )
    return str(number or "")


def mark_order_paid(
    actor: Actor | None,
    order_id: object,
    *,
    gateway: str,
    method: str,
    reference: str,
    amount_cents: int,
    paid_at: dt.datetime,
) -> None:
    """Record that an order was paid upfront, once: the payment, the order's invoice issued and
    paid, its services Active from the payment date, support-hour bundles' minutes added.

    A second call for an order already paid does nothing. `actor` None is the desk itself (Stripe
    reported the payment). Runs in its own transaction, a savepoint inside a caller's.
    """
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents < 0:
        raise ValidationError("amount", "A payment is a whole number of cents, not below 0.")
    with write_transaction():
        order, client = lock_order(order_id)
        if order.payment_status == PaymentStatus.SUCCESSFUL:
            return
        label = format_number("order", order.number)
        if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
            raise Conflict(f"{label} is {order.status.lower()}; no payment can be recorded on it.")
        earlier = invoice_number_of(order.id)
        if earlier:
            raise Conflict(
                f"{label} is already invoiced on {earlier}; record the payment on that invoice."
            )
        payment = PaymentTransaction.create(
            client=client.id,
            client_name=_client_name(client),
            order=order.id,
            gateway=gateway,
            method=method,
            reference=reference[:200],
            amount_cents=amount_cents,
            staff=actor.id if actor else None,
        )
        feed.publish(Entity.PAYMENT, payment.id, "created")
        paid_on = paid_at.date()
        before = {"payment_status": order.payment_status, "paid_at": None}
        Order.update(
            payment_status=PaymentStatus.SUCCESSFUL,
            payment_method=order.payment_method or _method_of(gateway),
            paid_upfront=True,
            paid_at=paid_at,
            payment_note="",
            version=Order.version + 1,
            updated_at=clock.now(),
        ).where(Order.id == order.id).execute()
        invoice = issue_invoice_for_order(actor, order.id)
        activated = _activate_services(order.id, paid_on)
        minutes = _add_support_minutes(client, order.id)
        audit.record(
            actor,
            "order.paid",
            "order",
            order.id,
            f"{label} paid: {Money(amount_cents)} by {method or gateway} on {paid_on.isoformat()}",
            before=before,
            after={
                "payment_status": PaymentStatus.SUCCESSFUL.value,
                "paid_at": paid_at.isoformat(),
                "gateway": gateway,
                "method": method,
                "reference": reference[:200],
                "amount_cents": amount_cents,
                "invoice": invoice.number,
                "services_active": activated,
                "support_minutes_added": minutes,
            },
        )
        feed.publish(Entity.ORDER, order.id, "updated")


def _method_of(gateway: str) -> PaymentMethod:
    return PaymentMethod.MANUAL if gateway == MANUAL_GATEWAY else PaymentMethod.CARD


def _client_name(client: Client) -> str:
    person = f"{client.first_name} {client.last_name}".strip()
    return (f"{client.company} ({person})" if client.company else person)[:300]


def _activate_services(order_id: uuid.UUID, paid_on: dt.date) -> int:
    """The order's Pending services, Active from the payment date; returns how many."""
    services = list(
        Service.select(Service.id, Service.cycle).where(
            (Service.order == order_id) & (Service.status == ServiceStatus.PENDING)
        )
    )
    for cycle in {service.cycle for service in services}:
        months = CYCLE_MONTHS.get(Cycle(cycle)) if cycle in CYCLE_VALUES else None
        Service.update(
            status=ServiceStatus.ACTIVE,
            start_date=paid_on,
            next_due_date=add_months(paid_on, months, paid_on.day) if months else None,
            version=Service.version + 1,
            updated_at=clock.now(),
        ).where(
            (Service.order == order_id)
            & (Service.status == ServiceStatus.PENDING)
            & (Service.cycle == cycle)
        ).execute()
    for service in services:
        feed.publish(Entity.SERVICE, service.id, "updated")
    return len(services)


def _add_support_minutes(client: Client, order_id: uuid.UUID) -> int:
    """Add the support-hour bundles' minutes to the client's prepaid support; returns them."""
    items = OrderItem.select(OrderItem.quantity, Product.support_minutes).join(Product)
    minutes = sum(
        max(item.product.support_minutes, 0) * item.quantity
        for item in items.where(OrderItem.order == order_id)
    )
    if minutes:
        Client.update(support_minutes=Client.support_minutes + minutes).where(
            Client.id == client.id
        ).execute()
        feed.publish(Entity.CLIENT, client.id, "updated")
    return minutes


def mark_payment_unsettled(order_id: object, status: PaymentStatus | str, note: str) -> None:
    """Record that a card payment is waiting (Pending) or failed (Failed), with the gateway's
    reason. An order already paid keeps its Successful status."""
    wanted = PaymentStatus(status)
    if wanted not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        raise ValueError(f"a payment is unsettled as Pending or Failed, not {status!r}")
    with write_transaction():
        order, _ = lock_order(order_id)
        if order.payment_status == PaymentStatus.SUCCESSFUL:
            return
        why = " ".join(str(note).split())[:NOTE_LIMIT]
        Order.update(
            payment_status=wanted,
            payment_note=why,
            version=Order.version + 1,
            updated_at=clock.now(),
        ).where(Order.id == order.id).execute()
        label = format_number("order", order.number)
        audit.record(
            None,
            f"order.payment_{wanted.value.lower()}",
            "order",
            order.id,
            f"{label} payment {wanted.value}: {why}",
            before={"payment_status": order.payment_status, "payment_note": order.payment_note},
            after={"payment_status": wanted.value, "payment_note": why},
        )
        feed.publish(Entity.ORDER, order.id, "updated")
