"""The new-ticket form through Pilot (the demo desk, signed in as sam): the client lookup, the
department's own fields, refusals at their field, and the ticket it opens; snapshots of the
form for Billing and for Outage (SQLite, frozen time).

Update the snapshots with `pytest tests/test_ticket_new_ui.py --snapshot-update`, then look at
the SVGs in tests/__snapshots__/ before accepting them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import choose, offered, screen_text, settle, use_tmp_user_dirs
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TextArea
from ticket_ui_data import SIZE, demo_desk, go_to_queue, sqlite_demo, the_queue

from deskapp.models import Client, ClientStatus, Ticket
from deskapp.services.clients import ClientSummary, list_clients
from deskapp.services.contacts import list_contacts
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.ticket_list import TicketListScreen
from screens.ticket_new import NewTicketScreen
from screens.widgets.client_lookup import ClientLookup


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences and logs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)


@pytest.fixture
def session(desk: str) -> DeskSession:
    """The demo desk on each backend, signed in as sam."""
    return demo_desk(desk)


@pytest.fixture
def local(tmp_path: Path, frozen_time: dt.datetime) -> Iterator[DeskSession]:
    """The demo desk on SQLite only, as sam (for what the form itself does, and snapshots)."""
    yield from sqlite_demo(tmp_path)


def client_with_contacts() -> ClientSummary:
    """The first Active demo client with two contacts or more."""
    for client in list_clients("Active", None, 50):
        if len(list_contacts(client.id)) >= 2:
            return client
    raise AssertionError("the demo has no client with two contacts")


def form(pilot: Pilot[None]) -> NewTicketScreen:
    """The new-ticket form on screen."""
    screen = pilot.app.screen
    assert isinstance(screen, NewTicketScreen)
    return screen


async def open_form(pilot: Pilot[None]) -> NewTicketScreen:
    """From the queue, `n`."""
    await go_to_queue(pilot)
    await pilot.press("n")
    await settle(pilot)
    return form(pilot)


async def choose_department(pilot: Pilot[None], name: str) -> None:
    """Pick the department `name` in its Select."""
    dialog = form(pilot)
    department = next(d for d in dialog.departments if d.name == name)
    dialog.query_one("#department", Select).value = department.id.hex
    await settle(pilot)


def shown_extras(dialog: NewTicketScreen) -> list[tuple[str, str]]:
    """(widget id, label) of the extra fields on show."""
    shown = []
    for widget in dialog.query(".extra-field Input").results(Input):
        if widget.parent is not None and widget.parent.parent is not None:
            if widget.parent.parent.display:
                label = widget.parent.query_one(".field-label", Static)
                shown.append((str(widget.id), str(label.render())))
    return shown


async def fill(pilot: Pilot[None], client: str, subject: str, body: str) -> None:
    """Type the client's number (Enter picks it), the subject and the request."""
    await pilot.click("#client")
    await pilot.press(*client, "enter")
    await settle(pilot)
    dialog = form(pilot)
    dialog.query_one("#subject", Input).value = subject
    dialog.query_one("#body", TextArea).text = body


