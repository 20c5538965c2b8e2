"""`deskapp invoice show` through the real entry point (`python -m deskapp`) on each backend:
the text a client is mailed, JSON for scripts, a sentence and exit 1 for an unknown number,
and nothing a client wrote controls the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_helpers import client, order, staff

from deskapp.db import close_database, open_database
from deskapp.models import Role
from deskapp.services import invoices
from deskapp.services.invoice_document import invoice_text, load_invoice_document

HOSTILE_NAME = "\x1b]0;owned\x07[bold]Evil[/b]\x9b2J"


@pytest.fixture
def issued(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """INV-2026-00001 to a client with a hostile company name, partly paid; yields (url, its
    text as the service renders it)."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    kim = staff(Role.ADMIN, "kim")
    mina = client(company=HOSTILE_NAME)
    made = invoices.issue_invoice_for_order(kim, order(mina, ("Router", 12_000, 1)))
    invoices.record_manual_payment(kim, made.id, "20.00", "Cheque", "no. 77")
    text = invoice_text(load_invoice_document(made.number))
    close_database()
    yield desk, text
    open_database(desk)


def deskapp(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskapp", *args, "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def test_show_prints_the_text_invoice(issued: tuple[str, str]) -> None:
    url, text = issued

    shown = deskapp(url, "invoice", "show", "inv-2026-1")

    assert (shown.returncode, shown.stderr) == (0, "")
    assert shown.stdout == text
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout and "\x9b" not in shown.stdout
    assert "[bold]Evil[/b]" in shown.stdout
    assert shown.stdout.splitlines()[0].startswith("INVOICE INV-2026-00001")
    due = next(line for line in shown.stdout.splitlines() if line.startswith("AMOUNT DUE"))
    assert due.endswith(" 100.00") and len(due) == 72


def test_show_json_is_for_scripts(issued: tuple[str, str]) -> None:
    url, _ = issued

    shown = deskapp(url, "invoice", "show", "INV-2026-00001", "--format", "json")

    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["totals"]["amount_due"] == {"cents": 10_000, "formatted": "100.00"}
    assert data["payments"][0]["method"] == "Cheque"
    assert data["payments"][0]["reference"] == "no. 77"
    assert "\x1b" not in shown.stdout and "owned" in data["client"]["name"]


def test_an_unknown_number_is_one_sentence_and_exit_1(issued: tuple[str, str]) -> None:
    url, _ = issued

    for typed, sentence in (
        ("INV-2026-00592", "deskapp: There is no invoice INV-2026-00592.\n"),
        (
            "\x1b[2Jnope",
            "deskapp: “␛[2Jnope” is not an invoice number; write it like INV-2026-00017.\n",
        ),
    ):
        shown = deskapp(url, "invoice", "show", typed)
        assert (shown.returncode, shown.stdout, shown.stderr) == (1, "", sentence)
