"""Products, orders, services, invoices, payments and the credit ledger."""

from __future__ import annotations

import uuid
from enum import StrEnum

import peewee

from deskapp.db import db
from deskapp.models.base import BaseModel, Versioned, money_field
from deskapp.models.clients import Client
from deskapp.models.staff import Staff


class ProductType(StrEnum):
    """What is sold; support-hour bundles add to the client's prepaid hours."""

    BUNDLE = "Bundle"
    INTERNET = "Internet"
    VOICE = "Voice"
    RECURRING = "Recurring"
    ONE_TIME = "One-time"
    SUPPORT_HOURS = "Support hours"


class Cycle(StrEnum):
    """Billing cycles, each with its length in months (one-time has none)."""

    MONTHLY = "Monthly"
    QUARTERLY = "Quarterly"
    SEMIANNUAL = "Semi-annually"
    ANNUAL = "Annually"
    ONE_TIME = "One-time"


CYCLE_MONTHS = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3, Cycle.SEMIANNUAL: 6, Cycle.ANNUAL: 12}


class OrderStatus(StrEnum):
    PENDING = "Pending"
    ACTIVE = "Active"
    REJECTED = "Rejected"
    CANCELLED = "Cancelled"


class PaymentStatus(StrEnum):
    """For orders paid upfront through the gateway; requests have none until invoiced."""

    NONE = "None"
    SUCCESSFUL = "Successful"
    PENDING = "Pending"
    FAILED = "Failed"


class ServiceStatus(StrEnum):
    PENDING = "Pending"
    ACTIVE = "Active"
    SUSPENDED = "Suspended"
    CANCELLED = "Cancelled"


class InvoiceStatus(StrEnum):
    UNPAID = "Unpaid"
    PAID = "Paid"
    CANCELLED = "Cancelled"
    REFUNDED = "Refunded"


class CreditKind(StrEnum):
    """Every way money enters or leaves a client's credit."""

    ADDED = "Credit added"
    ADJUSTMENT = "Adjustment"
    APPLIED = "Applied to invoice"
    CREDIT_NOTE = "Credit note"
    REFUND = "Refund to credit"
    MERGE = "Merge transfer"
    REVERSAL = "Reversal"
    OVERPAYMENT = "Overpayment"


class PaymentMethod(StrEnum):
    """How an order is paid: by the card Stripe holds, by a manual method staff record, or
    not upfront at all (a request an admin approves, paid later by invoice)."""

    REQUEST = ""
    CARD = "card"
    MANUAL = "manual"


class Product(Versioned):
    """Something the business sells. A product orders or services use is retired, not deleted."""

    code = peewee.CharField(max_length=40, unique=True)
    """What people and scripts type: FIBRE-1G."""
    name = peewee.CharField(max_length=200)
    type = peewee.CharField(max_length=20)
    description = peewee.TextField(default="")
    orderable = peewee.BooleanField(default=True)
    support_minutes = peewee.IntegerField(default=0)
    retired = peewee.BooleanField(default=False)


class ProductPrice(BaseModel):
    """The price of a product for one billing cycle."""

    product = peewee.ForeignKeyField(Product, backref="prices", on_delete="CASCADE")
    product_id: uuid.UUID
    cycle = peewee.CharField(max_length=20)
    price_cents = money_field()

    class Meta:
        indexes = ((("product", "cycle"), True),)


class Order(Versioned):
    """A request for products: paid upfront through the gateway, or waiting for an admin."""

    number = peewee.BigIntegerField(unique=True)
    client = peewee.ForeignKeyField(Client, backref="orders", on_delete="CASCADE")
    client_id: uuid.UUID
    status = peewee.CharField(max_length=16, default=OrderStatus.PENDING, index=True)
    paid_upfront = peewee.BooleanField(default=False)
    payment_status = peewee.CharField(max_length=16, default=PaymentStatus.NONE)
    paid_at = peewee.DateTimeField(null=True)
    total_cents = money_field()
    start_date = peewee.DateField(null=True)
    decided_by = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    decided_by_id: uuid.UUID | None
    decided_at = peewee.DateTimeField(null=True)
    decision_note = peewee.TextField(default="")
    payment_method = peewee.CharField(max_length=16, default=PaymentMethod.REQUEST)
    payment_intent = peewee.CharField(max_length=64, default="", index=True)
    """The Stripe PaymentIntent of the current attempt, recorded before it is confirmed."""
    payment_attempt = peewee.IntegerField(default=0)
    """How many card attempts were made; part of each attempt's idempotency key."""
    payment_note = peewee.TextField(default="")
    """The gateway's last word: why a card was declined or is waiting."""

    class Meta:
        indexes = ((("status", "number"), False),)


class OrderItem(BaseModel):
    """One product in an order, at the price and cycle agreed."""

    order = peewee.ForeignKeyField(Order, backref="items", on_delete="CASCADE")
    order_id: uuid.UUID
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    product_id: uuid.UUID
    cycle = peewee.CharField(max_length=20)
    price_cents = money_field()
    quantity = peewee.IntegerField(default=1)
    description = peewee.CharField(max_length=300, default="")


