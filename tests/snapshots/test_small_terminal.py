"""Snapshots at 80x24, the size an SSH session gets by default, on the demo desk (SQLite, frozen
time): each area's list, the client screen, the ticket screen with the composer open, and each
dialog not pictured at 80x24 elsewhere (the order decisions, the cart, the catalogue's product
form, the staff form, sign-in and the outbox's mail have their own files).

What to look for in each picture: the footer starts with `esc` and `?` (`f1` in a text field),
a list keeps its number, name or subject and status columns, and a dialog's buttons show.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from outbox_mail_data import failed_reply
from pilot_helpers import settle
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from deskapp.money import Money
from deskapp.services.clients import find_client_by_number
from deskapp.services.contacts import list_contacts
from deskapp.services.conversation import (
    client_messages_since,
    find_ticket,
    record_client_message,
    writing_mark,
)
from deskapp.services.credit import add_credit
from deskapp.services.session import DeskSession
from deskapp.services.ticket_work import propose_estimate
from screens.app import DeskApp
from screens.catalogue_list import CatalogueScreen
from screens.client_delete import DeleteClientDialog
from screens.client_detail import ClientScreen
from screens.client_ledger import ClientLedgerScreen
from screens.contact_form import DeleteContactDialog
from screens.new_messages_dialog import NewMessagesDialog
from screens.outbox_list import OutboxScreen
from screens.staff_list import StaffScreen
from screens.ticket_detail import TicketScreen

SIZE = (80, 24)

CLIENT = "C-1002"
"""A client of the demo (the fixture gives it a credit entry)."""
TICKET = "T-20046"
"""A conversation of the demo (the fixture proposes an estimate on it)."""

Step = str | Callable[[], Screen[Any]]
"""A key to press, or a screen to push (made when the step runs)."""


def _client_id() -> Any:
    found = find_client_by_number(CLIENT)
    assert found is not None
    return found.id


def client_screen() -> Screen[Any]:
    """The client screen of CLIENT."""
    return ClientScreen(_client_id())


def client_ledger() -> Screen[Any]:
    """The credit ledger of CLIENT."""
    return ClientLedgerScreen(_client_id())


def ticket_screen() -> Screen[Any]:
    """The ticket screen of TICKET."""
    return TicketScreen(find_ticket(TICKET).id)


def delete_contact() -> Screen[Any]:
    """The question before deleting CLIENT's second contact."""
    contact = list_contacts(_client_id())[-1]
    return DeleteContactDialog(contact.id, contact.name)


def new_messages() -> Screen[Any]:
    """The question when the client wrote while a reply was being written."""
    ticket = find_ticket(TICKET)
    mark = writing_mark(ticket.id)
    record_client_message(ticket.id, "Actually it is six mailboxes, not five.")
    record_client_message(ticket.id, "And one of them is shared by the whole office.")
    return NewMessagesDialog(client_messages_since(mark))


def outbox() -> Screen[Any]:
    """The outbox, holding a reply that failed (tests/outbox_mail_data.py)."""
    failed_reply()
    return OutboxScreen()


