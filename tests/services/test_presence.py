"""Presence: who else looked at a record in the last two minutes, on both backends."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from deskapp import clock
from deskapp.models import Entity, Presence, Role, Staff
from deskapp.services.actors import Actor, actor_from
from deskapp.services.presence import WINDOW, lookers, looking_at


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
