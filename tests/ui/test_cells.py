"""The desk's own table cells at their exact boundaries: a waiting time turns from seconds to
minutes at 60 s, from minutes to hours at 60 minutes and from hours to days at 24 hours, and
always rounds down; amounts and times read as the desk writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from screens.widgets.cells import duration_cell, label_cell, money_cell, when_cell

SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("span", "shown"),
    [
        (dt.timedelta(0), "<1m"),
        (59 * SECOND, "<1m"),
        (60 * SECOND, "1m"),
        (119 * SECOND, "1m"),
        (59 * MINUTE + 59 * SECOND, "59m"),
        (60 * MINUTE, "1h 00m"),
        (61 * MINUTE, "1h 01m"),
        (3 * HOUR + 12 * MINUTE, "3h 12m"),
        (23 * HOUR + 59 * MINUTE + 59 * SECOND, "23h 59m"),
        (24 * HOUR, "1d 0h"),
        (DAY + 59 * MINUTE, "1d 0h"),
        (DAY + HOUR, "1d 1h"),
        (2 * DAY + 4 * HOUR + 30 * MINUTE, "2d 4h"),
        (400 * DAY, "400d 0h"),
        (-5 * MINUTE, "<1m"),  # a clock a little ahead of the database's never shows "-5m"
    ],
    ids=lambda value: str(value) if isinstance(value, dt.timedelta) else None,
)
def test_a_waiting_time_is_shown_in_its_unit_rounded_down(span: dt.timedelta, shown: str) -> None:
    cell = duration_cell(span)
    assert cell.plain == shown
    assert cell.justify == "right"


def test_no_waiting_time_is_an_empty_cell() -> None:
    assert duration_cell(None).plain == ""


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "0.00"), (1, "0.01"), (-310, "-3.10"), (99999, "999.99"), (100000, "1,000.00")],
)
def test_an_amount_is_shown_with_cents_and_thousands_right_aligned(cents: int, shown: str) -> None:
    cell = money_cell(cents)
    assert cell.plain == shown
    assert cell.justify == "right"


def test_a_time_is_shown_to_the_minute_never_rounded_up() -> None:
    assert when_cell(dt.datetime(2026, 3, 14, 9, 30, 59, 999999)).plain == "2026-03-14 09:30"
    assert when_cell(dt.datetime(2026, 12, 31, 23, 59)).plain == "2026-12-31 23:59"
    assert when_cell(None).plain == ""


def test_a_label_is_plain_text_never_markup() -> None:
    cell = label_cell("[bold]T-20311[/bold]")
    assert cell.plain == "[bold]T-20311[/bold]" and not cell.spans
