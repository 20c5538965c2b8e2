"""A ticket's history: who changed its status, assignee, priority or tags, and when.

Read from the audit log, which deskapp.services.ticket_write.record_change writes for each of
those changes (with the value before and after) in the change's own transaction, whichever
action made it: the ticket's dialogs, a reply that sets the status, a merge that completes the
merged ticket. The log's (entity, entity_id) index finds a ticket's entries.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from deskapp.models import AuditEntry, tuple_rows
from deskapp.services.bookkeeping import key

CHANGES = {
    "ticket.status": "Status",
    "ticket.assignee": "Assignee",
    "ticket.priority": "Priority",
    "ticket.tags": "Tags",
}
"""The audited actions that make a ticket's history, and what each changed, as people say it."""
HISTORY_MAX = 500
"""The most changes the history shows (the newest)."""


@dataclass(frozen=True)
class TicketEvent:
    """One change of a ticket."""

    at: dt.datetime
    """When (UTC)."""
    who: str
    """The staff member (or "system: <job>") who made it."""
    what: str
    """Status, Assignee, Priority or Tags."""
    before: str
    """The value before ("" for none: nobody assigned, no tags)."""
    after: str
    """The value after."""


def ticket_history(ticket_id: uuid.UUID) -> list[TicketEvent]:
    """The ticket's status, assignee, priority and tag changes, oldest first."""
    ticket_id = key(ticket_id, "ticket")
    query = (
        AuditEntry.select(
            AuditEntry.created_at,
            AuditEntry.staff_name,
            AuditEntry.action,
            AuditEntry.before,
            AuditEntry.after,
        )
        .where(
            AuditEntry.entity == "ticket",
            AuditEntry.entity_id == str(ticket_id),
            AuditEntry.action.in_(list(CHANGES)),
        )
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(HISTORY_MAX)
    )
    events = []
    for at, who, action, before, after in tuple_rows(query):
        field = action.removeprefix("ticket.")
        events.append(
            TicketEvent(at, who, CHANGES[action], _value(before, field), _value(after, field))
        )
    events.reverse()
    return events


def _value(recorded: str, field: str) -> str:
    """The changed field's value from an audit entry's JSON ("" when absent)."""
    if not recorded:
        return ""
    value = json.loads(recorded).get(field)
    return "" if value is None else str(value)
