"""How the ticket queue reads its pages: the SQL planner behind deskapp.services.tickets.

Every page is read with keyset paging (the rows after the last one shown, never OFFSET), and
each sort walks an index of migration 0004 in its own order, so the first page of a desk with
100,000 tickets costs a few milliseconds whatever the narrowing:
- the open view walks partial indexes that hold only open tickets (and the columns the queue
  narrows by, so the walk never reads the table);
- the completed view walks (status, sort, id), or the assignee's or department's index;
- the all view walks both and merges them; the waiting sort walks the waiting tickets first
  (longest waiting first), then the others by latest activity.

Search text too rare for a walk is looked up in the trigram indexes of migrations 0004 (the
ticket's subject, client and, since 0012, service) and 0012 (every message body) and the
matches sorted; text too common for that is checked row by row along the walk, which then
fills a page quickly.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from deskapp.db import db, is_postgres
from deskapp.ids import parse_number
from deskapp.models import Ticket
from deskapp.models.tickets import OPEN_TICKETS, WAITING_TICKETS
from deskapp.text import searchable

if TYPE_CHECKING:
    from deskapp.services.tickets import QueueFilter, TicketSummary

MAX_SEARCH_LENGTH = 200
"""Longer search text is cut to this (no subject or name is that long to search by)."""
SEARCH_CANDIDATES = 2_000
"""Text found in fewer tickets than this is looked up in the search index and the matches
sorted; text found in more is checked along the sort's walk, which finds a page quickly."""
TRIGRAM = 3
"""The shortest text the trigram index can look up."""

PageKey = tuple[Any, uuid.UUID]
"""A ticket's place in a walk: (its value of the sorted column, its id)."""

_COMPLETED = "t.status = 'Completed'"
_OPEN = "t." + OPEN_TICKETS
_WAITING = "t." + WAITING_TICKETS
_NOT_WAITING = "t.waiting_since IS NULL"


