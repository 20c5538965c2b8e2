"""A small desk of pending orders for the approval queue's Pilot tests and snapshots.

Staff ann and bob (admins) and sam (agent); two clients; four orders placed through
order_place at different ages, oldest first: a request five days old (its age red), a manual
payment two days old (amber), a request of three hours, and a card order whose payment failed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ledger_helpers import client
from order_rows import add_catalogue
from pilot_helpers import settle
from signed_in import open_as
from textual.pilot import Pilot

from deskapp import clock, migrations
from deskapp.db import close_database, db, open_database
from deskapp.models import PaymentMethod, PaymentStatus, Role, Staff
from deskapp.services.actors import Actor, actor_from
from deskapp.services.order_place import (
    OrderPlaced,
    mark_payment_unsettled,
    parse_cart_item,
    place_order,
)
from deskapp.services.session import DeskSession
from screens.order_list import OrderListScreen

SIZE = (120, 36)
"""The usual terminal of the Pilot tests."""
SMALL = (80, 24)
"""The smallest terminal the queue and its dialogs must fit."""


@dataclass(frozen=True)
class OrderDesk:
    """What the tests work with."""

    ann: Actor
    bob: Actor
    sam: Actor
    old_request: OrderPlaced
    """FIBRE-1G and SETUP for Northwind Hosting, five days ago."""
    paid: OrderPlaced
    """FIBRE-1G monthly for Bram Lindqvist, paid by bank transfer two days ago."""
    new_request: OrderPlaced
    """Two VoIP lines and five support hours for Northwind Hosting, three hours ago."""
    card_failed: OrderPlaced
    """FIBRE-1G for Bram Lindqvist by card, declined an hour ago."""


def _staff(username: str, name: str, role: str) -> Actor:
    return actor_from(Staff.create(username=username, name=name, role=role))


def _placed_at(moment: dt.datetime, place: object) -> OrderPlaced:
    now = clock.now()
    clock.set_clock(clock.frozen_clock(moment))
    try:
        return place()  # type: ignore[operator, no-any-return]
    finally:
        clock.set_clock(clock.frozen_clock(now))


def make_order_desk() -> OrderDesk:
    """The staff, clients and orders above (on the open, migrated database; clock frozen)."""
    add_catalogue()
    ann = _staff("ann", "Ann Admin", Role.ADMIN)
    bob = _staff("bob", "Bob Berg", Role.ADMIN)
    sam = _staff("sam", "Sam Reyes", Role.AGENT)
    northwind = client("Mina", "Okafor", company="Northwind Hosting")
    bram = client("Bram", "Lindqvist")
    now = clock.now()

    def cart(*items: str) -> list:  # type: ignore[type-arg]
        return [parse_cart_item(item) for item in items]

    old_request = _placed_at(
        now - dt.timedelta(days=5),
        lambda: place_order(sam, northwind, cart("FIBRE-1G", "SETUP"), PaymentMethod.REQUEST),
    )
    paid = _placed_at(
        now - dt.timedelta(days=2),
        lambda: place_order(
            sam,
            bram,
            cart("FIBRE-1G:Monthly"),
            PaymentMethod.MANUAL,
            manual_method="Bank transfer",
            reference="TRF-2231",
        ),
    )
    new_request = _placed_at(
        now - dt.timedelta(hours=3),
        lambda: place_order(sam, northwind, cart("VOIP-LINEx2", "HOURS-5"), PaymentMethod.REQUEST),
    )
    card_failed = _placed_at(
        now - dt.timedelta(hours=1),
        lambda: place_order(sam, bram, cart("FIBRE-1G"), PaymentMethod.CARD),
    )
    mark_payment_unsettled(
        card_failed.id, PaymentStatus.FAILED, "Your card was declined. [bold]insufficient funds"
    )
    return OrderDesk(ann, bob, sam, old_request, paid, new_request, card_failed)


def order_desk_session(url: str, staff: str = "ann") -> tuple[DeskSession, OrderDesk]:
    """The order desk on the open database at `url`, signed in as `staff`."""
    made = make_order_desk()
    return open_as(url, staff), made


def sqlite_order_desk(
    tmp_path: Path, staff: str = "ann"
) -> Iterator[tuple[DeskSession, OrderDesk]]:
    """The order desk in a local desk.db (clock frozen by the caller's fixture); closed after."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_database(url)
    migrations.upgrade()
    yield order_desk_session(url, staff)
    close_database()
    db.initialize(None)


def the_queue(pilot: Pilot[None]) -> OrderListScreen:
    """The order queue on screen."""
    screen = pilot.app.screen
    assert isinstance(screen, OrderListScreen)
    return screen


async def go_to_orders(pilot: Pilot[None]) -> OrderListScreen:
    """From the first screen to the orders area, loaded, its preview shown."""
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    return the_queue(pilot)
