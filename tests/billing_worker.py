"""Separate processes for the PostgreSQL concurrency tests, each with its own connection.

As a script it is one `deskapp billing run` waiting for a start signal::

    python tests/billing_worker.py postgresql://… 2026-03-14

It connects, prints "ready", waits for a line on stdin, runs the billing and prints the result
as one JSON line. `apply_credit_worker` is a multiprocessing target (start method "spawn").
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any


def apply_credit_worker(
    url: str, actor: tuple[Any, ...], invoice_id: str, now: dt.datetime, start: Any, results: Any
) -> None:
    """Apply all the credit that fits to one invoice, starting when every worker is ready."""
    from deskapp import clock
    from deskapp.db import close_database, open_database
    from deskapp.errors import DeskError
    from deskapp.services.actors import Actor
    from deskapp.services.credit import apply_credit

    clock.set_clock(clock.frozen_clock(now))
    open_database(url)
    start.wait()
    try:
        applied = apply_credit(Actor(*actor), invoice_id)
        results.put(("applied", -applied.entry.amount_cents))
    except DeskError as error:
        results.put((type(error).__name__, str(error)))
    except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(("bug", repr(error)))
    finally:
        close_database()


def main(url: str, day: str) -> int:
    """One billing run against `url` for `day`, started by a line on stdin."""
    from deskapp.db import close_database, open_database
    from deskapp.services.billing_run import run_billing

    open_database(url)
    print("ready", flush=True)
    sys.stdin.readline()
    result = run_billing(dt.date.fromisoformat(day))
    close_database()
    print(json.dumps({"invoices": result.invoices, "failures": result.failures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
