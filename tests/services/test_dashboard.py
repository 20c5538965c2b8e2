"""The dashboard's figures (services.dashboard.desk_today) on both backends: exact counts and
cents from rows the test helpers build, the overdue boundary, an empty desk, and one aggregate
query per figure, each reading an index."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from ledger_helpers import client, invoice, order, staff
from ticket_queue_data import World, add_tickets, make_world

from deskapp.db import db, is_postgres
from deskapp.models import (
    Department,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    OutboxMail,
    OutboxStatus,
    Role,
    Ticket,
)
from deskapp.models.triage import UnassignedMail
from deskapp.services.dashboard import (
    DUE_SOON_DAYS,
    DeskToday,
    Figure,
    FigureKey,
    Tally,
    desk_today,
    figures_of,
)
from deskapp.services.invoices import record_manual_payment
from deskapp.services.tickets import QueueFilter, count_queue


def test_an_empty_desk_reads_all_zeros(desk: str, frozen_time: dt.datetime) -> None:
    today = desk_today()

    assert today == DeskToday(
        as_of=frozen_time,
        waiting=today.waiting,
        unassigned_tickets=0,
        orders_pending=Tally(0, 0),
        oldest_pending_order=None,
        invoices_overdue=Tally(0, 0),
        invoices_due_soon=Tally(0, 0),
        mail_waiting=0,
        mail_failed=0,
        mail_uncertain=0,
        unassigned_mail=0,
        oldest_unassigned_mail=None,
    )
    assert [(f.label, f.count, f.cents, f.oldest) for f in figures_of(today)] == [
        ("Unassigned tickets", 0, None, None),
        ("Orders pending approval", 0, 0, None),
        ("Invoices overdue", 0, 0, None),
        ("Invoices due within 7 days", 0, 0, None),
        ("Mail waiting to be sent", 0, None, None),
        ("Mail failed", 0, None, None),
        ("Mail maybe sent (uncertain)", 0, None, None),
        ("Mail from unknown senders", 0, None, None),
    ]
    # Migration 0006 gives every desk its Orders department: shown, with nothing waiting.
    assert [
        (w.department, w.open, w.customer_reply, w.oldest_waiting_since) for w in today.waiting
    ] == [("Orders", 0, 0, None)]


@pytest.fixture
def world(desk: str) -> World:
    made = make_world()
    add_tickets(made, 60)
    return made


def test_tickets_waiting_on_us_per_department_and_status(
    world: World, frozen_time: dt.datetime
) -> None:
    today = desk_today()

    expected = []
    for name in ("Orders", "Support", "Billing", "Outage"):
        tickets = list(Ticket.select().join(Department).where(Department.name == name))
        opened = [t for t in tickets if t.status == "Open"]
        replied = [t for t in tickets if t.status == "Customer-Reply"]
        since = [t.waiting_since for t in opened + replied if t.waiting_since is not None]
        expected.append((name, len(opened), len(replied), min(since, default=None)))
    shown = [
        (w.department, w.open, w.customer_reply, w.oldest_waiting_since) for w in today.waiting
    ]
    assert sorted(shown) == sorted(expected)
    assert all(w.total for w in today.waiting if w.department != "Orders")
    support = next(w for w in today.waiting if w.department == "Support")
    assert support.department_id == world.departments["Support"]
    assert support.oldest_wait(frozen_time) == frozen_time - support.oldest_waiting_since


def test_unassigned_tickets_are_the_open_queue_nobody_has(world: World) -> None:
    unassigned = (
        Ticket.select().where(Ticket.assignee.is_null() & (Ticket.status != "Completed")).count()
    )

    assert desk_today().unassigned_tickets == unassigned > 0
    assert unassigned == count_queue(QueueFilter(view="open", assignee="unassigned"))


def test_an_open_ticket_nobody_waits_on_counts_without_a_waiting_time(
    world: World, frozen_time: dt.datetime
) -> None:
    Ticket.update(status="Completed").execute()
    first, second = world.tickets[:2]
    Ticket.update(status="Open", waiting_since=None, department=world.departments["Billing"]).where(
        Ticket.id == first
    ).execute()
    since = frozen_time - dt.timedelta(hours=30)
    Ticket.update(
        status="Customer-Reply", waiting_since=since, department=world.departments["Billing"]
    ).where(Ticket.id == second).execute()

    billing = next(w for w in desk_today().waiting if w.department == "Billing")

    assert (billing.open, billing.customer_reply, billing.oldest_waiting_since) == (1, 1, since)
    assert billing.oldest_wait(frozen_time) == dt.timedelta(hours=30)


def test_orders_pending_approval_with_their_totals(desk: str, frozen_time: dt.datetime) -> None:
    mina, otto = client(), client("Otto", "Berg")
    order(mina, ("Fibre 1G", 4_500, 1), ("VoIP line", 500, 2))
    order(otto, ("Installation", 9_900, 1))
    approved = order(otto, ("Router", 12_000, 1))
    Order.update(status=OrderStatus.ACTIVE).where(Order.id == approved).execute()

    Order.update(created_at=frozen_time - dt.timedelta(days=3)).where(
        Order.client == otto
    ).execute()

    figures = desk_today()

    assert figures.orders_pending == Tally(2, 5_500 + 9_900)
    assert figures.oldest_pending_order == frozen_time - dt.timedelta(days=3)
    line = next(f for f in figures_of(figures) if f.key == FigureKey.ORDERS_PENDING)
    assert line == Figure(
        FigureKey.ORDERS_PENDING,
        "Orders pending approval",
        2,
        15_400,
        frozen_time - dt.timedelta(days=3),
    )


def test_an_invoice_due_today_is_not_overdue_one_due_yesterday_is(
    desk: str, frozen_time: dt.datetime
) -> None:
    admin = staff(Role.ADMIN, "kim")
    mina = client()
    today = frozen_time.date()
    days = dt.timedelta(days=1)
    due = {
        "yesterday": (today - days, 1_000),
        "a month ago": (today - 30 * days, 2_500),
        "today": (today, 4_000),
        "in a week": (today + DUE_SOON_DAYS * days, 8_000),
        "in eight days": (today + (DUE_SOON_DAYS + 1) * days, 16_000),
        "paid, late": (today - days, 32_000),
        "cancelled, late": (today - days, 64_000),
    }
    issued = {}
    for name, (due_on, cents) in due.items():
        issued[name] = invoice(admin, mina, cents)
        Invoice.update(due_on=due_on).where(Invoice.id == issued[name].id).execute()
    record_manual_payment(admin, issued["a month ago"].id, "5.00", "Bank transfer")
    record_manual_payment(admin, issued["paid, late"].id, "320.00", "Bank transfer")
    Invoice.update(status=InvoiceStatus.CANCELLED).where(
        Invoice.id == issued["cancelled, late"].id
    ).execute()

    figures = desk_today()

    assert figures.invoices_overdue == Tally(2, 1_000 + 2_000)  # 25.00 less 5.00 paid
    assert figures.invoices_due_soon == Tally(2, 4_000 + 8_000)
    assert figures.due_soon_until == today + DUE_SOON_DAYS * days


def test_mail_waiting_failed_and_uncertain_in_the_outbox(desk: str) -> None:
    statuses = {
        OutboxStatus.QUEUED: 3,
        OutboxStatus.SENDING: 1,
        OutboxStatus.FAILED: 2,
        OutboxStatus.UNCERTAIN: 1,
        OutboxStatus.SENT: 5,
        OutboxStatus.DISCARDED: 1,
    }
    for status, count in statuses.items():
        for n in range(count):
            OutboxMail.create(
                to_address="mina@example.net",
                subject="Your ticket",
                body="Hello",
                message_id=f"<{status}-{n}@deskapp>",
                status=status,
            )

    figures = desk_today()

    assert (figures.mail_waiting, figures.mail_failed, figures.mail_uncertain) == (4, 2, 1)


def test_mail_waiting_for_triage_and_since_when(desk: str, frozen_time: dt.datetime) -> None:
    for hours in (5, 26, 1):
        UnassignedMail.create(
            received_at=frozen_time - dt.timedelta(hours=hours),
            from_address=f"someone{hours}@example.org",
            subject="A question",
            body="Hello",
            message_id=f"<{hours}@example.org>",
        )

    figures = desk_today()

    assert (figures.unassigned_mail, figures.oldest_unassigned_mail) == (
        3,
        frozen_time - dt.timedelta(hours=26),
    )


def test_each_figure_is_one_aggregate_query_reading_an_index(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """Peewee logs every statement it runs (its logger is public): six SELECTs for the eight
    figures (the two invoice figures share one pass), and each reads its table through an
    index. Only the departments are read whole: every one is shown."""
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        desk_today()
    selects = [
        record.msg
        for record in caplog.records
        if record.name == "peewee" and str(record.msg[0]).startswith("SELECT")
    ]
    assert len(selects) == 6
    for sql, params in selects:
        assert "COUNT(" in sql or "SUM(" in sql, sql
        reads = [line.strip() for line in _plan(sql, params).splitlines()]
        whole = "department" if '"department" AS "t1"' in sql else None
        if is_postgres():
            scans = [line.lstrip("-> ") for line in reads if "Seq Scan" in line]
            assert all(scan.startswith(f"Seq Scan on {whole} ") for scan in scans), reads
            assert any("Index" in line for line in reads), reads
        else:
            tables = [line for line in reads if line.startswith(("SCAN", "SEARCH"))]
            assert tables and all(
                "INDEX" in line or (whole and line == "SCAN t1") for line in tables
            ), reads


def _plan(sql: str, params: object) -> str:
    if is_postgres():
        # A small table is cheapest read whole; ask whether an index path exists.
        switches = ("enable_seqscan",)
        for name in switches:
            db.execute_sql(f"SET {name} = off")
        rows = db.execute_sql("EXPLAIN " + sql, params).fetchall()
        for name in switches:
            db.execute_sql(f"RESET {name}")
        return "\n".join(row[0] for row in rows)
    rows = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return "\n".join(str(row[-1]) for row in rows)
