"""Presence: who else looked at a record in the last two minutes, and who is viewing or replying
to a ticket (published on the change feed when it changes), on both backends."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from deskapp import clock
from deskapp.models import Entity, Presence, Role, Staff
from deskapp.services.actors import Actor, actor_from
from deskapp.services.changes import changes_after, latest_change
from deskapp.services.presence import (
    PRESENCE,
    WINDOW,
    Activity,
    Present,
    leave,
    lookers,
    looking_at,
    present_on,
)


@pytest.fixture
def staff(desk: str) -> tuple[Actor, Actor, Actor]:
    return tuple(  # type: ignore[return-value]
        actor_from(Staff.create(username=username, name=name, role=role))
        for username, name, role in (
            ("ann", "Ann Admin", Role.ADMIN),
            ("kim", "Kim Adler", Role.ADMIN),
            ("sam", "Sam Reyes", Role.AGENT),
        )
    )


def test_others_looking_are_named_and_the_asker_is_not(
    staff: tuple[Actor, Actor, Actor],
) -> None:
    ann, kim, sam = staff
    first, second = uuid.uuid4(), uuid.uuid4()
    looking_at(ann, Entity.ORDER, first)
    looking_at(kim, Entity.ORDER, first)
    looking_at(sam, Entity.ORDER, second)
    ids = [first, second, uuid.uuid4()]
    assert lookers(Entity.ORDER, ids, ann) == {str(first): "Kim Adler", str(second): "Sam Reyes"}
    assert lookers(Entity.ORDER, ids) == {
        str(first): "Ann Admin, Kim Adler",
        str(second): "Sam Reyes",
    }
    assert lookers(Entity.TICKET, ids) == {}
    assert lookers(Entity.ORDER, []) == {}


def test_a_look_replaces_the_last_one_and_one_row_per_person(
    staff: tuple[Actor, Actor, Actor],
) -> None:
    ann, kim, _ = staff
    first, second = uuid.uuid4(), uuid.uuid4()
    looking_at(ann, Entity.ORDER, first)
    looking_at(ann, Entity.ORDER, second)
    assert lookers(Entity.ORDER, [first, second], kim) == {str(second): "Ann Admin"}
    assert Presence.select().where(Presence.staff == ann.id).count() == 1


def test_looks_older_than_the_window_are_forgotten(
    staff: tuple[Actor, Actor, Actor], frozen_time: dt.datetime
) -> None:
    ann, kim, _ = staff
    order = uuid.uuid4()
    looking_at(ann, Entity.ORDER, order)
    try:
        clock.set_clock(clock.frozen_clock(frozen_time + WINDOW))
        assert lookers(Entity.ORDER, [order], kim) == {str(order): "Ann Admin"}
        clock.set_clock(clock.frozen_clock(frozen_time + WINDOW + dt.timedelta(seconds=1)))
        assert lookers(Entity.ORDER, [order], kim) == {}
        looking_at(ann, Entity.ORDER, order)  # renewed
        assert lookers(Entity.ORDER, [order], kim) == {str(order): "Ann Admin"}
    finally:
        clock.set_clock(clock.frozen_clock(frozen_time))


def test_on_a_ticket_replying_comes_first_and_names_what_each_does(
    staff: tuple[Actor, Actor, Actor],
) -> None:
    ann, kim, sam = staff
    ticket = uuid.uuid4()
    looking_at(ann, Entity.TICKET, ticket)
    looking_at(sam, Entity.TICKET, ticket, Activity.REPLYING)
    looking_at(kim, Entity.TICKET, ticket)
    assert present_on(Entity.TICKET, [ticket]) == {
        str(ticket): (
            Present("Sam Reyes", Activity.REPLYING),
            Present("Ann Admin", Activity.VIEWING),
            Present("Kim Adler", Activity.VIEWING),
        )
    }
    assert present_on(Entity.TICKET, [ticket], sam.id) == {
        str(ticket): (
            Present("Ann Admin", Activity.VIEWING),
            Present("Kim Adler", Activity.VIEWING),
        )
    }
    assert lookers(Entity.TICKET, [ticket], ann) == {str(ticket): "Kim Adler, Sam Reyes"}
    assert present_on(Entity.ORDER, [ticket]) == {}


def test_a_ticket_presence_change_is_published_a_renewal_is_not(
    staff: tuple[Actor, Actor, Actor],
) -> None:
    ann, _, _ = staff
    first, second = uuid.uuid4(), uuid.uuid4()
    start = latest_change()
    looking_at(ann, Entity.TICKET, first)
    looking_at(ann, Entity.TICKET, first)  # renewed: nothing to tell
    looking_at(ann, Entity.TICKET, first, Activity.REPLYING)
    looking_at(ann, Entity.TICKET, second)  # left the first for the second
    leave(ann)
    told = [(c.entity_id, c.action) for c in changes_after(start)]
    assert told == [
        (str(first), PRESENCE),
        (str(first), PRESENCE),
        (str(first), PRESENCE),
        (str(second), PRESENCE),
        (str(second), PRESENCE),
    ]
    assert present_on(Entity.TICKET, [first, second]) == {}
    looking_at(ann, Entity.ORDER, first)  # orders are read now and then, not published
    assert changes_after(changes_after(start)[-1].id) == []


def test_a_desk_gone_longer_than_the_window_drops_out(
    staff: tuple[Actor, Actor, Actor], frozen_time: dt.datetime
) -> None:
    ann, kim, _ = staff
    ticket = uuid.uuid4()
    looking_at(ann, Entity.TICKET, ticket, Activity.REPLYING)
    try:
        clock.set_clock(clock.frozen_clock(frozen_time + WINDOW + dt.timedelta(seconds=1)))
        assert present_on(Entity.TICKET, [ticket], kim.id) == {}
        start = latest_change()
        looking_at(ann, Entity.TICKET, ticket, Activity.REPLYING)  # back: told again
        assert [c.action for c in changes_after(start)] == [PRESENCE]
    finally:
        clock.set_clock(clock.frozen_clock(frozen_time))
