"""The app shell through Pilot, on SQLite and PostgreSQL: areas, paging, keys, palette, errors,
themes and the connection light."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import peewee
import pytest
from pilot_helpers import notices, palette_hit, screen_text, settle, wait_for
from shell_data import add_clients, add_desk
from signed_in import open_as
from textual.command import CommandPalette
from textual.pilot import Pilot

from deskapp import clock
from deskapp.db import db
from deskapp.ids import uuid7
from deskapp.models import CreditEntry, CreditKind, Department, Ticket, TicketStatus
from deskapp.services import preferences
from deskapp.services.client_profile import get_client
from deskapp.services.connection import database_reachable
from deskapp.services.ledger import LedgerEntry, list_entries
from deskapp.services.numbers import reserve_numbers
from deskapp.services.orders import list_orders
from deskapp.services.session import DeskSession
from deskapp.services.tickets import QueueFilter, TicketSummary, list_queue
from screens.app import DeskApp, desk_app
from screens.client_detail import ClientScreen
from screens.client_list import ClientListScreen
from screens.commands import desk_commands
from screens.keys import KeysScreen
from screens.ledger_list import LedgerListScreen
from screens.ticket_list import TicketListScreen
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.record_table import RecordTable

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences and logs go under tmp_path, never into the real home."""
    for variable, folder in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(variable, str(tmp_path / folder))
    return tmp_path


@pytest.fixture
def session(desk: str) -> Iterator[DeskSession]:
    """A desk with a dozen clients, tickets, orders and credit, opened as `deskapp` opens it (a
    local desk as its OS user, pinned to "admin"; a shared one signed in as its first admin)."""
    add_desk(12)
    yield open_as(desk)


def table(pilot: Pilot[None]) -> RecordTable[object]:
    """The current area's record table."""
    return pilot.app.screen.query_one("#records", RecordTable)


async def test_first_screen_lists_clients_by_number(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert pilot.app.current_mode == "clients"
        assert "C-1001" in text and "C-1012" in text
        assert "Showing all 12 clients." in text
        signed_in = "Desk admin (admin)" if session.mode == "local" else "Kim Adler (admin)"
        assert signed_in in text
        assert f"{session.mode} · {session.database.label}" in text


async def test_number_keys_switch_areas_and_each_shows_its_data(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        text = screen_text(pilot)
        assert pilot.app.current_mode == "tickets"
        assert "T-20001" in text and "Line 1 drops every eveni…" in text
        assert "T-20004" not in text  # completed: not in the Open view
        assert "Showing all 6 open tickets." in text

        await pilot.press("3")
        await settle(pilot)
        text = screen_text(pilot)
        assert pilot.app.current_mode == "orders"
        assert "O-5001" in text and "O-5005" in text and "O-5002" not in text  # pending only
        assert "39.98" not in text and "59.97" in text

        await pilot.press("4")
        await settle(pilot)
        text = screen_text(pilot)
        assert pilot.app.current_mode == "ledger"
        assert "Goodwill for the" in text and "Credit note" in text
        assert "34.34" in text  # the balance after the newest entry

        await pilot.press("escape")  # on an area's list escape goes to no other area
        await settle(pilot)
        assert pilot.app.current_mode == "ledger"
        assert isinstance(pilot.app.screen, LedgerListScreen)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # no backend behaviour here
async def test_number_keys_go_to_the_areas_list_not_what_was_open_there(
    session: DeskSession,
) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")  # the second client, on its own screen
        await settle(pilot)
        client = pilot.app.screen
        assert isinstance(client, ClientScreen)
        await pilot.press("2")
        await settle(pilot)
        assert pilot.app.current_mode == "tickets"
        assert isinstance(pilot.app.screen, TicketListScreen)

        await pilot.press("1")  # "Clients" is the client list, not the client left open
        await settle(pilot)
        assert pilot.app.current_mode == "clients"
        assert isinstance(pilot.app.screen, ClientListScreen)
        assert len(pilot.app.screen_stack) == 1 and not client.is_attached
        assert table(pilot).cursor_row == 1  # the list kept its place

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientScreen)
        await pilot.press("1")  # within the area too: back to its list
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientListScreen)


