"""What other desks changed: the change feed, read in order, so screens refresh what they show.

Every service write appends an event in its own transaction (deskapp.db.feed); a desk remembers
the last event it has seen and asks for the newer ones now and then, and at once when a shared
database notifies it of a commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from deskapp import clock
from deskapp.db import feed
from deskapp.models import Entity

__all__ = [
    "KEPT_DAYS",
    "Change",
    "Entity",
    "changes_after",
    "latest_change",
    "start_following",
    "wait_for_changes",
]


@dataclass(frozen=True)
class Change:
    """One committed change: which entity, which one, what happened."""

    id: int
    """The change's place in the feed: later changes have greater ids."""
    entity: str
    """What changed: an Entity value (a StrEnum, so `change.entity == Entity.TICKET` reads
    right); kept as text, so a newer desk's new entity on a shared database is skipped by the
    screens, not an error."""
    entity_id: str
    """The key of the row that changed, as text."""
    action: str
    """"created", "updated", "reply", "note", "client_message", ..."""


KEPT_DAYS = 7
"""How long the feed keeps a change. Desks start following from the newest change, so only a
desk that has not reached the database for this long could miss one."""


def latest_change() -> int:
    """The newest change's id (0 for none)."""
    return feed.latest_event_id()


def start_following() -> int:
    """Where a desk starts following: the newest change's id (0 for none). The feed forgets
    changes older than KEPT_DAYS first, so it never grows without end."""
    feed.prune(clock.now() - dt.timedelta(days=KEPT_DAYS))
    return latest_change()


def changes_after(change_id: int, limit: int = 500) -> list[Change]:
    """The changes after `change_id`, oldest first (at most `limit`)."""
    return [Change(*event) for event in feed.events_after(change_id, limit)]


def wait_for_changes(changed: Callable[[], None], keep_going: Callable[[], bool]) -> None:
    """Call `changed()` the moment another desk commits a change, until `keep_going()` turns
    false (PostgreSQL's NOTIFY; returns at once on SQLite, where desks read the feed now and
    then). Blocks: run it in a thread."""
    feed.listen(changed, keep_going)
