"""Rewriting history as the owner would: on PostgreSQL the guard triggers are disabled first
(only a table's owner can), so a test can show that `db check` still notices."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from deskapp.db import db, is_postgres


@contextmanager
def guards_off(*tables: str) -> Iterator[None]:
    """Disable the history guards on `tables` for the block (PostgreSQL; SQLite has none)."""
    if is_postgres():
        for table in tables:
            db.execute_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    try:
        yield
    finally:
        if is_postgres():
            for table in tables:
                db.execute_sql(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
