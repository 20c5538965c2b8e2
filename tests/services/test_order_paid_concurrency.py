"""On PostgreSQL, real processes at once: a payment reported by several of them together (the
card charge, Stripe's webhook, a sync) is recorded once."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest
from ledger_helpers import client, staff
from order_rows import add_catalogue
from order_worker import mark_paid_worker
from pg_databases import PostgresDatabases

from deskapp.db import open_database
from deskapp.models import AuditEntry, Client, Invoice, PaymentTransaction, Role, Service
from deskapp.services.integrity import check_ledger
from deskapp.services.order_place import parse_cart_item, place_order

pytestmark = pytest.mark.postgres

WORKERS = 6


@pytest.fixture
def shared_desk(
    postgres_databases: PostgresDatabases, postgres_template: str, frozen_time: dt.datetime
) -> str:
    """A migrated PostgreSQL database of its own (a copy of the session's template); its URL."""
    url = postgres_databases.create(template=postgres_template)
    open_database(url)
    return url


def test_one_payment_reported_at_once_by_six_processes_is_recorded_once(
    shared_desk: str, frozen_time: dt.datetime
) -> None:
    add_catalogue()
    mina = client()
    lines = [parse_cart_item("FIBRE-1G"), parse_cart_item("HOURS-5")]
    placed = place_order(staff(Role.AGENT), mina, lines, "card")

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(WORKERS + 1), context.Queue()
    workers = [
        context.Process(
            target=mark_paid_worker,
            args=(shared_desk, str(placed.id), placed.total_cents, frozen_time, start, results),
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    start.wait(timeout=120)
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)

    assert outcomes == [("done", "")] * WORKERS
    assert PaymentTransaction.select().count() == 1 and Invoice.select().count() == 1
    assert Invoice.get().status == "Paid"
    assert AuditEntry.select().where(AuditEntry.action == "order.paid").count() == 1
    assert Client.get_by_id(mina).support_minutes == 300
    assert [s.status for s in Service.select()] == ["Active"]
    assert check_ledger() == []
