"""Fixtures: every service test runs on SQLite and on a PostgreSQL database of its own.

PostgreSQL comes from DESKAPP_TEST_POSTGRES (default: the local server as user postgres).
Where it cannot be reached the PostgreSQL cases are skipped, unless DESKAPP_REQUIRE_POSTGRES=1
(as in CI), where they fail instead. A test's migrated PostgreSQL database is a copy of one
template migrated per session (and xdist worker); databases are dropped in the background and
the session waits for the last at its end (tests/pg_databases.py).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from localstripe_server import TEST_SECRET_KEY, serve_localstripe
from pg_databases import (
    DROPPER,
    POSTGRES_ADMIN_URL,
    PostgresDatabases,
    admin_connection,
    create_template,
    drop_template,
)

from deskapp import clock
from deskapp.db import close_database, db, open_database, roles
from deskapp.migrations import m0010_starting_set

SESSION_DESK_ROLE = f"deskapp_desk_{uuid.uuid4().hex[:10]}"
"""The desk login `deskapp db upgrade` prepares during this test session: roles are
cluster-wide, so each session (and xdist worker) names its own and drops it at the end."""
roles.DEFAULT_DESK_ROLE = SESSION_DESK_ROLE
m0010_starting_set.SEED_NEW_DESKS = False  # tests build their desks from nothing
REQUIRE_POSTGRES = os.environ.get("DESKAPP_REQUIRE_POSTGRES") == "1"
FROZEN_NOW = dt.datetime(2026, 3, 14, 9, 30)
"""The moment every test lives in, so dates and snapshots never drift."""


@pytest.fixture(autouse=True)
def local_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local desk opens as its OS user: pin that person, so no test depends on who runs it."""
    from deskapp.services import session

    monkeypatch.setattr(session, "local_person", lambda: session.LocalPerson("admin", "Desk admin"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Wait for the databases still being dropped; say which could not be."""
    for failure in DROPPER.finish():
        print(f"\nCould not drop a test database: {failure}", file=sys.stderr)
    try:
        with admin_connection() as connection:
            connection.execute(f'DROP ROLE IF EXISTS "{SESSION_DESK_ROLE}"')
    except Exception as error:  # noqa: BLE001 - no server, or a database still holds grants
        if "connect" not in str(error).lower():
            print(f"\nCould not drop the test desk login: {error}", file=sys.stderr)


def _postgres_available() -> str | None:
    """None when the test server answers, else why not."""
    try:
        with admin_connection():
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


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str, worker_id: str) -> Iterator[str]:
    """The name of a database at the current schema, migrated at FROZEN_NOW, to clone."""
    name = create_template(worker_id, FROZEN_NOW.isoformat())
    yield name
    drop_template(name)


@pytest.fixture
def postgres_databases(postgres_server: str) -> Iterator[PostgresDatabases]:
    """Make PostgreSQL databases for one test; all are dropped after it."""
    databases = PostgresDatabases()
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
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: "sqlite", "postgresql" (narrow it with indirect parametrize)."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend: a SQLite file, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        close_database()
    else:
        request.getfixturevalue("postgres_server")
        databases = PostgresDatabases()
        try:
            yield databases.create()
        finally:
            close_database()
            databases.drop_all()


@pytest.fixture
def desk(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, frozen_time: dt.datetime
) -> Iterator[str]:
    """An open database at the current schema on each backend, with time frozen; yields the URL.

    SQLite migrates a new file; PostgreSQL clones the session's migrated template.
    """
    from deskapp import migrations

    databases: PostgresDatabases | None = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'desk.db'}"
    else:
        databases = PostgresDatabases()
        url = databases.create(template=request.getfixturevalue("postgres_template"))
    try:
        open_database(url)
        if databases is None:
            migrations.upgrade()
        yield url
    finally:
        close_database()
        db.initialize(None)
        if databases is not None:
            databases.drop_all()


@pytest.fixture
def localstripe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """localstripe on 127.0.0.1 with its state under tmp_path; yields the api base.

    DESKAPP_STRIPE_API_BASE and DESKAPP_STRIPE_SECRET_KEY point the desk at it for the test.
    Test cards: localstripe_server.attach_test_card(client_id, CARD_...).
    """
    state = tmp_path / "localstripe"
    state.mkdir()
    with serve_localstripe(state) as api_base:
        monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", api_base)
        monkeypatch.setenv("DESKAPP_STRIPE_SECRET_KEY", TEST_SECRET_KEY)
        yield api_base
