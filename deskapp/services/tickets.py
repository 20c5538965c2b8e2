"""Tickets: the queue, narrowed and sorted the way a shift works, a page at a time.

Every page is read with keyset paging (the rows after the last one shown, never OFFSET), and
each sort walks an index of migration 0004 in its own order, so the first page of a desk with
100,000 tickets costs a few milliseconds whatever the narrowing:
- the open view walks partial indexes that hold only open tickets (and the columns the queue
  narrows by, so the walk never reads the table);
- the completed view walks (status, sort, id), or the assignee's or department's index;
- the all view walks both and merges them; the waiting sort walks the waiting tickets first
  (longest waiting first), then the others by latest activity.
A page is read in two steps: the keys of its rows from the walk, then those rows with their
client, department and assignee.

Search: a ticket number (T-20311, t-20311, 20311) finds that ticket; other text finds tickets
whose subject or client name contains it, through the trigram index of migration 0004. Rare text
is looked up in the index and the matches are sorted; text too common for that is checked row by
row along the walk, which then fills a page quickly.
"""

from __future__ import annotations

import datetime as dt
import heapq
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from deskapp import clock
from deskapp.db import db, is_postgres
from deskapp.errors import ValidationError
from deskapp.ids import format_number, parse_number
from deskapp.migrations.m0004_ticket_queue import OPEN, WAITING
from deskapp.models import Priority, Ticket, TicketStatus

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
MAX_SEARCH_LENGTH = 200
"""Longer search text is cut to this (no subject or name is that long to search by)."""
SEARCH_CANDIDATES = 2_000
"""Text found in fewer tickets than this is looked up in the search index and the matches
sorted; text found in more is checked along the sort's walk, which finds a page quickly."""
TRIGRAM = 3
"""The shortest text the trigram index can look up."""

TicketPageKey = tuple[dt.datetime, uuid.UUID]
"""Where a page of list_tickets() ends: the last row's (last_activity_at, id)."""

_COMPLETED = "t.status = 'Completed'"
_OPEN = "t." + OPEN
_WAITING = "t." + WAITING
_NOT_WAITING = "t.waiting_since IS NULL"


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
    """A ticket number ("T-20311", "20311") finds that ticket in any view; other text finds
    tickets whose subject or client name contains it."""
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

    @property
    def label(self) -> str:
        """The ticket number as people say it: T-20311."""
        return format_number("ticket", self.number)

    @property
    def client_label(self) -> str:
        """The client number as people say it: C-1042."""
        return format_number("client", self.client_number)

    @property
    def page_key(self) -> TicketPageKey:
        """Pass as `after` to list_tickets() for the next page."""
        return (self.last_activity_at, self.id)

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
    query = _Query(filter)
    limit = max(0, min(limit, MAX_PAGE))
    if limit == 0 or query.empty:
        return []
    if filter.sort == "waiting":
        keys = _waiting_page(query, after, limit)
    elif filter.sort == "age":
        start = None if after is None else (after.created_at, after.id)
        keys = query.page(query.walks("created_at"), False, start, limit)
    else:
        start = None if after is None else (after.last_activity_at, after.id)
        keys = query.page(query.walks("last_activity_at"), True, start, limit)
    return _summaries(keys)


def count_queue(filter: QueueFilter) -> int:
    """How many tickets `filter` keeps (its sort does not matter)."""
    query = _Query(filter)
    if query.empty:
        return 0
    return sum(query.count(walk) for walk in query.walks("last_activity_at", counting=True))


def list_tickets(
    view: str = "open",
    after: TicketPageKey | None = None,
    limit: int = 100,
    client_id: uuid.UUID | None = None,
) -> list[TicketSummary]:
    """A page of the queue, most recent activity first, starting after `after` (keyset paging).

    `view` is "open" (every status but Completed), "completed" or "all"; `client_id` keeps
    only that client's tickets (the client screen's `t`). The plain form of list_queue().
    """
    if view not in VIEWS:
        raise ValueError(f"unknown ticket view {view!r}")
    query = _Query(QueueFilter(view=view, client_id=client_id))
    keys = query.page(query.walks("last_activity_at"), True, after, max(0, min(limit, MAX_PAGE)))
    return _summaries(keys)


