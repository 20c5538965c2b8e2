"""The demo business while it is being made: people, services, invoices and ledger events in
memory, written in one go at the end (a few multi-row INSERTs per table, parents first).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TypeVar

import peewee

from deskapp import clock
from deskapp.db import db
from deskapp.demo.data import (
    CYCLE_MONTHS,
    CatalogueProduct,
    DemoIds,
    Person,
    ascii_slug,
    service_identifier,
)
from deskapp.models import ALL_MODELS, NumberSequence
from deskapp.services.numbers import FIRST_NUMBERS, reserve_numbers

Value = TypeVar("Value")


def known(value: Value | None) -> Value:
    """`value`, which the demo's story has set by this point (an order's decision once it is
    decided, a paid invoice's payment time); a missing one is a bug in the story."""
    if value is None:
        raise ValueError("the demo's story left a value unset that it sets before this point")
    return value


@dataclass
class DemoContact:
    """A contact as the rest of the demo needs it."""

    id: str
    first_name: str
    last_name: str
    email: str
    is_billing: bool

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


@dataclass
class DemoService:
    """A service of a demo client, with what billing and tickets need to know of it."""

    id: str
    product: CatalogueProduct
    product_id: str
    cycle: str
    months: int
    price_cents: int
    identifier: str
    status: str
    start_date: dt.date | None
    created_at: dt.datetime
    order_id: str | None = None
    next_due_date: dt.date | None = None
    ends_on: dt.date | None = None
    """When a cancelled service stopped (billing stops there)."""


@dataclass
class DemoClient:
    """A demo client and everything made for it so far."""

    id: str
    number: int
    created_at: dt.datetime
    person: Person
    status: str
    contacts: list[DemoContact] = field(default_factory=list)
    services: list[DemoService] = field(default_factory=list)
    credit_cents: int = 0
    support_minutes: int = 0
    notes: str = ""

    @property
    def name(self) -> str:
        """The client's own first and last name."""
        return f"{self.person.first_name} {self.person.last_name}"

    @property
    def billing(self) -> DemoContact:
        """The default billing contact (every demo client has one)."""
        return next(contact for contact in self.contacts if contact.is_billing)


@dataclass
class DemoInvoice:
    """An invoice before numbering and before the ledger decides what is still due."""

    id: str
    client: DemoClient
    issued_at: dt.datetime
    due_on: dt.date
    lines: list[tuple[str | None, str, int, dt.date | None, dt.date | None]]
    """(service id, description, amount in cents, period start, period end)."""
    outcome: str
    """"paid", "unpaid", "cancelled" or "refunded": what happens unless credit covers it."""
    paid_at: dt.datetime | None = None
    order_id: str | None = None
    prepaid: bool = False
    """Paid upfront when the order was placed (credit is not applied)."""
    paid_by: str = ""
    """For an invoice paid upfront: how its order was paid ("card" or "manual")."""
    refund_to_credit: bool = False
    """For a refunded invoice: the money went to the client's credit, not back to the card."""
    number: str = ""
    status: str = ""
    amount_due_cents: int = 0
    paid_on: dt.date | None = None

    @property
    def total_cents(self) -> int:
        """The sum of the lines."""
        return sum(line[2] for line in self.lines)


@dataclass
class DemoOrder:
    """An order with its items, its decision, and what the ticket about it should say."""

    id: str
    client: DemoClient
    status: str
    payment_status: str
    placed_at: dt.datetime
    items: list[tuple[CatalogueProduct, str, int, int]]
    """(product, cycle, price in cents, quantity)."""
    paid_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    decided_by: str | None = None
    start_date: dt.date | None = None
    decision_note: str = ""
    number: int = 0
    payment_method: str = ""
    """"card", "manual", or "" for a request (PaymentMethod)."""
    payment_intent: str = ""
    """The Stripe PaymentIntent of the card attempt that went through or waits."""
    payment_attempt: int = 0
    """How many card attempts were made."""
    payment_note: str = ""
    """The gateway's last word: why a card was declined or what it waits for."""

    @property
    def total_cents(self) -> int:
        """What the order costs: price times quantity over its items."""
        return sum(price * quantity for _, _, price, quantity in self.items)


@dataclass
class CreditEvent:
    """Money entering or leaving a client's credit, before the ledger runs its balance."""

    client: DemoClient
    at: dt.datetime
    kind: str
    amount_cents: int
    description: str
    staff_id: str | None = None
    invoice: DemoInvoice | None = None
    reverses: CreditEvent | None = None
    id: str = ""


