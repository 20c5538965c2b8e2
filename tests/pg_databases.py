"""Throw-away PostgreSQL databases for the tests: empty ones, clones of a migrated template,
and a dropper that removes them in threads of its own.

Dropping a database makes PostgreSQL checkpoint, which a test would otherwise wait for at every
teardown; the dropper does it while the next tests run, and `finish` waits for the last.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import uuid
from typing import Any

import frozen_run

POSTGRES_ADMIN_URL = os.environ.get(
    "DESKAPP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
"""The test server, as a user who may create databases."""

MIGRATE = (
    "from deskapp import db, migrations; from deskapp.migrations import m0010_starting_set; "
    "m0010_starting_set.SEED_NEW_DESKS = False; db.open_database({url!r}); migrations.upgrade()"
)
"""Run in a child process: its connection is surely gone when it exits, and its clock is frozen
through tests/frozen_run.py without touching the clock of the test that asked first. Like every
test desk, it starts without m0010's starting departments and canned replies."""


def admin_connection() -> Any:
    """An autocommit connection to the test server's maintenance database."""
    import psycopg

    return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)


def url_of(name: str) -> str:
    """The URL of database `name` on the test server."""
    return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


class Dropper:
    """Drops databases in threads of its own.

    Each drop waits for a checkpoint; drops asked for together share one, so several threads
    drop side by side.
    """

    THREADS = 4
    """How many drops may wait for a checkpoint at once."""

    def __init__(self) -> None:
        self.names: queue.Queue[str | None] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.failures: list[str] = []

    def drop(self, name: str) -> None:
        """Drop database `name` soon, even if a connection to it is still open."""
        if not self.threads:
            self.threads = [
                threading.Thread(target=self._run, name=f"drop-databases-{n}", daemon=True)
                for n in range(self.THREADS)
            ]
            for thread in self.threads:
                thread.start()
        self.names.put(name)

    def finish(self) -> list[str]:
        """Wait until every database handed over is dropped; returns the drops that failed."""
        for _ in self.threads:
            self.names.put(None)
        for thread in self.threads:
            thread.join()
        self.threads = []
        return self.failures

    def _run(self) -> None:
        with admin_connection() as connection:
            while (name := self.names.get()) is not None:
                try:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except Exception as error:  # noqa: BLE001 - reported at the end of the session
                    self.failures.append(f"{name}: {error}")


DROPPER = Dropper()
"""The one dropper of this test process (each xdist worker has its own)."""


class PostgresDatabases:
    """Creates throw-away databases on the test server; `drop_all` hands them to the dropper."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self, *, template: str | None = None) -> str:
        """A new database, empty or a copy of database `template`; returns its URL."""
        name = f"deskapp_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{name}"{copy}')
        self.created.append(name)
        return url_of(name)

    def drop_all(self) -> None:
        """Drop every database made here, even if a connection was left open."""
        for name in self.created:
            DROPPER.drop(name)
        self.created.clear()


def create_template(worker: str, frozen_at: str) -> str:
    """A database migrated to the current schema at `frozen_at`, ready to clone; its name.

    `worker` (the xdist worker id) is part of the name. The migration runs in a child process;
    then the template is closed to connections for good and any left over are ended, as
    PostgreSQL refuses to copy a database anyone is connected to.
    """
    name = f"deskapp_template_{worker}_{uuid.uuid4().hex[:8]}"
    with admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(path for path in sys.path if path),
        }
        command = frozen_run.command(frozen_at, "-c", MIGRATE.format(url=url_of(name)))
        subprocess.run(command, env=environment, check=True)
        with admin_connection() as connection:
            connection.execute(
                f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false'
            )
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
    except BaseException:
        drop_template(name)
        raise
    return name


def drop_template(name: str) -> None:
    """Drop a template made by `create_template`."""
    with admin_connection() as connection:
        connection.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE false')
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
