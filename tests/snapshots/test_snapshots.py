"""Snapshots of the shell with deterministic data and frozen time (SQLite).

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pilot_helpers import settle
from textual.pilot import Pilot

from deskapp.db import close_database, db
from deskapp.demo import load_demo
from deskapp.services.session import DeskSession, open_desk
from screens.app import DeskApp

SIZE = (120, 36)


@pytest.fixture
def demo_session(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeskSession]:
    """A local desk.db with the demo business (deskapp demo's data), opened as `deskapp` does."""
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    session = open_desk(f"sqlite:///{tmp_path / 'desk.db'}")
    load_demo()
    yield session
    close_database()
    db.initialize(None)


def after(*keys: str) -> Callable[[Pilot[None]], object]:
    """Load, press `keys`, load again."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


class TestShellSnapshots:
    """The places a support person sees first (the demo's C-1017 is called "[bold red]x[/]")."""

    def test_client_list(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(DeskApp(demo_session), terminal_size=SIZE, run_before=settle)

    def test_ticket_queue(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        assert snap_compare(DeskApp(demo_session), terminal_size=SIZE, run_before=after("2"))

    def test_key_list(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        run_before = after("question_mark")
        assert snap_compare(DeskApp(demo_session), terminal_size=SIZE, run_before=run_before)
