"""The client screen in one call: profile, money, contacts, services, recent invoices, open
tickets and pending orders, each list bounded so a client with years of history stays fast."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import peewee
from peewee import fn

from deskapp.errors import NotFound
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Department,
    Invoice,
    Order,
    OrderStatus,
    Product,
    Service,
    Ticket,
    TicketStatus,
    TimeEntry,
    dict_rows,
)
from deskapp.services.contacts import ContactDetails, list_contacts

LIST_LIMIT = 50
"""The most services, tickets or orders the profile carries; the counts say when there are more."""
RECENT_INVOICES = 10
"""How many of the newest invoices the profile shows."""


@dataclass(frozen=True)
class ServiceBrief:
    """A service of the client, as the profile lists it."""

    id: uuid.UUID
    """The service's key."""
    product: str
    """The product's name."""
    identifier: str
    """The line, number, domain or account the service is known by."""
    status: str
    """Pending, Active, Suspended or Cancelled."""
    cycle: str
    """The billing cycle."""
    price_cents: int
    """The price per cycle in cents."""
    next_due_date: dt.date | None
    """When it is next invoiced."""


@dataclass(frozen=True)
class InvoiceBrief:
    """One of the client's recent invoices."""

    id: uuid.UUID
    """The invoice's key."""
    number: str
    """INV-2026-00017."""
    status: str
    """Unpaid, Paid, Cancelled or Refunded."""
    issued_on: dt.date
    """The issue date."""
    due_on: dt.date
    """The due date."""
    total_cents: int
    """The invoice total in cents."""
    amount_due_cents: int
    """What is still to pay in cents."""


@dataclass(frozen=True)
class TicketBrief:
    """An open ticket of the client."""

    id: uuid.UUID
    """The ticket's key."""
    number: int
    """The ticket number (see `label`)."""
    subject: str
    """The subject as written (untrusted text)."""
    status: str
    """Every status but Completed."""
    priority: str
    """Low, Medium, High or Urgent."""
    department: str
    """The department's name."""
    last_activity_at: dt.datetime
    """When the conversation last moved (UTC)."""

    @property
    def label(self) -> str:
        """T-20311."""
        return format_number("ticket", self.number)


@dataclass(frozen=True)
class OrderBrief:
    """A pending order of the client."""

    id: uuid.UUID
    """The order's key."""
    number: int
    """The order number (see `label`)."""
    total_cents: int
    """The order total in cents."""
    paid_upfront: bool
    """Paid through the gateway (rather than a request waiting for an admin)."""
    payment_status: str
    """None, Successful, Pending or Failed."""
    created_at: dt.datetime
    """When it was placed (UTC)."""

    @property
    def label(self) -> str:
        """O-5531."""
        return format_number("order", self.number)


@dataclass(frozen=True)
class ClientProfile:
    """Everything the client screen shows about one client."""

    id: uuid.UUID
    """The client's key."""
    number: int
    """The client number (see `label`)."""
    version: int
    """Pass back to update_client/change_status: a newer version means someone else changed it."""
    status: str
    """Active, Inactive or Closed."""
    first_name: str
    """First name (untrusted text, as are all the profile's strings)."""
    last_name: str
    """Last name."""
    company: str
    """Company, or empty for a private person."""
    email: str
    """The client's own email."""
    phone: str
    """Phone, may be empty."""
    address1: str
    """Street address."""
    address2: str
    """Second address line."""
    city: str
    """City."""
    region: str
    """State, county or region."""
    postcode: str
    """Postcode."""
    country: str
    """ISO 3166 alpha-2 code, may be empty."""
    notes: str
    """Staff notes (multi-line)."""
    credit_cents: int
    """The credit balance in cents (the sum of the ledger)."""
    support_minutes: int
    """Prepaid support time left, in minutes."""
    support_minutes_used: int
    """Support time logged on the client's tickets, in minutes (what the bought time paid)."""
    created_at: dt.datetime
    """When the client was added (UTC)."""
    updated_at: dt.datetime
    """When the profile last changed (UTC)."""
    contacts: tuple[ContactDetails, ...]
    """The contacts, billing contact first."""
    services: tuple[ServiceBrief, ...]
    """Services, active ones first (at most LIST_LIMIT)."""
    service_count: int
    """How many services the client has in all."""
    recent_invoices: tuple[InvoiceBrief, ...]
    """The newest invoices (at most RECENT_INVOICES)."""
    open_tickets: tuple[TicketBrief, ...]
    """Tickets not completed, latest activity first (at most LIST_LIMIT)."""
    open_ticket_count: int
    """How many tickets are not completed."""
    pending_orders: tuple[OrderBrief, ...]
    """Orders waiting for a decision, oldest first (at most LIST_LIMIT)."""
    pending_order_count: int
    """How many orders are pending."""

    @property
    def label(self) -> str:
        """C-1042."""
        return format_number("client", self.number)

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def support_hours(self) -> float:
        """Prepaid support time left, in hours."""
        return self.support_minutes / 60

    @property
    def support_minutes_bought(self) -> int:
        """All the support time the client bought: what is left plus what was used."""
        return self.support_minutes + self.support_minutes_used


