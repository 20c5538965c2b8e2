"""A small desk for the lookup and client-screen tests: C-1001 with everything a client screen
shows, a client named with markup and escape sequences, and the shell's dozen clients.

Rows go in through the models and services (tests may); times come from the frozen clock, so
both backends and every run show the same screens.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from ledger_helpers import invoice, service
from shell_data import add_desk

from deskapp.models import Client, ServiceStatus
from deskapp.services.actors import Actor, actor_from
from deskapp.services.contacts import ContactForm, add_contact
from deskapp.services.numbers import next_number

HOSTILE_FIRST = "[@click=app.quit]Eve"
"""A first name that is a Textual action link if parsed as markup."""
HOSTILE_LAST = "Fox\x1b[2J"
"""A last name that clears the screen if it reaches the terminal."""
HOSTILE_COMPANY = "[bold red]x[/]"
"""A company that turns bold red if parsed as markup."""
HOSTILE_CONTACT = "[b]Mallory[/b]\x1b]0;owned\x07"
"""A contact's first name with markup and a terminal-title sequence."""


@dataclass(frozen=True)
class ClientStory:
    """What the story left behind."""

    client_id: uuid.UUID
    """C-1001, Ada Okafor: two contacts, two services, an invoice, a ticket, two orders."""
    hostile_id: uuid.UUID
    """C-1013: named with markup and escape sequences."""
    sam: Actor
    """An agent."""
    kim: Actor
    """An admin."""


def add_client_story() -> ClientStory:
    """The shell's desk (staff sam and kim, C-1001 … C-1012 with tickets, orders, credit), C-1001
    filled in, and a hostile C-1013."""
    desk = add_desk(12)
    sam, kim = (actor_from(row) for row in desk["staff"])  # type: ignore[union-attr]
    first = desk["clients"][0]  # type: ignore[index]
    Client.update(
        phone="+44 20 7946 0018",
        address1="1 Harbour Row",
        city="Leith",
        postcode="EH6 6LX",
        country="GB",
        notes="Prefers email.\nCall after 10:00.",
        support_minutes=210,
    ).where(Client.id == first.id).execute()
    add_contact(
        kim,
        first.id,
        ContactForm(
            "Mina",
            "Okafor",
            "billing@okafor.example",
            position="Accounts",
            mail_invoice=True,
            mail_support=False,
            is_billing=True,
        ),
    )
    add_contact(
        kim,
        first.id,
        ContactForm("Theo", "Brandt", "theo@okafor.example", phone="+44 7700 900123"),
    )
    today = dt.date(2026, 3, 14)
    service(first.id, today + dt.timedelta(days=18), identifier="FTTH-00010001", price_cents=4500)
    service(
        first.id,
        today,
        name="Voice line",
        identifier="+44 131 496 0001",
        status=ServiceStatus.PENDING,
        price_cents=1200,
    )
    invoice(kim, first.id, 5999)
    hostile = Client.create(
        number=next_number("client"),
        first_name=HOSTILE_FIRST,
        last_name=HOSTILE_LAST,
        company=HOSTILE_COMPANY,
        email="eve@hostile.example",
    )
    add_contact(kim, hostile.id, ContactForm(HOSTILE_CONTACT, "Jones", "mallory@hostile.example"))
    return ClientStory(first.id, hostile.id, sam, kim)
