"""What the command line prints never controls the terminal: every subcommand's error paths run
with hostile text in the arguments and in the database, and the output holds no ESC, BEL or C1
control byte."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from hostile import CORPUS
from keyring.backends import fail
from order_rows import add_catalogue

from deskapp import migrations
from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Client, Product, Role, Staff

CONTROL = re.compile("[\x1b\x07\x80-\x9f]")
"""ESC, BEL and the C1 controls (a lone \\x9b is a CSI on many terminals)."""
ESCAPING = [e["text"] for e in CORPUS if CONTROL.search(e["text"]) or "\r" in e["text"]]
"""The corpus's texts that would reach the terminal as controls if printed raw."""


@pytest.fixture
def desk_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local desk whose client, contact and product names are hostile."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_database(url)
    migrations.upgrade()
    Staff.create(username="kim", name="Kim", role=Role.ADMIN)
    add_catalogue()
    for number, text in enumerate(ESCAPING, start=1001):
        Client.create(
            number=number,
            first_name=text[:100],
            last_name=text[:100],
            company=text[:200],
            email=f"c{number}@example.net",
            credit_cents=1 if number == 1001 else 0,  # a balance its ledger lacks: db check
        )
    Product.update(name=ESCAPING[0][:200]).where(Product.code == "FIBRE-1G").execute()
    close_database()
    yield url
    keyring.set_keyring(previous)
    open_database(url)


def commands(url: str, text: str, tmp_path: Path) -> list[list[str]]:
    """Every subcommand, given `text` where a person or a script could put it."""
    missing = str(tmp_path / f"no-{text[:40]}")
    return [
        ["order", "place", "C-1001", "FIBRE-1G", "--request"],
        ["order", "place", f"C-{text}", "FIBRE-1G", "--request"],
        ["order", "place", "C-1001", text, "--request"],
        ["order", "place", "C-1001", "FIBRE-1G", "--pay", "manual", "--method", text],
        ["order", "list"],
        ["order", "approve", text],
        ["order", "reject", "O-5001", "--reason", text],
        ["invoice", "show", text],
        ["invoice", "show", text, "--format", "json"],
        ["invoice", "pay", text, "--amount", "1.00"],
        ["client", "add", "--first-name", text, "--last-name", text, "--email", text],
        ["client", "add", "--first-name", text, "--last-name", "X", "--email", "x@y.example"],
        ["contact", "add", f"C-{text}", "--first-name", "A", "--last-name", "B", "--email", "a@b"],
        ["contact", "add", "C-1001", "--first-name", text, "--last-name", "B", "--email", "a@b.c"],
        ["contact", "add", "C-1001", "--first-name", "A", "--last-name", "B", "--mail", text],
        ["catalogue", "list", "--all"],
        ["catalogue", "import", missing],
        ["ticket", "import", missing],
        ["billing", "run", "--date", text],
        ["db", "check"],
        ["db", "seed", "--clients", text],
        ["mail", "send"],
        ["payments", "sync"],
        ["payments", "webhook", "--listen", text],
        ["secrets", "set", text],
        ["staff", "add", text, "--role", "agent"],
        ["staff", "passwd", text],
        ["staff", "disable", text],
        ["settings", "credit-limit", text],
        ["doctor"],
    ]


@pytest.mark.parametrize("text", ESCAPING, ids=[str(i) for i in range(len(ESCAPING))])
def test_no_control_reaches_the_terminal(
    desk_url: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in commands(desk_url, text, tmp_path):
        main(["--staff", "kim", *args, "--db", desk_url])
        out = capsys.readouterr()
        found = CONTROL.search(out.out + out.err)
        assert found is None, (args, repr(out.out + out.err)[:300])
