"""A shared desk takes its time from the PostgreSQL server, so desks whose own clocks drift
still stamp money and the change feed in one order; a local desk keeps its own time."""

from __future__ import annotations

import datetime as dt

import pytest

from deskapp import clock
from deskapp.db import close_database, db, open_database

BEHIND = dt.timedelta(hours=1, minutes=7)
"""How far this test's desk clock is set behind the truth."""


@pytest.fixture
def slow_wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    real = clock.wall_clock
    monkeypatch.setattr(clock, "wall_clock", lambda: real() - BEHIND)
    clock.set_clock(clock.system_clock)
    yield
    clock.follow_server(dt.timedelta(0))


@pytest.mark.postgres
def test_a_shared_desk_with_a_slow_clock_stamps_the_servers_time(
    postgres_databases, slow_wall_clock
) -> None:
    open_database(postgres_databases.create())
    server = db.execute_sql("SELECT now() AT TIME ZONE 'UTC'").fetchone()[0]
    assert abs(clock.now() - server) < dt.timedelta(seconds=5)
    close_database()


def test_a_local_desk_keeps_its_own_time(tmp_path, slow_wall_clock) -> None:
    clock.follow_server(dt.timedelta(minutes=9))  # left over from a shared desk opened before
    open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    assert abs(clock.now() - (dt.datetime.now(dt.UTC).replace(tzinfo=None) - BEHIND)) < (
        dt.timedelta(seconds=5)
    )
    close_database()
