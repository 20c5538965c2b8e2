"""Tickets: the queue, narrowed and sorted the way a shift works, a page at a time.

A page continues after the last ticket of the previous one (keyset paging, never OFFSET); how
each sort walks its index is deskapp.services.ticket_queue_plan's business. A page is read in
two steps: the keys of its rows from the walk, then those rows with their client, department
and assignee.

Search: a ticket number (T-20311, t-20311, 20311) finds that ticket within the view and its
narrowing, like any search, so the list and every count describe the same tickets; other text
finds tickets whose subject, client name, service identifier (domain, username, line) or any
message of its conversation contains it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deskapp import clock
from deskapp.db import db, is_postgres
from deskapp.errors import ValidationError
from deskapp.ids import format_number
from deskapp.models import Priority, Ticket, TicketStatus
from deskapp.services.presence import Present
from deskapp.services.ticket_queue_plan import PageKey, QueuePlan, as_uuid, waiting_page

VIEWS = ("open", "completed", "all")
"""The queue views: open (anything not completed), completed, or every ticket."""
ASSIGNEES = ("any", "mine", "unassigned")
"""Whose tickets: anyone's, the staff member's own, or nobody's yet."""
SORTS = ("activity", "age", "waiting")
"""Newest activity first; oldest first; longest-waiting client first (waiting ones first)."""
PRIORITIES = tuple(str(priority) for priority in Priority)
"""Low, Medium, High, Urgent."""
STATUSES = tuple(str(status) for status in TicketStatus)
"""Open, Answered, Customer-Reply, On Hold, In Progress, Completed."""
MAX_PAGE = 1_000
"""The most rows one page returns."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: a view, narrowed by person, department, priority, client or text,
    in one of three orders."""

    view: str = "open"
    """"open" (not Completed), "completed" or "all"."""
    assignee: str = "any"
    """"any", "mine" (the tickets of `staff_id`) or "unassigned"."""
    staff_id: uuid.UUID | None = None
    """Whose tickets "mine" means."""
    department_id: uuid.UUID | None = None
    """Only this department's tickets (None: every department)."""
    priority: str | None = None
    """Only this priority: Low, Medium, High or Urgent (None: any)."""
    client_id: uuid.UUID | None = None
    """Only this client's tickets (the client screen's list)."""
    search: str = ""
    """A ticket number ("T-20311", "20311") finds that ticket when the view and narrowing keep
    it (the other views' counts say where it is); other text finds tickets whose subject,
    client name, service identifier or any message contains it."""
    sort: str = "activity"
    """"activity" newest activity first, "age" oldest created first, "waiting" longest-waiting
    client first (the waiting ones first, then the others by newest activity)."""


