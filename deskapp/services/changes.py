"""What other desks changed: the change feed, read in order, so screens refresh what they show.

Every service write appends an event in its own transaction (deskapp.feed); a desk remembers
the last event it has seen and asks for the newer ones now and then.
"""

from __future__ import annotations

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
