"""The cart through Pilot (the demo desk, signed in as sam): opened from a client's orders and
from the client screen's palette, lines priced as they are added, each way of paying, and the
refusals (a bad quantity, a Closed client, the card without a Stripe key)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from localstripe_server import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    TEST_SECRET_KEY,
    attach_test_card,
    closed_port_base,
)
from pilot_helpers import notices, offered, screen_text, settle, use_tmp_user_dirs, wait_for
from textual.pilot import Pilot
from textual.widgets import Button, Input, RadioButton, Select, Static
from ticket_ui_data import demo_desk, sqlite_demo

from deskapp.models import (
    Client,
    ClientStatus,
    Department,
    Order,
    OrderItem,
    PaymentTransaction,
    Ticket,
)
from deskapp.services.clients import ClientSummary, list_clients
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.client_detail import ClientScreen
from screens.commands import desk_commands
from screens.order_cart import OrderCartScreen
from screens.order_list import OrderListScreen
from screens.widgets.product_picker import ProductPicker
from screens.widgets.record_list import RecordList

SIZE = (80, 24)
"""The smallest terminal the desk is made for: the cart must work whole in it."""


@pytest.fixture(autouse=True)
def no_stripe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """User dirs under tmp_path; no Stripe key anywhere (card payments are off)."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    for variable in ("DESKAPP_STRIPE_SECRET_KEY", "DESKAPP_STRIPE_API_BASE"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def session(desk: str) -> DeskSession:
    """The demo desk on each backend, signed in as sam."""
    return demo_desk(desk)


@pytest.fixture
def local(tmp_path: Path, frozen_time: dt.datetime) -> Iterator[DeskSession]:
    """The demo desk on SQLite only, as sam."""
    yield from sqlite_demo(tmp_path)


def a_client() -> ClientSummary:
    """The first Active demo client."""
    return list_clients("Active", None, 1)[0]


def cart(pilot: Pilot[None]) -> OrderCartScreen:
    """The cart on screen."""
    screen = pilot.app.screen
    assert isinstance(screen, OrderCartScreen)
    return screen


async def open_cart(pilot: Pilot[None], client_id: uuid.UUID) -> OrderCartScreen:
    """The client's orders, then `n`."""
    await settle(pilot)
    await pilot.app.push_screen(OrderListScreen(client_id, "C-x"))
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    return cart(pilot)


async def add_line(pilot: Pilot[None], code: str, cycle: str = "", quantity: str = "1") -> None:
    """Pick the product (and cycle), type the quantity, Enter."""
    screen = cart(pilot)
    await pick(pilot, code)
    if cycle:
        screen.query_one("#cycle", Select).value = cycle
    field = screen.query_one("#quantity", Input)
    field.value = ""
    field.focus()
    await pilot.press(*quantity, "enter")
    await settle(pilot)


async def pick(pilot: Pilot[None], code: str) -> None:
    """Pick the product in its list; wait until the cycle list offers its cycles."""
    picker = pilot.app.screen.query_one(ProductPicker)
    pilot.app.screen.query_one("#product", Select).value = code
    product = picker.products[code]
    await wait_for(pilot, lambda: picker.cycles_offered == product.cycles, what="its cycles")


def total_line(pilot: Pilot[None]) -> str:
    """What the total line says."""
    return str(cart(pilot).query_one("#total", Static).render())


def line_error(pilot: Pilot[None]) -> str:
    """The sentence under the line being added ("" when none is shown)."""
    error = cart(pilot).query_one("#line-error", Static)
    return str(error.render()) if error.has_class("-shown") else ""


def orders_of(client_id: uuid.UUID) -> list[Order]:
    """The client's orders, newest first."""
    return list(Order.select().where(Order.client == client_id).order_by(Order.number.desc()))


async def place(pilot: Pilot[None]) -> None:
    """Press the place button and let the order be placed."""
    cart(pilot).query_one("#submit", Button).press()
    await settle(pilot)


async def test_n_opens_the_cart_on_one_clients_orders_only(local: DeskSession) -> None:
    client = a_client()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OrderListScreen)
        assert "new_order" not in {c.action for c in desk_commands(pilot.app.screen)}
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, OrderCartScreen)
        screen = await open_cart(pilot, client.id)
        assert screen.client_id == client.id
        assert f"New order for {client.label} {client.name}" in screen_text(pilot)
        products = offered(screen.query_one("#product", Select))  # code, two spaces, name
        assert any(line.startswith("FIBRE-1000  ") for line in products)
        assert not any(line.startswith("ADSL-8  ") for line in products)  # not orderable


async def test_the_client_screens_palette_offers_a_new_order(local: DeskSession) -> None:
    client = a_client()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(ClientScreen(client.id))
        await settle(pilot)
        command = next(
            c for c in desk_commands(pilot.app.screen) if c.title == "New order for client…"
        )
        await pilot.app.run_action(command.action, command.node)
        await settle(pilot)
        assert cart(pilot).client_id == client.id


