"""The one search box that finds a client: ranked, index-backed, safe against any input.

Ranking: an exact client number, client email, contact email, service identifier or phone
number (its digits, whatever the spacing) first; then clients with a phone that holds the
query's digits (a query of phone characters with PHONE_QUERY_DIGITS digits or more, leading
zeros dropped, so "08 555 06 42" finds +46 8 555 06 42 and so does "555 0642"); then names,
companies and emails that start with the query (alphabetical); then any other client whose
search document contains it (the trigram index, see client_search_index). Queries of one or
two characters stop after the prefix tier, as trigrams need three. Every tier reads a bounded
number of rows through an index; nothing scans the client table. The query is always a
bound parameter, escaped for FTS5 or LIKE, so no text makes a query error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from deskapp.db import db, is_postgres
from deskapp.errors import ValidationError
from deskapp.ids import parse_number
from deskapp.services.client_search_index import COLUMNS, contains, status_filter
from deskapp.services.clients import STATUSES, ClientSummary, list_clients
from deskapp.text import searchable

MAX_RESULTS = 500
"""How deep a search can page; refine the query to see beyond it."""
MAX_QUERY_LENGTH = 200
"""Longer queries are cut to this: no name, email or identifier is longer."""

PHONE_QUERY_DIGITS = 6
"""A query of phone characters with at least this many digits is also looked up by its digits
(fewer would find every client whose phone has them somewhere)."""

MATCH_NUMBER = "number"
MATCH_EMAIL = "email"
MATCH_CONTACT_EMAIL = "contact email"
MATCH_SERVICE = "service"
MATCH_PHONE = "phone"
MATCH_PREFIX = "starts with"
MATCH_TEXT = "contains"

_EXACT = (MATCH_NUMBER, MATCH_EMAIL, MATCH_CONTACT_EMAIL, MATCH_SERVICE, MATCH_PHONE)
_PREFIXES = (
    ("client c", "c.email", "c.id"),
    ("client c", "c.first_name || ' ' || c.last_name", "c.id"),
    ("client c", "c.last_name", "c.id"),
    ("client c", "c.company", "c.id"),
    ("contact k JOIN client c ON c.id = k.client_id", "k.email", "k.client_id"),
)
"""(tables, text that may start with the query, tie-breaker) with an m0003 index each."""
_PHONE_QUERY = re.compile(r"^\+?[0-9 ().\-/]+$")
"""What a phone number typed into the search looks like (the form's characters, no extension)."""
_TOP = "\U0010ffff"
"""The highest code point: `q <= x < q + _TOP` is "x starts with q" in byte order."""


@dataclass(frozen=True)
class ClientHit(ClientSummary):
    """A client found by search, with what the query matched."""

    matched: str = ""
    """number, email, contact email, service, phone, starts with, contains; empty for a plain
    list."""
    rank: int = 0
    """Its place in the search's results, from 1 (0 in a plain list): the next page of a
    search starts after it."""


def search_clients(
    query: str,
    status: str | None = None,
    limit: int = 50,
    after: ClientHit | None = None,
) -> list[ClientHit]:
    """Clients matching `query`, best first, optionally only those with `status`; the page
    after the hit `after` (None: the first page).

    Ranked results continue after `after`'s rank (up to MAX_RESULTS). An empty query lists
    clients in number order instead, like list_clients. `status` None or "All" means any.
    """
    wanted_status = _status(status)
    text = searchable(query).strip()[:MAX_QUERY_LENGTH]
    limit = max(0, min(limit, MAX_RESULTS))
    if not text:
        rows = list_clients(wanted_status, after, limit)
        return [ClientHit(**row.__dict__) for row in rows]
    offset = after.rank if after is not None else 0
    want = min(offset + limit, MAX_RESULTS)
    if want <= offset:
        return []
    return _Search(text, wanted_status, want).run()[offset:want]


def _status(status: str | None) -> str | None:
    if status in (None, "", "All"):
        return None
    if status not in STATUSES:
        raise ValidationError("status", f"Status must be one of {', '.join(STATUSES)} or All.")
    return status


class _Search:
    """One ranked search: each tier adds clients not found by an earlier one."""

    def __init__(self, text: str, status: str | None, want: int) -> None:
        self.text = text
        self.status = status
        self.want = want
        self.postgres = is_postgres()
        self.hits: list[ClientHit] = []
        self.seen: set[uuid.UUID] = set()
        self.digits = phone_digits(text)

    def run(self) -> list[ClientHit]:
        """Exact matches, then phones holding the digits, then prefixes, then "contains" until
        `want` clients are found."""
        self._exact()
        if self.digits and len(self.hits) < self.want:
            # The digits without leading zeros: "08 555 06 42" is +46 8 555 06 42 less "46".
            needle = self.digits.lstrip("0")
            if len(needle) >= PHONE_QUERY_DIGITS:
                found = contains(needle, self.status, self.want + len(self.seen))
                self._add(found, MATCH_PHONE)
        if len(self.hits) < self.want:
            self._prefix()
        if len(self.hits) < self.want:
            self._add(contains(self.text, self.status, self.want + len(self.seen)), MATCH_TEXT)
        return self.hits

    def _lower(self, column: str) -> str:
        """lower(column) as the m0003 indexes have it (the "C" collation on PostgreSQL)."""
        return f'lower({column}) COLLATE "C"' if self.postgres else f"lower({column})"

    def _fetch(self, sql: str, params: list[object]) -> list[tuple]:
        if self.postgres:
            sql = sql.replace("?", "%s")
        return list(db.execute_sql(sql, tuple(params)).fetchall())

    def _add(self, rows: Iterable[tuple], matched: str | None = None) -> None:
        """Add rows of COLUMNS (followed by the tier's match name when `matched` is None)."""
        for row in rows:
            if len(self.hits) >= self.want:
                break
            key = row[0] if isinstance(row[0], uuid.UUID) else uuid.UUID(row[0])
            if key in self.seen:
                continue
            self.seen.add(key)
            self.hits.append(
                ClientHit(
                    id=key,
                    number=row[1],
                    name=f"{row[2]} {row[3]}".strip(),
                    company=row[4],
                    email=row[5],
                    status=row[6],
                    credit_cents=row[7],
                    matched=matched if matched is not None else row[8],
                    rank=len(self.hits) + 1,
                )
            )

    def _exact(self) -> None:
        """The client number, a client's or contact's email, a service identifier, a client's
        or contact's phone digits: one query."""
        where, params = status_filter(self.status, self.postgres)
        number = parse_number("client", self.text)
        members = [
            f"SELECT {COLUMNS}, ? AS matched FROM client c WHERE c.number = ?{where}",
            f"SELECT {COLUMNS}, ? FROM client c WHERE {self._lower('c.email')} = lower(?){where}",
            f"SELECT {COLUMNS}, ? FROM contact k JOIN client c ON c.id = k.client_id "
            f"WHERE {self._lower('k.email')} = lower(?){where}",
            f"SELECT {COLUMNS}, ? FROM service s JOIN client c ON c.id = s.client_id "
            f"WHERE {self._lower('s.identifier')} = lower(?){where}",
            f"SELECT {COLUMNS}, ? FROM client c WHERE c.phone_digits = ?{where}",
            f"SELECT {COLUMNS}, ? FROM contact k JOIN client c ON c.id = k.client_id "
            f"WHERE k.phone_digits = ?{where}",
        ]
        kinds = (*_EXACT, MATCH_PHONE)
        sql = " UNION ALL ".join(
            f"SELECT * FROM ({member} LIMIT ?) AS e{i}" for i, member in enumerate(members)
        )
        values: list[object] = []
        for i, matched in enumerate(kinds):
            key: object = self.text
            if i == 0:
                key = -1 if number is None else number
            elif matched == MATCH_PHONE:
                key = self.digits or "-"  # no phone's digits are "-"
            values += [matched, key, *params, self.want]
        rank = {matched: i for i, matched in enumerate(_EXACT)}
        rows = self._fetch(sql, values)
        self._add(sorted(rows, key=lambda row: (rank[row[8]], row[1])))

    def _prefix(self) -> None:
        """Starts-with matches, alphabetical by the matched text, from index range scans."""
        where, params = status_filter(self.status, self.postgres)
        # PostgreSQL estimates a narrow range from its histogram, and names cluster ("samuel.",
        # "maria "): it would fetch and sort every match. Bounds computed by a sub-select are
        # unknown when planning, so it walks the index in order and stops at the LIMIT.
        bound = "(SELECT lower(?))" if self.postgres else "lower(?)"
        members, values = [], []
        for i, (tables, column, tie) in enumerate(_PREFIXES):
            lowered = self._lower(column)
            members.append(
                f"SELECT * FROM (SELECT {COLUMNS}, {lowered} AS sort_key FROM {tables} "
                f"WHERE {lowered} >= {bound} AND {lowered} < {bound}{where} "
                f"ORDER BY {lowered}, {tie} LIMIT ?) AS p{i}"
            )
            values += [self.text, self.text + _TOP, *params, self.want + len(self.seen)]
        rows = self._fetch(" UNION ALL ".join(members), values)
        rows.sort(key=lambda row: (row[8], str(row[0])))
        self._add((row[:8] for row in rows), MATCH_PREFIX)


def phone_digits(text: str) -> str:
    """The digits of a query that looks like a phone number with PHONE_QUERY_DIGITS digits or
    more ("+46 8-555 06 42" -> "4685550642"); "" for any other query."""
    if not _PHONE_QUERY.match(text):
        return ""
    digits = "".join(char for char in text if char.isdigit())
    return digits if len(digits) >= PHONE_QUERY_DIGITS else ""
