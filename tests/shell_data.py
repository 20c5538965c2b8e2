"""Small deterministic desk data for the app-shell tests: staff, clients, tickets, orders, credit.

Rows go in through the models (tests may; screens may not). Times are fixed offsets from the
frozen clock, so every run and both backends show the same lists.
"""

from __future__ import annotations

import datetime as dt

from deskapp import clock
from deskapp.models import (
    Client,
    CreditEntry,
    CreditKind,
    Department,
    Order,
    OrderStatus,
    PaymentStatus,
    Priority,
    Role,
    Staff,
    Ticket,
    TicketStatus,
)
from deskapp.services.numbers import reserve_numbers

FIRST_NAMES = ("Ada", "Bram", "Chidi", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivo", "Jun")
LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Kowalski", "Silva")
COMPANIES = ("", "Northwind Hosting", "Blue Fjord ISP", "", "Kestrel Networks", "Acme Lines")
STATUSES = ("Active", "Active", "Active", "Inactive", "Closed")


def add_clients(count: int, *, first_name: str | None = None) -> list[Client]:
    """Insert `count` clients with numbers C-1001 onwards (or after the last one)."""
    first = reserve_numbers("client", count)
    rows = []
    for offset in range(count):
        number = first + offset
        rows.append(
            Client(
                number=number,
                status=STATUSES[offset % len(STATUSES)],
                first_name=first_name or FIRST_NAMES[offset % len(FIRST_NAMES)],
                last_name=LAST_NAMES[offset % len(LAST_NAMES)],
                company=COMPANIES[offset % len(COMPANIES)],
                email=f"client{number}@example.net",
                credit_cents=(offset * 1250) % 20000,
            )
        )
    Client.bulk_create(rows, batch_size=200)
    return list(Client.select().where(Client.number >= first).order_by(Client.number))


def add_desk(clients: int = 12) -> dict[str, object]:
    """Staff sam and kim, two departments, clients, and tickets, orders and credit for them."""
    now = clock.now()
    sam = Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT)
    kim = Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN)
    support = Department.create(name="Support", sort_order=1)
    orders_department = Department.get(Department.name == "Orders")  # migration 0006 made it
    people = add_clients(clients)
    ticket_statuses = (
        TicketStatus.OPEN,
        TicketStatus.CUSTOMER_REPLY,
        TicketStatus.IN_PROGRESS,
        TicketStatus.COMPLETED,
    )
    first_ticket = reserve_numbers("ticket", 8)
    for index in range(8):
        status = ticket_statuses[index % len(ticket_statuses)]
        Ticket.create(
            number=first_ticket + index,
            client=people[index % len(people)],
            department=support if index % 3 else orders_department,
            subject=f"Line {index + 1} drops every evening",
            priority=(Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT)[index % 4],
            status=status,
            assignee=(sam, kim, None)[index % 3],
            last_activity_at=now - dt.timedelta(hours=index * 5),
            waiting_since=(
                None
                if status == TicketStatus.COMPLETED
                else now - dt.timedelta(hours=index * 7 + 1)
            ),
        )
    first_order = reserve_numbers("order", 5)
    for index in range(5):
        Order.create(
            number=first_order + index,
            client=people[index],
            status=OrderStatus.PENDING if index % 2 == 0 else OrderStatus.ACTIVE,
            paid_upfront=index % 2 == 1,
            payment_status=PaymentStatus.SUCCESSFUL if index % 2 else PaymentStatus.NONE,
            total_cents=1999 * (index + 1),
            created_at=now - dt.timedelta(days=index),
        )
    balance = 0
    for index, (kind, cents) in enumerate(
        ((CreditKind.ADDED, 5000), (CreditKind.APPLIED, -1999), (CreditKind.CREDIT_NOTE, 433))
    ):
        balance += cents
        CreditEntry.create(
            client=people[0],
            kind=kind,
            amount_cents=cents,
            balance_after_cents=balance,
            description=("Goodwill for the outage", "Applied to INV-2026-00001", "Unused days")[
                index
            ],
            created_at=now - dt.timedelta(days=3 - index),
            staff=kim,
        )
    Client.update(credit_cents=balance).where(Client.id == people[0].id).execute()
    return {"staff": (sam, kim), "clients": people}
