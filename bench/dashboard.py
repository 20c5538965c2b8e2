"""Time the dashboard's figures (deskapp.services.dashboard.desk_today) on a desk of any size.

    python bench/dashboard.py --db sqlite:////tmp/dash.db
    python bench/dashboard.py --db sqlite:////tmp/dash.db --tickets 100000 --orders 100000
    python bench/dashboard.py --db postgresql://postgres@127.0.0.1:5432/deskapp_bench_dash \
        --tickets 100000 --orders 100000

The database is brought to the current schema; an empty one gets the demo business first. Then
`--tickets` tickets (bench/ticket_queue_seed.py's shape: 86% Completed) and `--orders` orders
(bench/orders.py's: 2% Pending) are appended (0: none), and desk_today() is read `--repeat`
times: the first read (cold), then the median, p95 and slowest of the others. Figures go to
bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from orders import seed_orders
from ticket_queue_seed import seed_tickets

from deskapp import demo, migrations
from deskapp.db import close_database, open_database
from deskapp.models import Client, Invoice, Order, Ticket
from deskapp.services.dashboard import desk_today


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="the database URL")
    parser.add_argument("--tickets", type=int, default=0, help="tickets to append first")
    parser.add_argument("--orders", type=int, default=0, help="orders to append first")
    parser.add_argument("--repeat", type=int, default=51, help="reads of the figures")
    args = parser.parse_args()
    open_database(args.db)
    try:
        migrations.upgrade()
        if not Client.select().exists():
            demo.load_demo()
        seed_tickets(args.tickets)
        seed_orders(args.orders)
        print(
            f"{Ticket.select().count():,} tickets, {Order.select().count():,} orders, "
            f"{Invoice.select().count():,} invoices, {Client.select().count():,} clients"
        )
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            desk_today()
            runs.append((time.perf_counter() - start) * 1000)
        cold, rest = runs[0], sorted(runs[1:])
        p95 = rest[int(len(rest) * 0.95) - 1] if rest else cold
        median = statistics.median(rest) if rest else cold
        print(
            f"desk_today: cold {cold:.1f} ms, median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"slowest {max(rest or [cold]):.1f} ms ({len(rest)} reads)"
        )
    finally:
        close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
