"""Seed many tickets in bulk, and time the first page of every queue filter and sort.

    python bench/ticket_queue_seed.py --db sqlite:////tmp/tickets.db --tickets 100000
    python bench/ticket_queue_seed.py --db postgresql://postgres@127.0.0.1:5432/deskapp_bench_q \
        --tickets 100000

The database is brought to the current schema; clients (2,000 if it has fewer than 1,000),
the demo departments and eight agents are added when missing, then `--tickets` tickets are
appended (0 only times). Then the first page (100 rows) of every combination of view, assignee,
department, priority and sort is read `--repeat` times; the median and slowest of each sort are
printed, and the ten slowest combinations. `seed_tickets` is for other benchmarks too.

Shape of a seeded desk: 86% of tickets Completed, the rest spread over the open statuses; a
year and a half of tickets, the open ones mostly recent; a few in ten open ones unassigned;
priorities Low 25%, Medium 50%, High 20%, Urgent 5%; times on whole minutes, so some tie.

Measured (100,000 tickets over 2,000 clients, first page of 100 rows, median of 5 reads per
combination; 270 combinations per sort: 3 views x 3 assignees x 6 departments x 5 priorities;
2 shared cores, Python 3.11, SQLite 3.40, PostgreSQL 15 on the same machine):

| backend | sort | median | p95 | slowest |
| --- | --- | --- | --- | --- |
| SQLite | activity | 1.7 ms | 7.2 ms | 11.7 ms |
| SQLite | age | 1.8 ms | 7.4 ms | 14.7 ms |
| SQLite | waiting | 1.8 ms | 8.1 ms | 13.0 ms |
| PostgreSQL | activity | 1.9 ms | 5.2 ms | 10.4 ms |
| PostgreSQL | age | 1.9 ms | 5.0 ms | 8.0 ms |
| PostgreSQL | waiting | 1.9 ms | 5.2 ms | 8.0 ms |

Seeding 100,000 tickets took 11 s on SQLite and 16 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable

from deskapp import clock, migrations
from deskapp.db import close_database, db, is_postgres, open_database
from deskapp.demo.data import DemoIds
from deskapp.demo.texts import SCENARIOS
from deskapp.migrations.m0012_search_reach import TICKET_DOCUMENT as DOCUMENT
from deskapp.models import Client, Department, Role, Staff
from deskapp.services.numbers import reserve_numbers

# fmt: off
TICKET_COLUMNS = (
    "id", "created_at", "version", "updated_at", "number", "client_id", "contact_id",
    "department_id", "subject", "priority", "status", "assignee_id", "tags", "extra",
    "last_activity_at", "waiting_since",
)
# fmt: on
STATUS_WEIGHTS = {
    "Completed": 86,
    "Open": 3,
    "Answered": 3,
    "Customer-Reply": 3,
    "On Hold": 2,
    "In Progress": 3,
}
PRIORITY_WEIGHTS = {"Low": 25, "Medium": 50, "High": 20, "Urgent": 5}
DEPARTMENTS = (
    ("Support", "support@bluebay.example", 45, []),
    ("Billing", "billing@bluebay.example", 20,
     [{"name": "invoice_number", "label": "Invoice number", "required": True}]),
    ("Outage", "noc@bluebay.example", 15,
     [{"name": "affected_service", "label": "Affected service", "required": True}]),
    ("Orders", "orders@bluebay.example", 12, []),
    ("Sales", "sales@bluebay.example", 8, []),
)  # fmt: skip
"""(name, mailbox, share of tickets in percent, extra fields)."""
AFTERTHOUGHTS = (
    "", "", "", " again", " since the update", " at the Leeds office", " (urgent)",
    " for the second site", " after the move", " on the backup line", " since Friday",
)  # fmt: skip
SPAN_DAYS = 540
"""How far back the seeded tickets go."""
BATCH = 20_000


def seed_tickets(n: int, *, seed: int = 7, progress: Callable[[int], None] | None = None) -> int:
    """Append `n` tickets in bulk inserts (COPY on PostgreSQL), `BATCH` per transaction, with
    their search documents; returns n. Adds clients, departments and staff when missing."""
    if n <= 0:
        return 0
    postgres = is_postgres()
    rng = random.Random(f"tickets:{seed}:{n}")
    ids = DemoIds(rng)
    clients = _clients(rng)
    departments = _departments(ids)
    staff = _staff()
    subjects = {
        name: [s.subject for s in SCENARIOS.get(name, SCENARIOS["Support"])]
        for name, *_ in DEPARTMENTS
    }
    subjects["Orders"] = ["Order O-{n}: Fibre 300", "Order O-{n}: Hosting", "Order O-{n}: VPS"]
    now = clock.now().replace(second=0, microsecond=0)
    first = reserve_numbers("ticket", n)
    names, shares = [d[0] for d in DEPARTMENTS], [d[2] for d in DEPARTMENTS]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    done = 0
    for start in range(0, n, BATCH):
        rows = []
        for number in range(first + start, first + min(n, start + BATCH)):
            status = rng.choices(statuses, weights)[0]
            department = rng.choices(names, shares)[0]
            if status == "Completed" or rng.random() < 0.1:
                created = now - dt.timedelta(minutes=rng.randrange(60, SPAN_DAYS * 1440))
            else:
                created = now - dt.timedelta(minutes=rng.randrange(10, 14 * 1440))
            gap = min(rng.randrange(5, 7 * 1440), int((now - created).total_seconds() // 60))
            activity = created + dt.timedelta(minutes=gap)
            waiting = None
            if status in ("Open", "Customer-Reply"):
                waiting = created if status == "Open" else activity
            assignee = None
            if not (status == "Open" and rng.random() < 0.5) and rng.random() > 0.04:
                assignee = rng.choice(staff)
            subject = rng.choice(subjects[department]).replace(
                "{n}", str(rng.randrange(5001, 90000))
            )
            client_id, contact_id = rng.choice(clients)
            rows.append((
                ids.at(created), created, 1, activity, number, client_id, contact_id,
                departments[department], (subject + rng.choice(AFTERTHOUGHTS))[:300],
                rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0],
                status, assignee, "", "{}", activity, waiting,
            ))  # fmt: skip
        with db.atomic():
            (_write_postgres if postgres else _write_sqlite)(rows, first + start, rows[-1][4])
        done += len(rows)
        if progress:
            progress(done)
    if postgres:
        db.execute_sql("SELECT gin_clean_pending_list('ticket_search_trgm')")
        # VACUUM sets the visibility map, so walks read the covering indexes only (as
        # autovacuum would do soon after a bulk load); it cannot run inside a transaction.
        if not db.in_transaction():
            db.execute_sql("VACUUM ANALYZE ticket")
            db.execute_sql("VACUUM ANALYZE ticket_search")
    else:
        db.execute_sql("ANALYZE")
    return n


def _clients(rng: random.Random) -> list[tuple[str, str | None]]:
    """Up to 20,000 (client, contact) keys to spread tickets over; seeds clients if few."""
    if Client.select().count() < 1_000:
        from deskapp.demo import seed_clients

        seed_clients(2_000)
    rows = db.execute_sql(
        "SELECT c.id, (SELECT k.id FROM contact k WHERE k.client_id = c.id LIMIT 1) "
        "FROM client c WHERE c.status <> 'Closed' ORDER BY c.number LIMIT 20000"
    ).fetchall()
    return [(_hex(client), _hex(contact) if contact else None) for client, contact in rows]


def _departments(ids: DemoIds) -> dict[str, str]:
    have = {row.name: row.id.hex for row in Department.select(Department.id, Department.name)}
    for position, (name, email, _, extra) in enumerate(DEPARTMENTS):
        if name not in have:
            key = ids.at(clock.now())
            Department.create(
                id=uuid.UUID(key),
                name=name,
                email=email,
                extra_fields=json.dumps(extra),
                sort_order=position * 10,
            )
            have[name] = key
    return have


def _staff() -> list[str]:
    names = ("Sam Reyes", "Kim Adler", "Lea Brandt", "Omar Said", "Ines Pinto", "Tom Hale")
    for name in names:
        username = name.split()[0].lower() + "_q"
        if not Staff.select().where(Staff.username == username).exists():
            Staff.create(username=username, name=name, role=Role.AGENT)
    return [row.id.hex for row in Staff.select(Staff.id).where(Staff.active == True)]  # noqa: E712


def _hex(value: object) -> str:
    return value.hex if isinstance(value, uuid.UUID) else str(value)


def _write_sqlite(rows: list[tuple], first: int, last: int) -> None:
    cursor = db.connection().cursor()
    (trigger,) = cursor.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ticket_ai_search'"
    ).fetchone()
    cursor.execute('DROP TRIGGER "ticket_ai_search"')
    marks = ", ".join("?" for _ in TICKET_COLUMNS)
    cursor.executemany(
        f'INSERT INTO ticket ({", ".join(TICKET_COLUMNS)}) VALUES ({marks})',
        [(*row[:1], str(row[1]), *row[2:3], str(row[3]), *row[4:14], str(row[14]),
          row[15] and str(row[15])) for row in rows],
    )  # fmt: skip
    cursor.execute(_documents("?"), (first, last))
    cursor.execute(trigger)


def _write_postgres(rows: list[tuple], first: int, last: int) -> None:
    cursor = db.connection().cursor()
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute('ALTER TABLE ticket DISABLE TRIGGER "ticket_search_insert"')
    with cursor.copy(f"COPY ticket ({', '.join(TICKET_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(_documents("%s"), (first, last))
    cursor.execute('ALTER TABLE ticket ENABLE TRIGGER "ticket_search_insert"')


def _documents(mark: str) -> str:
    return (
        f"INSERT INTO ticket_search (ticket_id, document) SELECT t.id, {DOCUMENT} "
        "FROM ticket t JOIN client c ON c.id = t.client_id "
        f"WHERE t.number BETWEEN {mark} AND {mark}"
    )


def time_first_pages(repeat: int = 3, limit: int = 100) -> dict[tuple, float]:
    """Milliseconds (median of `repeat`) for the first page of every filter combination."""
    from deskapp.services.tickets import SORTS, QueueFilter, list_queue

    staff = Staff.select(Staff.id).where(Staff.active == True).first().id  # noqa: E712
    departments = [None, *[row.id for row in Department.select(Department.id)]]
    timings = {}
    for view, who, department, priority, sort in itertools.product(
        ("open", "completed", "all"),
        ("any", "mine", "unassigned"),
        departments,
        (None, "Low", "Medium", "High", "Urgent"),
        SORTS,
    ):
        f = QueueFilter(view, who, staff, department, priority, sort=sort)
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            list_queue(f, None, limit)
            runs.append((time.perf_counter() - started) * 1000)
        place = departments.index(department)
        timings[(view, who, f"department {place}" if place else "", priority, sort)] = (
            statistics.median(runs)
        )
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    open_database(args.db)
    migrations.upgrade()
    started = time.perf_counter()
    seed_tickets(args.tickets, progress=lambda done: print(f"  {done:,}", file=sys.stderr))
    if args.tickets:
        print(f"seeded {args.tickets:,} tickets in {time.perf_counter() - started:.1f} s")
    total = db.execute_sql("SELECT COUNT(*) FROM ticket").fetchone()[0]
    print(f"tickets now: {total:,}")
    with contextlib.suppress(KeyboardInterrupt):
        timings = time_first_pages(args.repeat)
        for sort in ("activity", "age", "waiting"):
            values = [ms for key, ms in timings.items() if key[-1] == sort]
            median = statistics.median(values)
            p95 = sorted(values)[int(len(values) * 0.95)]
            print(
                f"{sort:>8}: {len(values)} combinations, median {median:.2f} ms, "
                f"p95 {p95:.2f} ms, max {max(values):.2f} ms"
            )
        print("slowest:")
        for key, ms in sorted(timings.items(), key=lambda item: -item[1])[:10]:
            print(f"  {ms:7.2f} ms  {key}")
    close_database()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
