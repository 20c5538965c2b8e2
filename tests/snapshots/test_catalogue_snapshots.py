"""Snapshots of the product catalogue on the demo desk, in the smallest terminal the desk
promises (80 x 24), with frozen time (SQLite).

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.commands import show_catalogue

SIZE = (80, 24)


def in_catalogue(*keys: str) -> Callable[[Pilot[None]], object]:
    """Open the catalogue, press `keys`, wait for what they load; no blinking cursors."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        show_catalogue(pilot.app)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False

    return run


class TestCatalogueSnapshots:
    """The catalogue as an admin sees it, and a product's form."""

    def test_catalogue(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_catalogue("j", "j", "j"))

    def test_product_form(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        keys = ("j", "j", "j", "j", "j", "j", "e")  # HOSTING-PRO: three cycles
        assert snap_compare(app, terminal_size=SIZE, run_before=in_catalogue(*keys))
