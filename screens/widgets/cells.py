"""Table cells for values the desk itself produces: numbers, money, times, durations.

Untrusted text has its own function (screens.widgets.untrusted); these cells hold only values
formatted here, and are Text so no markup parser ever sees them.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from deskapp.money import Money
from deskapp.wording import duration


def money_cell(cents: int) -> Text:
    """An amount, right-aligned: 1,200.00 or -3.10."""
    return Text(str(Money(cents)), justify="right")


def when_cell(at: dt.datetime | None) -> Text:
    """A stored UTC time as 2026-03-14 09:30; empty for none."""
    return Text(at.strftime("%Y-%m-%d %H:%M") if at else "")


def duration_cell(span: dt.timedelta | None) -> Text:
    """A waiting time as 45m, 3h 12m or 2d 4h; empty for none."""
    if span is None:
        return Text("")
    return Text(duration(span), justify="right")


def label_cell(label: str) -> Text:
    """A number people read (C-1042, T-20311) or a fixed word the desk chose (a status)."""
    return Text(label)
