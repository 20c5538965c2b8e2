"""Hash chains over the ledger (credit_entry) and the audit log (audit_entry).

Each row carries `chain_seq` (its place in its table's chain, 1, 2, …) and `chain_hash`, the
SHA-256 of the hash before it and of the row's own content, so changing, removing or reordering
any row already chained shows from that row on; `chain_head` keeps each chain's length and
newest digest. A digest written down once proves later that the history up to it is unchanged:
rewriting the past and recomputing every hash after it gives different digests.

Rows are inserted unchained and join the chain just before their transaction commits
(`seal`, called by write_transaction): the chain-head row is locked only then, so desks writing
at once queue on it for the few statements of sealing, not for their whole transaction. Rows
written outside write_transaction join at the next seal.

What a row's hash covers is its content, not where it hangs: an entry's client may change by a
merge or a delete (detached), its invoice or staff may be cleared when those go; the ledger's
own checks (deskapp.services.integrity) guard the placement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

import peewee

from deskapp.db import is_postgres


class Column(NamedTuple):
    """A column a row's hash covers, and how its value is written into the hash."""

    name: str
    kind: str
    """"uuid", "time", "int" or "text": values read back from either backend hash alike."""


CHAINS: dict[str, tuple[Column, ...]] = {
    "credit_entry": (
        Column("id", "uuid"),
        Column("created_at", "time"),
        Column("client_number", "int"),
        Column("kind", "text"),
        Column("amount_cents", "int"),
        Column("balance_after_cents", "int"),
        Column("description", "text"),
        Column("reverses_id", "uuid"),
    ),
    "audit_entry": (
        Column("id", "uuid"),
        Column("created_at", "time"),
        Column("staff_name", "text"),
        Column("action", "text"),
        Column("entity", "text"),
        Column("entity_id", "text"),
        Column("summary", "text"),
        Column("before", "text"),
        Column("after", "text"),
    ),
}
"""Each chained table and the columns its hash covers, in the order the chains are locked."""

GENESIS = "0" * 64
"""The digest 'before' a chain's first row."""


def _value(column: Column, value: Any) -> object:
    if value is None:
        return None
    if column.kind == "uuid":
        return uuid.UUID(str(value)).hex
    if column.kind == "time":
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ")
        return dt.datetime.fromisoformat(str(value)).isoformat(sep=" ")
    if column.kind == "int":
        return int(value)
    return str(value)


def row_digest(table: str, previous: str, seq: int, row: Sequence[Any]) -> str:
    """The hash of one row: its table, place, the digest before it and its content (in the
    order of CHAINS[table])."""
    columns = CHAINS[table]
    content = [table, seq, previous, *(_value(c, v) for c, v in zip(columns, row, strict=True))]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def content_sql(table: str) -> str:
    """The SELECT list of a chained table's hashed columns."""
    return ", ".join(f'"{c.name}"' for c in CHAINS[table])


def seal(database: peewee.Database | peewee.DatabaseProxy) -> int:
    """Chain every row not yet chained, in key order; returns how many joined.

    Call at the end of a transaction: the chain-head row stays locked until it commits. One
    statement asks which chains have rows waiting (most transactions write none)."""
    asks = ", ".join(
        f'EXISTS (SELECT 1 FROM "{table}" WHERE "chain_seq" IS NULL)' for table in CHAINS
    )
    waiting = database.execute_sql(f"SELECT {asks}").fetchone()
    return sum(
        _seal_table(database, table) for table, wait in zip(CHAINS, waiting, strict=True) if wait
    )


def _seal_table(database: peewee.Database | peewee.DatabaseProxy, table: str) -> int:
    lock = " FOR UPDATE" if is_postgres() else ""
    param = database.param
    length, digest = database.execute_sql(
        f'SELECT "length", "digest" FROM "chain_head" WHERE "name" = {param}{lock}', (table,)
    ).fetchone()
    rows = database.execute_sql(
        f'SELECT "id", {content_sql(table)} FROM "{table}" WHERE "chain_seq" IS NULL ORDER BY "id"'
    ).fetchall()
    sealed = []
    for row in rows:
        length += 1
        digest = row_digest(table, digest, length, row[1:])
        sealed.append((length, digest, row[0]))
    head = f'UPDATE "chain_head" SET "length" = {param}, "digest" = {param} WHERE "name" = {param}'
    if is_postgres():
        # One round trip: the rows and the head in one statement (a data-modifying WITH runs
        # to completion whether or not the outer statement reads it).
        values = ", ".join(["(%s::bigint, %s::text, %s::uuid)"] * len(sealed))
        database.execute_sql(
            f'WITH sealed ("seq", "hash", "id") AS (VALUES {values}), '
            f'joined AS (UPDATE "{table}" SET "chain_seq" = sealed."seq", '
            f'"chain_hash" = sealed."hash" FROM sealed WHERE "{table}"."id" = sealed."id") ' + head,
            (*(value for row in sealed for value in row), length, digest, table),
        )
        return len(rows)
    for seq, row_hash, key in sealed:
        database.execute_sql(
            f'UPDATE "{table}" SET "chain_seq" = {param}, "chain_hash" = {param} '
            f'WHERE "id" = {param}',
            (seq, row_hash, key),
        )
    database.execute_sql(head, (length, digest, table))
    return len(rows)