def _waiting_page(
    query: _Query, after: TicketSummary | None, limit: int
) -> list[tuple[Any, uuid.UUID]]:
    """Waiting tickets (open ones with waiting_since), longest waiting first, then the others
    by newest activity."""
    keys: list[tuple[Any, uuid.UUID]] = []
    if after is None or (after.waiting_since is not None and after.status != "Completed"):
        start = None if after is None else (after.waiting_since, after.id)
        keys = query.page(query.walks("waiting_since"), False, start, limit)
        after = None
    if len(keys) < limit:
        start = None if after is None else (after.last_activity_at, after.id)
        walks = query.walks("last_activity_at", not_waiting=True)
        keys += query.page(walks, True, start, limit - len(keys))
    return keys


@dataclass(frozen=True)
class _Walk:
    """One stream of tickets in sort order, along one index: conditions and their values."""

    column: str
    conditions: tuple[str, ...]
    params: tuple[object, ...] = ()
    source: str = ""
    """What to read the tickets from instead of `ticket t` (search candidates joined)."""
    source_params: tuple[object, ...] = ()
    index: str = ""
    """SQLite: the index the walk reads (ignored when reading search candidates)."""

    def tickets(self, postgres: bool) -> str:
        """The FROM clause of the walk."""
        if self.source:
            return self.source
        return "ticket t" if postgres or not self.index else f"ticket t INDEXED BY {self.index}"


