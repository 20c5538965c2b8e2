"""Seed many orders in bulk; time the approval queue's first page, and placing and approving one
order without the payment gateway.

    python bench/orders.py --db sqlite:////tmp/orders.db --orders 100000
    python bench/orders.py --db postgresql://postgres@127.0.0.1:5432/deskapp_bench_orders \
        --orders 100000

The database is brought to the current schema; clients (2,000 if it has fewer than 1,000), the
demo catalogue (when FIBRE-1000 is missing) and an admin `bench_admin` are added when missing,
then `--orders` orders with one item each are appended (0 only times). Seeded orders have no
ticket: neither the queue nor placing reads them.

Then: the first page (100 rows) of deskapp.services.orders.list_orders("pending") and ("all"),
`--repeat` times each (median, p95, slowest); and `--place` rounds of place_order and
approve_order as bench_admin, alternately a request (approving issues its invoice) and an order
paid by bank transfer (placing records the payment and issues the paid invoice; approving
starts its services), each call timed on its own (median, p95, slowest). Targets: under 50 ms.

Shape of a seeded desk: 2% of orders Pending (the queue), the rest Active 80%, Rejected 10%,
Cancelled 8%; two years of orders, numbers in time order; a third paid upfront.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from deskapp import clock, migrations
from deskapp.db import close_database, db, is_postgres, open_database
from deskapp.demo.catalogue import insert_catalogue
from deskapp.demo.data import DemoIds
from deskapp.models import Client, Order, OrderItem, Product, ProductPrice, Role, Staff
from deskapp.services.actors import Actor, actor_from
from deskapp.services.numbers import reserve_numbers

STATUS_WEIGHTS = {"Pending": 2, "Active": 80, "Rejected": 10, "Cancelled": 8}
"""Share of seeded orders in each status, in percent."""
SPAN_DAYS = 730
"""How far back the seeded orders go."""
BATCH = 20_000
"""Orders written per transaction."""
PAGE = 100
"""The queue's first page."""
TARGET_MS = 50.0
"""What each figure should stay under."""


def seed_orders(n: int, *, seed: int = 11, progress: Callable[[int], None] | None = None) -> int:
    """Append `n` orders with one item each, in bulk (COPY on PostgreSQL), numbered in time
    order after the desk's last; returns n. Adds clients and the catalogue when missing."""
    if n <= 0:
        return 0
    rng = random.Random(f"orders:{seed}:{n}")
    ids = DemoIds(rng)
    clients = _client_keys()
    prices = _prices(ids)
    admin = _admin().id
    now = clock.now().replace(microsecond=0)
    first = reserve_numbers("order", n)
    # Placing times in number order: an earlier number was placed earlier.
    offsets = sorted((rng.randrange(60, SPAN_DAYS * 86400) for _ in range(n)), reverse=True)
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    done = 0
    for start in range(0, n, BATCH):
        orders: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        for index in range(start, min(n, start + BATCH)):
            placed = now - dt.timedelta(seconds=offsets[index])
            status = rng.choices(statuses, weights)[0]
            product_id, cycle, cents = rng.choice(prices)
            quantity = 1 if rng.random() < 0.9 else rng.randint(2, 4)
            paid = rng.random() < 0.33
            decided = None if status == "Pending" else placed + dt.timedelta(hours=5)
            order_id = uuid.UUID(ids.at(placed))
            orders.append(
                {
                    "id": order_id,
                    "created_at": placed,
                    "updated_at": decided or placed,
                    "number": first + index,
                    "client": rng.choice(clients),
                    "status": status,
                    "paid_upfront": paid,
                    "payment_status": "Successful" if paid else "None",
                    "payment_method": ("card" if rng.random() < 0.7 else "manual") if paid else "",
                    "paid_at": placed + dt.timedelta(minutes=2) if paid else None,
                    "total_cents": cents * quantity,
                    "start_date": decided.date() if status == "Active" and decided else None,
                    "decided_by": admin if decided else None,
                    "decided_at": decided,
                }
            )
            items.append(
                {
                    "id": uuid.UUID(ids.at(placed)),
                    "created_at": placed,
                    "order": order_id,
                    "product": product_id,
                    "cycle": cycle,
                    "price_cents": cents,
                    "quantity": quantity,
                    "description": cycle,
                }
            )
        with db.atomic():
            _write(Order, orders)
            _write(OrderItem, items)
        done += len(orders)
        if progress:
            progress(done)
    if is_postgres():
        # VACUUM sets the visibility map (as autovacuum soon would after a bulk load), so the
        # queue reads its index only; it cannot run inside a transaction.
        if not db.in_transaction():
            db.execute_sql('VACUUM ANALYZE "order"')
            db.execute_sql("VACUUM ANALYZE order_item")
    else:
        db.execute_sql("ANALYZE")
    return n