_SERVICE_ORDER = {"Active": 0, "Suspended": 1, "Pending": 2, "Cancelled": 3}


def get_client(client_id: uuid.UUID) -> ClientProfile:
    """The profile of one client, or NotFound."""
    row = Client.get_or_none(Client.id == client_id)
    if row is None:
        raise NotFound("That client no longer exists; it may have been merged or deleted.")
    open_tickets = Ticket.select().where(
        Ticket.client == client_id, Ticket.status != TicketStatus.COMPLETED
    )
    pending_orders = Order.select().where(
        Order.client == client_id, Order.status == OrderStatus.PENDING
    )
    return ClientProfile(
        id=row.id,
        number=row.number,
        version=row.version,
        status=row.status,
        first_name=row.first_name,
        last_name=row.last_name,
        company=row.company,
        email=row.email,
        phone=row.phone,
        address1=row.address1,
        address2=row.address2,
        city=row.city,
        region=row.region,
        postcode=row.postcode,
        country=row.country,
        notes=row.notes,
        credit_cents=row.credit_cents,
        support_minutes=row.support_minutes,
        support_minutes_used=_support_minutes_used(client_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
        contacts=tuple(list_contacts(client_id)),
        services=_services(client_id),
        service_count=Service.select().where(Service.client == client_id).count(),
        recent_invoices=_invoices(client_id),
        open_tickets=_tickets(client_id),
        open_ticket_count=open_tickets.count(),
        pending_orders=tuple(
            OrderBrief(
                o.id, o.number, o.total_cents, o.paid_upfront, o.payment_status, o.created_at
            )
            for o in pending_orders.order_by(Order.created_at, Order.id).limit(LIST_LIMIT)
        ),
        pending_order_count=pending_orders.count(),
    )


def _support_minutes_used(client_id: uuid.UUID) -> int:
    """The minutes logged on the client's tickets, in one aggregate query."""
    used = (
        TimeEntry.select(fn.COALESCE(fn.SUM(TimeEntry.minutes), 0))
        .join(Ticket)
        .where(Ticket.client == client_id)
        .scalar()
    )
    return int(used)


def _services(client_id: uuid.UUID) -> tuple[ServiceBrief, ...]:
    rows = (
        Service.select(Service, Product.name.alias("product_name"))
        .join(Product)
        .where(Service.client == client_id)
        .order_by(
            peewee.Case(Service.status, tuple(_SERVICE_ORDER.items()), 9),
            Service.created_at.desc(),
            Service.id.desc(),
        )
        .limit(LIST_LIMIT)
    )
    return tuple(
        ServiceBrief(
            s["id"],
            s["product_name"],
            s["identifier"],
            s["status"],
            s["cycle"],
            s["price_cents"],
            s["next_due_date"],
        )
        for s in dict_rows(rows)
    )


def _invoices(client_id: uuid.UUID) -> tuple[InvoiceBrief, ...]:
    rows = (
        Invoice.select()
        .where(Invoice.client == client_id)
        .order_by(Invoice.issued_on.desc(), Invoice.id.desc())
        .limit(RECENT_INVOICES)
    )
    return tuple(
        InvoiceBrief(
            i.id, i.number, i.status, i.issued_on, i.due_on, i.total_cents, i.amount_due_cents
        )
        for i in rows
    )


def _tickets(client_id: uuid.UUID) -> tuple[TicketBrief, ...]:
    rows = (
        Ticket.select(Ticket, Department.name.alias("department_name"))
        .join(Department)
        .where(Ticket.client == client_id, Ticket.status != TicketStatus.COMPLETED)
        .order_by(Ticket.last_activity_at.desc(), Ticket.id.desc())
        .limit(LIST_LIMIT)
    )
    return tuple(
        TicketBrief(
            t["id"],
            t["number"],
            t["subject"],
            t["status"],
            t["priority"],
            t["department_name"],
            t["last_activity_at"],
        )
        for t in dict_rows(rows)
    )
