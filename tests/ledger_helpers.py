"""Rows the credit, invoice and billing tests start from: staff, clients, orders, services.

Rows go in through the models (tests may); everything under test goes through the services.
"""

from __future__ import annotations

import datetime as dt
import uuid

from deskapp.migrations.m0006_order_queue import product_code
from deskapp.models import (
    Client,
    Cycle,
    Order,
    OrderItem,
    Product,
    ProductType,
    Role,
    Service,
    ServiceStatus,
    Staff,
)
from deskapp.services.actors import Actor, actor_from
from deskapp.services.invoices import InvoiceSummary, issue_invoice_for_order
from deskapp.services.numbers import next_number


def staff(role: str = Role.AGENT, username: str | None = None) -> Actor:
    """A staff member of `role` (agent or admin)."""
    name = username or f"{role}-{uuid.uuid4().hex[:8]}"
    return actor_from(Staff.create(username=name, name=name.title(), role=role))


def client(first_name: str = "Mina", last_name: str = "Okafor", **fields: object) -> uuid.UUID:
    """A new client with the next client number; returns its key."""
    number = next_number("client")
    row = Client.create(
        number=number,
        first_name=first_name,
        last_name=last_name,
        email=fields.pop("email", f"client{number}@example.net"),
        **fields,
    )
    return row.id


def product(name: str = "Fibre 500", kind: str = ProductType.INTERNET) -> Product:
    """A product to order or to run a service of (the same one again for the same name)."""
    code = product_code(name)
    return Product.get_or_none(Product.code == code) or Product.create(
        code=code, name=name, type=kind
    )


def order(client_id: uuid.UUID, *items: tuple[str, int, int]) -> uuid.UUID:
    """An order with items (description, price in cents, quantity); returns its key."""
    row = Order.create(
        number=next_number("order"),
        client=client_id,
        total_cents=sum(price * quantity for _, price, quantity in items),
    )
    made = product()
    for description, price, quantity in items:
        OrderItem.create(
            order=row,
            product=made,
            cycle=Cycle.ONE_TIME,
            price_cents=price,
            quantity=quantity,
            description=description,
        )
    return row.id


def invoice(actor: Actor, client_id: uuid.UUID, amount_cents: int) -> InvoiceSummary:
    """Issue an invoice of one line for `amount_cents` through an order."""
    return issue_invoice_for_order(actor, order(client_id, ("Setup", amount_cents, 1)))


def service(
    client_id: uuid.UUID,
    next_due: dt.date,
    *,
    price_cents: int = 4_500,
    cycle: str = Cycle.MONTHLY,
    status: str = ServiceStatus.ACTIVE,
    start: dt.date | None = None,
    name: str = "Fibre 500",
    identifier: str = "",
) -> uuid.UUID:
    """A service of the client, billed from `next_due`; returns its key."""
    row = Service.create(
        client=client_id,
        product=product(name),
        identifier=identifier,
        status=status,
        cycle=cycle,
        price_cents=price_cents,
        start_date=start,
        next_due_date=next_due,
    )
    return row.id


def balance(client_id: uuid.UUID) -> int:
    """The client's cached credit."""
    return Client.get_by_id(client_id).credit_cents
