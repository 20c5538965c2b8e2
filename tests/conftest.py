"""Fixtures: every service test runs on SQLite and on a PostgreSQL database of its own.

PostgreSQL comes from DESKAPP_TEST_POSTGRES (default: the local server as user postgres).
Where it cannot be reached the PostgreSQL cases are skipped, unless DESKAPP_REQUIRE_POSTGRES=1
(as in CI), where they fail instead.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp import clock
from deskapp.db import close_database, db, open_database

POSTGRES_ADMIN_URL = os.environ.get(
    "DESKAPP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("DESKAPP_REQUIRE_POSTGRES") == "1"
FROZEN_NOW = dt.datetime(2026, 3, 14, 9, 30)
"""The moment every test lives in, so dates and snapshots never drift."""


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)


def _postgres_available() -> str | None:
    """None when the test server answers, else why not."""
    try:
        with _admin_connection():
            return None
    except Exception as error:  # noqa: BLE001 - any failure means "not available"
        return str(error).strip().splitlines()[0]


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin URL of a reachable PostgreSQL server, or skip (fail when required)."""
    why = _postgres_available()
    if why:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but unreachable: {why}")
        pytest.skip(f"PostgreSQL unreachable: {why}")
    return POSTGRES_ADMIN_URL


class PostgresDatabases:
    """Creates throw-away databases on the test server and drops them afterwards."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def create(self) -> str:
        """A new empty database; returns its URL."""
        name = f"deskapp_test_{uuid.uuid4().hex[:12]}"
        with _admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base = self.admin_url.rsplit("/", 1)[0]
        return f"{base}/{name}"

    def drop_all(self) -> None:
        """Drop every database made here, even if a connection was left open."""
        with _admin_connection() as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@pytest.fixture
def postgres_databases(postgres_server: str) -> Iterator[PostgresDatabases]:
    """Make PostgreSQL databases for one test; all are dropped after it."""
    databases = PostgresDatabases(postgres_server)
    yield databases
    close_database()
    databases.drop_all()


@pytest.fixture
def frozen_time() -> Iterator[dt.datetime]:
    """Freeze deskapp's clock at FROZEN_NOW."""
    clock.set_clock(clock.frozen_clock(FROZEN_NOW))
    yield FROZEN_NOW
    clock.set_clock(clock.system_clock)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        close_database()
    else:
        databases = PostgresDatabases(request.getfixturevalue("postgres_server"))
        try:
            yield databases.create()
        finally:
            close_database()
            databases.drop_all()


@pytest.fixture
def desk(database_url: str, frozen_time: dt.datetime) -> Iterator[str]:
    """An open database at the current schema on each backend, with time frozen; yields the URL."""
    from deskapp import migrations

    open_database(database_url)
    migrations.upgrade()
    yield database_url
    close_database()
    db.initialize(None)
