"""The current time, injectable so tests and snapshots can freeze it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]
"""A function returning the current time as a naive UTC datetime (how rows store it)."""


def wall_clock() -> dt.datetime:
    """This machine's idea of now, in UTC, naive (the database stores UTC without a zone)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


_server_offset = dt.timedelta(0)
"""How far the shared database server's clock is ahead of this machine's (see follow_server)."""


def system_clock() -> dt.datetime:
    """Now, in UTC, naive: the shared server's time when the desk follows one, so that desks
    whose own clocks drift still order money and the change feed the same way."""
    return wall_clock() + _server_offset


def follow_server(offset: dt.timedelta) -> None:
    """Take the time from a database server that is `offset` ahead of this machine."""
    global _server_offset
    _server_offset = offset


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
