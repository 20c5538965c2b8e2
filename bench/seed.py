"""How fast bulk seeding writes clients: `seed_clients` timed on one database.

    python bench/seed.py --db sqlite:////tmp/seed.db --clients 100000
    python bench/seed.py --db postgresql://postgres@127.0.0.1:5432/deskapp_bench_seed --clients N

The database is brought to the current schema first; clients are appended to what is there.
Prints the elapsed time and clients per second, and checks one seeded client is findable.
"""

from __future__ import annotations

import argparse
import sys
import time

from deskapp import migrations
from deskapp.db import close_database, db, open_database
from deskapp.demo import seed_clients


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    open_database(args.db)
    migrations.upgrade()
    started = time.perf_counter()
    last_report = [started]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last_report[0] >= 5 or done == total:
            last_report[0] = now
            rate = done / (now - started)
            print(f"  {done:>9,} / {total:,}  {rate:,.0f} clients/s", file=sys.stderr)

    made = seed_clients(args.clients, progress, seed=args.seed)
    elapsed = time.perf_counter() - started
    counts = {
        table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in ("client", "contact", "service", "client_search")
    }
    close_database()
    print(f"seeded {made:,} clients in {elapsed:.1f} s: {made / elapsed:,.0f} clients/s")
    print("rows now: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
