"""A client with two months of credit history, built through the services on fixed days.

The clock steps through the days and goes back to the frozen test time afterwards, so the
ledger screen, its chart and its snapshots come out the same on every run and both backends.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from ledger_helpers import invoice

from deskapp import clock
from deskapp.models import Client, Role, Staff
from deskapp.services import credit
from deskapp.services.actors import Actor, actor_from
from deskapp.services.invoices import InvoiceSummary
from deskapp.services.numbers import reserve_numbers

HOSTILE = "[bold red]Refund[/] \x1b]0;owned\x07 [@click=app.quit]downtime[/]"
"""A description typed to look like markup and an escape sequence: it must show as typed."""


@dataclass(frozen=True)
class LedgerStory:
    """What the story left behind."""

    client_id: uuid.UUID
    """C-1042, Northwind Hosting (Mina Okafor)."""
    kim: Actor
    """An admin."""
    sam: Actor
    """An agent."""
    invoices: tuple[InvoiceSummary, ...]
    """INV-2026-00001 (Paid by credit), -00002 (70.00 due), -00003 (60.00 due)."""


def _on(day: dt.date) -> None:
    clock.set_clock(clock.frozen_clock(dt.datetime.combine(day, dt.time(10, 15))))


def add_ledger_story() -> LedgerStory:
    """Staff kim (admin) and sam (agent), and C-1042 with entries from January to March 2026.

    Ends with 25.00 credit and two unpaid invoices.
    """
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
    )
    try:
        _on(dt.date(2026, 1, 10))
        credit.add_credit(kim, client.id, "120.00", "Prepayment for the spring migration")
        _on(dt.date(2026, 1, 20))
        first = invoice(kim, client.id, 4_500)
        _on(dt.date(2026, 2, 3))
        credit.add_credit(sam, client.id, "15", "Goodwill for the outage on 2 February")
        _on(dt.date(2026, 2, 18))
        credit.adjust_credit(kim, client.id, "-10", "Duplicate goodwill credit")
        _on(dt.date(2026, 3, 2))
        second = invoice(kim, client.id, 15_000)
        _on(dt.date(2026, 3, 9))
        third = invoice(kim, client.id, 6_000)
        _on(dt.date(2026, 3, 10))
        credit.add_credit(sam, client.id, "25.00", HOSTILE)
    finally:
        clock.set_clock(clock.frozen_clock(back_to))
    return LedgerStory(client.id, kim, sam, (first, second, third))