@dataclass
class _Query:
    """A QueueFilter turned into SQL conditions and walks."""

    filter: QueueFilter
    postgres: bool = field(default_factory=is_postgres)
    conditions: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    source: str = ""
    source_params: list[object] = field(default_factory=list)
    source_pages: bool = False
    """Whether pages read the search matches (`source`) too, not only counts."""
    check: tuple[str, object] | None = None
    """The search as a condition checked along a walk (text too common or too short)."""
    any_view: bool = False
    number: int | None = None
    empty: bool = False

    def __post_init__(self) -> None:
        f = self.filter
        _check(f)
        if f.client_id is not None:
            self._where("t.client_id = ?", f.client_id)
        text = f.search.replace("\x00", "").strip()[:MAX_SEARCH_LENGTH]
        number = parse_number("ticket", text) if text else None
        if number is not None and self._number_exists(number):
            self._where("t.number = ?", number)
            self.number = number
            self.any_view = True  # a number finds its ticket wherever it is
            return
        if f.assignee == "mine":
            self._where("t.assignee_id = ?", f.staff_id)
        elif f.assignee == "unassigned":
            self._where("t.assignee_id IS NULL")
        if f.department_id is not None:
            self._where("t.department_id = ?", f.department_id)
        if f.priority is not None:
            self._where("t.priority = ?", f.priority)
        if text:
            self._search(text)

    def _where(self, condition: str, *values: object) -> None:
        self.conditions.append(condition)
        self.params.extend(values)

    def _number_exists(self, number: int) -> bool:
        sql = "SELECT 1 FROM ticket t WHERE t.number = ?"
        return self._fetch(sql, [number]) != []

    def _search(self, text: str) -> None:
        """Rare text: candidates from the index, sorted; common or short text: checked along
        the walk (the walk is then quick to fill a page)."""
        if self.postgres:
            found = "SELECT s.ticket_id FROM ticket_search s WHERE s.document LIKE lower(?) "
            found += "ESCAPE '\\'"
            value: object = f"%{_escape_like(text)}%"
        else:
            found = (
                "SELECT s.ticket_id FROM ticket_search_fts f "
                "CROSS JOIN ticket_search s ON s.rowid = f.rowid WHERE ticket_search_fts MATCH ?"
            )
            value = '"' + text.replace('"', '""') + '"'
        position = (
            "strpos(s.document, lower(?))" if self.postgres else "instr(s.document, lower(?))"
        )
        self.check = (
            f"EXISTS (SELECT 1 FROM ticket_search s WHERE s.ticket_id = t.id AND {position} > 0)",
            text,
        )
        if len(text) < TRIGRAM:
            return
        probe = f"SELECT COUNT(*) FROM ({found} LIMIT ?) AS probe"
        matches = self._fetch(probe, [value, SEARCH_CANDIDATES])[0][0]
        if matches == 0:
            self.empty = True
            return
        # OFFSET 0 keeps PostgreSQL from folding the candidates into the walk; SQLite's
        # CROSS JOIN keeps them as the outer loop.
        fence = " OFFSET 0" if self.postgres else ""
        join = "JOIN" if self.postgres else "CROSS JOIN"
        self.source = f"({found}{fence}) AS found {join} ticket t ON t.id = found.ticket_id"
        self.source_params = [value]
        # Counting always reads the matches; a page reads them when they are few, else walks.
        self.source_pages = matches < SEARCH_CANDIDATES

    def walks(self, column: str, not_waiting: bool = False, counting: bool = False) -> list[_Walk]:
        """The ordered streams that together hold the view's tickets, sorted by `column`
        (`counting`: for a count, where the order does not matter)."""
        view = "all" if self.any_view else self.filter.view
        if column == "waiting_since":
            # Only open tickets wait (completing one ends the wait).
            parts = {
                "open": [("waiting", (_WAITING, _OPEN))],
                "completed": [],
                "all": [("waiting", (_WAITING, _OPEN))],
            }[view]
        else:
            parts = {
                "open": [("open", (_OPEN,))],
                "completed": [("completed", (_COMPLETED,))],
                "all": [("open", (_OPEN,)), ("completed", (_COMPLETED,))],
            }[view]
        if not_waiting:
            parts = [
                (part, (*found, _NOT_WAITING) if part == "open" else found) for part, found in parts
            ]
        from_matches = bool(self.source) and (counting or self.source_pages)
        conditions, params = list(self.conditions), list(self.params)
        if self.check is not None and not from_matches:
            conditions.append(self.check[0])
            params.append(self.check[1])
        return [
            _Walk(
                column,
                (*part_conditions, *conditions),
                tuple(params),
                self.source if from_matches else "",
                tuple(self.source_params) if from_matches else (),
                self._index(part, column),
            )
            for part, part_conditions in parts
        ]

    def _index(self, part: str, column: str) -> str:
        """The index of migration 0004 (or 0001) that serves a walk best.

        SQLite is told (INDEXED BY): a desk's SQLite file seldom has planner statistics, and
        without them it may pick an index that matches more conditions but must then sort
        thousands of rows. PostgreSQL keeps statistics and chooses for itself.
        """
        if self.number is not None:
            return "ticket_number"
        if self.filter.client_id is not None:
            return "ticket_client_id_status"  # a client's tickets are few: read and sort them
        if part == "waiting":
            return "ticket_waiting"
        sort = "activity" if column == "last_activity_at" else "age"
        if part == "open":
            return f"ticket_open_{sort}"
        if self.filter.assignee != "any":
            return f"ticket_assignee_{sort}"
        if self.filter.department_id is not None:
            return f"ticket_department_{sort}"
        return f"ticket_status_{sort}"

    def page(
        self,
        walks: Sequence[_Walk],
        descending: bool,
        after: tuple[Any, uuid.UUID] | None,
        limit: int,
    ) -> list[tuple[Any, uuid.UUID]]:
        """The first `limit` (sort value, id) keys after `after` across `walks`, merged."""
        if limit <= 0 or not walks:
            return []
        streams = [self._keys(walk, descending, after, limit) for walk in walks]
        merged = heapq.merge(*streams, reverse=descending) if len(streams) > 1 else streams[0]
        return list(merged)[:limit]

    def _keys(
        self, walk: _Walk, descending: bool, after: tuple[Any, uuid.UUID] | None, limit: int
    ) -> list[tuple[Any, uuid.UUID]]:
        conditions, params = list(walk.conditions), list(walk.params)
        column = f"t.{walk.column}"
        if after is not None:
            conditions.append(f"({column}, t.id) {'<' if descending else '>'} (?, ?)")
            params += [after[0], after[1]]
        order = "DESC" if descending else ""
        sql = (
            f"SELECT {column}, t.id FROM {walk.tickets(self.postgres)} "
            f"WHERE {' AND '.join(conditions)} "
            f"ORDER BY {column} {order}, t.id {order} LIMIT ?"
        )
        rows = self._fetch(sql, [*walk.source_params, *params, limit])
        convert = getattr(Ticket, walk.column).python_value
        return [(convert(value), _uuid(key)) for value, key in rows]

    def count(self, walk: _Walk) -> int:
        """How many tickets `walk` holds."""
        sql = (
            f"SELECT COUNT(*) FROM {walk.tickets(self.postgres)} "
            f"WHERE {' AND '.join(walk.conditions)}"
        )
        return int(self._fetch(sql, [*walk.source_params, *walk.params])[0][0])

    def _fetch(self, sql: str, params: Iterable[object]) -> list[tuple]:
        values = tuple(_db_value(value, self.postgres) for value in params)
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return list(db.execute_sql(sql, values).fetchall())


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


def _db_value(value: object, postgres: bool) -> object:
    if isinstance(value, uuid.UUID) and not postgres:
        return value.hex
    return value


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


def _summaries(keys: Sequence[tuple[Any, uuid.UUID]]) -> list[TicketSummary]:
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
        row["id"], row["client"] = _uuid(row["id"]), _uuid(row["client"])
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
