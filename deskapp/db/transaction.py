"""The one way a service writes: `write_transaction()`.

Every service that reads and then writes does so inside this transaction. On SQLite a plain
(deferred) transaction starts as a reader and asks for the write lock only at its first write;
when another process wrote the file in between, SQLite cannot wait for that lock without
breaking the reader's snapshot, so it fails at once with "database is locked" whatever the busy
timeout says. An IMMEDIATE transaction takes the write lock at BEGIN and so waits its turn (up
to the busy timeout) like any other writer. On PostgreSQL it is a normal transaction: rows that
must not change underneath are locked with SELECT ... FOR UPDATE by the service itself.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from deskapp.db import db, is_postgres


def write_transaction() -> AbstractContextManager[Any]:
    """A transaction that may write: on SQLite it takes the write lock at BEGIN (IMMEDIATE).

    Nested inside another transaction it is a savepoint of that one.
    """
    return db.atomic() if is_postgres() else db.atomic("IMMEDIATE")
