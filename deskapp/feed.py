"""The change feed: each write appends an event so other desks refresh what they show.

Local desks poll the table; shared desks also get a NOTIFY on commit (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable

from deskapp.db import db, is_postgres
from deskapp.models import ChangeEvent

CHANNEL = "deskapp_changes"
"""The PostgreSQL NOTIFY channel."""


def publish(entity: str, entity_id: object, action: str) -> None:
    """Record a change inside the caller's transaction (it is seen only if that commits)."""
    event = ChangeEvent.create(entity=entity, entity_id=str(entity_id), action=action)
    if is_postgres():
        db.execute_sql("SELECT pg_notify(%s, %s)", (CHANNEL, f"{event.id}:{entity}:{entity_id}"))


def latest_event_id() -> int:
    """The newest event's id (0 for none): where a desk starts following."""
    return ChangeEvent.select(ChangeEvent.id).order_by(ChangeEvent.id.desc()).scalar() or 0


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
    return list(query)


def listen(changed: Callable[[], None], keep_going: Callable[[], bool]) -> None:
    """On PostgreSQL, call `changed()` as soon as any desk commits a change (its NOTIFY), until
    `keep_going()` turns false. SQLite has no notifications: this returns at once (desks on a
    local file read the feed now and then instead)."""
    if not is_postgres():
        return
    from deskapp.db_postgres import listen as listen_for

    listen_for(db.obj, CHANNEL, changed, keep_going)