async def test_lines_are_priced_and_the_total_changes_as_they_do(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        screen = await open_cart(pilot, a_client().id)
        assert total_line(pilot) == "The order is empty."
        await add_line(pilot, "FIBRE-1000", "Monthly", "2")
        assert "Total  130.00   1 line" in total_line(pilot)
        await add_line(pilot, "INSTALL")
        assert "Total  205.00   2 lines" in total_line(pilot)
        await add_line(pilot, "FIBRE-1000", "Monthly", "1")  # the same line again: one more
        lines = screen.query_one("#lines", RecordList)
        assert [(line.code, line.quantity) for line in lines.records] == [
            ("FIBRE-1000", 3),
            ("INSTALL", 1),
        ]
        assert "Total  270.00   2 lines" in total_line(pilot)
        text = screen_text(pilot)
        assert "FIBRE-1000" in text and "Installation vi" in text and "195.00" in text
        lines.focus()
        await pilot.press("x")
        await settle(pilot)
        assert [line.code for line in lines.records] == ["INSTALL"]
        assert "Total  75.00   1 line" in total_line(pilot)


async def test_the_product_list_finds_a_product_by_what_is_typed(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        screen = await open_cart(pilot, a_client().id)
        screen.query_one("#product", Select).focus()
        await pilot.press("enter", *"VOIP", "enter")
        await settle(pilot)
        assert screen.query_one("#product", Select).value == "VOIP-LINE"
        assert screen.query_one("#cycle", Select).value == "Monthly"
        assert "1 × 12.00 = 12.00" in screen_text(pilot)


async def test_a_bad_quantity_gets_a_sentence_and_the_cart_stays(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await open_cart(pilot, a_client().id)
        await add_line(pilot, "VOIP-LINE", "Monthly", "2")
        await add_line(pilot, "INSTALL", quantity="0")
        assert line_error(pilot) == "The quantity must be at least 1; take the line out instead."
        await add_line(pilot, "INSTALL", quantity="lots")
        assert line_error(pilot) == "“lots” is not a quantity; write a whole number like 2."
        await add_line(pilot, "INSTALL", quantity="500")
        assert "more than one order takes (100)" in line_error(pilot)
        assert "Total  24.00   1 line" in total_line(pilot)
        await add_line(pilot, "INSTALL")
        assert line_error(pilot) == ""
        assert "Total  99.00   2 lines" in total_line(pilot)


async def test_an_empty_cart_is_not_placed(local: DeskSession) -> None:
    client = a_client()
    before = len(orders_of(client.id))
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await open_cart(pilot, client.id)
        await place(pilot)
        assert line_error(pilot) == "The order is empty; add at least one product."
        assert len(orders_of(client.id)) == before


async def test_send_as_a_request_places_the_order_and_opens_its_ticket(
    session: DeskSession,
) -> None:
    client = a_client()
    async with DeskApp(session).run_test(size=SIZE, notifications=True) as pilot:
        await open_cart(pilot, client.id)
        await add_line(pilot, "FIBRE-1000", "Annually")
        await add_line(pilot, "ROUTER")
        assert str(cart(pilot).query_one("#submit", Button).label) == "Send request"
        await place(pilot)
        order = orders_of(client.id)[0]
        assert (order.status, order.payment_method, order.payment_status) == (
            "Pending",
            "",
            "None",
        )
        assert order.total_cents == 71500 + 12900
        items = OrderItem.select().where(OrderItem.order == order.id).order_by(OrderItem.cycle)
        assert [(item.cycle, item.quantity) for item in items] == [
            ("Annually", 1),
            ("One-time", 1),
        ]
        ticket = Ticket.get(Ticket.order == order.id)
        assert Department.get_by_id(ticket.department_id).name == "Orders"
        assert notices(pilot)[-1] == f"O-{order.number} placed; its ticket is T-{ticket.number}."
        assert isinstance(pilot.app.screen, OrderListScreen)  # back on the client's orders
        assert pilot.app.screen.records.records[0].id == order.id


async def test_a_manual_payment_is_recorded_with_the_order(local: DeskSession) -> None:
    client = a_client()
    async with DeskApp(local).run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_cart(pilot, client.id)
        await add_line(pilot, "SUPPORT-5H")
        assert not screen.query_one("#manual-row").display
        await pilot.click("#how-manual")
        await settle(pilot)
        assert screen.query_one("#manual-row").display
        assert str(screen.query_one("#submit", Button).label) == "Place, paid"
        screen.query_one("#manual_method", Select).value = "Cash"
        screen.query_one("#reference", Input).value = "Receipt 0042"
        await place(pilot)
        order = orders_of(client.id)[0]
        assert (order.payment_method, order.payment_status) == ("manual", "Successful")
        payment = PaymentTransaction.get(PaymentTransaction.order == order.id)
        assert (payment.gateway, payment.method, payment.reference, payment.amount_cents) == (
            "manual",
            "Cash",
            "Receipt 0042",
            37500,
        )
        assert notices(pilot)[-1].startswith(f"O-{order.number} placed; its ticket is T-")


async def test_the_card_is_off_with_the_reason_when_stripe_has_no_key(
    local: DeskSession,
) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        screen = await open_cart(pilot, a_client().id)
        assert screen.query_one("#how-card", RadioButton).disabled
        note = str(screen.query_one("#card-note", Static).render())
        assert note.startswith("Card: ") and "card payments are off" in note
        assert "card payments are off" in screen_text(pilot)


async def test_a_closed_client_is_refused_with_the_services_sentence(local: DeskSession) -> None:
    client = a_client()
    Client.update(status=ClientStatus.CLOSED).where(Client.id == client.id).execute()
    before = len(orders_of(client.id))
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        screen = await open_cart(pilot, client.id)
        sentence = f"{client.label} is Closed: no new tickets or orders."
        assert sentence in str(screen.query_one("#form-error", Static).render())
        assert screen.query_one("#submit", Button).disabled
        await place(pilot)
        assert len(orders_of(client.id)) == before


async def test_a_client_closed_while_the_cart_is_open_is_refused_on_placing(
    local: DeskSession,
) -> None:
    client = a_client()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        screen = await open_cart(pilot, client.id)
        await add_line(pilot, "VOIP-LINE")
        Client.update(status=ClientStatus.CLOSED).where(Client.id == client.id).execute()
        before = len(orders_of(client.id))
        await place(pilot)
        error = str(screen.query_one("#form-error", Static).render())
        assert error.startswith(f"{client.label} is Closed: no new tickets or orders.")
        assert pilot.app.screen is screen and len(orders_of(client.id)) == before


async def test_the_buttons_stay_on_screen_at_80_by_24(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        screen = await open_cart(pilot, a_client().id)
        for code in ("FIBRE-1000", "INSTALL", "ROUTER", "VOIP-LINE", "SIP-TRUNK", "VPS"):
            await add_line(pilot, code)
        await pilot.click("#how-manual")
        await settle(pilot)
        for button in ("#submit", "#cancel"):
            region = screen.query_one(button, Button).region
            assert region.height and region.bottom <= SIZE[1], button
        assert "Total  " in screen_text(pilot) or screen.query_one("#cart-body").max_scroll_y


async def test_pay_now_by_card_charges_the_card_stripe_holds(
    local: DeskSession, localstripe: str
) -> None:
    client = a_client()
    attach_test_card(client.id, CARD_SUCCEEDS)
    async with DeskApp(local).run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_cart(pilot, client.id)
        assert not screen.query_one("#how-card", RadioButton).disabled
        await add_line(pilot, "VOIP-LINE", "Annually")
        await pilot.click("#how-card")
        await settle(pilot)
        assert str(screen.query_one("#submit", Button).label) == "Charge card"
        assert "Charges the card Stripe holds" in screen_text(pilot)
        await place(pilot)
        order = orders_of(client.id)[0]
        assert (order.payment_method, order.payment_status) == ("card", "Successful")
        assert order.payment_intent and order.total_cents == 13200
        said = notices(pilot)[-1]
        assert said.startswith(f"O-{order.number} placed; its ticket is T-")
        assert len(said) > len(f"O-{order.number} placed; its ticket is T-20000.")


async def test_a_declined_card_leaves_the_order_placed_and_says_why(
    local: DeskSession, localstripe: str
) -> None:
    client = a_client()
    attach_test_card(client.id, CARD_DECLINED)
    async with DeskApp(local).run_test(size=SIZE, notifications=True) as pilot:
        await open_cart(pilot, client.id)
        await add_line(pilot, "ROUTER")
        await pilot.click("#how-card")
        await settle(pilot)
        await place(pilot)
        order = orders_of(client.id)[0]
        assert (order.payment_method, order.payment_status) == ("card", "Failed")
        assert order.payment_note and order.payment_note in notices(pilot)[-1]
        assert Ticket.get(Ticket.order == order.id)


async def test_stripe_unreachable_leaves_the_order_placed_and_pending(
    local: DeskSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKAPP_STRIPE_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", closed_port_base())
    client = a_client()
    async with DeskApp(local).run_test(size=SIZE, notifications=True) as pilot:
        await open_cart(pilot, client.id)
        await add_line(pilot, "ROUTER")
        await pilot.click("#how-card")
        await settle(pilot)
        await place(pilot)
        order = orders_of(client.id)[0]
        assert (order.payment_method, order.payment_status) == ("card", "Pending")
        said = notices(pilot)[-1]
        assert said.startswith(f"O-{order.number} placed; its ticket is T-")
        assert "Stripe could not be reached" in said
        assert not isinstance(pilot.app.screen, OrderCartScreen)
