"""The credit note for unused days, exactly as DESIGN.md states it.

A service paid upfront is Active from the payment date. When an admin approves it with a later
start date, the days between the two were paid for and not used: the client gets back the price
of the paid period × unused days / days in that period, rounded half up to the cent and never
more than the price. The period is the one beginning on the payment date (anchored on its day,
as the billing run anchors), so January paid on 1 January has 31 days and February 28 or 29.
One-time items have no period and give nothing back. Pure: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from deskapp.errors import ValidationError
from deskapp.models.billing import CYCLE_MONTHS, Cycle
from deskapp.money import Money
from deskapp.services.billing_run import add_months


@dataclass(frozen=True)
class UnusedDays:
    """What one paid service is owed for the days between payment and start."""

    unused_days: int
    """Start date minus payment date, in days."""
    period_days: int
    """Days in the paid period beginning on the payment date (0 for a one-time item)."""
    credit_cents: int
    """The credit note: price × unused / period, half up, at most the price."""
    arithmetic: str
    """How it was worked out, for people to check: "31.00 × 13 / 31 = 13.00"."""


def unused_days_credit(
    price_cents: int, cycle: str, paid_on: dt.date, start: dt.date
) -> UnusedDays:
    """The credit note for a service paid on `paid_on` at `price_cents` per `cycle` that starts
    on `start`. A start before the payment date is refused (ValidationError on "start")."""
    if price_cents < 0:
        raise ValueError("a price is never negative")
    if start < paid_on:
        raise ValidationError(
            "start",
            f"The start date {start.isoformat()} is before the payment date "
            f"{paid_on.isoformat()}; a service cannot start before it was paid for.",
        )
    unused = (start - paid_on).days
    if cycle not in tuple(Cycle):
        raise ValueError(f"unknown billing cycle {cycle!r}")
    months = CYCLE_MONTHS.get(Cycle(cycle))
    if months is None:
        return UnusedDays(unused, 0, 0, "")
    period = (add_months(paid_on, months, paid_on.day) - paid_on).days
    counted = min(unused, period)
    credit = (2 * price_cents * counted + period) // (2 * period)
    arithmetic = f"{Money(price_cents)} × {counted} / {period} = {Money(credit)}"
    if unused > period:
        arithmetic += f" ({unused} days after payment; at most the whole period)"
    return UnusedDays(unused, period, credit, arithmetic)
