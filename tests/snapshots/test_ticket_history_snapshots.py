"""Snapshot of a ticket's history dialog at 80x24 (issue 13), on the demo desk under the frozen
clock, after its status and assignee were changed.

Update with `pytest FILE --snapshot-update`, then look at the SVG in __snapshots__/ beside this
file before accepting it.
"""

from __future__ import annotations

from pilot_helpers import settle
from textual.pilot import Pilot

from deskapp.models import Staff
from deskapp.services import ticket_actions
from deskapp.services.actors import actor_from
from deskapp.services.conversation import find_ticket
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.ticket_detail import TicketScreen

TICKET = "T-20046"
SMALL = (80, 24)


async def _history(pilot: Pilot[None]) -> None:
    await settle(pilot)
    ticket = find_ticket(TICKET)
    sam = actor_from(Staff.get(Staff.username == "sam"))
    kim = Staff.get(Staff.username == "kim")
    ticket_actions.change_status(sam, ticket.id, "On Hold")
    ticket_actions.assign(sam, ticket.id, kim.id)
    ticket_actions.set_priority(sam, ticket.id, "Urgent")
    await pilot.app.push_screen(TicketScreen(ticket.id))
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)


class TestTicketHistorySnapshots:
    """Who changed what on a ticket, readable over SSH."""

    def test_history_at_80x24(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(DeskApp(demo_session), terminal_size=SMALL, run_before=_history)
