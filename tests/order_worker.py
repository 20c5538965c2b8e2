"""A separate process for the order concurrency test (multiprocessing, start method "spawn"),
with its own PostgreSQL connection: Stripe's webhook and the card charge reporting one payment
at the same moment."""

from __future__ import annotations

import datetime as dt
from typing import Any


def mark_paid_worker(
    url: str, order_id: str, amount_cents: int, now: dt.datetime, start: Any, results: Any
) -> None:
    """Record the order's card payment as the desk itself, when every worker is ready."""
    from deskapp import clock
    from deskapp.db import close_database, open_database
    from deskapp.services.order_payment import mark_order_paid

    clock.set_clock(clock.frozen_clock(now))
    open_database(url)
    start.wait()
    try:
        mark_order_paid(
            None,
            order_id,
            gateway="stripe",
            method="card",
            reference="pi_same",
            amount_cents=amount_cents,
            paid_at=now,
        )
        results.put(("done", ""))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(("bug", repr(error)))
    finally:
        close_database()
