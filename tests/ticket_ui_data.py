"""Shared by the queue and new-ticket screen tests: the demo desk signed in as sam, and Pilot
helpers (wait for the work to land, read the screen, find the queue)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pilot_helpers import settle
from signed_in import open_as
from textual.pilot import Pilot

from deskapp.db import close_database, db
from deskapp.demo import load_demo
from deskapp.services.session import DeskSession, open_desk
from screens.ticket_list import TicketListScreen

SIZE = (120, 36)
"""Every Pilot test and snapshot runs in a terminal this size."""


def demo_desk(url: str, staff: str = "sam") -> DeskSession:
    """The demo business on the (open, current) database at `url`, signed in as `staff`."""
    load_demo()
    return open_as(url, staff)


def sqlite_demo(tmp_path: Path) -> Iterator[DeskSession]:
    """A local desk.db with the demo, opened as `deskapp` does (as sam); closed afterwards.

    For tests of what a screen does with the services' answers, and for snapshots (the clock
    must be frozen and the user directories moved, as the tests' fixtures do)."""
    open_desk(f"sqlite:///{tmp_path / 'desk.db'}")
    load_demo()
    yield open_desk(f"sqlite:///{tmp_path / 'desk.db'}", staff="sam")
    close_database()
    db.initialize(None)


def the_queue(pilot: Pilot[None]) -> TicketListScreen:
    """The ticket queue on screen."""
    screen = pilot.app.screen
    assert isinstance(screen, TicketListScreen)
    return screen


def shown(pilot: Pilot[None]) -> list[str]:
    """The ticket numbers in the queue, in order."""
    return [ticket.label for ticket in the_queue(pilot).records.records]


async def go_to_queue(pilot: Pilot[None]) -> TicketListScreen:
    """From the first screen to the tickets area, loaded."""
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    return the_queue(pilot)