def waiting_page(query: QueuePlan, after: TicketSummary | None, limit: int) -> list[PageKey]:
    """Waiting tickets (open ones with waiting_since), longest waiting first, then the others
    by newest activity."""
    keys: list[PageKey] = []
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
class Walk:
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
class QueuePlan:
    """A QueueFilter turned into SQL conditions and walks."""

    filter: QueueFilter
    postgres: bool = field(default_factory=is_postgres)
    conditions: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)
    source: str = ""
    source_params: list[object] = field(default_factory=list)
    source_pages: bool = False
    """Whether pages read the search matches (`source`) too, not only counts."""
    check: tuple[str, tuple[object, ...]] | None = None
    """The search as a condition checked along a walk (text too common or too short)."""
    number: int | None = None
    empty: bool = False

    def __post_init__(self) -> None:
        f = self.filter
        if f.client_id is not None:
            self._where("t.client_id = ?", f.client_id)
        text = searchable(f.search).strip()[:MAX_SEARCH_LENGTH]
        number = parse_number("ticket", text) if text else None
        if number is not None and self._number_exists(number):
            # The number narrows the view like any search: the list, its count line and the
            # views' counts then describe one set (a number in another view counts there).
            self._where("t.number = ?", number)
            self.number = number
            text = ""
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
        return self.fetch(sql, [number]) != []

    def _search(self, text: str) -> None:
        """Rare text: candidates from the indexes (the ticket's search document and its
        messages), sorted; common or short text: checked along the walk (the walk is then
        quick to fill a page). Text of one or two characters is not looked for in messages:
        nearly every conversation holds it."""
        if self.postgres:
            found = (
                "SELECT s.ticket_id FROM ticket_search s WHERE s.document LIKE lower(?) "
                "ESCAPE '\\' UNION SELECT m.ticket_id FROM message m "
                "WHERE m.body ILIKE ? ESCAPE '\\'"
            )
            value: object = f"%{_escape_like(text)}%"
        else:
            found = (
                "SELECT s.ticket_id FROM ticket_search_fts f "
                "CROSS JOIN ticket_search s ON s.rowid = f.rowid WHERE ticket_search_fts MATCH ? "
                "UNION SELECT m.ticket_id FROM message_search_fts g "
                "CROSS JOIN message m ON m.rowid = g.rowid WHERE message_search_fts MATCH ?"
            )
            value = '"' + text.replace('"', '""') + '"'
        position = "strpos" if self.postgres else "instr"
        in_document = (
            "EXISTS (SELECT 1 FROM ticket_search s WHERE s.ticket_id = t.id "
            f"AND {position}(s.document, lower(?)) > 0)"
        )
        if len(text) < TRIGRAM:
            self.check = (in_document, (text,))
            return
        self.check = (
            f"({in_document} OR EXISTS (SELECT 1 FROM message m WHERE m.ticket_id = t.id "
            f"AND {position}(lower(m.body), lower(?)) > 0))",
            (text, text),
        )
        probe = f"SELECT COUNT(*) FROM ({found} LIMIT ?) AS probe"
        matches = self.fetch(probe, [value, value, SEARCH_CANDIDATES])[0][0]
        if matches == 0:
            self.empty = True
            return
        # OFFSET 0 keeps PostgreSQL from folding the candidates into the walk; SQLite's
        # CROSS JOIN keeps them as the outer loop.
        fence = " OFFSET 0" if self.postgres else ""
        join = "JOIN" if self.postgres else "CROSS JOIN"
        self.source = f"({found}{fence}) AS found {join} ticket t ON t.id = found.ticket_id"
        self.source_params = [value, value]
        # Counting always reads the matches; a page reads them when they are few, else walks.
        self.source_pages = matches < SEARCH_CANDIDATES

    def walks(self, column: str, not_waiting: bool = False, counting: bool = False) -> list[Walk]:
        """The ordered streams that together hold the view's tickets, sorted by `column`
        (`counting`: for a count, where the order does not matter)."""
        view = self.filter.view
        parts: Sequence[tuple[str, tuple[str, ...]]]
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
            params.extend(self.check[1])
        return [
            Walk(
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
        walks: Sequence[Walk],
        descending: bool,
        after: PageKey | None,
        limit: int,
    ) -> list[PageKey]:
        """The first `limit` (sort value, id) keys after `after` across `walks`, merged."""
        if limit <= 0 or not walks:
            return []
        streams = [self._keys(walk, descending, after, limit) for walk in walks]
        merged = heapq.merge(*streams, reverse=descending) if len(streams) > 1 else streams[0]
        return list(merged)[:limit]

    def _keys(
        self, walk: Walk, descending: bool, after: PageKey | None, limit: int
    ) -> list[PageKey]:
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
        rows = self.fetch(sql, [*walk.source_params, *params, limit])
        convert = getattr(Ticket, walk.column).python_value
        return [(convert(value), as_uuid(key)) for value, key in rows]

    def count(self, walk: Walk) -> int:
        """How many tickets `walk` holds."""
        sql = (
            f"SELECT COUNT(*) FROM {walk.tickets(self.postgres)} "
            f"WHERE {' AND '.join(walk.conditions)}"
        )
        return int(self.fetch(sql, [*walk.source_params, *walk.params])[0][0])

    def fetch(self, sql: str, params: Iterable[object]) -> list[tuple]:
        """Run plain SQL written with `?` marks on either backend; all rows."""
        values = tuple(_db_value(value, self.postgres) for value in params)
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return list(db.execute_sql(sql, values).fetchall())


def _db_value(value: object, postgres: bool) -> object:
    if isinstance(value, uuid.UUID) and not postgres:
        return value.hex
    return value


def as_uuid(value: object) -> uuid.UUID:
    """A key as read from plain SQL (a UUID on PostgreSQL, its hex text on SQLite)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
