"""`deskapp dashboard [--format json]` in-process on each backend: the same figures as the
dashboard's service, aligned for people and in cents for scripts; an empty desk reads zeros;
a department's name cannot control the terminal."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_helpers import client, invoice, order, staff

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Department, Invoice, Role, Ticket
from deskapp.services.numbers import next_number

HOSTILE_NAME = "\x1b]0;owned\x07[bold]Evil[/b]"


@pytest.fixture
def desk_url(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The migrated test desk, closed so the command opens it itself; reopened after."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    yield desk
    open_database(desk)


@pytest.fixture
def busy_desk(desk_url: str, frozen_time: dt.datetime) -> str:
    """A hostile-named department with two waiting tickets, a pending order, and an invoice
    overdue since yesterday (its mail waits in the outbox)."""
    kim = staff(Role.ADMIN, "kim")
    mina = client()
    strange = Department.create(name=HOSTILE_NAME, sort_order=5)
    for status, hours in (("Open", 2), ("Customer-Reply", 26)):
        Ticket.create(
            number=next_number("ticket"),
            client=mina,
            department=strange,
            subject="Line drops",
            status=status,
            waiting_since=frozen_time - dt.timedelta(hours=hours),
        )
    order(mina, ("Router", 12_000, 1))
    late = invoice(kim, mina, 4_550)
    Invoice.update(due_on=frozen_time.date() - dt.timedelta(days=1)).where(
        Invoice.id == late.id
    ).execute()
    close_database()
    return desk_url


def test_the_text_lines_up_the_figures(busy_desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--db", busy_desk]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert "\x1b" not in out and "\x07" not in out and "[bold]Evil[/b]" in out
    lines = out.splitlines()
    assert lines[:3] == [
        "The desk on 2026-03-14 09:30 UTC",
        "",
        "Tickets waiting on us               Open    Cust-Reply  Oldest wait",
    ]
    assert lines[3].endswith("[bold]Evil[/b]              1             1        1d 2h")
    assert lines[4] == "  Orders                               0             0"
    assert lines[6:] == [
        "                                How many        Amount       Oldest",
        "Unassigned tickets                     2",
        "Orders pending approval                2        165.50          <1m",
        "Invoices overdue                       1         45.50",
        "Invoices due within 7 days             0          0.00",
        "Mail waiting to be sent                1",
        "Mail failed                            0",
        "Mail maybe sent (uncertain)            0",
        "Mail from unknown senders              0",
    ]


def test_json_is_for_scripts(busy_desk: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "--format", "json", "--db", busy_desk]) == 0

    shown = json.loads(capsys.readouterr().out)
    assert (shown["as_of"], shown["today"], shown["due_soon_until"]) == (
        "2026-03-14T09:30:00",
        "2026-03-14",
        "2026-03-21",
    )
    strange = shown["tickets_waiting"][0]
    assert "\x1b" not in strange["department"] and "[bold]Evil[/b]" in strange["department"]
    assert {k: v for k, v in strange.items() if k != "department"} == {
        "open": 1,
        "customer_reply": 1,
        "oldest": "2026-03-13T07:30:00",
        "oldest_wait_seconds": 26 * 3600,
    }
    figures = shown["figures"]
    assert figures["invoices_overdue"] == {
        "label": "Invoices overdue",
        "count": 1,
        "cents": 4_550,
        "amount": "45.50",
    }
    assert figures["orders_pending"]["cents"] == 12_000 + 4_550
    assert figures["mail_waiting"] == {"label": "Mail waiting to be sent", "count": 1}


def test_an_empty_desk_prints_zeros(desk_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    close_database()

    assert main(["dashboard", "--format", "json", "--db", desk_url]) == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["tickets_waiting"] == [
        {
            "department": "Orders",
            "open": 0,
            "customer_reply": 0,
            "oldest": None,
            "oldest_wait_seconds": None,
        }
    ]
    assert {key: figure["count"] for key, figure in shown["figures"].items()} == dict.fromkeys(
        (
            "unassigned_tickets",
            "orders_pending",
            "invoices_overdue",
            "invoices_due_soon",
            "mail_waiting",
            "mail_failed",
            "mail_uncertain",
            "unassigned_mail",
        ),
        0,
    )