async def test_filter_narrows_the_list(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "shift+tab")  # `/` focuses the search; the choice is before it
        assert isinstance(pilot.app.focused, ChoiceBar)
        await pilot.press("right", "right", "l")  # All -> Active -> Inactive -> Closed
        await settle(pilot)
        statuses = {record.status for record in table(pilot).records}
        assert statuses == {"Closed"}
        assert "Showing all 2 closed clients." in screen_text(pilot)
        await pilot.press("escape")
        assert pilot.app.focused is table(pilot)
        await pilot.click(ChoiceBar, offset=(1, 0))  # "All"
        await settle(pilot)
        assert "Showing all 12 clients." in screen_text(pilot)


async def test_j_and_k_move_and_paging_loads_more_near_the_end(desk: str) -> None:
    add_clients(120)
    session = open_as(desk)
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        records = table(pilot)
        if session.mode == "local":
            # A local desk reads its first rows at once, as many as the terminal has lines,
            # and the next page right after they are drawn.
            assert records.row_count == SIZE[1] + records.page_size and not records.complete
        else:
            assert records.row_count == records.page_size == 50 and not records.complete
        await pilot.press("j", "j", "k")
        assert records.cursor_row == 1
        if session.mode != "local":
            await pilot.press("ctrl+end")
            await settle(pilot)
            assert records.row_count == 100
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert records.row_count == 120 and records.complete
        numbers = [record.number for record in records.records]
        assert numbers == sorted(numbers) and len(set(numbers)) == 120
        assert "Showing all 120 clients." in screen_text(pilot)


async def test_question_mark_lists_the_keys(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, KeysScreen)
        described = {key.description for key in pilot.app.screen.keys}
        assert {"Search", "Refresh", "Tickets", "Orders", "Ledger", "Theme", "Next"} <= described
        assert "Find a client by name" in screen_text(pilot)
        await pilot.press("escape")
        assert not isinstance(pilot.app.screen, KeysScreen)


async def test_palette_offers_navigation_and_runs_it(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in desk_commands(pilot.app.screen)]
        assert {"Tickets", "Orders", "Ledger", "Search", "Refresh", "Theme", "Keys"} <= set(titles)
        assert "Clients" not in titles  # where we are: check_action dims it
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"Ledger")
        await wait_for(pilot, lambda: "Ledger" in palette_hit(pilot), what="the palette's hit")
        assert "Go to the credit ledger." in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.current_mode == "ledger"


