"""Faults that end in a sentence, not a traceback: a damaged SQLite file, a port out of range,
digits that are not ASCII, a lone surrogate; files the desk makes are its owner's alone; a
password never shows in what the desk prints or logs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from signed_in import open_as

from deskapp import migrations
from deskapp.cli import main
from deskapp.db import close_database, open_database, safe_url
from deskapp.errors import ValidationError
from deskapp.ids import parse_number
from deskapp.services.client_search import search_clients
from deskapp.services.clients import create_client
from deskapp.services.tickets import QueueFilter, list_queue
from deskapp.text import is_number

PASSWORDS = ("p@ss", "a:b", "with space", "p%40ss", "x/y@z")
"""Passwords that a pattern-based mask gets wrong."""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """User dirs under tmp_path and no DESKAPP_* settings, with a umask of 022."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    for variable, folder in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                             ("XDG_CONFIG_HOME", "config")):  # fmt: skip
        monkeypatch.setenv(variable, str(tmp_path / folder))
    previous = os.umask(0o022)
    yield tmp_path
    os.umask(previous)
    close_database()


def deskapp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskapp", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_file_that_is_not_a_database_gets_a_sentence(home: Path) -> None:
    junk = home / "junk.db"
    junk.write_bytes(os.urandom(8192))
    result = deskapp("db", "check", "--db", f"sqlite:///{junk}")
    assert result.returncode == 1
    assert "is not a deskapp database or is damaged" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_a_desk_with_a_trashed_page_gets_a_sentence(home: Path) -> None:
    path = home / "desk.db"
    open_database(f"sqlite:///{path}")
    migrations.upgrade()
    close_database()
    with path.open("r+b") as file:  # every page but the first (the header) overwritten
        file.seek(4096)
        file.write(b"\xff" * (path.stat().st_size - 4096))
    result = deskapp("db", "check", "--db", f"sqlite:///{path}")
    assert result.returncode == 1
    assert "is not a deskapp database or is damaged" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_out_of_range_is_a_usage_sentence(home: Path) -> None:
    result = deskapp("doctor", "--db", "postgresql://desk:secret@127.0.0.1:99999/desk")
    assert result.returncode == 2
    assert "is not a number from 1 to 65535" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("typed", ["²", "¹²³", "٣", "1²"])
def test_digits_that_are_not_ascii_are_refused_where_numbers_are_typed(
    home: Path, typed: str
) -> None:
    assert not is_number(typed)
    assert parse_number("client", f"C-{typed}") is None
    result = deskapp("db", "seed", "--clients", typed, "--db", f"sqlite:///{home / 'x.db'}")
    assert result.returncode == 2 and "is not a whole number" in result.stderr


@pytest.mark.parametrize("typed", ["C-¹²³", "²", "\ud800", "a\udfffb", "T-²"])
def test_odd_searches_find_nothing_instead_of_failing(desk: str, typed: str) -> None:
    assert search_clients(typed) == [] or all(hit.number for hit in search_clients(typed))
    assert isinstance(list_queue(QueueFilter(view="all", search=typed)), list)


def test_a_lone_surrogate_in_a_form_is_a_sentence(desk: str) -> None:
    session = open_as(desk)
    with pytest.raises(ValidationError, match="broken character"):
        create_client(
            session.actor, {"first_name": "Ola", "last_name": "Berg\ud800", "email": "o@b.no"}
        )


def test_files_the_desk_makes_are_its_owners_alone(home: Path) -> None:
    data = home / "data" / "deskapp"
    result = deskapp("db", "upgrade")  # the default local desk in the data dir
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("desk.db", "desk.db-wal"):
        path = data / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert (data / "desk.db").exists()


def test_the_log_file_is_its_owners_alone(home: Path) -> None:
    from deskapp.config import log_file_path

    path = log_file_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("password", PASSWORDS)
def test_passwords_are_masked_however_they_are_spelt(password: str) -> None:
    url = f"postgresql://desk:{password}@db.example.net:5432/desk"
    assert safe_url(url) == "postgresql://desk@db.example.net:5432/desk"


@pytest.mark.parametrize("password", PASSWORDS)
def test_doctor_never_prints_the_password(
    home: Path, password: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["doctor", "--db", f"postgresql://desk:{password}@127.0.0.1:1/desk"])
    out = capsys.readouterr()
    assert password not in out.out + out.err
    assert "postgresql://desk@127.0.0.1:1/desk" in out.out + out.err


def test_a_stripe_api_base_in_clear_text_is_only_for_this_machine(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskapp.config import load_settings
    from deskapp.errors import ConfigError

    for base in ("http://127.0.0.1:8420", "http://localhost:8420", "https://api.example.net"):
        monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", base)
        assert load_settings().stripe_api_base == base
    monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", "http://stripe.example.net")
    with pytest.raises(ConfigError, match="clear text to stripe.example.net"):
        load_settings()


def test_two_senders_through_a_symlink_take_one_lock(home: Path) -> None:
    from deskapp.errors import Conflict
    from deskapp.mail.queue import sender_lock

    real = home / "desk.db"
    open_database(f"sqlite:///{real}")
    migrations.upgrade()
    link = home / "link.db"
    link.symlink_to(real)
    with sender_lock():
        close_database()
        open_database(f"sqlite:///{link}")
        with pytest.raises(Conflict), sender_lock():
            pass


def test_a_local_desk_syncs_every_commit_to_disk(home: Path) -> None:
    """WAL with synchronous=NORMAL can lose the last commits on power loss (a payment, a mail's
    "sent" mark); the desk runs with FULL."""
    from deskapp.db import db

    open_database(f"sqlite:///{home / 'desk.db'}")
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
