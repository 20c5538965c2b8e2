"""The billing run: invoices for recurring services coming due, safe to run from cron any
number of times a day and from several machines at once.

Each client is billed in its own transaction: its row is locked (the same lock every credit
change takes), its due services are read again under that lock, one invoice gets a line per
service period, and the services' next due dates move on by their cycle. A second run waiting
on the lock finds nothing due any more; a run that dies midway leaves each client either fully
billed or untouched. The unique (service, period_start) index on invoice lines is the last guard
against billing a period twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import peewee

from deskapp import clock
from deskapp.db.transaction import write_transaction
from deskapp.errors import DeskError
from deskapp.ids import format_number
from deskapp.models import Client, Cycle, Product, Service, ServiceStatus
from deskapp.models.billing import CYCLE_MONTHS
from deskapp.money import Money
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import client_label, lock_client
from deskapp.services.invoice_issue import NewLine, issue_locked
from deskapp.services.mail_routes import queue_invoice_mail

DEFAULT_LEAD_DAYS = 7
"""Invoices go out this many days before the service period they bill starts."""

MAX_PERIODS = 12
"""Periods one service is billed for in one run when it is behind (the rest in the next run)."""

MAX_SERVICES = 500
"""Services one client is billed for in one run (the rest in the next run)."""

CLIENT_BATCH = 200
"""Clients read per query while looking for due services (keyset paging)."""

ATTEMPTS = 3
"""Tries per client when the database reports a clash (deadlock, first number of a year)."""

RECURRING = tuple(CYCLE_MONTHS)
"""The cycles that are billed again and again (one-time services are invoiced with the order)."""


@dataclass(frozen=True)
class BillingRunResult:
    """What one billing run did."""

    invoices: tuple[str, ...]
    """The numbers of the invoices issued, in the order issued."""
    lines: int
    """Service periods billed."""
    total_cents: int
    """The sum of the invoices issued."""
    clients_checked: int
    """Clients that had a service due when the run looked."""
    failures: tuple[str, ...]
    """One sentence per client that could not be billed (the next run tries again)."""
    mails: int = 0
    """Invoice mails queued in the outbox (one per recipient)."""
    unmailed: tuple[str, ...] = ()
    """One sentence per invoice issued but not mailed: its client has no address at all."""


def run_billing(
    today: dt.date | None = None, *, lead_days: int = DEFAULT_LEAD_DAYS, actor: Actor | None = None
) -> BillingRunResult:
    """Invoice every Active recurring service whose next due date is within `lead_days`.

    Clients another run is billing right now are skipped at first and revisited at the end,
    waiting for that run, so concurrent runs spread over the clients and none is missed.
    """
    if lead_days < 0:
        raise ValueError("lead_days must not be negative")
    horizon = (today or clock.today()) + dt.timedelta(days=lead_days)
    issued: list[Billed] = []
    failures: list[str] = []
    busy: list[uuid.UUID] = []
    checked = 0
    for client_id in clients_due(horizon):
        checked += 1
        outcome = _bill_with_retries(client_id, horizon, actor, failures, skip_locked=True)
        if outcome == "busy":
            busy.append(client_id)
        elif isinstance(outcome, Billed):
            issued.append(outcome)
    for client_id in busy:
        outcome = _bill_with_retries(client_id, horizon, actor, failures, skip_locked=False)
        if isinstance(outcome, Billed):
            issued.append(outcome)
    return BillingRunResult(
        invoices=tuple(billed.number for billed in issued),
        lines=sum(billed.lines for billed in issued),
        total_cents=sum(billed.total_cents for billed in issued),
        clients_checked=checked,
        failures=tuple(failures),
        mails=sum(len(billed.mailed_to) for billed in issued),
        unmailed=tuple(
            f"{billed.number} was issued but not mailed: {billed.client_label} has no email "
            "address."
            for billed in issued
            if not billed.mailed_to
        ),
    )


def due_filter(horizon: dt.date) -> peewee.Expression:
    """Active recurring services whose next due date is by `horizon`."""
    return (
        (Service.status == ServiceStatus.ACTIVE)
        & (Service.next_due_date <= horizon)
        & (Service.cycle.in_(RECURRING))
    )


def clients_due(horizon: dt.date) -> Iterator[uuid.UUID]:
    """Keys of clients with a service due, a page at a time (never the whole table)."""
    after: uuid.UUID | None = None
    while True:
        query = Service.select(Service.client).where(due_filter(horizon)).distinct()
        if after is not None:
            query = query.where(Service.client > after)
        page = [row.client_id for row in query.order_by(Service.client).limit(CLIENT_BATCH)]
        yield from page
        if len(page) < CLIENT_BATCH:
            return
        after = page[-1]


@dataclass(frozen=True)
class Billed:
    """One invoice a run issued."""

    number: str
    """INV-2026-00017."""
    lines: int
    """Service periods on it."""
    total_cents: int
    """Its total."""
    client_label: str
    """C-1042."""
    mailed_to: tuple[str, ...]
    """Where its mail was queued; empty when the client has no address."""


Outcome = Billed | str | None
"""The invoice when issued, "busy" when another run holds the client, None when nothing was
due any more (or billing the client failed)."""


def _bill_with_retries(
    client_id: uuid.UUID,
    horizon: dt.date,
    actor: Actor | None,
    failures: list[str],
    *,
    skip_locked: bool,
) -> Outcome:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _bill_client(client_id, horizon, actor, skip_locked=skip_locked)
        except peewee.IntegrityError:
            if attempt == ATTEMPTS:
                failures.append(_failure(client_id, ALREADY_BILLED))
        except peewee.OperationalError as error:
            if attempt == ATTEMPTS:
                failures.append(_failure(client_id, str(error).strip().splitlines()[0]))
        except DeskError as error:
            failures.append(_failure(client_id, str(error)))
            return None
    return None


ALREADY_BILLED = (
    "a period of one of its services is already on an invoice; check the services' next due dates"
)


def _failure(client_id: uuid.UUID, why: str) -> str:
    number = Client.select(Client.number).where(Client.id == client_id).scalar()
    who = format_number("client", number) if number else "A deleted client"
    return f"{who} was not billed: {why.rstrip('.')}."


def _bill_client(
    client_id: uuid.UUID, horizon: dt.date, actor: Actor | None, *, skip_locked: bool
) -> Outcome:
    """Bill one client in one transaction: all its due periods on one invoice, or nothing."""
    with write_transaction():
        client = lock_client(client_id, skip_locked=skip_locked)
        if client is None:
            return "busy"
        services = (
            Service.select(Service, Product.name)
            .join(Product)
            .where(due_filter(horizon) & (Service.client == client.id))
            .order_by(Service.next_due_date, Service.id)
            .limit(MAX_SERVICES)
        )
        lines: list[NewLine] = []
        for service in services:
            lines += _advance(service, horizon)
        if not lines:
            return None
        due_on = min(line.period_start for line in lines if line.period_start)
        invoice = issue_locked(actor, client, lines, due_on=due_on)
        mailed_to = queue_invoice_mail(invoice.id)
    return Billed(invoice.number, len(lines), invoice.total_cents, client_label(client), mailed_to)


def _advance(service: Service, horizon: dt.date) -> list[NewLine]:
    """The lines for a service's periods starting by `horizon`; moves its next due date on.

    Free services move on without a line. The update names the due date it read, so a staff
    change to the service in between makes the client's transaction start over.
    """
    lines, start = billing_periods(service, horizon)
    moved = (
        Service.update(next_due_date=start, version=Service.version + 1, updated_at=clock.now())
        .where((Service.id == service.id) & (Service.next_due_date == service.next_due_date))
        .execute()
    )
    if moved != 1:
        raise peewee.OperationalError("the service changed while it was being billed")
    return [line for line in lines if line.amount_cents > 0]


def billing_periods(service: Service, horizon: dt.date) -> tuple[list[NewLine], dt.date]:
    """A service's lines for its periods starting by `horizon`, and its next due date after."""
    due = service.next_due_date
    assert due is not None  # due_filter() selects only services with a due date
    months = CYCLE_MONTHS[Cycle(service.cycle)]
    anchor = (service.start_date or due).day
    start = due
    lines: list[NewLine] = []
    while start <= horizon and len(lines) < MAX_PERIODS:
        following = add_months(start, months, anchor)
        end = following - dt.timedelta(days=1)
        lines.append(
            NewLine(_describe(service, start, end), service.price_cents, service.id, start, end)
        )
        start = following
    return lines, start


def _describe(service: Service, start: dt.date, end: dt.date) -> str:
    what = service.product.name + (f" — {service.identifier}" if service.identifier else "")
    price = f"{Money(service.price_cents)} {service.cycle.lower()}"
    return f"{what} ({price}), {start:%d %b %Y} to {end:%d %b %Y}"


def add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    """The date `months` after `day`, on `anchor_day` or the month's last day if shorter.

    Anchoring keeps a service started on the 31st billed on the last day of short months and
    back on the 31st after them, instead of drifting to the 28th for good.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(anchor_day, last))
