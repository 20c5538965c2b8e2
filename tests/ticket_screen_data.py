"""The ticket screen tests' desk and Pilot helpers: the demo business (T-20056 holds a client
message, a staff reply, an internal note and a proposed estimate), signed in as sam; open a
ticket by its number, wait for the work to land, read the screen."""

from __future__ import annotations

from pilot_helpers import screen_text, settle
from signed_in import open_as
from textual.pilot import Pilot

from deskapp.demo import load_demo
from deskapp.services.conversation import find_ticket
from screens.app import DeskApp
from screens.ticket_detail import TicketScreen

SIZE = (120, 36)
"""Every Pilot test and snapshot runs in a terminal this size."""


def demo_app(url: str, staff: str = "sam", *, load: bool = True) -> DeskApp:
    """The desk on the (open, current) database at `url` with the demo business (unless it is
    there already), signed in as `staff`."""
    if load:
        load_demo()
    return DeskApp(open_as(url, staff))


async def open_ticket(pilot: Pilot[None], label: str) -> TicketScreen:
    """Push the ticket screen of `label` (T-20056) and wait until it shows the ticket."""
    await settle(pilot)
    screen = TicketScreen(find_ticket(label).id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen and screen.ticket is not None
    assert screen.conversation.messages, screen_text(pilot)
    return screen
