"""What other desks changed: the change feed, read in order, so screens refresh what they show.

Every service write appends an event in its own transaction (deskapp.feed); a desk remembers
the last event it has seen and asks for the newer ones now and then, and at once when a shared
database notifies it of a commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from deskapp import feed


@dataclass(frozen=True)
class Change:
    """One committed change: which entity, which one, what happened."""

    id: int
    entity: str
    """"client", "contact", "ticket", "outbox", "invoice", ..."""
    entity_id: str
    action: str
    """"created", "updated", "reply", "note", "client_message", ..."""


def latest_change() -> int:
    """Where a desk starts following: the newest change's id (0 for none)."""
    return feed.latest_event_id()


def changes_after(change_id: int, limit: int = 500) -> list[Change]:
    """The changes after `change_id`, oldest first (at most `limit`)."""
    return [Change(*event) for event in feed.events_after(change_id, limit)]


def wait_for_changes(changed: Callable[[], None], keep_going: Callable[[], bool]) -> None:
    """Call `changed()` the moment another desk commits a change, until `keep_going()` turns
    false (PostgreSQL's NOTIFY; returns at once on SQLite, where desks read the feed now and
    then). Blocks: run it in a thread."""
    feed.listen(changed, keep_going)
