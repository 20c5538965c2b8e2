"""What a billing run may be asked for, and what it would issue, without writing anything.

`billing run --date` bills as of another day only within the lead time of today, so a typo (or
a script) cannot invoice months or years ahead; `billing run --dry-run` lists the invoices a run
would issue now, read from the same due services the run bills.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from deskapp import clock
from deskapp.errors import ValidationError
from deskapp.ids import format_number
from deskapp.models import Client, Product, Service
from deskapp.services.billing_run import (
    DEFAULT_LEAD_DAYS,
    MAX_SERVICES,
    billing_periods,
    clients_due,
    due_filter,
)

MAX_LEAD_DAYS = 31
"""The longest lead time a run accepts: invoices go out at most a month before their period."""


@dataclass(frozen=True)
class PlannedLine:
    """One service period a run would bill."""

    description: str
    """The line as the invoice would say it."""
    amount_cents: int
    """Its price."""


@dataclass(frozen=True)
class PlannedInvoice:
    """The invoice a run would issue to one client."""

    client: str
    """C-1042."""
    lines: tuple[PlannedLine, ...]
    """Its lines, in the order the run would add them."""
    total_cents: int
    """Their sum."""


def billing_day(requested: dt.date | None, lead_days: int = DEFAULT_LEAD_DAYS) -> dt.date:
    """The day to bill as of: today, or `requested` when it lies within `lead_days` of today.

    ValidationError names the field: a lead time beyond MAX_LEAD_DAYS, or a day outside it.
    """
    if not 0 <= lead_days <= MAX_LEAD_DAYS:
        raise ValidationError(
            "lead_days", f"The lead time must be 0 to {MAX_LEAD_DAYS} days, not {lead_days}."
        )
    today = clock.today()
    if requested is None:
        return today
    if abs((requested - today).days) > lead_days:
        first, last = today - dt.timedelta(days=lead_days), today + dt.timedelta(days=lead_days)
        raise ValidationError(
            "date",
            f"Bill as of a day within the {lead_days}-day lead time of today "
            f"({first:%Y-%m-%d} to {last:%Y-%m-%d}), not {requested:%Y-%m-%d}.",
        )
    return requested


def plan_billing(
    today: dt.date | None = None, *, lead_days: int = DEFAULT_LEAD_DAYS
) -> tuple[PlannedInvoice, ...]:
    """The invoices a run as of `today` would issue now, one per client; writes nothing."""
    horizon = (today or clock.today()) + dt.timedelta(days=lead_days)
    planned = []
    for client_id in clients_due(horizon):
        services = (
            Service.select(Service, Product.name)
            .join(Product)
            .where(due_filter(horizon) & (Service.client == client_id))
            .order_by(Service.next_due_date, Service.id)
            .limit(MAX_SERVICES)
        )
        lines = [
            PlannedLine(line.description, line.amount_cents)
            for service in services
            for line in billing_periods(service, horizon)[0]
            if line.amount_cents > 0
        ]
        if lines:
            number = Client.select(Client.number).where(Client.id == client_id).scalar()
            total = sum(line.amount_cents for line in lines)
            planned.append(PlannedInvoice(format_number("client", number), tuple(lines), total))
    return tuple(planned)
