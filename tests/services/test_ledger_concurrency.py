"""On PostgreSQL, real processes at once: 20 desks applying one client's credit to 20 invoices
never overdraw it, and 20 billing runs issue each due service period exactly once with gapless
invoice numbers."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import subprocess
from pathlib import Path

import frozen_run
import pytest
from billing_worker import apply_credit_worker
from ledger_helpers import client, invoice, service, staff
from pg_databases import PostgresDatabases

from deskapp.db import close_database, open_database
from deskapp.models import Client, CreditEntry, CreditKind, Cycle, Invoice, InvoiceLine, Role
from deskapp.models import Service as ServiceRow
from deskapp.services import credit
from deskapp.services.billing_run import add_months
from deskapp.services.chain import check_chains
from deskapp.services.integrity import check_ledger

pytestmark = pytest.mark.postgres

WORKERS = 20
WORKER = Path(__file__).parents[1] / "billing_worker.py"
FROZEN_NOW = dt.datetime(2026, 3, 14, 9, 30)
"""The frozen time of the test process (conftest), given to the workers too."""
TODAY = FROZEN_NOW.date()


@pytest.fixture
def shared_desk(
    postgres_databases: PostgresDatabases, postgres_template: str, frozen_time: dt.datetime
) -> str:
    """A migrated PostgreSQL database of its own (a copy of the session's template); its URL."""
    assert frozen_time == FROZEN_NOW
    url = postgres_databases.create(template=postgres_template)
    open_database(url)
    return url


def test_twenty_desks_applying_one_clients_credit_never_overdraw_it(shared_desk: str) -> None:
    agent = staff(Role.AGENT)
    mina = client()
    bills = [invoice(agent, mina, 700).id for _ in range(WORKERS)]
    credit.add_credit(agent, mina, "50.00", "Prepayment")

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(WORKERS + 1), context.Queue()
    actor = (agent.id, agent.username, agent.name, agent.role)
    workers = [
        context.Process(
            target=apply_credit_worker,
            args=(shared_desk, actor, str(bill), FROZEN_NOW, start, results),
        )
        for bill in bills
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=120)
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    assert not [o for o in outcomes if o[0] not in ("applied", "Conflict")], outcomes
    applied = sorted(amount for kind, amount in outcomes if kind == "applied")
    assert applied == [100] + [700] * 7
    refusals = {text for kind, text in outcomes if kind == "Conflict"}
    assert refusals == {f"C-{Client.get_by_id(mina).number} has no credit to apply."}
    entries = CreditEntry.select().where(CreditEntry.client == mina)
    assert sum(e.amount_cents for e in entries) == Client.get_by_id(mina).credit_cents == 0
    assert -sum(e.amount_cents for e in entries if e.kind == CreditKind.APPLIED) == 5_000
    dues = sorted(Invoice.select(Invoice.amount_due_cents).tuples())
    assert dues == [(0,)] * 7 + [(600,)] + [(700,)] * 12
    assert check_ledger() == []
    assert [report.problem for report in check_chains()] == [None, None]


def test_twenty_billing_runs_at_once_bill_each_period_exactly_once(shared_desk: str) -> None:
    agent = staff(Role.AGENT)
    expected: dict[object, list[dt.date]] = {}
    for number in range(30):
        who = client(f"Client{number}")
        if number % 3 == 0:
            credit.add_credit(agent, who, 2_000 + number, "Prepayment")
        for offset, cycle in enumerate((Cycle.MONTHLY, Cycle.QUARTERLY, Cycle.MONTHLY)):
            if offset > number % 3:
                break
            first = TODAY - dt.timedelta(days=40 * offset + number % 7)
            key = service(who, first, price_cents=1_000 + number, cycle=cycle)
            expected[key] = _periods(first, cycle, TODAY + dt.timedelta(days=7))
    close_database()

    runs = [
        subprocess.Popen(
            frozen_run.command(FROZEN_NOW, str(WORKER), shared_desk, TODAY.isoformat()),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    for run in runs:
        assert run.stdout is not None and run.stdout.readline().strip() == "ready"
    for run in runs:
        assert run.stdin is not None
        run.stdin.write("go\n")
        run.stdin.flush()
    reports = [json.loads(run.communicate(timeout=120)[0]) for run in runs]
    assert [run.returncode for run in runs] == [0] * WORKERS

    open_database(shared_desk)
    assert [r["failures"] for r in reports] == [[]] * WORKERS
    issued = [number for report in reports for number in report["invoices"]]
    assert len(issued) == len(set(issued)) == Invoice.select().count() == 30
    assert sorted(issued) == [f"INV-2026-{n:05d}" for n in range(1, 31)]
    for key, periods in expected.items():
        lines = InvoiceLine.select().where(InvoiceLine.service == key)
        assert sorted(line.period_start for line in lines) == periods
        assert ServiceRow.get_by_id(key).next_due_date == _after(periods, key)
    assert check_ledger() == []
    assert [report.problem for report in check_chains()] == [None, None]


def _periods(first: dt.date, cycle: str, horizon: dt.date) -> list[dt.date]:
    months = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3}[cycle]
    starts, start = [], first
    while start <= horizon:
        starts.append(start)
        start = add_months(start, months, first.day)
    return starts


def _after(periods: list[dt.date], key: object) -> dt.date:
    months = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3}[ServiceRow.get_by_id(key).cycle]
    return add_months(periods[-1], months, periods[0].day)
