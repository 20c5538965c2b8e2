"""One order in full: its items, its ticket, its invoice, the payments and the services it made.

The order screen and the approval dialogs read this; `find_order` takes the number people say
(O-5531) and `order_of_ticket` answers the ticket screen's `o`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from deskapp.errors import NotFound
from deskapp.ids import format_number, parse_number
from deskapp.models import (
    Client,
    Invoice,
    InvoiceStatus,
    Order,
    OrderItem,
    PaymentTransaction,
    Product,
    Service,
    Staff,
    Ticket,
)
from deskapp.services.bookkeeping import key


@dataclass(frozen=True)
class OrderItemView:
    """One line of an order, at the price agreed when it was placed."""

    code: str
    """The product code (FIBRE-1G)."""
    name: str
    """The product's name."""
    type: str
    """Bundle, Internet, Voice, Recurring, One-time or Support hours."""
    cycle: str
    """The billing cycle ordered."""
    quantity: int
    """How many."""
    unit_cents: int
    """The price of one."""
    total_cents: int
    """unit_cents × quantity."""
    support_minutes: int
    """Prepaid support the line adds: the product's minutes × quantity."""


@dataclass(frozen=True)
class OrderPaymentView:
    """Money received for the order (upfront, or towards its invoice)."""

    gateway: str
    """"stripe" or "manual"."""
    method: str
    """card, Bank transfer, Cash, Cheque."""
    reference: str
    """The PaymentIntent id, or the reference staff typed (untrusted text)."""
    amount_cents: int
    """What was received."""
    refunded_cents: int
    """What went back through the gateway."""
    created_at: dt.datetime
    """When it was recorded (UTC)."""


@dataclass(frozen=True)
class OrderServiceView:
    """A service the order made: one per unit of each recurring product."""

    name: str
    """The product's name."""
    status: str
    """Pending until paid or approved, then Active; Cancelled when the order is rejected."""
    start_date: dt.date | None
    """The first day it runs."""
    next_due_date: dt.date | None
    """When its next period is billed."""


@dataclass(frozen=True)
class OrderDetail:
    """An order and everything attached to it."""

    id: uuid.UUID
    """The order's key."""
    number: int
    """5531."""
    label: str
    """O-5531."""
    client_id: uuid.UUID
    """Who ordered."""
    client_number: int
    """The client's number (C-1042)."""
    client_name: str
    """The client's company, or their name (untrusted text)."""
    client_status: str
    """Active, Inactive or Closed."""
    status: str
    """Pending, Active, Rejected or Cancelled."""
    payment_method: str
    """"" (a request), "card" or "manual"."""
    payment_status: str
    """None, Successful, Pending or Failed."""
    payment_note: str
    """The gateway's last word, such as why a card was declined (untrusted text)."""
    paid_at: dt.datetime | None
    """When it was paid upfront (UTC)."""
    total_cents: int
    """What it costs."""
    start_date: dt.date | None
    """The start date an admin approved."""
    decided_by_name: str
    """Who approved or rejected it ("" while pending)."""
    decided_at: dt.datetime | None
    """When (UTC)."""
    decision_note: str
    """The reason given on rejection, or what approval did."""
    placed_at: dt.datetime
    """When it was placed (UTC)."""
    version: int
    """The row version, for conflict checks."""
    payment_attempt: int
    """How many card charges were tried."""
    items: tuple[OrderItemView, ...]
    """What was ordered, in the order given."""
    ticket_id: uuid.UUID | None
    """The ticket in the Orders department about it."""
    ticket_number: int | None
    """That ticket's number (T-20311)."""
    invoice_id: uuid.UUID | None
    """Its invoice, once issued."""
    invoice_number: str | None
    """INV-2026-00017."""
    invoice_status: str | None
    """Unpaid, Paid, Cancelled or Refunded."""
    invoice_due_cents: int | None
    """What is left to pay on it."""
    payments: tuple[OrderPaymentView, ...]
    """Money received for it, oldest first."""
    services: tuple[OrderServiceView, ...]
    """The services it made."""

    @property
    def client_label(self) -> str:
        """C-1042."""
        return format_number("client", self.client_number)

    @property
    def ticket_label(self) -> str:
        """T-20311, or "" when the order has no ticket."""
        return format_number("ticket", self.ticket_number) if self.ticket_number else ""