@dataclass(frozen=True)
class TicketSummary:
    """One row of the ticket queue."""

    id: uuid.UUID
    """The ticket's key."""
    number: int
    """The ticket number; shown as T-20311 (see `label`)."""
    subject: str
    """What the client wrote as the subject (untrusted text)."""
    client_number: int
    """The client's number."""
    client_name: str
    """The client's company, or their name for a private person."""
    department: str
    """The department the request belongs to."""
    status: str
    """Open, Answered, Customer-Reply, On Hold, In Progress or Completed."""
    priority: str
    """Low, Medium, High or Urgent."""
    assignee: str
    """The assigned staff member's name, or empty when nobody has it."""
    last_activity_at: dt.datetime
    """When the conversation last moved (UTC)."""
    waiting_since: dt.datetime | None
    """Since when the client waits for an answer; None when they are not waiting."""
    created_at: dt.datetime
    """When the ticket was opened (UTC)."""
    tags: str
    """Tags staff gave it, "a, b" (lower-case)."""
    client_id: uuid.UUID
    """The client's key."""
    present: tuple[Present, ...] = ()
    """Who else is viewing or replying to it (filled by the queue's pages, from
    services.presence; empty as list_queue returns it)."""

    @property
    def label(self) -> str:
        """The ticket number as people say it: T-20311."""
        return format_number("ticket", self.number)

    @property
    def client_label(self) -> str:
        """The client number as people say it: C-1042."""
        return format_number("client", self.client_number)

    def waiting(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long the client has been waiting, at `now` (default: the clock's now)."""
        if self.waiting_since is None:
            return None
        return max((now or clock.now()) - self.waiting_since, dt.timedelta(0))


def list_queue(
    filter: QueueFilter, after: TicketSummary | None = None, limit: int = 100
) -> list[TicketSummary]:
    """A page of the queue: the first `limit` tickets that `filter` keeps, in its sort, after
    the row `after` (the last one of the previous page; None for the first page)."""
    _check(filter)
    query = QueuePlan(filter)
    limit = max(0, min(limit, MAX_PAGE))
    if limit == 0 or query.empty:
        return []
    if filter.sort == "waiting":
        keys = waiting_page(query, after, limit)
    elif filter.sort == "age":
        start = None if after is None else (after.created_at, after.id)
        keys = query.page(query.walks("created_at"), False, start, limit)
    else:
        start = None if after is None else (after.last_activity_at, after.id)
        keys = query.page(query.walks("last_activity_at"), True, start, limit)
    return _summaries(keys)


def count_queue(filter: QueueFilter) -> int:
    """How many tickets `filter` keeps (its sort does not matter)."""
    _check(filter)
    query = QueuePlan(filter)
    if query.empty:
        return 0
    return sum(query.count(walk) for walk in query.walks("last_activity_at", counting=True))


def _check(f: QueueFilter) -> None:
    """Refuse a filter the queue cannot show, with a sentence naming what is wrong."""
    if f.view not in VIEWS:
        raise ValidationError(
            "view", f"The queue shows {', '.join(VIEWS)} tickets, not {f.view!r}."
        )
    if f.assignee not in ASSIGNEES:
        raise ValidationError("assignee", f"Assignee must be one of {', '.join(ASSIGNEES)}.")
    if f.assignee == "mine" and f.staff_id is None:
        raise ValidationError("assignee", "“Mine” needs the staff member whose tickets to show.")
    if f.priority is not None and f.priority not in PRIORITIES:
        raise ValidationError("priority", f"Priority must be one of {', '.join(PRIORITIES)}.")
    if f.sort not in SORTS:
        raise ValidationError("sort", f"The queue sorts by {', '.join(SORTS)}, not {f.sort!r}.")


_SUMMARY_SQL = (
    "SELECT t.id, t.number, t.subject, t.status, t.priority, t.last_activity_at, "
    "t.waiting_since, t.created_at, t.tags, t.client_id, c.number, c.first_name, c.last_name, "
    "c.company, d.name, s.name FROM ticket t JOIN client c ON c.id = t.client_id "
    "JOIN department d ON d.id = t.department_id LEFT JOIN staff s ON s.id = t.assignee_id "
)
_SUMMARY_NAMES = (
    "id", "number", "subject", "status", "priority", "last_activity_at", "waiting_since",
    "created_at", "tags", "client", "client_number", "client_first_name", "client_last_name",
    "client_company", "department_name", "assignee_name",
)  # fmt: skip


def _summaries(keys: Sequence[PageKey]) -> list[TicketSummary]:
    """The rows of `keys`, in that order, with their client, department and assignee (one
    query; plain SQL, as a page is read at every key press and the query builder costs more
    than the query)."""
    if not keys:
        return []
    ids = [key for _, key in keys]
    if is_postgres():
        cursor = db.execute_sql(_SUMMARY_SQL + "WHERE t.id = ANY(%s)", (ids,))
    else:
        marks = ", ".join("?" for _ in ids)
        cursor = db.execute_sql(f"{_SUMMARY_SQL}WHERE t.id IN ({marks})", [k.hex for k in ids])
    when = Ticket.created_at.python_value
    rows = {}
    for values in cursor.fetchall():
        row = dict(zip(_SUMMARY_NAMES, values, strict=True))
        row["id"], row["client"] = as_uuid(row["id"]), as_uuid(row["client"])
        for name in ("last_activity_at", "waiting_since", "created_at"):
            row[name] = when(row[name])
        rows[row["id"]] = row
    return [summary_of(rows[key]) for key in ids if key in rows]


def summary_of(row: dict[str, Any]) -> TicketSummary:
    """A TicketSummary from a row selected as _summaries() does."""
    person = f"{row['client_first_name']} {row['client_last_name']}".strip()
    return TicketSummary(
        id=row["id"],
        number=row["number"],
        subject=row["subject"],
        client_number=row["client_number"],
        client_name=row["client_company"] or person,
        department=row["department_name"],
        status=row["status"],
        priority=row["priority"],
        assignee=row["assignee_name"] or "",
        last_activity_at=row["last_activity_at"],
        waiting_since=row["waiting_since"],
        created_at=row["created_at"],
        tags=row["tags"],
        client_id=row["client"],
    )


def ticket_summary(ticket_id: uuid.UUID) -> TicketSummary | None:
    """One ticket as the queue shows it (None when it does not exist)."""
    found = _summaries([(None, ticket_id)])
    return found[0] if found else None
