"""`deskapp settings credit-limit` in-process on each backend: anyone reads the agent credit
limit, only an admin changes it, and a refusal is one line on stderr with exit status 1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Role, Staff
from deskapp.passwords import hash_password
from deskapp.services.desk_settings import credit_limit_cents

PASSWORD = "staff password"
"""Everyone's password here (the CLI reads DESKAPP_PASSWORD on a shared desk)."""


@pytest.fixture
def desk_url(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)  # a shared desk checks it
    hashed = hash_password(PASSWORD)
    Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN, password_hash=hashed)
    Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT, password_hash=hashed)
    close_database()
    yield desk
    open_database(desk)


def settings(url: str, staff: str, *args: str) -> int:
    return main(["--staff", staff, "settings", "credit-limit", *args, "--db", url])


def test_the_limit_is_read_by_anyone_and_changed_by_an_admin(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert settings(desk_url, "sam") == 0
    assert capsys.readouterr().out == "Agents add at most 50.00 credit per entry.\n"
    assert settings(desk_url, "sam", "500") == 1
    assert capsys.readouterr().err == (
        "deskapp: Only an admin can change the desk's settings; ask an admin to do it.\n"
    )
    assert settings(desk_url, "kim", "75") == 0
    assert capsys.readouterr().out == (
        "Agents now add at most 75.00 credit per entry; above it an admin must.\n"
    )
    open_database(desk_url)
    assert credit_limit_cents() == 7_500
    close_database()
