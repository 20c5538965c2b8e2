"""The credit note for unused days (pure arithmetic, no database): the issue's cases, then
properties at the boundaries checked against exact fractions."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.errors import ValidationError
from deskapp.models import Cycle
from deskapp.services.billing_run import add_months
from deskapp.services.proration import unused_days_credit

RECURRING = st.sampled_from([Cycle.MONTHLY, Cycle.QUARTERLY, Cycle.SEMIANNUAL, Cycle.ANNUAL])
MONTHS = {Cycle.MONTHLY: 1, Cycle.QUARTERLY: 3, Cycle.SEMIANNUAL: 6, Cycle.ANNUAL: 12}
DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31))
PRICES = st.integers(min_value=0, max_value=10**10)


def test_paid_on_the_first_started_on_the_fourteenth_gives_thirteen_days_of_thirty_one() -> None:
    days = unused_days_credit(3_100, Cycle.MONTHLY, dt.date(2026, 1, 1), dt.date(2026, 1, 14))
    assert (days.unused_days, days.period_days, days.credit_cents) == (13, 31, 1_300)
    assert days.arithmetic == "31.00 × 13 / 31 = 13.00"


def test_a_start_on_the_payment_date_gives_none() -> None:
    days = unused_days_credit(3_100, Cycle.MONTHLY, dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    assert (days.unused_days, days.credit_cents) == (0, 0)


def test_a_start_before_the_payment_date_is_refused_with_a_sentence() -> None:
    with pytest.raises(ValidationError) as refused:
        unused_days_credit(3_100, Cycle.MONTHLY, dt.date(2026, 1, 14), dt.date(2026, 1, 13))
    assert refused.value.field == "start"
    assert str(refused.value) == (
        "The start date 2026-01-13 is before the payment date 2026-01-14; a service cannot "
        "start before it was paid for."
    )


def test_one_time_items_give_none() -> None:
    days = unused_days_credit(9_900, Cycle.ONE_TIME, dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert (days.period_days, days.credit_cents, days.arithmetic) == (0, 0, "")


def test_the_period_is_the_one_beginning_on_the_payment_date() -> None:
    february = unused_days_credit(2_800, Cycle.MONTHLY, dt.date(2026, 2, 1), dt.date(2026, 2, 8))
    assert (february.period_days, february.credit_cents) == (28, 700)
    leap = unused_days_credit(2_900, Cycle.MONTHLY, dt.date(2028, 2, 1), dt.date(2028, 2, 8))
    assert (leap.period_days, leap.credit_cents) == (29, 700)
    year = unused_days_credit(36_500, Cycle.ANNUAL, dt.date(2026, 3, 1), dt.date(2026, 3, 11))
    assert (year.period_days, year.credit_cents) == (365, 1_000)
    end_of_month = unused_days_credit(
        3_100, Cycle.MONTHLY, dt.date(2026, 1, 31), dt.date(2026, 2, 1)
    )
    assert end_of_month.period_days == 28


def test_half_a_cent_rounds_up_and_less_rounds_down() -> None:
    tenth = unused_days_credit(10, Cycle.MONTHLY, dt.date(2026, 6, 1), dt.date(2026, 6, 4))
    assert tenth.credit_cents == 1  # 0.10 × 3 / 30 = exactly 0.01
    odd = unused_days_credit(5, Cycle.MONTHLY, dt.date(2026, 6, 1), dt.date(2026, 6, 10))
    assert odd.credit_cents == 2  # 0.05 × 9 / 30 = 0.015 → 0.02
    june = unused_days_credit(50, Cycle.MONTHLY, dt.date(2026, 6, 1), dt.date(2026, 6, 16))
    assert (june.period_days, june.credit_cents) == (30, 25)  # exactly 25
    half = unused_days_credit(1, Cycle.MONTHLY, dt.date(2026, 6, 1), dt.date(2026, 6, 16))
    assert half.credit_cents == 1  # 0.5 cent rounds up
    under = unused_days_credit(1, Cycle.MONTHLY, dt.date(2026, 6, 1), dt.date(2026, 6, 15))
    assert under.credit_cents == 0  # 14/30 of a cent rounds down


def test_more_unused_days_than_the_period_give_back_the_price_and_no_more() -> None:
    days = unused_days_credit(3_100, Cycle.MONTHLY, dt.date(2026, 1, 1), dt.date(2026, 3, 14))
    assert (days.unused_days, days.credit_cents) == (72, 3_100)
    assert days.arithmetic.startswith("31.00 × 31 / 31 = 31.00")


@given(price=PRICES, cycle=RECURRING, paid_on=DAYS, offset=st.integers(0, 800))
def test_the_credit_is_price_times_unused_over_period_half_up_and_never_above_the_price(
    price: int, cycle: Cycle, paid_on: dt.date, offset: int
) -> None:
    start = paid_on + dt.timedelta(days=offset)
    days = unused_days_credit(price, cycle, paid_on, start)
    period = (add_months(paid_on, MONTHS[cycle], paid_on.day) - paid_on).days
    exact = Fraction(price * min(offset, period), period)
    assert days.period_days == period
    assert days.unused_days == offset
    assert days.credit_cents - Fraction(1, 2) <= exact < days.credit_cents + Fraction(1, 2)
    assert 0 <= days.credit_cents <= price


@given(price=PRICES, cycle=RECURRING, paid_on=DAYS)
def test_zero_unused_days_give_nothing_and_a_whole_period_gives_the_whole_price(
    price: int, cycle: Cycle, paid_on: dt.date
) -> None:
    assert unused_days_credit(price, cycle, paid_on, paid_on).credit_cents == 0
    end = add_months(paid_on, MONTHS[cycle], paid_on.day)
    assert unused_days_credit(price, cycle, paid_on, end).credit_cents == price


@given(cycle=RECURRING, paid_on=DAYS, offset=st.integers(0, 400))
def test_a_one_cent_price_gives_back_one_cent_or_none(
    cycle: Cycle, paid_on: dt.date, offset: int
) -> None:
    start = paid_on + dt.timedelta(days=offset)
    days = unused_days_credit(1, cycle, paid_on, start)
    assert days.credit_cents == (1 if 2 * min(offset, days.period_days) >= days.period_days else 0)


@given(price=PRICES, cycle=RECURRING, paid_on=DAYS, offset=st.integers(0, 400))
def test_a_later_start_never_gives_less(
    price: int, cycle: Cycle, paid_on: dt.date, offset: int
) -> None:
    start = paid_on + dt.timedelta(days=offset)
    earlier = unused_days_credit(price, cycle, paid_on, start)
    later = unused_days_credit(price, cycle, paid_on, start + dt.timedelta(days=1))
    assert earlier.credit_cents <= later.credit_cents