class DemoWorld:
    """The seeded generator, the demo's clock, the rows to write, and what was made."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = DemoIds(self.rng)
        self.now = clock.now().replace(microsecond=0)
        self.today = clock.today()
        self.rows: dict[type[peewee.Model], list[dict[str, Any]]] = defaultdict(list)
        self.staff: dict[str, tuple[str, str]] = {}
        """username -> (id, display name)."""
        self.departments: dict[str, str] = {}
        """name -> id."""
        self.products: dict[str, tuple[str, CatalogueProduct]] = {}
        """catalogue key -> (id, product)."""
        self.clients: list[DemoClient] = []
        self.invoices: list[DemoInvoice] = []
        self.orders: list[DemoOrder] = []
        self.credit_events: list[CreditEvent] = []

    def add(self, model: type[peewee.Model], **values: Any) -> None:
        """Queue one row; every row names its own id and creation time (no random defaults)."""
        assert "id" in values and "created_at" in values, model.__name__
        if "updated_at" in model._meta.fields:
            values.setdefault("updated_at", values["created_at"])
        self.rows[model].append(values)

    def moment(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A whole second between start and end, and at least five minutes before now."""
        end = min(end, self.now - dt.timedelta(minutes=5))
        span = max(0, int((end - start).total_seconds()))
        return start + dt.timedelta(seconds=self.rng.randint(0, span))

    def days_ago(self, days: float) -> dt.datetime:
        """The moment `days` before now, to the second."""
        return self.now - dt.timedelta(seconds=int(days * 86400))

    def numbers(self, kind: str, count: int) -> list[int]:
        """`count` consecutive numbers of `kind` from deskapp's number sequences."""
        if count == 0:
            return []
        if not NumberSequence.select().where(NumberSequence.name == kind).exists():
            NumberSequence.insert(
                id=self.ids.at(self.now),
                created_at=self.now,
                name=kind,
                next_value=FIRST_NUMBERS.get(kind, 1),
            ).execute()
        first = reserve_numbers(kind, count)
        return list(range(first, first + count))

    def flush(self) -> None:
        """Write every queued row, parent tables first, with one executemany per table.

        Peewee's insert_many spends most of its time building SQL; values go through each
        field's db_value here instead, so the rows stored are the ones the ORM would store.
        """
        cursor = db.cursor()
        for model in ALL_MODELS:
            rows = self.rows.pop(model, [])
            if not rows:
                continue
            fields = model._meta.sorted_fields
            columns = ", ".join(f'"{f.column_name}"' for f in fields)
            marks = ", ".join([db.param] * len(fields))
            cursor.executemany(
                f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})',
                [
                    tuple(f.db_value(row[f.name] if f.name in row else _default(f)) for f in fields)
                    for row in rows
                ],
            )
        assert not self.rows, f"rows left for {list(self.rows)}"


def _default(field: peewee.Field) -> Any:
    """A field's fixed default; a computed one (time, random key) would break determinism."""
    assert not callable(field.default), f"{field.model.__name__}.{field.name} needs a value"
    return field.default


def client_domain(client: DemoClient) -> str:
    """The client's own domain: the company's, or one named after the person."""
    domain = client.person.email.rpartition("@")[2]
    if client.person.company and domain.endswith(".example") and not domain.startswith("mail."):
        return domain
    return f"{ascii_slug(client.person.last_name)}-{ascii_slug(client.person.first_name)}.example"


def new_service(world: DemoWorld, client: DemoClient, key: str, offset_days: int) -> DemoService:
    """A service of product `key` starting `offset_days` after the client signed up."""
    rng = world.rng
    product_id, product = world.products[key]
    cycle, price = rng.choice([p for p in product.prices if p[0] != "One-time"])
    start = client.created_at.date() + dt.timedelta(days=offset_days)
    created = dt.datetime.combine(start, dt.time(10)) - dt.timedelta(days=3)
    return DemoService(
        id=world.ids.at(created),
        product=product,
        product_id=product_id,
        cycle=cycle,
        months=CYCLE_MONTHS[cycle],
        price_cents=price,
        identifier=service_identifier(
            rng, product.identifier, client_domain(client), client.number
        ),
        status="Active",
        start_date=start,
        created_at=min(created, world.now),
    )
