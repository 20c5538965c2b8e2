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


def follow_server_clock(database: peewee.Database) -> None:
    """Take the desk's time from the server: the offset between the server's clock and this
    machine's, measured once per opening at the midpoint of one round trip (a desk whose own
    clock is minutes off still stamps money and the feed in the server's order)."""
    from deskapp import clock

    before = clock.wall_clock()
    server = database.execute_sql("SELECT now() AT TIME ZONE 'UTC'").fetchone()[0]
    after = clock.wall_clock()
    clock.follow_server(server - (before + (after - before) / 2))


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
