"""A client with two invoices to open as documents, built through the services on fixed days.

INV-2026-00001 (144.00: two lines, 20.00 of credit applied, a 50.00 bank transfer with its
reference; 74.00 due) and INV-2026-00002 (60.00, paid in cash). The clock steps through the days
and goes back to the frozen test time afterwards, so screens and snapshots come out the same on
every run and both backends.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from ledger_helpers import order

from deskapp import clock
from deskapp.models import Client, Role, Staff
from deskapp.services import credit, invoices
from deskapp.services.actors import Actor, actor_from
from deskapp.services.invoices import InvoiceSummary, issue_invoice_for_order
from deskapp.services.numbers import reserve_numbers


@dataclass(frozen=True)
class InvoiceStory:
    """What the story left behind."""

    client_id: uuid.UUID
    """C-1042, Northwind Hosting (Mina Okafor); 0.00 credit at the end."""
    kim: Actor
    """An admin."""
    sam: Actor
    """An agent."""
    unpaid: InvoiceSummary
    """INV-2026-00001: 144.00, 74.00 due."""
    paid: InvoiceSummary
    """INV-2026-00002: 60.00, Paid in cash."""


def _on(day: dt.date) -> None:
    clock.set_clock(clock.frozen_clock(dt.datetime.combine(day, dt.time(9, 30))))


def add_invoice_story() -> InvoiceStory:
    """Staff kim (admin) and sam (agent), C-1042 and its two invoices (March 2026)."""
    back_to = clock.now()
    kim = actor_from(Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN))
    sam = actor_from(Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT))
    reserve_numbers("client", 41)  # C-1001 … C-1041 taken: the story's client is C-1042
    client = Client.create(
        number=reserve_numbers("client", 1),
        first_name="Mina",
        last_name="Okafor",
        company="Northwind Hosting",
        email="billing@northwind.example",
        address1="Harbour Street 12",
        postcode="411 04",
        city="Göteborg",
        country="SE",
    )
    try:
        _on(dt.date(2026, 3, 1))
        credit.add_credit(sam, client.id, "20.00", "Prepayment")
        _on(dt.date(2026, 3, 2))
        unpaid = issue_invoice_for_order(
            kim,
            order(client.id, ("Fibre 500 installation", 9_900, 1), ("Voice line", 1_500, 3)),
        )
        _on(dt.date(2026, 3, 9))
        invoices.record_manual_payment(sam, unpaid.id, "50.00", "Bank transfer", "NW-2026-0312")
        _on(dt.date(2026, 3, 10))
        paid = issue_invoice_for_order(kim, order(client.id, ("Static IP address", 6_000, 1)))
        invoices.record_manual_payment(sam, paid.id, "60.00", "Cash")
    finally:
        clock.set_clock(clock.frozen_clock(back_to))
    return InvoiceStory(
        client.id,
        kim,
        sam,
        invoices.get_invoice(unpaid.id).summary,
        invoices.get_invoice(paid.id).summary,
    )
