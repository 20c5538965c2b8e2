"""Who is looking at what, and who is replying: so two people do not answer one ticket, and two
admins do not decide the same order at once.

Each staff member has one Presence row (the thing they are on now): a desk upserts it as the
cursor lands on a record or a ticket opens, renews it while it stays there, and lists ask who
else was there within WINDOW, so a desk that went away (closed, crashed, cut off) drops out by
itself. A desk that leaves properly says so at once (`leave`). It is a hint, never a lock:
nothing is refused because someone else is there.

Being on a ticket is published on the change feed (action PRESENCE) when it changes (not when
it is merely renewed), so other desks' queues and conversations show it within a second.

What the person does is kept in the row's `entity` text: "ticket" while viewing, "ticket/replying"
while replying (the table has no column for it; a later migration may give it one).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.models import Entity, Presence, Staff, tuple_rows
from deskapp.services.actors import Actor

__all__ = [
    "PRESENCE",
    "WINDOW",
    "Activity",
    "Present",
    "leave",
    "lookers",
    "looking_at",
    "present_on",
]

WINDOW = dt.timedelta(minutes=2)
"""How recent a look must be to count: a desk renews it while the record stays under the
cursor (screens renew well within this); a desk gone longer than this is not shown."""
PRESENCE = "presence"
"""The change feed's action for "who is on this changed"."""
PUBLISHED = frozenset({Entity.TICKET})
"""Entities whose presence changes go on the change feed (the order queue reads it now and
then instead)."""


class Activity(StrEnum):
    """What someone on a record is doing."""

    VIEWING = "viewing"
    REPLYING = "replying"


@dataclass(frozen=True)
class Present:
    """Someone else on a record."""

    name: str
    """The staff member's name."""
    activity: Activity
    """Viewing or replying."""


def _stored(entity: Entity, activity: Activity) -> str:
    return str(entity) if activity is Activity.VIEWING else f"{entity}/{activity}"


def _read(stored: str) -> Activity:
    return Activity(stored.partition("/")[2] or Activity.VIEWING)


def looking_at(
    actor: Actor,
    entity: Entity,
    entity_id: uuid.UUID | str,
    activity: Activity = Activity.VIEWING,
) -> None:
    """Record that `actor` is on `entity_id` now, doing `activity` (replacing where they were
    before). A change (not a renewal) of a ticket's presence goes on the change feed."""
    stored, key, now = _stored(entity, activity), str(entity_id), clock.now()
    with write_transaction():
        before = _where(actor)
        Presence.insert(staff=actor.id, entity=stored, entity_id=key, seen_at=now).on_conflict(
            conflict_target=[Presence.staff],
            update={Presence.entity: stored, Presence.entity_id: key, Presence.seen_at: now},
        ).execute()
        if before != (stored, key):
            if before is not None and before[1] != key:
                _publish(before)
            _publish((stored, key))


def leave(actor: Actor) -> None:
    """`actor` is on nothing any more (they left the record, or the desk closes)."""
    with write_transaction():
        before = _where(actor)
        Presence.update(entity="", entity_id="").where(Presence.staff == actor.id).execute()
        _publish(before)


def _where(actor: Actor) -> tuple[str, str] | None:
    """Where `actor` counts as being now (None: nowhere, or too long ago)."""
    row = (
        Presence.select(Presence.entity, Presence.entity_id)
        .where((Presence.staff == actor.id) & (Presence.seen_at >= clock.now() - WINDOW))
        .tuples()
        .first()
    )
    return (row[0], row[1]) if row and row[0] else None


def _publish(where: tuple[str, str] | None) -> None:
    if where is None:
        return
    entity = where[0].partition("/")[0]
    if entity in PUBLISHED:
        feed.publish(entity, where[1], PRESENCE)


def present_on(
    entity: Entity, ids: Iterable[uuid.UUID | str], asker_id: uuid.UUID | None = None
) -> dict[str, tuple[Present, ...]]:
    """Who else is on each of `ids` within WINDOW, replying first, then by name; ids nobody
    is on are left out, and so is the asker (they know where they are)."""
    wanted = {str(entity_id) for entity_id in ids}
    if not wanted:
        return {}
    kinds = [_stored(entity, activity) for activity in Activity]
    query = (
        Presence.select(Presence.entity_id, Staff.name, Presence.entity)
        .join(Staff)
        .where(
            Presence.entity.in_(kinds)
            & Presence.entity_id.in_(sorted(wanted))
            & (Presence.seen_at >= clock.now() - WINDOW)
        )
    )
    if asker_id is not None:
        query = query.where(Presence.staff != asker_id)
    found: dict[str, list[Present]] = {}
    for entity_id, name, stored in tuple_rows(query):
        found.setdefault(entity_id, []).append(Present(name, _read(stored)))
    return {
        entity_id: tuple(
            sorted(people, key=lambda p: (p.activity is not Activity.REPLYING, p.name))
        )
        for entity_id, people in found.items()
    }


def lookers(
    entity: Entity, ids: Iterable[uuid.UUID | str], asker: Actor | None = None
) -> dict[str, str]:
    """Who else is on each of `ids` within WINDOW: {id as text: "Ann Admin, Kim Adler"}.

    The asker is left out (they know they are looking); ids nobody looks at are left out.
    """
    on = present_on(entity, ids, asker.id if asker is not None else None)
    return {
        entity_id: ", ".join(sorted(p.name for p in people)) for entity_id, people in on.items()
    }
