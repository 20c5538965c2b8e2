"""Snapshots of the client lookup and the client screen, on the demo desk with frozen time
(SQLite).

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import settle
from textual.pilot import Pilot

from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.client_list import ClientListScreen

SIZE = (120, 36)


def searched(text: str, *keys: str) -> Callable[[Pilot[None]], object]:
    """Load, type `text` into the lookup (a steady cursor), load, then press `keys`."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ClientListScreen)
        screen.search_box.cursor_blink = False
        await pilot.press("slash", *text)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


class TestClientLookupSnapshots:
    """The lookup as a support person types, and the client it opens, on the demo desk with
    hostile rows added (C-1018 has the company "[bold red]x[/]": it shows as typed)."""

    def test_lookup_with_results(self, snap_compare, hostile_demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = searched("brew")
        assert snap_compare(
            DeskApp(hostile_demo_session), terminal_size=SIZE, run_before=run_before
        )

    def test_client_screen(self, snap_compare, hostile_demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = searched("C-1018", "enter")
        assert snap_compare(
            DeskApp(hostile_demo_session), terminal_size=SIZE, run_before=run_before
        )