def at_80x24(*steps: Step, text: str = "") -> Callable[[Pilot[None]], Awaitable[None]]:
    """Take `steps` (settling after each), type `text` into the composer, hold cursors still."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                await pilot.app.push_screen(step())
            await settle(pilot)
        screen = pilot.app.screen
        for field in screen.query(Input):
            field.cursor_blink = False
        for area in screen.query(TextArea):
            area.cursor_blink = False
        if text:
            screen.query_one("#composer-text", TextArea).insert(text)
        await settle(pilot)

    return run


@pytest.fixture
def desk(demo_session: DeskSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeskSession]:
    """The demo desk with a credit entry on CLIENT (to reverse) and an estimate proposed on
    TICKET (to answer); the home folder is /home/kim on screen (the export dialog shows it)."""
    monkeypatch.setenv("HOME", "/home/kim")
    actor = demo_session.actor
    add_credit(actor, _client_id(), Money(2500), "Goodwill for the outage")
    propose_estimate(actor, find_ticket(TICKET).id, "Move the six mailboxes", 12000, 90)
    yield demo_session


def snap(snap_compare: Any, session: DeskSession, *steps: Step, text: str = "") -> bool:
    """The picture of the desk at 80x24 after `steps`."""
    run = at_80x24(*steps, text=text)
    return bool(snap_compare(DeskApp(session), terminal_size=SIZE, run_before=run))


AREAS = {
    "clients": (),
    "tickets": ("2",),
    "orders": ("3",),
    "ledger": ("4",),
}


class TestAreasAt80x24:
    """Each area's list: the columns an agent needs, the rest given way."""

    @pytest.mark.parametrize("area", list(AREAS))
    def test_area_list(self, snap_compare, desk: DeskSession, area: str) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, *AREAS[area])

    def test_client_screen(self, snap_compare, desk: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, client_screen)

    def test_client_ledger(self, snap_compare, desk: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, client_ledger)

    def test_ticket_with_the_composer(self, snap_compare, desk: DeskSession) -> None:  # type: ignore[no-untyped-def]
        text = "Hello,\n\nWe can do it on Saturday morning."
        assert snap(snap_compare, desk, ticket_screen, "r", text=text)

    def test_key_list(self, snap_compare, desk: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, "2", "question_mark")


CLIENT_DIALOGS = {
    "edit": (client_screen, "e"),
    "status": (client_screen, "s"),
    "add_contact": (client_screen, "c"),
    "merge": (client_screen, "M"),
    "delete": (lambda: DeleteClientDialog(_client_id()),),
    "delete_contact": (delete_contact,),
    "add_credit": (client_ledger, "a"),
    "adjust_credit": (client_ledger, "d"),
    "reverse_entry": (client_ledger, "v"),
    "apply_credit": (client_ledger, "p"),
    "manual_payment": (client_ledger, "m"),
    "export_ledger": (client_ledger, "e"),
}

TICKET_DIALOGS = {
    "status": (ticket_screen, "s"),
    "priority": (ticket_screen, "p"),
    "assign": (ticket_screen, "a"),
    "tags": (ticket_screen, "t"),
    "subscribers": (ticket_screen, "u"),
    "propose_estimate": (ticket_screen, "e"),
    "answer_estimate": (ticket_screen, "E"),
    "log_time": (ticket_screen, "l"),
    "merge": (ticket_screen, "m"),
    "canned_reply": (ticket_screen, "r", "ctrl+r"),
    "attach_file": (ticket_screen, "r", "ctrl+f"),
    "new_messages": (ticket_screen, new_messages),
    "new_ticket": ("2", "n"),
    "department_picker": ("2", "d"),
}

ADMIN_DIALOGS = {
    "staff_role": (StaffScreen, "o"),
    "staff_password": (StaffScreen, "p"),
    "staff_disable": (StaffScreen, "d"),
    "mail_send_again": (outbox, "s"),
    "mail_discard": (outbox, "x"),
    "retire_product": (CatalogueScreen, "r"),
    "delete_product": (CatalogueScreen, "x"),
}


class TestDialogsAt80x24:
    """Every dialog fits 80x24 or scrolls its fields, its buttons in reach."""

    @pytest.mark.parametrize("dialog", list(CLIENT_DIALOGS))
    def test_client_dialog(self, snap_compare, desk: DeskSession, dialog: str) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, *CLIENT_DIALOGS[dialog])

    @pytest.mark.parametrize("dialog", list(TICKET_DIALOGS))
    def test_ticket_dialog(self, snap_compare, desk: DeskSession, dialog: str) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, *TICKET_DIALOGS[dialog])

    @pytest.mark.parametrize("dialog", list(ADMIN_DIALOGS))
    def test_admin_dialog(self, snap_compare, desk: DeskSession, dialog: str) -> None:  # type: ignore[no-untyped-def]
        assert snap(snap_compare, desk, *ADMIN_DIALOGS[dialog])
