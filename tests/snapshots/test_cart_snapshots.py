"""Snapshot of the cart at 80x24 on the demo desk (SQLite, frozen time, Stripe off): two lines
priced, a manual payment chosen, the card option off with its reason, the buttons in view.

Update with `pytest FILE --snapshot-update`, then look at the SVG in __snapshots__/ beside this
file before accepting it.
"""

from __future__ import annotations

from functools import partial

import pytest
from pilot_helpers import settle, wait_for
from textual.pilot import Pilot
from textual.widgets import Input, Select

from deskapp.services.clients import find_client_by_number
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.order_list import OrderListScreen
from screens.widgets.product_picker import ProductPicker

SIZE = (80, 24)
"""The smallest terminal the desk is made for."""


async def cart_with_two_lines(pilot: Pilot[None]) -> None:
    """C-1018's orders, `n`, two lines added, a manual payment chosen."""
    await settle(pilot)
    client = find_client_by_number("C-1018")
    assert client is not None
    await pilot.app.push_screen(OrderListScreen(client.id, client.label))
    await settle(pilot)
    await pilot.press("n")
    await settle(pilot)
    cart = pilot.app.screen
    picker = cart.query_one(ProductPicker)

    def offers(cycle: str) -> bool:
        return cycle in picker.cycles_offered

    for field in cart.query(Input).results(Input):
        field.cursor_blink = False
    for code, cycle, quantity in (("FIBRE-1000", "Annually", "1"), ("VOIP-LINE", "Monthly", "2")):
        cart.query_one("#product", Select).value = code
        await wait_for(pilot, partial(offers, cycle), what=f"{code}'s cycles")
        cart.query_one("#cycle", Select).value = cycle
        cart.query_one("#quantity", Input).value = quantity
        cart.query_one("#quantity", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
    await pilot.click("#how-manual")
    await settle(pilot)


class TestCartSnapshots:
    """The cart as a support person fills it in."""

    @pytest.fixture(autouse=True)
    def stripe_off(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """No Stripe key: the card option is off and says why."""
        for variable in ("DESKAPP_STRIPE_SECRET_KEY", "DESKAPP_STRIPE_API_BASE"):
            monkeypatch.delenv(variable, raising=False)

    def test_cart_with_lines_and_a_manual_payment(  # type: ignore[no-untyped-def]
        self, snap_compare, demo_session: DeskSession
    ) -> None:
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=cart_with_two_lines)