async def test_a_desk_error_in_a_worker_is_shown_and_the_app_goes_on(
    session: DeskSession,
) -> None:
    async with DeskApp(session).run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        pilot.app.screen.run_worker(
            partial(get_client, uuid.uuid4()), thread=True, exit_on_error=False
        )
        await settle(pilot)
        assert notices(pilot) == [
            "That client no longer exists; it may have been merged or deleted."
        ]
        assert "That client no longer exists" in screen_text(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert pilot.app.is_running and pilot.app.current_mode == "tickets"


async def test_an_unexpected_error_is_logged_and_shown_briefly(
    session: DeskSession, user_dirs: Path
) -> None:
    async with DeskApp(session).run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        pilot.app.run_worker(partial(list_orders, "no such view"), thread=True, exit_on_error=False)
        await settle(pilot)
        (notice,) = notices(pilot)
        assert notice.startswith("Something went wrong (ValueError)")
        assert pilot.app.is_running
    logs = list((user_dirs / "state").rglob("deskapp.log"))
    assert logs and "ValueError: unknown order view" in logs[0].read_text()


async def test_theme_choice_is_remembered(session: DeskSession) -> None:
    async with desk_app(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pilot.app.theme != "nord"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"nord", "enter")
        await settle(pilot)
        assert pilot.app.theme == "nord"
    assert preferences.saved_theme() == "nord"
    assert desk_app(session).theme == "nord"


async def test_header_shows_the_connection_state(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.check_connection()
        await settle(pilot)
        assert pilot.app.database_reachable is True
        assert "● connected" in screen_text(pilot)
        pilot.app.database_reachable = False
        await pilot.pause()
        assert "○ reconnecting" in screen_text(pilot)


def test_database_reachable_answers_false_when_the_database_is_gone(
    desk: str, tmp_path: Path
) -> None:
    assert database_reachable() is True
    opened = db.obj
    db.initialize(peewee.SqliteDatabase(str(tmp_path / "gone" / "desk.db")))
    try:
        assert database_reachable() is False
    finally:
        db.initialize(opened)
    assert database_reachable() is True


def test_ticket_queue_pages_by_last_activity_without_gaps_or_repeats(desk: str) -> None:
    (client,) = add_clients(1)
    department = Department.create(name="Support")
    now = clock.now()
    first = reserve_numbers("ticket", 230)
    Ticket.insert_many(
        [
            {
                "id": uuid7(),
                "number": first + index,
                "client": client.id,
                "department": department.id,
                "subject": f"Ticket {index}",
                "status": TicketStatus.COMPLETED if index % 5 == 0 else TicketStatus.OPEN,
                "last_activity_at": now - dt.timedelta(minutes=index // 3),  # ties in threes
            }
            for index in range(230)
        ]
    ).execute()
    seen: list[TicketSummary] = []
    page = list_queue(QueueFilter(view="all"), None, 100)
    while page:
        seen += page
        page = list_queue(QueueFilter(view="all"), page[-1], 100)
    assert len(seen) == 230 and len({ticket.id for ticket in seen}) == 230
    keys = [(ticket.last_activity_at, ticket.id) for ticket in seen]
    assert keys == sorted(keys, reverse=True)
    assert {t.status for t in list_queue(QueueFilter(view="completed"), None, 500)} == {"Completed"}
    assert len(list_queue(QueueFilter(view="open"), None, 500)) == 184
    person = f"{client.first_name} {client.last_name}"
    assert list_queue(QueueFilter(), None, 1)[0].client_name == (client.company or person)


def test_order_list_pages_newest_first_and_pending_oldest_first(desk: str) -> None:
    add_desk(6)
    everything = list_orders("all", None, 2)
    everything += list_orders("all", everything[-1], 10)
    assert [order.label for order in everything] == [
        "O-5005",
        "O-5004",
        "O-5003",
        "O-5002",
        "O-5001",
    ]
    pending = list_orders("pending", None, 10)
    assert [order.number for order in pending] == [5001, 5003, 5005]  # oldest first
    assert pending[-1].total_cents == 9995 and pending[-1].payment_status == "None"


def test_ledger_pages_newest_first_across_clients(desk: str) -> None:
    clients = add_clients(3)
    now = clock.now()
    CreditEntry.insert_many(
        [
            {
                "id": uuid7(),
                "client": clients[index % 3].id,
                "kind": CreditKind.ADDED,
                "amount_cents": 100 + index,
                "balance_after_cents": 100 + index,
                "description": f"Entry {index}",
                "created_at": now - dt.timedelta(hours=index // 4),  # ties in fours
            }
            for index in range(150)
        ]
    ).execute()
    seen: list[LedgerEntry] = []
    page = list_entries(None, 60)
    while page:
        seen += page
        page = list_entries(page[-1], 60)
    assert len({entry.id for entry in seen}) == len(seen) == 150
    assert [entry.page_key for entry in seen] == sorted((e.page_key for e in seen), reverse=True)
    assert {entry.client_number for entry in seen} == {c.number for c in clients}
