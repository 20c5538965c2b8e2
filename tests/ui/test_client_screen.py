"""The client screen through Pilot, on SQLite and PostgreSQL: every section from one load, the
keys into the client's ledger, tickets and orders, the forms, admin-only keys, hostile text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from client_ui_data import HOSTILE_COMPANY, HOSTILE_FIRST, ClientStory, add_client_story
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs
from signed_in import open_as
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.models import Client
from deskapp.services.client_profile import get_client
from deskapp.services.orders import list_orders
from deskapp.services.tickets import QueueFilter, list_queue
from screens.app import DeskApp
from screens.client_delete import DeleteClientDialog
from screens.client_detail import ClientScreen
from screens.client_form import ClientFormScreen
from screens.client_ledger import ClientLedgerScreen
from screens.client_list import ClientListScreen
from screens.client_merge import MergeClientsScreen
from screens.client_status import ChangeStatusDialog
from screens.commands import desk_commands
from screens.contact_form import ContactFormDialog, DeleteContactDialog
from screens.order_list import OrderListScreen
from screens.ticket_list import TicketListScreen

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences and logs go under tmp_path, never into the real home."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def story(desk: str) -> Iterator[ClientStory]:
    """The client story's desk."""
    yield add_client_story()


def desk_as(url: str, username: str) -> DeskApp:
    """The desk signed in as kim (admin) or sam (agent)."""
    return DeskApp(open_as(url, username))


async def open_client(pilot: Pilot[None], number: str) -> ClientScreen:
    """Find the client by number in the lookup and open it with Enter."""
    await settle(pilot)
    await pilot.press("slash", *number, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ClientScreen) and screen.profile is not None
    return screen


async def test_enter_opens_the_client_with_every_section(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_client(pilot, "C-1001")
        text = screen_text(pilot)
        for expected in (
            "Client · C-1001",
            "C-1001  Ada Okafor",
            "client1001@example.net  ·  +44 20 7946 0018",
            "1 Harbour Row, EH6 6LX Leith, GB",
            "Notes  Prefers email. Call after 10:00.",
            "Active",
            "Prepaid support  3h 30m left",
            "Support bought   3h 30m  used none",
            "Client since     2026-03-14",
        ):
            assert expected in text, expected
        profile = get_client(story.client_id)
        credit = f"{profile.credit_cents // 100:,}.{profile.credit_cents % 100:02d}"
        assert f"Credit balance   {credit}" in text
        # Contacts: the billing contact first and marked; the five categories in a column.
        assert "Contacts  2" in text
        assert [c.name for c in screen.section("contacts").records] == [
            "Mina Okafor",
            "Theo Brandt",
        ]
        mina = next(line for line in text.splitlines() if "Mina Okafor" in line)
        assert "billing" in mina and "Gen Inv  ·   ·   · " in mina
        theo = next(line for line in text.splitlines() if "Theo Brandt" in line)
        assert "billing" not in theo and "Gen  ·  Sup  ·   · " in theo
        # Services (active first), the invoice, the open ticket, the pending orders.
        assert "Services  2" in text and "FTTH-00010001" in text and "Voice line" in text
        assert [s.status for s in screen.section("services").records] == ["Active", "Pending"]
        assert "Recent invoices  1" in text and "INV-2026-" in text
        assert "Open tickets  1" in text and "T-20001" in text
        assert "Pending orders  2" in text and "O-5001" in text and "O-5006" in text


async def test_l_t_and_o_open_the_clients_ledger_tickets_and_orders(
    desk: str, story: ClientStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        client_screen = await open_client(pilot, "C-1001")
        await pilot.press("l")
        await settle(pilot)
        ledger = pilot.app.screen
        assert isinstance(ledger, ClientLedgerScreen) and ledger.client_id == story.client_id
        assert "Client credit · C-1001" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is client_screen

        await pilot.press("t")
        await settle(pilot)
        tickets = pilot.app.screen
        assert isinstance(tickets, TicketListScreen) and tickets.client_id == story.client_id
        assert [t.label for t in tickets.records.records] == ["T-20001"]
        text = screen_text(pilot)
        assert "Tickets · C-1001" in text and "Showing 1 open ticket." in text
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is client_screen

        await pilot.press("o")
        await settle(pilot)
        orders = pilot.app.screen
        assert isinstance(orders, OrderListScreen) and orders.client_id == story.client_id
        assert {o.client_number for o in orders.records.records} == {1001}
        assert len(orders.records.records) == 2
        assert "Orders · C-1001" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is client_screen
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientListScreen)


async def test_enter_on_a_ticket_or_an_order_opens_the_clients_list_of_them(
    desk: str, story: ClientStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_client(pilot, "C-1001")
        screen.section("tickets").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TicketListScreen)
        await pilot.press("escape")
        await settle(pilot)
        screen.section("orders").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OrderListScreen)


