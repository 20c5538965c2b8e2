"""Reading a client's ledger: pages with the running balance, the balance chart, CSV export.

Nothing here loads a whole ledger: pages and the export walk the entries by key (time order).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import peewee

from deskapp.db import db
from deskapp.errors import NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import Client, CreditEntry, CreditKind, Invoice, Staff
from deskapp.money import Money
from deskapp.services.bookkeeping import CreditMovement, key, movement
from deskapp.text import clean

KINDS = tuple(kind.value for kind in CreditKind)
"""The kinds the ledger can be filtered by."""

PAGE_LIMIT = 500
"""The most entries one page holds."""

CSV_COLUMNS = (
    "Booked (UTC)",
    "Kind",
    "Description",
    "Amount",
    "Balance after",
    "Invoice",
    "Staff",
    "Entry",
    "Reverses entry",
)
"""The header row of a ledger export, oldest entry first below it."""

EXPORT_BATCH = 500
"""Entries read per query while exporting (the ledger is never loaded whole)."""


@dataclass(frozen=True)
class LedgerPage:
    """A page of one client's ledger, newest entry first."""

    client_id: uuid.UUID
    """Whose ledger."""
    client_number: int
    """The client's number (C-1042, see `client_label`)."""
    balance_cents: int
    """The client's credit now."""
    entries: tuple[CreditMovement, ...]
    """The entries of this page, newest first, each with the balance after it."""

    @property
    def client_label(self) -> str:
        """The client number as people say it: C-1042."""
        return format_number("client", self.client_number)


@dataclass(frozen=True)
class BalancePoint:
    """The client's credit at the end of a day that had entries: one point of the chart."""

    day: dt.date
    """The day (UTC)."""
    balance_cents: int
    """The balance after the day's last entry."""


def ledger_page(
    client_id: object,
    kind: str | None = None,
    after: CreditMovement | None = None,
    limit: int = 50,
) -> LedgerPage:
    """The client's entries newest first, after the entry `after` (keyset paging: the older
    ones), optionally of one kind."""
    client_key = key(client_id, "client")
    client = Client.select(Client.number, Client.credit_cents).where(Client.id == client_key)
    found = client.first()
    if found is None:
        raise NotFound("That client no longer exists.")
    if kind is not None and kind not in KINDS:
        raise ValidationError("kind", f"“{str(kind)[:40]}” is not a kind of credit entry.")
    limit = max(1, min(int(limit), PAGE_LIMIT))
    query = _entries(client_key)
    if kind is not None:
        query = query.where(CreditEntry.kind == kind)
    if after is not None:
        query = query.where(CreditEntry.id < after.id)
    rows = list(query.order_by(CreditEntry.id.desc()).limit(limit).objects())
    reversed_keys = {
        key(row.reverses_id, "credit entry")
        for row in CreditEntry.select(CreditEntry.reverses).where(
            CreditEntry.reverses.in_([row.id for row in rows])
        )
    }
    entries = tuple(
        replace(
            movement(row, *_names(row)),
            reversed=row.id in reversed_keys,
            merged_from=""
            if row.client_number in (0, found.number)  # 0: a row written without one
            else format_number("client", row.client_number),
        )
        for row in rows
    )
    return LedgerPage(
        client_id=client_key,
        client_number=found.number,
        balance_cents=found.credit_cents,
        entries=entries,
    )


def balance_history(client_id: object, points: int = 90) -> list[BalancePoint]:
    """The balance at the end of each of the last `points` days with entries, oldest first."""
    client_key = key(client_id, "client")
    points = max(1, min(int(points), 1000))
    param = db.param
    cursor = db.execute_sql(
        "SELECT day, balance FROM (SELECT DATE(created_at) AS day, balance_after_cents AS balance, "
        "ROW_NUMBER() OVER (PARTITION BY DATE(created_at) ORDER BY id DESC) AS newest "
        f"FROM credit_entry WHERE client_id = {param}) AS days WHERE newest = 1 "
        f"ORDER BY day DESC LIMIT {param}",
        (Client.id.db_value(client_key), points),
    )
    found = [BalancePoint(dt.date.fromisoformat(str(day)), int(bal)) for day, bal in cursor]
    return found[::-1]


def export_csv(client_id: object, target: str | Path | IO[str]) -> int:
    """Write the client's whole ledger as CSV, oldest first, a page at a time; returns the rows.

    `target` is a file path or an open text file (opened with newline=""). Text cells that a
    spreadsheet would run as a formula (=, +, -, @) are prefixed with an apostrophe.

    A path gets the whole file or nothing: the rows go to a new file beside it, readable by its
    owner alone (0600: it holds the client's money), which then takes the path's place. A
    symlink at the path is replaced, never followed.
    """
    client_key = key(client_id, "client")
    if not Client.select().where(Client.id == client_key).exists():
        raise NotFound("That client no longer exists.")
    if not isinstance(target, str | Path):
        return _write_csv(client_key, target)
    path = Path(target)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as file:
            count = _write_csv(client_key, file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def _write_csv(client_key: uuid.UUID, handle: IO[str]) -> int:
    writer = csv.writer(handle)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in _all_entries(client_key):
        writer.writerow(
            [
                row.created_at.isoformat(sep=" ", timespec="seconds"),
                row.kind,
                _inert(row.description),
                _plain(row.amount_cents),
                _plain(row.balance_after_cents),
                _names(row)[0],
                _inert(_names(row)[1]),
                str(row.id),
                str(row.reverses_id or ""),
            ]
        )
        count += 1
    return count


def _all_entries(client_key: uuid.UUID) -> Iterator[CreditEntry]:
    after: object = None
    while True:
        query = _entries(client_key)
        if after is not None:
            query = query.where(CreditEntry.id > after)
        rows = list(query.order_by(CreditEntry.id).limit(EXPORT_BATCH).objects())
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        after = rows[-1].id


def _names(row: CreditEntry) -> tuple[str, str]:
    """The invoice number and the staff name _entries() selected along with an entry (peewee
    sets them on the row; the model does not declare them)."""
    return getattr(row, "invoice_number", None) or "", getattr(row, "staff_name", None) or ""


def _inert(value: str) -> str:
    """A cell safe to open in a spreadsheet and to `cat` in a terminal (escapes made visible)."""
    value = clean(value, multiline=True)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t") else value


def _plain(amount_cents: int) -> str:
    return str(Money(amount_cents)).replace(",", "")


def _entries(client_key: uuid.UUID) -> peewee.ModelSelect[CreditEntry]:
    """The client's entries, each with its invoice's number and its staff member's name (read
    with _names)."""
    return (
        CreditEntry.select(
            CreditEntry.id,
            CreditEntry.client,
            CreditEntry.client_number,
            CreditEntry.created_at,
            CreditEntry.kind,
            CreditEntry.amount_cents,
            CreditEntry.balance_after_cents,
            CreditEntry.description,
            CreditEntry.invoice,
            CreditEntry.reverses,
            Invoice.number.alias("invoice_number"),
            Staff.name.alias("staff_name"),
        )
        .join(Invoice, peewee.JOIN.LEFT_OUTER, on=(CreditEntry.invoice == Invoice.id))
        .switch(CreditEntry)
        .join(Staff, peewee.JOIN.LEFT_OUTER, on=(CreditEntry.staff == Staff.id))
        .where(CreditEntry.client == client_key)
    )