def get_order(order_id: object) -> OrderDetail:
    """One order in full; NotFound when it does not exist (any more)."""
    order = Order.get_or_none(Order.id == key(order_id, "order"))
    if order is None:
        raise NotFound("That order no longer exists.")
    return _detail(order)


def find_order(text: str) -> OrderDetail:
    """The order people name: "O-5531", "o5531" or "5531"."""
    number = parse_number("order", str(text))
    if number is None:
        raise NotFound(f"“{str(text).strip()[:30]}” is not an order number; write it like O-5531.")
    order = Order.get_or_none(Order.number == number)
    if order is None:
        raise NotFound(f"There is no order {format_number('order', number)}.")
    return _detail(order)


def order_of_ticket(ticket_id: object) -> uuid.UUID | None:
    """The order a ticket is about, or None (most tickets are about no order)."""
    found = Ticket.select(Ticket.order).where(Ticket.id == key(ticket_id, "ticket")).scalar()
    return key(found, "order") if found is not None else None


def _detail(order: Order) -> OrderDetail:
    client = Client.get_by_id(order.client_id)
    person = f"{client.first_name} {client.last_name}".strip()
    decider = (
        Staff.select(Staff.name).where(Staff.id == order.decided_by_id).scalar()
        if order.decided_by_id
        else None
    )
    ticket = (
        Ticket.select(Ticket.id, Ticket.number)
        .where(Ticket.order == order.id)
        .order_by(Ticket.created_at, Ticket.id)
        .first()
    )
    invoice = _invoice(order.id)
    return OrderDetail(
        id=order.id,
        number=order.number,
        label=format_number("order", order.number),
        client_id=client.id,
        client_number=client.number,
        client_name=client.company or person,
        client_status=client.status,
        status=order.status,
        payment_method=order.payment_method,
        payment_status=order.payment_status,
        payment_note=order.payment_note,
        paid_at=order.paid_at,
        total_cents=order.total_cents,
        start_date=order.start_date,
        decided_by_name=decider or "",
        decided_at=order.decided_at,
        decision_note=order.decision_note,
        placed_at=order.created_at,
        version=order.version,
        payment_attempt=order.payment_attempt,
        items=_items(order.id),
        ticket_id=ticket.id if ticket else None,
        ticket_number=ticket.number if ticket else None,
        invoice_id=invoice.id if invoice else None,
        invoice_number=invoice.number if invoice else None,
        invoice_status=invoice.status if invoice else None,
        invoice_due_cents=invoice.amount_due_cents if invoice else None,
        payments=_payments(order.id),
        services=_services(order.id),
    )


def _invoice(order_id: uuid.UUID) -> Invoice | None:
    """The order's live invoice, else its latest cancelled one."""
    invoices = Invoice.select().where(Invoice.order == order_id)
    ranked = sorted(
        invoices, key=lambda row: (row.status != InvoiceStatus.CANCELLED, row.id), reverse=True
    )
    return ranked[0] if ranked else None


def _items(order_id: uuid.UUID) -> tuple[OrderItemView, ...]:
    rows = (
        OrderItem.select(OrderItem, Product)
        .join(Product)
        .where(OrderItem.order == order_id)
        .order_by(OrderItem.created_at, OrderItem.id)
    )
    return tuple(
        OrderItemView(
            code=row.product.code,
            name=row.product.name,
            type=row.product.type,
            cycle=row.cycle,
            quantity=row.quantity,
            unit_cents=row.price_cents,
            total_cents=row.price_cents * row.quantity,
            support_minutes=max(row.product.support_minutes, 0) * row.quantity,
        )
        for row in rows
    )


def _payments(order_id: uuid.UUID) -> tuple[OrderPaymentView, ...]:
    rows = (
        PaymentTransaction.select()
        .where(PaymentTransaction.order == order_id)
        .order_by(PaymentTransaction.created_at, PaymentTransaction.id)
    )
    return tuple(
        OrderPaymentView(
            row.gateway,
            row.method,
            row.reference,
            row.amount_cents,
            row.refunded_cents,
            row.created_at,
        )
        for row in rows
    )


def _services(order_id: uuid.UUID) -> tuple[OrderServiceView, ...]:
    rows = (
        Service.select(Service, Product.name)
        .join(Product)
        .where(Service.order == order_id)
        .order_by(Service.created_at, Service.id)
    )
    return tuple(
        OrderServiceView(row.product.name, row.status, row.start_date, row.next_due_date)
        for row in rows
    )
