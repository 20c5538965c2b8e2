"""What other desks changed: the change feed, read in order, so screens refresh what they show.

Every service write appends an event in its own transaction (deskapp.db.feed); a desk remembers
where it is in the feed (`FeedPlace`) and asks for the newer events now and then, and at once
when a shared database notifies it of a commit.

An event's id is handed out when its write makes it, and the event is seen when that write
commits: on PostgreSQL, writes side by side commit in any order, so a desk can read event 101
while event 100 is still on its way. The place keeps such skipped ids and asks for them again
(`changes_since`) until they come or UNSEEN_SECONDS pass (the write rolled back): reading only
"after the newest seen" would lose them for good (bench/load.py counted 255 lost in two
minutes of 50 agents).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from deskapp import clock
from deskapp.db import feed
from deskapp.models import Entity

__all__ = [
    "KEPT_DAYS",
    "UNSEEN_SECONDS",
    "Change",
    "Entity",
    "FeedPlace",
    "changes_after",
    "changes_since",
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


UNSEEN_SECONDS = 60.0
"""How long a desk asks again for an event id it skipped: longer than any write takes from
making its event to committing, and short enough that rolled-back ids are soon forgotten."""
UNSEEN_MOST = 1_000
"""The most skipped ids a place keeps (the newest)."""


@dataclass(frozen=True)
class FeedPlace:
    """Where a desk is in the change feed."""

    after: int
    """The newest change read: the next read asks for the changes after it."""
    unseen: tuple[tuple[int, float], ...] = ()
    """Older ids not read yet, each with when it was first missed (time.monotonic()): events
    whose writes had not committed when a newer one was read, or that rolled back."""


def changes_since(
    place: FeedPlace, limit: int = 500, *, now: float | None = None
) -> tuple[list[Change], FeedPlace]:
    """The changes a desk at `place` has not read, oldest first, and its place after them.

    They are the changes after `place.after` (at most `limit`) and those of its unseen ids that
    have committed since; an id still missing after UNSEEN_SECONDS is given up. `now` is
    time.monotonic() unless given.
    """
    moment = time.monotonic() if now is None else now
    newer = feed.events_after(place.after, limit)
    late = feed.events_among(event_id for event_id, _ in place.unseen)
    arrived = {event[0] for event in late}
    unseen = [
        (event_id, since)
        for event_id, since in place.unseen
        if event_id not in arrived and moment - since < UNSEEN_SECONDS
    ]
    after = place.after
    for event_id, *_ in newer:
        skipped = range(max(after + 1, event_id - UNSEEN_MOST), event_id)
        unseen.extend((missing, moment) for missing in skipped)
        after = event_id
    changes = [Change(*event) for event in late + newer]
    return changes, FeedPlace(after, tuple(unseen[-UNSEEN_MOST:]))


def wait_for_changes(changed: Callable[[], None], keep_going: Callable[[], bool]) -> None:
    """Call `changed()` the moment another desk commits a change, until `keep_going()` turns
    false (PostgreSQL's NOTIFY; returns at once on SQLite, where desks read the feed now and
    then). Blocks: run it in a thread."""
    feed.listen(changed, keep_going)
