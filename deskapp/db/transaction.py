"""The one way a service writes, `write_transaction()`, and the one way it reads several things
that must agree, `read_snapshot()`.

Every service that reads and then writes does so inside this transaction. On SQLite a plain
(deferred) transaction starts as a reader and asks for the write lock only at its first write;
when another process wrote the file in between, SQLite cannot wait for that lock without
breaking the reader's snapshot, so it fails at once with "database is locked" whatever the busy
timeout says. An IMMEDIATE transaction takes the write lock at BEGIN and so waits its turn (up
to the busy timeout) like any other writer. On PostgreSQL it is a normal transaction: rows that
must not change underneath are locked with SELECT ... FOR UPDATE by the service itself.

Just before the outermost one commits, the ledger and audit rows it wrote join their hash
chains (deskapp.db.chain.seal), so the chain-head lock is held only for the end of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deskapp.db import chain, db, is_postgres


@contextmanager
def write_transaction() -> Iterator[Any]:
    """A transaction that may write: on SQLite it takes the write lock at BEGIN (IMMEDIATE).

    Nested inside another transaction it is a savepoint of that one.
    """
    outermost = db.transaction_depth() == 0
    with db.atomic() if is_postgres() else db.atomic("IMMEDIATE") as transaction:
        yield transaction
        if outermost:
            chain.seal(db)


@contextmanager
def read_snapshot() -> Iterator[None]:
    """One transaction for a read of several queries that must agree (an invoice's lines and
    payments, the dashboard's figures): on PostgreSQL a REPEATABLE READ, READ ONLY one when it
    is not already inside the caller's; on SQLite a deferred transaction, whose first read
    fixes the snapshot the others see."""
    outermost = db.transaction_depth() == 0
    with db.atomic():
        if outermost and is_postgres():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
