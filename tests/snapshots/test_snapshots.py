"""Snapshots of the shell with deterministic data and frozen time (SQLite).

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import settle
from textual.pilot import Pilot

from deskapp.services.session import DeskSession
from screens.app import DeskApp

SIZE = (120, 36)


def after(*keys: str) -> Callable[[Pilot[None]], object]:
    """Load, press `keys`, load again."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


class TestShellSnapshots:
    """The places a support person sees first, on the demo desk with hostile rows added (C-1018
    is called "[bold red]x[/]", C-1059 "[@click=app.quit]Eve"): they show as typed."""

    def test_client_list(self, snap_compare, hostile_demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(DeskApp(hostile_demo_session), terminal_size=SIZE, run_before=settle)

    def test_ticket_queue(self, snap_compare, hostile_demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(
            DeskApp(hostile_demo_session), terminal_size=SIZE, run_before=after("2")
        )

    def test_key_list(self, snap_compare, hostile_demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = after("question_mark")
        assert snap_compare(
            DeskApp(hostile_demo_session), terminal_size=SIZE, run_before=run_before
        )
