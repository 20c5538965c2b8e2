"""What the snapshot files share: the demo desk as `deskapp demo` opens it, and the same desk
with hostile rows added (tests/hostile_desk.py) for the pictures that show them inert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_desk import add_hostile_rows
from pilot_helpers import use_tmp_user_dirs

from deskapp.db import close_database, db
from deskapp.demo import load_demo
from deskapp.services.session import DeskSession, open_desk


@pytest.fixture
def demo_session(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DeskSession]:
    """A local desk.db with the demo business (deskapp demo's data), opened as `deskapp` does."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    session = open_desk(f"sqlite:///{tmp_path / 'desk.db'}")
    load_demo()
    yield session
    close_database()
    db.initialize(None)


@pytest.fixture
def hostile_demo_session(demo_session: DeskSession) -> DeskSession:
    """The demo desk with C-1018, C-1059 and C-1134 named with markup and escapes, and their
    router tickets likewise (add_hostile_rows)."""
    add_hostile_rows()
    return demo_session
