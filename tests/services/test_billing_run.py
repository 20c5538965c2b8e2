"""The billing run: one invoice per client per run with a line per service period, next due
dates moved on by the cycle, the same period never twice, credit applied, gapless numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_helpers import balance, client, service, staff

from deskapp.models import (
    AuditEntry,
    Client,
    ClientStatus,
    Cycle,
    Invoice,
    InvoiceLine,
    Role,
    Service,
    ServiceStatus,
)
from deskapp.services import credit, invoices
from deskapp.services.billing_run import add_months, run_billing
from deskapp.services.integrity import check_ledger

TODAY = dt.date(2026, 3, 14)


def due_date(service_id: object) -> dt.date:
    return Service.get_by_id(service_id).next_due_date


def test_due_services_get_one_invoice_per_client_with_a_line_each(desk: str) -> None:
    mina, ola = client(), client("Ola")
    fibre = service(mina, dt.date(2026, 3, 20), price_cents=4_500, identifier="LS1-0042")
    voice = service(mina, dt.date(2026, 3, 14), price_cents=1_000, cycle=Cycle.QUARTERLY)
    later = service(mina, dt.date(2026, 3, 22), price_cents=999)
    olas = service(ola, dt.date(2026, 3, 1), price_cents=12_000, cycle=Cycle.ANNUAL)

    result = run_billing(TODAY)

    assert result.invoices == ("INV-2026-00001", "INV-2026-00002"), "clients in key order"
    assert (result.lines, result.total_cents, result.failures) == (3, 17_500, ())
    mine = invoices.invoices_for_client(mina)
    assert [i.number for i in mine] == ["INV-2026-00001"]
    detail = invoices.get_invoice(mine[0].id)
    assert [(line.service_id, line.period_start, line.period_end) for line in detail.lines] == [
        (voice, dt.date(2026, 3, 14), dt.date(2026, 6, 13)),
        (fibre, dt.date(2026, 3, 20), dt.date(2026, 4, 19)),
    ]
    assert detail.lines[1].description == (
        "Fibre 500 — LS1-0042 (45.00 monthly), 20 Mar 2026 to 19 Apr 2026"
    )
    assert (mine[0].total_cents, mine[0].due_on, mine[0].status) == (5_500, TODAY, "Unpaid")
    assert due_date(fibre) == dt.date(2026, 4, 20)
    assert due_date(voice) == dt.date(2026, 6, 14)
    assert due_date(later) == dt.date(2026, 3, 22), "beyond the 7 days of lead time"
    assert due_date(olas) == dt.date(2027, 3, 1)
    assert check_ledger() == []


def test_running_again_issues_nothing_more(desk: str) -> None:
    mina = client()
    service(mina, dt.date(2026, 3, 15))
    first = run_billing(TODAY)
    again = run_billing(TODAY)
    assert len(first.invoices) == 1
    assert (again.invoices, again.lines, again.clients_checked) == ((), 0, 0)
    assert Invoice.select().count() == 1


def test_a_service_behind_is_billed_for_each_missed_period(desk: str) -> None:
    mina = client()
    behind = service(mina, dt.date(2025, 12, 31), start=dt.date(2025, 10, 31))

    result = run_billing(TODAY)

    starts = [line.period_start for line in InvoiceLine.select().order_by(InvoiceLine.period_start)]
    assert starts == [dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 28)]
    assert result.lines == 3
    assert due_date(behind) == dt.date(2026, 3, 31), "anchored on the 31st again after February"
    assert Invoice.get().due_on == dt.date(2025, 12, 31)


def test_lead_time_is_configurable(desk: str) -> None:
    mina = client()
    soon = service(mina, dt.date(2026, 3, 30))
    assert run_billing(TODAY).invoices == ()
    assert len(run_billing(TODAY, lead_days=16).invoices) == 1
    assert due_date(soon) == dt.date(2026, 4, 30)
    with pytest.raises(ValueError):
        run_billing(TODAY, lead_days=-1)


def test_only_active_recurring_services_are_billed_whatever_the_client_status(desk: str) -> None:
    closed = client("Closed", status=ClientStatus.CLOSED)
    billed = service(closed, TODAY)
    skipped = [
        service(closed, TODAY, status=status)
        for status in (ServiceStatus.PENDING, ServiceStatus.SUSPENDED, ServiceStatus.CANCELLED)
    ]
    once = service(closed, TODAY, cycle=Cycle.ONE_TIME)
    no_date = Service.create(
        client=closed,
        product=Service.get_by_id(billed).product,
        cycle=Cycle.MONTHLY,
        status=ServiceStatus.ACTIVE,
        price_cents=100,
    )

    result = run_billing(TODAY)

    assert result.lines == 1
    assert [line.service_id for line in InvoiceLine.select()] == [billed]
    assert all(due_date(key) == TODAY for key in (*skipped, once))
    assert due_date(no_date.id) is None


def test_free_services_move_on_without_an_invoice(desk: str) -> None:
    mina = client()
    free = service(mina, TODAY, price_cents=0)
    assert run_billing(TODAY).invoices == ()
    assert due_date(free) == dt.date(2026, 4, 14)


def test_credit_is_applied_to_billing_run_invoices(desk: str) -> None:
    mina = client()
    credit.add_credit(staff(Role.ADMIN), mina, "100", "Prepayment")
    service(mina, TODAY, price_cents=4_500)
    service(mina, TODAY, price_cents=7_000)

    run_billing(TODAY)

    issued = invoices.invoices_for_client(mina)[0]
    assert (issued.total_cents, issued.amount_due_cents, issued.status) == (11_500, 1_500, "Unpaid")
    assert balance(mina) == 0
    assert check_ledger() == []


def test_a_client_that_cannot_be_billed_gives_its_number_back(desk: str) -> None:
    first, broken, last = client("First"), client("Broken"), client("Last")
    service(first, TODAY)
    clash = service(broken, TODAY)
    service(last, TODAY)
    run_billing(TODAY)
    Service.update(next_due_date=TODAY).where(Service.id == clash).execute()
    service(first, TODAY)
    service(last, TODAY)

    result = run_billing(TODAY)

    number = Client.get_by_id(broken).number
    assert result.failures == (
        f"C-{number} was not billed: a period of one of its services is already on an invoice; "
        "check the services' next due dates.",
    )
    numbers = sorted(invoice.number for invoice in Invoice.select())
    assert numbers == [f"INV-2026-{n:05d}" for n in range(1, 6)]
    assert due_date(clash) == TODAY
    assert check_ledger() == []


def test_billing_run_invoices_are_audited(desk: str) -> None:
    service(client(), TODAY)
    run_billing(TODAY)
    issued = Invoice.get()
    audit = AuditEntry.get(
        (AuditEntry.entity == "invoice") & (AuditEntry.entity_id == str(issued.id))
    )
    assert (audit.action, audit.staff_name) == ("invoice.issued", "system")


@pytest.mark.parametrize(
    ("day", "months", "anchor", "expected"),
    [
        (dt.date(2026, 1, 31), 1, 31, dt.date(2026, 2, 28)),
        (dt.date(2026, 2, 28), 1, 31, dt.date(2026, 3, 31)),
        (dt.date(2024, 1, 30), 1, 30, dt.date(2024, 2, 29)),
        (dt.date(2026, 11, 15), 3, 15, dt.date(2027, 2, 15)),
        (dt.date(2026, 8, 31), 6, 31, dt.date(2027, 2, 28)),
        (dt.date(2026, 3, 1), 12, 1, dt.date(2027, 3, 1)),
    ],
)
def test_months_are_added_keeping_the_anchor_day(day, months, anchor, expected) -> None:
    assert add_months(day, months, anchor) == expected
