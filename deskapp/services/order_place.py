"""Placing an order, and recording that it was paid.

An order is placed in one transaction: the client (locked, and not Closed), the order with its
items at today's prices, one Pending service per unit of each recurring product, and a ticket in
the Orders department whose first message is the order's summary, so the conversation about the
order has a home. Either everything is written or nothing is.

A payment is recorded once (`mark_order_paid` does nothing for an order already paid), whoever
reports it first: the person at the desk, the card charge, or Stripe's webhook.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Cycle,
    Department,
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
    Ticket,
)
from deskapp.models.billing import CYCLE_MONTHS
from deskapp.money import Money
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.billing_run import add_months
from deskapp.services.bookkeeping import client_label, key, lock_client
from deskapp.services.cart import (
    CartLine,
    CartPrice,
    PricedLine,
    describe,
    parse_cart_item,
    price_cart,
)
from deskapp.services.clients import ensure_client_open
from deskapp.services.invoices import MANUAL_GATEWAY, PAYMENT_METHODS, issue_invoice_for_order
from deskapp.services.numbers import next_number
from deskapp.services.ticket_open import SUBJECT_LIMIT, open_ticket

__all__ = [
    "CartLine",
    "CartPrice",
    "OrderPlaced",
    "PricedLine",
    "mark_order_paid",
    "mark_payment_unsettled",
    "parse_cart_item",
    "place_order",
    "price_cart",
]

ORDERS_DEPARTMENT = "Orders"
"""The department every order's ticket goes to (migration 0006 creates it)."""
CARD_NOT_STARTED = "Card payment not started"
"""An order to be paid by card, before the card is charged."""
CYCLE_VALUES = frozenset(Cycle)
"""Every cycle's name, to read a stored one back as a Cycle."""
NOTE_LIMIT = 500
"""The longest gateway note kept on an order."""


@dataclass(frozen=True)
class OrderPlaced:
    """An order just placed."""

    id: uuid.UUID
    """The order's key."""
    number: int
    """Its number (5531)."""
    label: str
    """O-5531."""
    total_cents: int
    """What it costs."""
    payment_status: str
    """None (a request), Pending (card to be charged) or Successful (paid by hand)."""
    ticket_id: uuid.UUID
    """The ticket opened for it in the Orders department."""
    ticket_number: int
    """That ticket's number (T-20311)."""
    invoice_number: str
    """The invoice issued for it (paid by hand), or "" until it is invoiced."""


def place_order(
    actor: Actor | None,
    client_id: object,
    lines: Sequence[CartLine],
    how: PaymentMethod | str,
    *,
    manual_method: str = "",
    reference: str = "",
) -> OrderPlaced:
    """Place an order for a client: a request for an admin, paid by a manual method now, or to
    be paid by card (the caller then charges it through order_card.charge_order, outside this
    transaction)."""
    method = _payment_method(how)
    manual = _manual_method(method, manual_method)
    ref = validation.text("reference", reference, "Reference", limit=200)
    if ref and method != PaymentMethod.MANUAL:
        raise ValidationError("reference", "A reference goes only with a manual payment.")
    with write_transaction():
        client = lock_client(key(client_id, "client"))
        assert client is not None
        ensure_client_open(client.id)
        cart = price_cart(lines)
        department = Department.get_or_none(Department.name == ORDERS_DEPARTMENT)
        if department is None:
            raise Conflict(
                f"There is no {ORDERS_DEPARTMENT} department for the order's ticket; "
                f"ask an admin to add one called {ORDERS_DEPARTMENT}."
            )
        order = _create_order(client, cart, method)
        label = format_number("order", order.number)
        ticket = open_ticket(
            actor,
            client.id,
            department.id,
            _subject(label, cart),
            _summary(actor, client, label, cart, method, manual, ref),
            check_extra=False,
        )
        Ticket.update(order=order.id).where(Ticket.id == ticket.id).execute()
        audit.record(
            actor,
            "order.placed",
            "order",
            order.id,
            f"{label} placed for {client_label(client)}: {Money(cart.total_cents)}, {_how(method)}",
            after={
                "number": label,
                "client": client_label(client),
                "total_cents": cart.total_cents,
                "payment_method": str(method),
                "items": [describe(line) for line in cart.lines],
                "ticket": format_number("ticket", ticket.number),
            },
        )
        feed.publish(Entity.ORDER, order.id, "created")
        invoice_number = ""
        if method == PaymentMethod.MANUAL:
            mark_order_paid(
                actor,
                order.id,
                gateway=MANUAL_GATEWAY,
                method=manual,
                reference=ref,
                amount_cents=cart.total_cents,
                paid_at=clock.now(),
            )
            invoice_number = _invoice_number(order.id)
        status = Order.select(Order.payment_status).where(Order.id == order.id).scalar()
    return OrderPlaced(
        id=order.id,
        number=order.number,
        label=label,
        total_cents=cart.total_cents,
        payment_status=status,
        ticket_id=ticket.id,
        ticket_number=ticket.number,
        invoice_number=invoice_number,
    )


