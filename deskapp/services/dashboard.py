"""The desk today: what waits on the desk, for whoever watches over it (the dashboard screen and
`deskapp dashboard`).

Every figure is one aggregate query (COUNT, SUM, MIN, with GROUP BY or per department) over
indexed columns; no row is loaded into Python. The indexes each walks:
- tickets waiting on us, per department: each department's Open and each its Customer-Reply
  tickets counted in ticket (department_id, status, …) of migration 0004 without reading the
  table, and its longest-waiting client found first in the partial index of waiting tickets
  (waiting_since, …, status, department_id, m0004), read in order and stopped at the first;
- unassigned tickets: ticket (assignee_id, status, …) of migration 0004, without the table;
- orders pending approval: order (status, number) of migration 0006 (each pending order's total
  and time are read from its row: pending orders are a small share of a desk's);
- invoices overdue and due soon: invoice (status) of the first schema; the due date is read from
  each Unpaid invoice's row (no index has (status, due_on): a desk with very many Unpaid
  invoices would want one);
- the outbox: outbox_mail (status, …) of migration 0005;
- mail waiting for triage: unassigned_mail (received_at, id) of migration 0011.

The figures are read in one snapshot (deskapp.db.transaction.read_snapshot), so they agree with
each other. An invoice is overdue from the day after its due date: due today is not overdue.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import peewee

from deskapp import clock
from deskapp.db.transaction import read_snapshot
from deskapp.models import (
    Department,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    OutboxMail,
    OutboxStatus,
    Ticket,
    TicketStatus,
)
from deskapp.models.tickets import OPEN_TICKETS
from deskapp.models.triage import UnassignedMail

__all__ = [
    "DUE_SOON_DAYS",
    "DeskToday",
    "Figure",
    "FigureKey",
    "Tally",
    "WaitingTickets",
    "desk_today",
    "figures_of",
]

DUE_SOON_DAYS = 7
"""Unpaid invoices due from today to this many days ahead count as due soon."""
WAITING_STATUSES = (TicketStatus.OPEN, TicketStatus.CUSTOMER_REPLY)
"""The statuses of a ticket waiting on the desk (the client waits for us)."""


@dataclass(frozen=True)
class WaitingTickets:
    """One department's tickets waiting on the desk."""

    department_id: uuid.UUID
    """The department's key (the queue narrows to it)."""
    department: str
    """The department's name (staff typed it: shown as untrusted text)."""
    open: int
    """How many of its tickets are Open."""
    customer_reply: int
    """How many are Customer-Reply (the client wrote last)."""
    oldest_waiting_since: dt.datetime | None
    """Since when the longest-waiting client of these tickets waits (UTC); None when none
    waits (an Open ticket whose last word was the desk's)."""

    @property
    def total(self) -> int:
        """Open and Customer-Reply together."""
        return self.open + self.customer_reply

    def oldest_wait(self, now: dt.datetime) -> dt.timedelta | None:
        """How long the longest-waiting client has waited at `now`; None when none waits."""
        if self.oldest_waiting_since is None:
            return None
        return max(now - self.oldest_waiting_since, dt.timedelta(0))


@dataclass(frozen=True)
class Tally:
    """How many, and how much money they come to."""

    count: int
    """How many rows."""
    cents: int
    """Their amount together, in cents."""


@dataclass(frozen=True)
class DeskToday:
    """Every figure of the dashboard, read in one snapshot."""

    as_of: dt.datetime
    """When the figures were read (UTC)."""
    waiting: tuple[WaitingTickets, ...]
    """Tickets waiting on the desk, per department in the desk's order (every department,
    those with none waiting too)."""
    unassigned_tickets: int
    """Open tickets (any status but Completed) nobody is assigned to."""
    orders_pending: Tally
    """Orders waiting for an admin's approval, and their totals."""
    oldest_pending_order: dt.datetime | None
    """When the longest-waiting of those orders was placed (UTC); None when none waits."""
    invoices_overdue: Tally
    """Unpaid invoices due before today, and the amount still due on them."""
    invoices_due_soon: Tally
    """Unpaid invoices due from today to DUE_SOON_DAYS ahead, and the amount due on them."""
    mail_waiting: int
    """Outbox mail queued or being sent."""
    mail_failed: int
    """Outbox mail the sender gave up on (a person sends it again or discards it)."""
    mail_uncertain: int
    """Outbox mail that may or may not have gone out (a person decides)."""
    unassigned_mail: int
    """Mail from unknown senders waiting for triage."""
    oldest_unassigned_mail: dt.datetime | None
    """When the longest-waiting of that mail came in (UTC); None when none waits."""

    @property
    def today(self) -> dt.date:
        """The day the invoice figures are counted from (UTC)."""
        return self.as_of.date()

    @property
    def due_soon_until(self) -> dt.date:
        """The last due date counted as due soon."""
        return self.today + dt.timedelta(days=DUE_SOON_DAYS)


