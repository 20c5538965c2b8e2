"""The mail outbox at size: its list pages newest first, all mail or one status at a time, and
the sender takes the due mail in the order it is due, each walking an index in order and
stopping at a page's end (a desk keeps every mail it sent)."""

from __future__ import annotations

import peewee

INDEXES = (
    ("outbox_mail_created_at_id", "created_at, id"),
    ("outbox_mail_status_created_at_id", "status, created_at, id"),
    ("outbox_mail_status_next_attempt_at_id", "status, next_attempt_at, id"),
)
"""(name, columns) on outbox_mail."""


def up(database: peewee.Database, backend: str) -> None:
    for name, columns in INDEXES:
        database.execute_sql(f'CREATE INDEX "{name}" ON "outbox_mail" ({columns})')
