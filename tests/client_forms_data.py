"""Two clients to edit, merge and delete, and the Pilot helpers the client form tests share.

C-1042 (Mina Okafor, Northwind Hosting) has two contacts (Ola the billing contact), an active
service, an invoice paid by hand, a ticket and credit; C-1043 (Mina Okafor, the same person
signed up twice) has a contact, a service, a paid invoice, a ticket and credit. Rows the
services cannot make (services, tickets) go in through the models; the rest through services.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger_helpers import invoice, service
from pilot_helpers import settle
from signed_in import open_as
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input

from deskapp.models import Department, Role, Staff, Ticket
from deskapp.services import credit
from deskapp.services.actors import Actor, actor_from
from deskapp.services.clients import ClientForm, create_client
from deskapp.services.contacts import ContactForm, add_contact
from deskapp.services.invoices import record_manual_payment
from deskapp.services.numbers import reserve_numbers
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.styles_path import stylesheets

SIZE = (120, 36)
"""The terminal every client form test runs in."""


@dataclass(frozen=True)
class FormStory:
    """What the story left behind."""

    kim: Actor
    """An admin."""
    sam: Actor
    """An agent."""
    client_id: uuid.UUID
    """C-1042, Mina Okafor of Northwind Hosting."""
    billing_id: uuid.UUID
    """Ola Okafor, C-1042's billing contact."""
    other_contact_id: uuid.UUID
    """Ben Obi, C-1042's other contact."""
    twin_id: uuid.UUID
    """C-1043, Mina Okafor again (to merge)."""
    service_id: uuid.UUID
    """C-1042's active service."""


def add_form_story() -> FormStory:
    """Staff kim (admin) and sam (agent), C-1042 and C-1043 with some of everything."""
    kim = actor_from(Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN))
    sam = actor_from(Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT))
    support = Department.create(name="Support", sort_order=1)
    reserve_numbers("client", 41)  # C-1001 … C-1041 taken: the story's client is C-1042
    mina = create_client(
        kim,
        ClientForm(
            "Mina",
            "Okafor",
            "mina@northwind.example",
            company="Northwind Hosting",
            phone="+44 20 7946 0958",
            address1="12 Harbour Street",
            city="Leeds",
            postcode="LS1 4AB",
            country="GB",
            notes="Prefers email.\nCall after 10:00.",
        ),
    )
    billing = add_contact(
        kim,
        mina.id,
        ContactForm(
            "Ola",
            "Okafor",
            "ola@northwind.example",
            phone="+44 20 7946 0959",
            position="Finance",
            mail_invoice=True,
            is_billing=True,
        ),
    )
    other = add_contact(
        kim, mina.id, ContactForm("Ben", "Obi", "ben@northwind.example", position="Head of IT")
    )
    fibre = service(mina.id, dt.date(2026, 4, 1), identifier="LINE-0042")
    paid = invoice(kim, mina.id, 4_500)
    record_manual_payment(kim, paid.id, "45.00", "Bank transfer", "TRF 0311")
    credit.add_credit(kim, mina.id, "25.00", "Goodwill for the outage on 2 February")
    first_ticket = reserve_numbers("ticket", 2)
    Ticket.create(
        number=first_ticket,
        client=mina.id,
        contact=billing.id,
        department=support,
        subject="Invoice address",
    )

    twin = create_client(
        sam, ClientForm("Mina", "Okafor", "m.okafor@fastmail.example", city="Leeds")
    )
    add_contact(sam, twin.id, ContactForm("Kay", "Okafor", "kay@fastmail.example"))
    service(twin.id, dt.date(2026, 4, 1), identifier="VOICE-7")
    setup = invoice(sam, twin.id, 1_200)
    record_manual_payment(sam, setup.id, "12.00", "Cash")
    credit.add_credit(sam, twin.id, "10.00", "Prepayment")
    Ticket.create(
        number=first_ticket + 1, client=twin.id, department=support, subject="Second account?"
    )
    return FormStory(kim, sam, mina.id, billing.id, other.id, twin.id, fibre)


class FormHost(App[None]):
    """A bare desk that shows one dialog over an empty screen (snapshots stay independent of
    the screens behind the dialogs)."""

    CSS_PATH = stylesheets()

    def __init__(self, session: DeskSession, dialog: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.session = session
        """Who is signed in, as the dialogs read it."""
        self.dialog = dialog
        """Makes the dialog to show."""

    def on_mount(self) -> None:
        """Show the dialog."""
        self.push_screen(self.dialog())


def desk_as(desk: str, staff: str) -> DeskApp:
    """The desk signed in as kim (admin) or sam (agent)."""
    return DeskApp(open_as(desk, staff))


async def open_dialog(pilot: Pilot[Any], dialog: Screen[Any]) -> list[Any]:
    """Push `dialog`, wait until it has loaded; the list receives what it dismisses."""
    results: list[Any] = []
    await pilot.app.push_screen(dialog, results.append)
    await settle(pilot)
    return results


async def press_button(pilot: Pilot[Any], button: str) -> None:
    """Press a button of the dialog on top and let the work it starts finish."""
    pilot.app.screen.query_one(f"#{button}", Button).press()
    await settle(pilot)


def submit_enabled(pilot: Pilot[Any]) -> bool:
    """Whether the dialog's submit button is on."""
    return not pilot.app.screen.query_one("#submit", Button).disabled


def fill(pilot: Pilot[Any], **values: str) -> None:
    """Type into the dialog's one-line fields by id."""
    for field, value in values.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value


def error_under(pilot: Pilot[Any], field: str) -> str:
    """The sentence under a dialog field ("form" for the form's own line)."""
    return str(pilot.app.screen.query_one(f"#{field}-error").render())