class FigureKey(StrEnum):
    """Which figure a line of the dashboard is (the screen opens the matching list by it)."""

    UNASSIGNED_TICKETS = "unassigned_tickets"
    ORDERS_PENDING = "orders_pending"
    INVOICES_OVERDUE = "invoices_overdue"
    INVOICES_DUE_SOON = "invoices_due_soon"
    MAIL_WAITING = "mail_waiting"
    MAIL_FAILED = "mail_failed"
    MAIL_UNCERTAIN = "mail_uncertain"
    UNASSIGNED_MAIL = "unassigned_mail"


@dataclass(frozen=True)
class Figure:
    """One line of the dashboard after the tickets waiting per department, as the screen and
    `deskapp dashboard` show it."""

    key: FigureKey
    """Which figure it is."""
    label: str
    """What it counts, in words ("Orders pending approval")."""
    count: int
    """How many."""
    cents: int | None = None
    """The money they come to; None for a figure without money."""
    oldest: dt.datetime | None = None
    """Since when the longest-waiting of them waits (UTC); None where none waits or the
    figure has no such time."""


def figures_of(today: DeskToday) -> tuple[Figure, ...]:
    """The figures after the tickets waiting per department, in the order they are shown."""
    key = FigureKey
    return (
        Figure(key.UNASSIGNED_TICKETS, "Unassigned tickets", today.unassigned_tickets),
        Figure(
            key.ORDERS_PENDING,
            "Orders pending approval",
            today.orders_pending.count,
            today.orders_pending.cents,
            today.oldest_pending_order,
        ),
        Figure(
            key.INVOICES_OVERDUE,
            "Invoices overdue",
            today.invoices_overdue.count,
            today.invoices_overdue.cents,
        ),
        Figure(
            key.INVOICES_DUE_SOON,
            f"Invoices due within {DUE_SOON_DAYS} days",
            today.invoices_due_soon.count,
            today.invoices_due_soon.cents,
        ),
        Figure(key.MAIL_WAITING, "Mail waiting to be sent", today.mail_waiting),
        Figure(key.MAIL_FAILED, "Mail failed", today.mail_failed),
        Figure(key.MAIL_UNCERTAIN, "Mail maybe sent (uncertain)", today.mail_uncertain),
        Figure(
            key.UNASSIGNED_MAIL,
            "Mail from unknown senders",
            today.unassigned_mail,
            oldest=today.oldest_unassigned_mail,
        ),
    )


def desk_today() -> DeskToday:
    """The dashboard's figures now, each from one aggregate query, all in one snapshot."""
    now = clock.now()
    with read_snapshot():
        overdue, due_soon = _invoices(now.date())
        pending, oldest_order = _orders_pending()
        mail = _outbox()
        triage_count, oldest_mail = _triage()
        return DeskToday(
            as_of=now,
            waiting=_waiting_tickets(),
            unassigned_tickets=_unassigned_tickets(),
            orders_pending=pending,
            oldest_pending_order=oldest_order,
            invoices_overdue=overdue,
            invoices_due_soon=due_soon,
            mail_waiting=mail[OutboxStatus.QUEUED] + mail[OutboxStatus.SENDING],
            mail_failed=mail[OutboxStatus.FAILED],
            mail_uncertain=mail[OutboxStatus.UNCERTAIN],
            unassigned_mail=triage_count,
            oldest_unassigned_mail=oldest_mail,
        )


def _count_if(condition: peewee.Expression, value: object = 1) -> peewee.Function:
    """SUM of `value` over the rows where `condition` holds (0 where none does)."""
    return peewee.fn.COALESCE(peewee.fn.SUM(peewee.Case(None, [(condition, value)], 0)), 0)


