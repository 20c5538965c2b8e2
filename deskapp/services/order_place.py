"""Placing an order: the cart priced, the order, its services and its Orders ticket.

An order is placed in one transaction: the client (locked, and not Closed), the order with its
items at today's prices, one Pending service per unit of each recurring product, and a ticket in
the Orders department whose first message is the order's summary, so the conversation about the
order has a home. Either everything is written or nothing is.

Recording a payment (`mark_order_paid`, once; `mark_payment_unsettled`) is
deskapp.services.order_payment's, re-exported here with the cart's names.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import Conflict, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Department,
    Entity,
    Order,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    Service,
    ServiceStatus,
    Ticket,
)
from deskapp.money import Money
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
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
from deskapp.services.invoices import MANUAL_GATEWAY, PAYMENT_METHODS
from deskapp.services.numbers import next_number
from deskapp.services.order_payment import (
    invoice_number_of,
    mark_order_paid,
    mark_payment_unsettled,
)
from deskapp.services.rights import Right, acting_or_client
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
    transaction). Staff placing it must be able to work tickets (the order's ticket) and, paid
    by hand, to record a manual payment (read in the same transaction); None is the client."""
    method = _payment_method(how)
    manual = _manual_method(method, manual_method)
    ref = validation.text("reference", reference, "Reference", limit=200)
    if ref and method != PaymentMethod.MANUAL:
        raise ValidationError("reference", "A reference goes only with a manual payment.")
    right = Right.RECORD_PAYMENT if method == PaymentMethod.MANUAL else Right.WORK_TICKETS
    with acting_or_client(actor, right):
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
            invoice_number = invoice_number_of(order.id)
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
    subject = " ".join(f"Order {label}: {', '.join(line.text for line in cart.lines)}".split())
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
