"""The current time, injectable so tests and snapshots can freeze it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]
"""A function returning the current time as a naive UTC datetime (how rows store it)."""


def system_clock() -> dt.datetime:
    """Now, in UTC, naive (the database stores UTC without a zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def frozen_clock(at: dt.datetime) -> Clock:
    """A clock that always answers `at`."""
    return lambda: at


_clock: Clock = system_clock


def now() -> dt.datetime:
    """The current UTC time from the installed clock."""
    return _clock()


def today() -> dt.date:
    """Today's date in UTC from the installed clock."""
    return _clock().date()


def set_clock(clock: Clock) -> None:
    """Install a clock (tests freeze time with frozen_clock)."""
    global _clock
    _clock = clock
