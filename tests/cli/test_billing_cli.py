"""`deskapp billing run` in-process on each backend: it acts as the named system actor the audit
shows, bills as of another day only within the lead time, and `--dry-run` writes nothing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_helpers import client, service

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import ALL_MODELS, AuditEntry, Invoice, Service


@pytest.fixture
def desk_url(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """C-1001 with a monthly 45.00 service due on 20 March 2026 (today is 14 March, frozen)."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    service(client(), dt.date(2026, 3, 20), identifier="LS1-0042")
    close_database()
    yield desk
    open_database(desk)


def billing(url: str, *args: str) -> int:
    return main(["billing", "run", *args, "--db", url])


def rows() -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in ALL_MODELS}


def test_the_run_is_audited_as_the_billing_run_system_actor(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert billing(desk_url) == 0
    assert capsys.readouterr().out.startswith("Issued INV-2026-00001\n")
    open_database(desk_url)
    issued = AuditEntry.get(AuditEntry.entity == "invoice")
    assert issued.staff_id is None and issued.staff_name == "system: billing run"
    names = {entry.staff_name for entry in AuditEntry.select()}
    assert names == {"system: billing run"}
    close_database()


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["--date", "2026-03-22"],
            "Bill as of a day within the 7-day lead time of today (2026-03-07 to 2026-03-21), "
            "not 2026-03-22.",
        ),
        (["--date", "2029-03-14"], "not 2029-03-14."),
        (["--date", "2026-03-06"], "not 2026-03-06."),
        (["--lead-days", "32"], "The lead time must be 0 to 31 days, not 32."),
    ],
)
def test_a_day_beyond_the_lead_time_is_refused(
    desk_url: str, capsys: pytest.CaptureFixture[str], args: list[str], sentence: str
) -> None:
    assert billing(desk_url, *args) == 1
    assert sentence in capsys.readouterr().err
    open_database(desk_url)
    assert Invoice.select().count() == 0
    close_database()


def test_a_day_within_the_lead_time_is_billed(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert billing(desk_url, "--date", "2026-03-13", "--lead-days", "6") == 0
    assert "0 invoices, 0 lines" in capsys.readouterr().out  # 13 + 6 = 19 March: not due yet
    assert billing(desk_url, "--date", "2026-03-21", "--lead-days", "7") == 0
    assert "Issued INV-2026-00001" in capsys.readouterr().out


def test_a_dry_run_lists_what_it_would_issue_and_writes_nothing(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_database(desk_url)
    before = rows()
    due = Service.get().next_due_date
    close_database()

    assert billing(desk_url, "--dry-run") == 0
    out = capsys.readouterr().out
    assert out == (
        "Would issue C-1001: 45.00\n"
        "  45.00  Fibre 500 — LS1-0042 (45.00 monthly), 20 Mar 2026 to 19 Apr 2026\n"
        "Dry run as of 2026-03-14: 1 invoice, 45.00 in all; nothing was written.\n"
    )
    open_database(desk_url)
    assert rows() == before and Service.get().next_due_date == due
    close_database()
    assert billing(desk_url) == 0
    assert "Issued INV-2026-00001" in capsys.readouterr().out
