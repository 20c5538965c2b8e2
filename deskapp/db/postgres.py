"""PostgreSQL through psycopg 3, imported only when a postgresql:// URL is opened.

Peewee picks psycopg2 when both drivers are installed and imports drivers eagerly; deskapp
imports peewee without them (see db.py), so this module hands psycopg 3 to peewee here.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any, cast

import peewee
import psycopg
from playhouse.postgres_ext import Psycopg3Database
from psycopg.pq import TransactionStatus
from psycopg.types.json import Json, Jsonb

from deskapp.errors import DatabaseUnavailable

# Peewee's module-level driver slots, which it fills only from its own eager import.
vars(peewee).update(
    psycopg=psycopg, TransactionStatus=TransactionStatus, Json_pg3=Json, Jsonb_pg3=Jsonb
)


class _Psycopg3Adapter(peewee.Psycopg3Adapter):
    txn_idle = TransactionStatus.IDLE
    txn_inerror = TransactionStatus.INERROR
    txn_unknown = TransactionStatus.UNKNOWN


NOT_ANSWERING = (
    "The database does not answer just now, so this did not happen; the desk keeps "
    "reconnecting by itself: try again in a moment."
)
"""Said when no connection can be made (the server is down or restarting)."""
LOST_MID_WORK = (
    "The connection to the database was lost, so nothing of this was saved; the desk "
    "reconnects by itself: try again in a moment."
)
"""Said when a connection died in the middle of a transaction (it was rolled back)."""
_ASKED_AGAIN = ("SELECT", "BEGIN")
"""Statements safe to send again on a new connection: they change nothing by themselves."""


class ConnectionLost(DatabaseUnavailable, peewee.OperationalError):
    """The server went away or cut this connection: a DeskError with a sentence for the person
    (nothing was saved), and still an OperationalError for code that catches those."""


class DeskPostgresDatabase(Psycopg3Database):
    """Psycopg3Database with its driver wired in after a driver-less peewee import, which
    outlives its server: a connection the server cut (pg_terminate_backend, a restart) is
    replaced at the next unit of work instead of failing every statement after it.

    Outside a transaction a reading statement or BEGIN that meets a dead connection is sent
    again once on a new one; inside a transaction nothing is sent again (what went before is
    gone with the connection): the transaction fails with ConnectionLost and the next one
    starts on a new connection.
    """

    psycopg3_adapter = _Psycopg3Adapter

    def _lost(self) -> bool:
        """Whether this thread holds a connection the server has closed."""
        return not self._state.closed and bool(self._state.conn.closed)

    def _forget_connection(self) -> None:
        with self._lock:
            try:
                self._state.conn.close()
            except psycopg.Error:
                pass  # it is dead already
            self._state.reset()

    def cursor(self, named_cursor: object = None) -> psycopg.Cursor[Any]:
        """A cursor on a live connection: a dead one is replaced between transactions; no
        connection to be had raises ConnectionLost."""
        if self._lost() and not self.in_transaction():
            self._forget_connection()
        if self.is_closed():
            try:
                self.connect()
            except peewee.OperationalError as error:
                raise ConnectionLost(NOT_ANSWERING) from error
        return cast("psycopg.Cursor[Any]", super().cursor(named_cursor))

    def execute_sql(self, sql: str, params: Any = None, **options: Any) -> Any:
        """Run `sql`; a reading statement outside a transaction survives a cut connection."""
        try:
            return super().execute_sql(sql, params, **options)
        except (peewee.OperationalError, peewee.InterfaceError) as error:
            self._raise_unless_asked_again(error, sql)
        return self._asked_again(super().execute_sql, sql, params, **options)

    def begin(self, *args: Any, **kwargs: Any) -> None:
        """BEGIN, on a new connection when this one turns out dead."""
        try:
            return super().begin(*args, **kwargs)
        except (peewee.OperationalError, peewee.InterfaceError) as error:
            self._raise_unless_asked_again(error, "BEGIN")
        return self._asked_again(super().begin, *args, **kwargs)

    def commit(self) -> None:
        """COMMIT; a connection lost on the way says so with a sentence."""
        try:
            super().commit()
        except (peewee.OperationalError, peewee.InterfaceError) as error:
            if isinstance(error, ConnectionLost) or not self._lost():
                raise
            raise ConnectionLost(LOST_MID_WORK) from error

    def _raise_unless_asked_again(self, error: Exception, sql: str) -> None:
        if isinstance(error, ConnectionLost) or not self._lost():
            raise error  # an answer from a live server (a constraint, a syntax error, ...)
        if self.in_transaction() or not sql.lstrip().upper().startswith(_ASKED_AGAIN):
            raise ConnectionLost(LOST_MID_WORK) from error

    def _asked_again(self, send: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self._forget_connection()
        try:
            return send(*args, **kwargs)
        except (peewee.OperationalError, peewee.InterfaceError) as error:
            if isinstance(error, ConnectionLost) or not self._lost():
                raise
            raise ConnectionLost(NOT_ANSWERING) from error


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
