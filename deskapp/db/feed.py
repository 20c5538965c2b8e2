"""The change feed: each write appends an event so other desks refresh what they show.

Local desks poll the table; shared desks also get a NOTIFY on commit (PostgreSQL).
The entity names are deskapp.models.Entity values.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import cast

import peewee

from deskapp import clock
from deskapp.db import db, is_postgres

CHANNEL = "deskapp_changes"
"""The PostgreSQL NOTIFY channel."""


class ChangeEvent(peewee.Model):
    """One change, in commit order: other desks refresh what they show of the entity.

    The feed's own table lives with the feed, below the domain models (deskapp.models
    re-exports it), so that the database layer needs nothing above it."""

    id = peewee.BigAutoField()
    entity = peewee.CharField(max_length=40)
    entity_id = peewee.CharField(max_length=40)
    action = peewee.CharField(max_length=20)
    at = peewee.DateTimeField(default=clock.now)

    class Meta:
        database = db
        table_name = "change_event"


def publish(entity: str, entity_id: object, action: str) -> None:
    """Record a change inside the caller's transaction (it is seen only if that commits).

    On PostgreSQL the event and its NOTIFY go in one statement: one round trip, not two (a
    write that touches many records publishes many events)."""
    if not is_postgres():
        ChangeEvent.create(entity=entity, entity_id=str(entity_id), action=action)
        return
    db.execute_sql(
        'WITH event AS (INSERT INTO "change_event" ("entity", "entity_id", "action", "at") '
        'VALUES (%s, %s, %s, %s) RETURNING "id") '
        "SELECT pg_notify(%s, event.id || ':' || %s) FROM event",
        (entity, str(entity_id), action, clock.now(), CHANNEL, f"{entity}:{entity_id}"),
    )


def latest_event_id() -> int:
    """The newest event's id (0 for none): where a desk starts following."""
    return ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id.desc()).scalar() or 0


def prune(older_than: datetime.datetime, batch: int = 5_000) -> int:
    """Delete the events from before `older_than`, oldest first, `batch` at a time (each batch
    its own short transaction: a long backlog never holds the database's write lock for long).
    Returns how many went. With nothing to delete, this reads one row by key."""
    removed = 0
    while True:
        oldest = ChangeEvent.select(ChangeEvent.at).order_by(ChangeEvent.id).limit(1).scalar()
        if oldest is None or oldest >= older_than:
            return removed
        with db.atomic():
            query = (
                ChangeEvent.select(ChangeEvent.id, ChangeEvent.at)
                .order_by(ChangeEvent.id)
                .limit(batch)
                .tuples()
            )
            events = cast("Iterable[tuple[int, datetime.datetime]]", query)  # .tuples(): tuples
            old = []
            for event_id, at in events:  # events are in time order, near enough
                if at >= older_than:
                    break
                old.append(event_id)
            if old:  # (another desk may have pruned them just now)
                ChangeEvent.delete().where(ChangeEvent.id <= old[-1]).execute()
        removed += len(old)


def events_after(event_id: int, limit: int = 500) -> list[tuple[int, str, str, str]]:
    """Events newer than `event_id`, oldest first, as (id, entity, entity_id, action)."""
    query = (
        ChangeEvent.select(
            ChangeEvent.id, ChangeEvent.entity, ChangeEvent.entity_id, ChangeEvent.action
        )
        .where(ChangeEvent.id > event_id)
        .order_by(ChangeEvent.id)
        .limit(limit)
        .tuples()
    )
    return list(cast("Iterable[tuple[int, str, str, str]]", query))  # .tuples(): plain tuples


def events_among(event_ids: Iterable[int]) -> list[tuple[int, str, str, str]]:
    """Those of `event_ids` that are in the feed (committed), oldest first, as events_after."""
    wanted = sorted(set(event_ids))
    if not wanted:
        return []
    query = (
        ChangeEvent.select(
            ChangeEvent.id, ChangeEvent.entity, ChangeEvent.entity_id, ChangeEvent.action
        )
        .where(ChangeEvent.id.in_(wanted))
        .order_by(ChangeEvent.id)
        .tuples()
    )
    return list(cast("Iterable[tuple[int, str, str, str]]", query))  # .tuples(): plain tuples


def listen(changed: Callable[[], None], keep_going: Callable[[], bool]) -> None:
    """On PostgreSQL, call `changed()` as soon as any desk commits a change (its NOTIFY), until
    `keep_going()` turns false. SQLite has no notifications: this returns at once (desks on a
    local file read the feed now and then instead)."""
    if not is_postgres():
        return
    from deskapp.db.postgres import listen as listen_for

    listen_for(db.obj, CHANNEL, changed, keep_going)