def _write(model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows as the ORM would store them: executemany on SQLite, COPY on PostgreSQL."""
    fields = model._meta.sorted_fields
    values = [
        tuple(f.db_value(row[f.name] if f.name in row else _default(f)) for f in fields)
        for row in rows
    ]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    table = model._meta.table_name
    cursor = db.connection().cursor()
    if is_postgres():
        cursor.execute("SET LOCAL synchronous_commit = off")
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in fields)
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', values)


def _default(field: Any) -> Any:
    return field.default() if callable(field.default) else field.default


def _client_keys() -> list[uuid.UUID]:
    """Up to 20,000 clients that may order; seeds 2,000 when the desk has fewer than 1,000."""
    if Client.select().count() < 1_000:
        from deskapp.demo import seed_clients

        seed_clients(2_000)
    query = Client.select(Client.id).where(Client.status != "Closed").order_by(Client.number)
    return [row.id for row in query.limit(20_000)]


def _prices(ids: DemoIds) -> list[tuple[uuid.UUID, str, int]]:
    """(product, cycle, price) of every orderable product; the demo catalogue if it is missing."""
    if not Product.select().where(Product.code == "FIBRE-1000").exists():
        insert_catalogue(ids, clock.now())
    query = (
        ProductPrice.select(ProductPrice.product, ProductPrice.cycle, ProductPrice.price_cents)
        .join(Product)
        .where(Product.orderable == True, Product.retired == False)  # noqa: E712
    )
    return [(row.product_id, row.cycle, row.price_cents) for row in query]


def _admin() -> Staff:
    row = Staff.get_or_none(Staff.username == "bench_admin")
    return row or Staff.create(username="bench_admin", name="Bench Admin", role=Role.ADMIN)


def spread(runs: Sequence[float]) -> str:
    """ "median 1.20 ms, p95 2.10 ms, slowest 3.00 ms" and whether p95 is under the target."""
    ordered = sorted(runs)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    verdict = "ok" if p95 < TARGET_MS else "OVER TARGET"
    return (
        f"median {statistics.median(ordered):.2f} ms, p95 {p95:.2f} ms, "
        f"slowest {ordered[-1]:.2f} ms ({verdict})"
    )


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Milliseconds one call took, and what it returned."""
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def time_queue(repeat: int) -> dict[str, list[float]]:
    """The first page of each order view, `repeat` times."""
    from deskapp.services.orders import list_orders

    found: dict[str, list[float]] = {}
    for view in ("pending", "all"):
        runs = []
        for _ in range(repeat):
            ms, page = timed(partial(list_orders, view, None, PAGE))
            assert page, f"no {view} orders to read"
            runs.append(ms)
        found[view] = runs
    return found


def time_place_and_approve(rounds: int) -> dict[str, list[float]]:
    """place_order and approve_order, alternately a request and a bank transfer."""
    from deskapp.services.cart import CartLine
    from deskapp.services.order_decide import approve_order
    from deskapp.services.order_place import place_order

    admin: Actor = actor_from(_admin())
    clients = _client_keys()
    rng = random.Random("place")
    lines = [CartLine("FIBRE-1000", "Monthly"), CartLine("INSTALL")]
    found: dict[str, list[float]] = {
        "place (request)": [],
        "approve (request)": [],
        "place (manual payment)": [],
        "approve (paid)": [],
    }
    for round_ in range(rounds):
        client = rng.choice(clients)
        if round_ % 2 == 0:
            ms, placed = timed(partial(place_order, admin, client, lines, ""))
            found["place (request)"].append(ms)
            ms, _ = timed(partial(approve_order, admin, placed.id))
            found["approve (request)"].append(ms)
        else:
            manual = {"manual_method": "Bank transfer", "reference": "B1"}
            ms, placed = timed(partial(place_order, admin, client, lines, "manual", **manual))
            found["place (manual payment)"].append(ms)
            ms, _ = timed(partial(approve_order, admin, placed.id))
            found["approve (paid)"].append(ms)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50, help="reads of each first page")
    parser.add_argument("--place", type=int, default=200, help="orders placed and approved")
    args = parser.parse_args()
    open_database(args.db)
    migrations.upgrade()
    started = time.perf_counter()
    seed_orders(args.orders, progress=lambda done: print(f"  {done:,}", file=sys.stderr))
    if args.orders:
        print(f"seeded {args.orders:,} orders in {time.perf_counter() - started:.1f} s")
    total = db.execute_sql('SELECT COUNT(*) FROM "order"').fetchone()[0]
    pending = db.execute_sql("SELECT COUNT(*) FROM \"order\" WHERE status = 'Pending'").fetchone()[
        0
    ]
    print(f"orders now: {total:,} ({pending:,} pending)")
    for view, runs in time_queue(args.repeat).items():
        print(f"list_orders({view!r}) first page: {spread(runs)}")
    for what, runs in time_place_and_approve(args.place).items():
        print(f"{what}: {len(runs)} calls, {spread(runs)}")
    close_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
