"""Snapshots of the dashboard: the demo desk at 80x24 (a terminal over SSH) and 120x36, and an
empty desk at 80x24 (every figure zero). SQLite, frozen time, fixed data.

What to look for: both lists' numbers line up under one another, the overdue invoices stand
out, and at 80x24 every figure and the footer show.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle, use_tmp_user_dirs
from textual.pilot import Pilot

from deskapp.db import close_database, db
from deskapp.services.session import DeskSession, open_desk
from screens.app import DeskApp
from screens.dashboard import DashboardScreen


async def open_dashboard(pilot: Pilot[None]) -> None:
    """The dashboard over the first screen, its figures read."""
    await settle(pilot)
    await pilot.app.push_screen(DashboardScreen())
    await settle(pilot)


@pytest.fixture
def empty_session(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeskSession]:
    """A new local desk.db with nothing in it, opened as `deskapp` does."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    session = open_desk(f"sqlite:///{tmp_path / 'desk.db'}")
    yield session
    close_database()
    db.initialize(None)


class TestDashboardSnapshots:
    """The desk today."""

    def test_demo_desk_at_80x24(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=(80, 24), run_before=open_dashboard)

    def test_demo_desk_at_120x36(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=(120, 36), run_before=open_dashboard)

    def test_empty_desk_at_80x24(self, snap_compare, empty_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(empty_session)
        assert snap_compare(app, terminal_size=(80, 24), run_before=open_dashboard)
