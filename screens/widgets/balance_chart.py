"""A small chart of a client's credit over the last weeks: a sparkline and its range.

The service gives the balance at the end of each day that had entries; the chart carries each
balance forward over the quiet days after it, so the line's width is time, not activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from deskapp.money import Money
from deskapp.services.credit import BalancePoint

CHART_DAYS = 90
"""How many calendar days the chart covers, ending today."""


def daily_balances(
    points: Sequence[BalancePoint], today: dt.date, days: int = CHART_DAYS
) -> tuple[dt.date, list[int]]:
    """The balance at the end of each day from the first shown day to today, and that day.

    `points` are oldest first, as balance_history() returns them, and should reach back past
    the window (ask for days + 1 points): the newest point before the window is where the line
    starts. Without one the line starts at the client's first entry.
    """
    if not points:
        return today, []
    last_day = max(today, points[-1].day)
    window_start = last_day - dt.timedelta(days=days - 1)
    before = [point for point in points if point.day < window_start]
    inside = [point for point in points if point.day >= window_start]
    start = window_start if before else inside[0].day
    balance = before[-1].balance_cents if before else 0
    by_day = {point.day: point.balance_cents for point in inside}
    series = []
    for offset in range((last_day - start).days + 1):
        balance = by_day.get(start + dt.timedelta(days=offset), balance)
        series.append(balance)
    return start, series


class BalanceChart(Vertical):
    """The balance line of the last CHART_DAYS days, with its lowest and highest value."""

    def compose(self) -> ComposeResult:
        """The sparkline above its range."""
        yield Static(Text("Balance"), id="chart-title")
        yield Sparkline([], id="chart-line")
        yield Static(Text(""), id="chart-range")

    def show(self, points: Sequence[BalancePoint], today: dt.date) -> None:
        """Draw the balance from `points` (oldest first) up to `today`."""
        start, series = daily_balances(points, today)
        line = self.query_one("#chart-line", Sparkline)
        range_line = self.query_one("#chart-range", Static)
        title = self.query_one("#chart-title", Static)
        if not series:
            line.data = []
            title.update(Text("Balance: no credit movements yet"))
            range_line.update(Text(""))
            return
        line.data = [float(value) for value in series]
        title.update(Text(f"Balance since {start:%Y-%m-%d}"))
        range_line.update(Text(f"low {Money(min(series))}  ·  high {Money(max(series))}"))