def _waiting_tickets() -> tuple[WaitingTickets, ...]:
    # Every department, with a count per status and the oldest wait, each a subquery of its
    # own that an index answers alone. One LEFT JOIN grouping every waiting ticket would read
    # each one's row for its waiting_since (bench/README.md has what that costs).
    ticket = Ticket.alias("waiting")
    mine = ticket.department == Department.id

    def counted(status: TicketStatus) -> peewee.Select:
        return ticket.select(peewee.fn.COUNT(peewee.SQL("*"))).where(
            mine & (ticket.status == status)
        )

    oldest = (
        ticket.select(ticket.waiting_since)
        .where(
            ticket.waiting_since.is_null(False)
            & mine
            & ticket.status.in_([str(status) for status in WAITING_STATUSES])
        )
        .order_by(ticket.waiting_since)
        .limit(1)
    )
    query = Department.select(
        Department.id,
        Department.name,
        counted(TicketStatus.OPEN),
        counted(TicketStatus.CUSTOMER_REPLY),
        oldest,
    ).order_by(Department.sort_order, Department.name)
    rows = cast(Iterable[tuple[object, str, int, int, object]], query.tuples())
    return tuple(
        WaitingTickets(
            _as_uuid(key), name, int(open_count), int(replied), _as_datetime(oldest_waiting)
        )
        for key, name, open_count, replied, oldest_waiting in rows
    )


def _unassigned_tickets() -> int:
    query = Ticket.select(peewee.fn.COUNT(peewee.SQL("*"))).where(
        peewee.SQL(OPEN_TICKETS) & Ticket.assignee.is_null()
    )
    return int(query.scalar() or 0)


def _orders_pending() -> tuple[Tally, dt.datetime | None]:
    query = Order.select(
        peewee.fn.COUNT(peewee.SQL("*")),
        peewee.fn.COALESCE(peewee.fn.SUM(Order.total_cents), 0),
        peewee.fn.MIN(Order.created_at),
    ).where(Order.status == OrderStatus.PENDING)
    count, cents, oldest = _one_row(query)
    return Tally(int(count), int(cents)), _as_datetime(oldest)


def _invoices(today: dt.date) -> tuple[Tally, Tally]:
    """(overdue, due soon) in one pass over the Unpaid invoices due up to the horizon."""
    overdue = Invoice.due_on < today
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    query = Invoice.select(
        _count_if(overdue),
        _count_if(overdue, Invoice.amount_due_cents),
        _count_if(~overdue),
        _count_if(~overdue, Invoice.amount_due_cents),
    ).where((Invoice.status == InvoiceStatus.UNPAID) & (Invoice.due_on <= horizon))
    late, late_cents, soon, soon_cents = _one_row(query)
    return Tally(int(late), int(late_cents)), Tally(int(soon), int(soon_cents))


def _outbox() -> dict[OutboxStatus, int]:
    """How many mails wait for the sender or for a person, by status (sent and discarded mail,
    most of an old desk's outbox, is never counted)."""
    statuses = (
        OutboxStatus.QUEUED,
        OutboxStatus.SENDING,
        OutboxStatus.FAILED,
        OutboxStatus.UNCERTAIN,
    )
    counts = dict.fromkeys(statuses, 0)
    query = (
        OutboxMail.select(OutboxMail.status, peewee.fn.COUNT(peewee.SQL("*")))
        .where(OutboxMail.status.in_([str(status) for status in statuses]))
        .group_by(OutboxMail.status)
    )
    for status, count in cast(Iterable[tuple[str, int]], query.tuples()):
        counts[OutboxStatus(status)] = int(count)
    return counts


def _triage() -> tuple[int, dt.datetime | None]:
    query = UnassignedMail.select(
        peewee.fn.COUNT(peewee.SQL("*")), peewee.fn.MIN(UnassignedMail.received_at)
    )
    count, oldest = _one_row(query)
    return int(count), _as_datetime(oldest)


def _one_row(query: peewee.Select) -> tuple[Any, ...]:
    """The one row of an aggregate query without GROUP BY, as a tuple."""
    return cast(tuple[Any, ...], query.tuples().get())


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _as_datetime(value: object) -> dt.datetime | None:
    """An aggregate's time: SQLite hands MIN() back as the stored text, PostgreSQL as a time."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
