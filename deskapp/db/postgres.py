"""PostgreSQL through psycopg 3, imported only when a postgresql:// URL is opened.

Peewee picks psycopg2 when both drivers are installed and imports drivers eagerly; deskapp
imports peewee without them (see db.py), so this module hands psycopg 3 to peewee here.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable

import peewee
import psycopg
from playhouse.postgres_ext import Psycopg3Database
from psycopg.pq import TransactionStatus
from psycopg.types.json import Json, Jsonb

# Peewee's module-level driver slots, which it fills only from its own eager import.
vars(peewee).update(
    psycopg=psycopg, TransactionStatus=TransactionStatus, Json_pg3=Json, Jsonb_pg3=Jsonb
)


class _Psycopg3Adapter(peewee.Psycopg3Adapter):
    txn_idle = TransactionStatus.IDLE
    txn_inerror = TransactionStatus.INERROR
    txn_unknown = TransactionStatus.UNKNOWN


class DeskPostgresDatabase(Psycopg3Database):
    """Psycopg3Database with its driver wired in after a driver-less peewee import."""

    psycopg3_adapter = _Psycopg3Adapter


CONNECT_TIMEOUT_SECONDS = 5


def postgres_database(url: str, *, password: str | None = None) -> DeskPostgresDatabase:
    """A database object for a postgresql:// URL (nothing is connected yet)."""
    parts = urllib.parse.urlsplit(url.strip())
    params: dict[str, object] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "postgres"),
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "application_name": "deskapp",
    }
    secret = urllib.parse.unquote(parts.password) if parts.password else password
    if secret:
        params["password"] = secret
    name = urllib.parse.unquote(parts.path.lstrip("/")) or "deskapp"
    return DeskPostgresDatabase(name, **params)


LISTEN_WAIT_SECONDS = 0.25
"""How long one wait for a notification lasts: how soon `listen` sees it should stop."""


def listen(
    database: DeskPostgresDatabase,
    channel: str,
    notified: Callable[[], None],
    keep_going: Callable[[], bool],
) -> None:
    """Call `notified()` for each NOTIFY on `channel` until `keep_going()` turns false, on a
    connection of its own (a pooled or transaction-holding one cannot wait)."""
    connection = psycopg.connect(
        dbname=database.database, autocommit=True, **database.connect_params
    )
    try:
        connection.execute(f"LISTEN {channel}")
        while keep_going():
            for _ in connection.notifies(timeout=LISTEN_WAIT_SECONDS, stop_after=1):
                notified()
    finally:
        connection.close()