def _payment_method(how: object) -> PaymentMethod:
    try:
        return PaymentMethod(str(how))
    except ValueError:
        raise ValidationError(
            "how", "An order is paid by card, by a manual method, or sent as a request."
        ) from None


def _manual_method(method: PaymentMethod, given: str) -> str:
    """The manual method as PAYMENT_METHODS spells it; only a manual payment has one."""
    typed = validation.text("manual_method", given, "Method", limit=40)
    if method != PaymentMethod.MANUAL:
        if typed:
            raise ValidationError("manual_method", "A method goes only with a manual payment.")
        return ""
    chosen = {name.lower(): name for name in PAYMENT_METHODS}.get(typed.lower())
    if chosen is None:
        raise ValidationError(
            "manual_method", f"Say how it was paid: {', '.join(PAYMENT_METHODS)}."
        )
    return chosen


def _create_order(client: Client, cart: CartPrice, method: PaymentMethod) -> Order:
    """The order, its items and one Pending service per unit of each recurring line."""
    card = method == PaymentMethod.CARD
    order = Order.create(
        number=next_number("order"),
        client=client.id,
        status=OrderStatus.PENDING,
        payment_status=PaymentStatus.PENDING if card else PaymentStatus.NONE,
        payment_method=method,
        payment_note=CARD_NOT_STARTED if card else "",
        total_cents=cart.total_cents,
    )
    OrderItem.insert_many(
        [
            {
                "order": order.id,
                "product": line.product_id,
                "cycle": line.cycle,
                "price_cents": line.unit_cents,
                "quantity": line.quantity,
                "description": f"{line.name} ({line.cycle})"[:300],
            }
            for line in cart.lines
        ]
    ).execute()
    services = [
        {
            "client": client.id,
            "product": line.product_id,
            "order": order.id,
            "status": ServiceStatus.PENDING,
            "cycle": line.cycle,
            "price_cents": line.unit_cents,
        }
        for line in cart.lines
        if line.makes_services
        for _ in range(line.quantity)
    ]
    if services:
        Service.insert_many(services).execute()
    return order


def _subject(label: str, cart: CartPrice) -> str:
    subject = f"Order {label}: " + ", ".join(line.text for line in cart.lines)
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"


def _summary(
    actor: Actor | None,
    client: Client,
    label: str,
    cart: CartPrice,
    method: PaymentMethod,
    manual: str,
    reference: str,
) -> str:
    """The ticket's first message: what was ordered, in which cycles, the total, how it is paid."""
    person = f"{client.first_name} {client.last_name}".strip()
    by = f", placed by {actor.name}" if actor else ""
    lines = [f"Order {label} for {client_label(client)} ({client.company or person}){by}.", ""]
    lines += [f"- {describe(line)}" for line in cart.lines]
    lines += ["", f"Total: {Money(cart.total_cents)}"]
    if method == PaymentMethod.MANUAL:
        ref = f", reference {reference}" if reference else ""
        lines.append(f"Payment: paid by {manual}{ref} on {clock.today().isoformat()}.")
    else:
        lines.append(f"Payment: {_how(method)}.")
    return "\n".join(lines)


def _how(method: PaymentMethod) -> str:
    return {
        PaymentMethod.REQUEST: "a request for an admin's approval, paid later by invoice",
        PaymentMethod.CARD: "by the card Stripe holds for the client",
        PaymentMethod.MANUAL: "paid by a manual method",
    }[method]


def _invoice_number(order_id: uuid.UUID) -> str:
    number = (
        Invoice.select(Invoice.number)
        .where((Invoice.order == order_id) & (Invoice.status != InvoiceStatus.CANCELLED))
        .scalar()
    )
    return str(number or "")


def _locked_order(order_id: uuid.UUID) -> Order:
    query = Order.select().where(Order.id == order_id)
    order = (query.for_update() if is_postgres() else query).first()
    if order is None:
        raise NotFound("That order no longer exists.")
    return order


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
    order_key = key(order_id, "order")
    client_id = Order.select(Order.client).where(Order.id == order_key).scalar()
    if client_id is None:
        raise NotFound("That order no longer exists.")
    with write_transaction():
        client = lock_client(client_id)
        assert client is not None
        order = _locked_order(order_key)
        if order.payment_status == PaymentStatus.SUCCESSFUL:
            return
        label = format_number("order", order.number)
        if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
            raise Conflict(f"{label} is {order.status.lower()}; no payment can be recorded on it.")
        earlier = _invoice_number(order.id)
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
        order = _locked_order(key(order_id, "order"))
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