def test_ticket_and_order_lists_of_one_client(story: ClientStory) -> None:
    tickets = list_queue(QueueFilter(view="all", client_id=story.client_id), limit=50)
    assert [t.client_number for t in tickets] == [1001]
    assert len(list_queue(QueueFilter(view="all"), limit=50)) == 8  # every client's, as before
    orders = list_orders("all", None, 50, story.client_id)
    assert {o.client_number for o in orders} == {1001} and len(orders) == 2
    pending = [order for order in reversed(orders) if order.status == "Pending"]
    assert list_orders("pending", None, 50, story.client_id) == pending  # oldest first


async def test_hostile_names_show_literally_on_the_client_screen(
    desk: str, story: ClientStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_client(pilot, "C-1013")
        text = screen_text(pilot)
        assert f"C-1013  {HOSTILE_FIRST} Fox␛[2J  ·  {HOSTILE_COMPANY}" in text
        assert "[b]Mallory[/b]␛]0;o…" in text  # the contact's name in its 20 characters
        assert "\x1b" not in text and "\x07" not in text
        await pilot.click("#client-name", offset=(10, 0))  # where the "link" would be
        await settle(pilot)
        assert pilot.app.is_running


async def test_an_agent_sees_merge_and_delete_dimmed_and_is_told_why(
    desk: str, story: ClientStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_client(pilot, "C-1001")
        commands = {command.title: command for command in desk_commands(screen)}
        assert {"Its ledger", "Its tickets", "Its orders", "Edit", "Status"} <= set(commands)
        assert "Admins only: Only an admin can merge clients" in commands["Merge"].help
        assert screen.check_action("merge", ()) is None  # dimmed
        assert screen.check_action("delete_client", ()) is None
        await pilot.press("M", "D")
        await settle(pilot)
        assert pilot.app.screen is screen
        said = notices(pilot)
        assert "Only an admin can merge clients; ask an admin to do it." in said
        assert "Only an admin can delete clients; ask an admin to do it." in said


async def test_r_shows_what_changed_meanwhile(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_client(pilot, "C-1001")
        Client.update(first_name="Adaeze").where(Client.id == story.client_id).execute()
        await pilot.press("r")
        await settle(pilot)
        assert "C-1001  Adaeze Okafor" in screen_text(pilot)


async def test_a_client_that_is_gone_says_so(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        Client.delete().where(Client.id == story.hostile_id).execute()
        await pilot.app.push_screen(ClientScreen(story.hostile_id))
        await settle(pilot)
        text = screen_text(pilot)
        assert "The client could not be loaded; press r to try again." in text
        assert "That client no longer exists" in text
        assert pilot.app.screen.check_action("edit", ()) is None  # nothing to edit
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientListScreen)


async def test_e_edits_the_profile_and_both_screens_show_the_change(
    desk: str, story: ClientStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_client(pilot, "C-1001")
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ClientFormScreen) and form.client_id == story.client_id
        form.query_one("#first_name", Input).value = "Adaeze"
        form.query_one("#first_name", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen and screen.changed
        assert "C-1001  Adaeze Okafor" in screen_text(pilot)
        await pilot.press("escape")  # the list reloads: it shows the new name too
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientListScreen)
        assert "Adaeze Okafor" in screen_text(pilot)


async def test_s_opens_the_status_dialog(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_client(pilot, "C-1001")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChangeStatusDialog)


async def test_c_adds_enter_edits_and_x_removes_a_contact(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_client(pilot, "C-1001")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ContactFormDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        screen.section("contacts").focus()
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ContactFormDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DeleteContactDialog)


async def test_capital_m_opens_the_merge_for_an_admin(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_client(pilot, "C-1001")
        titles = {command.title for command in desk_commands(screen)}
        assert {"Merge", "Delete"} <= titles and "Merge" in screen_text(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MergeClientsScreen)


async def test_capital_d_asks_to_delete_for_an_admin(desk: str, story: ClientStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_client(pilot, "C-1001")
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DeleteClientDialog)