async def test_choosing_a_department_shows_exactly_its_fields(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        names = [d.name for d in dialog.departments]
        assert names[:3] == ["Support", "Billing", "Outage"]
        assert shown_extras(dialog) == []  # Support asks for nothing more
        await choose_department(pilot, "Billing")
        assert shown_extras(dialog) == [("extra_1_invoice_number", "Invoice number *")]
        await choose_department(pilot, "Outage")
        assert shown_extras(dialog) == [
            ("extra_2_affected_service", "Affected service *"),
            ("extra_2_down_since", "Down since (optional)"),
        ]
        text = screen_text(pilot)
        assert "Affected service *" in text and "Invoice number" not in text
        await choose_department(pilot, "Support")
        assert shown_extras(dialog) == []


async def test_a_missing_required_field_is_named_at_the_field(session: DeskSession) -> None:
    client = client_with_contacts()
    before = Ticket.select().count()
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        await fill(pilot, client.label, "Charged twice", "I was charged twice in March.")
        assert dialog.client is not None and dialog.client.id == client.id
        await choose_department(pilot, "Billing")
        await pilot.click("#submit")
        await settle(pilot)
        error = dialog.query_one("#extra_1_invoice_number-error", Static)
        assert error.has_class("-shown")
        assert str(error.render()) == "Billing needs the invoice number."
        assert pilot.app.focused is dialog.query_one("#extra_1_invoice_number", Input)
        assert Ticket.select().count() == before
        dialog.query_one("#subject", Input).value = ""
        dialog.query_one("#extra_1_invoice_number", Input).value = "INV-2026-00001"
        await pilot.click("#submit")
        await settle(pilot)
        assert not error.has_class("-shown")  # the earlier sentence is gone ...
        assert dialog.query_one("#subject-error", Static).has_class("-shown")  # ... this one is
        assert Ticket.select().count() == before


async def test_a_valid_form_opens_the_ticket(session: DeskSession) -> None:
    from screens.ticket_detail import TicketScreen

    client = client_with_contacts()
    contact = list_contacts(client.id)[1]
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        await fill(pilot, client.label, "Line down [b]since[/b] 8:00", "No sync light.\nHelp!")
        await choose_department(pilot, "Outage")
        dialog.query_one("#contact", Select).value = contact.id.hex
        dialog.query_one("#priority", Select).value = "Urgent"
        dialog.query_one("#extra_2_affected_service", Input).value = "FTTH-0001"
        await settle(pilot)
        await pilot.click("#submit")
        await settle(pilot)
        ticket = Ticket.select().order_by(Ticket.number.desc()).first()
        assert ticket.subject == "Line down [b]since[/b] 8:00" and ticket.client_id == client.id
        assert (ticket.contact_id, ticket.priority, ticket.status) == (contact.id, "Urgent", "Open")
        assert json.loads(ticket.extra) == {"affected_service": "FTTH-0001"}
        screen = pilot.app.screen
        assert isinstance(screen, TicketScreen) and screen.ticket_id == ticket.id
        pilot.app.pop_screen()
        await settle(pilot)
        queue = the_queue(pilot)
        assert queue.records.records[0].id == ticket.id  # newest activity: on top


async def test_the_lookup_finds_by_name_and_offers_the_clients_contacts(
    local: DeskSession,
) -> None:
    client = client_with_contacts()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        await pilot.press(*client.email)
        await settle(pilot)
        hits = dialog.query_one(ClientLookup).hits
        assert hits and hits[0].id == client.id
        assert client.email in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert dialog.client is not None and dialog.client.id == client.id
        assert f"For {client.label}" in screen_text(pilot)
        contacts = dialog.query_one("#contact", Select)
        assert pilot.app.focused is contacts
        theirs = list_contacts(client.id)
        assert offered(contacts) == [f"{c.name} <{c.email}>" for c in theirs]
        await choose(pilot, contacts, offered(contacts)[-1])
        assert contacts.value == theirs[-1].id.hex  # each line stands for its contact
        await pilot.click("#client")
        await pilot.press("end", "backspace")  # changing the text lets the client go again
        await settle(pilot)
        assert dialog.client is None and "No client chosen yet." in screen_text(pilot)


async def test_enter_on_the_chosen_client_goes_on_and_keeps_it(local: DeskSession) -> None:
    client = client_with_contacts()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        await fill(pilot, client.label, "", "")
        lookup = dialog.query_one(ClientLookup)
        assert lookup.box.value == client.label and not lookup.hits
        lookup.box.focus()
        await pilot.press("enter")  # the chosen client's number: nothing to pick, go on
        await settle(pilot)
        assert dialog.client is not None and dialog.client.id == client.id
        assert pilot.app.focused is dialog.query_one("#contact", Select)
        assert not lookup.matches.display  # the list stays away


async def test_a_clients_list_opens_the_form_for_that_client(local: DeskSession) -> None:
    client = client_with_contacts()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(TicketListScreen(client.id, client.label))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = form(pilot)
        assert dialog.client is not None and dialog.client.id == client.id
        assert pilot.app.focused is dialog.query_one("#subject", Input)


async def test_a_closed_client_is_refused_at_the_client(local: DeskSession) -> None:
    closed = Client.select().where(Client.status == ClientStatus.CLOSED).first()
    label = f"C-{closed.number}"
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        dialog = await open_form(pilot)
        await fill(pilot, label, "Reopen my account", "Please.")
        await pilot.click("#submit")
        await settle(pilot)
        error = dialog.query_one("#client-error", Static)
        assert error.has_class("-shown") and f"{label} is Closed" in str(error.render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TicketListScreen)


# -- snapshots ----------------------------------------------------------------------------


def form_for(department: str) -> Callable[[Pilot[None]], object]:
    """Open the form from the queue, pick C-1004, the department, and type a subject."""

    async def run(pilot: Pilot[None]) -> None:
        await open_form(pilot)
        await fill(pilot, "C-1004", "Charged twice this month", "Hello,\nI was charged twice.")
        await choose_department(pilot, department)
        dialog = form(pilot)
        dialog.query_one("#subject", Input).focus()
        for box in dialog.query(Input).results(Input):
            box.cursor_blink = False
        await settle(pilot)

    return run


class TestNewTicketSnapshots:
    """The form as a support person fills it in, for a department with one required field and
    for one with a required and an optional field."""

    def test_billing(self, snap_compare, local: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(local)
        assert snap_compare(app, terminal_size=SIZE, run_before=form_for("Billing"))

    def test_outage(self, snap_compare, local: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(local)
        assert snap_compare(app, terminal_size=SIZE, run_before=form_for("Outage"))