class Service(Versioned):
    """A product a client has: a line, a number, a hosting account."""

    client = peewee.ForeignKeyField(Client, backref="services", on_delete="CASCADE")
    client_id: uuid.UUID
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    product_id: uuid.UUID
    order = peewee.ForeignKeyField(Order, null=True, backref="services", on_delete="SET NULL")
    order_id: uuid.UUID | None
    identifier = peewee.CharField(max_length=200, default="", index=True)
    status = peewee.CharField(max_length=16, default=ServiceStatus.PENDING, index=True)
    cycle = peewee.CharField(max_length=20)
    price_cents = money_field()
    start_date = peewee.DateField(null=True)
    next_due_date = peewee.DateField(null=True, index=True)


class Invoice(Versioned):
    """A bill; its addressee is a snapshot taken at issue time."""

    number = peewee.CharField(max_length=20, unique=True)
    client = peewee.ForeignKeyField(Client, backref="invoices", on_delete="CASCADE")
    client_id: uuid.UUID
    order = peewee.ForeignKeyField(Order, null=True, backref="invoices", on_delete="SET NULL")
    order_id: uuid.UUID | None
    status = peewee.CharField(max_length=16, default=InvoiceStatus.UNPAID, index=True)
    issued_on = peewee.DateField()
    due_on = peewee.DateField()
    paid_on = peewee.DateField(null=True)
    total_cents = money_field()
    amount_due_cents = money_field()
    bill_to_name = peewee.CharField(max_length=300, default="")
    bill_to_email = peewee.CharField(max_length=254, default="")
    bill_to_address = peewee.TextField(default="")

    class Meta:
        indexes = ((("client", "issued_on"), False),)


class InvoiceLine(BaseModel):
    """One charge on an invoice; a service's period is billed once (unique index)."""

    invoice = peewee.ForeignKeyField(Invoice, backref="lines", on_delete="CASCADE")
    invoice_id: uuid.UUID
    service = peewee.ForeignKeyField(Service, null=True, on_delete="SET NULL")
    service_id: uuid.UUID | None
    description = peewee.CharField(max_length=300)
    amount_cents = money_field()
    period_start = peewee.DateField(null=True)
    period_end = peewee.DateField(null=True)

    class Meta:
        indexes = ((("service", "period_start"), True),)


class PaymentTransaction(BaseModel):
    """Money received or refunded; income stays when its client is deleted."""

    client = peewee.ForeignKeyField(Client, null=True, backref="payments", on_delete="SET NULL")
    client_id: uuid.UUID | None
    client_name = peewee.CharField(max_length=300)
    invoice = peewee.ForeignKeyField(Invoice, null=True, backref="payments", on_delete="SET NULL")
    invoice_id: uuid.UUID | None
    order = peewee.ForeignKeyField(Order, null=True, on_delete="SET NULL")
    order_id: uuid.UUID | None
    gateway = peewee.CharField(max_length=32)
    method = peewee.CharField(max_length=32, default="")
    reference = peewee.CharField(max_length=200, default="")
    amount_cents = money_field()
    refunded_cents = money_field()
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_id: uuid.UUID | None


class PaymentEvent(peewee.Model):
    """A gateway event (Stripe's event id) already applied: each is applied once."""

    id = peewee.CharField(max_length=255, primary_key=True)
    created_at = peewee.DateTimeField()
    type = peewee.CharField(max_length=80)
    outcome = peewee.TextField(default="")

    class Meta:
        database = db
        table_name = "payment_event"


class CreditEntry(BaseModel):
    """One movement of a client's credit. Append-only: corrections are new entries.

    Money history outlives its client: a merge moves the entry to the kept client (its
    `client_number` still names the ledger it was booked on), a delete detaches it (client None,
    `client_name` kept). `chain_seq`/`chain_hash` place it in the ledger's hash chain."""

    client = peewee.ForeignKeyField(
        Client, null=True, backref="credit_entries", on_delete="SET NULL"
    )
    client_id: uuid.UUID | None
    client_number = peewee.BigIntegerField(default=0)
    """The number of the client whose running balance this entry belongs to (never changes)."""
    client_name = peewee.CharField(max_length=300, default="")
    """The client's name, kept when the client is deleted and the entry detached."""
    kind = peewee.CharField(max_length=24)
    amount_cents = money_field()
    balance_after_cents = money_field()
    description = peewee.TextField(default="")
    invoice = peewee.ForeignKeyField(Invoice, null=True, on_delete="SET NULL")
    invoice_id: uuid.UUID | None
    reverses = peewee.ForeignKeyField("self", null=True, on_delete="SET NULL")
    reverses_id: uuid.UUID | None
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_id: uuid.UUID | None
    chain_seq = peewee.BigIntegerField(null=True, unique=True)
    """Its place in the ledger's hash chain; None until its transaction commits."""
    chain_hash = peewee.CharField(max_length=64, null=True, index=True)
    """SHA-256 of the entry before it and of its own content (deskapp.db.chain)."""

    class Meta:
        indexes = ((("client", "created_at"), False), (("client_number", "id"), False))
