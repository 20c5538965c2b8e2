"""Client lookup at scale: search_clients against a plain LIKE '%q%' scan, in the same run.

    python bench/lookup.py --db sqlite:////tmp/lookup.db --clients 1000000
    python bench/lookup.py --db postgresql://postgres@127.0.0.1:5432/deskapp_bench --clients N

Seeds the database up to `--clients` with deskapp.demo.seed_clients, then times, per query
kind, the service-level search (search_clients, 50 results) and the naive query a desk without
an index would run: the same columns of client, contact and service matched with LIKE '%q%'
(ILIKE on PostgreSQL, so both ignore case as SQLite's LIKE does), also 50 results. Queries come
from seeded rows: an exact email, a client number, a name prefix as typed (2 to 5 letters), a
piece of a company name, a contact's email, a service identifier and a client's phone as read
out on a call (its last seven digits, "555 0642"). Prints p50/p95 per kind and
overall, and the ratio of the scan to the search.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable

from deskapp import migrations
from deskapp.db import close_database, db, is_postgres, open_database
from deskapp.demo import seed_clients
from deskapp.services.client_search import search_clients

LIMIT = 50
SCAN_COLUMNS = (
    "c.first_name",
    "c.last_name",
    "c.company",
    "c.email",
    "c.phone",
    "'C-' || c.number",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--clients", type=int, default=100_000, help="seed up to this many")
    parser.add_argument("--per-kind", type=int, default=200, help="search queries per kind")
    parser.add_argument("--scan-per-kind", type=int, default=6, help="LIKE scans per kind")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--slowest", type=int, default=0, help="list the N slowest searches")
    args = parser.parse_args()

    open_database(args.db)
    migrations.upgrade()
    have = _scalar("SELECT COUNT(*) FROM client")
    if have < args.clients:
        started = time.perf_counter()
        seed_clients(args.clients - have, _progress(args.clients - have))
        print(f"seeded {args.clients - have:,} clients in {time.perf_counter() - started:.0f} s")
    if is_postgres():
        db.execute_sql("ANALYZE")
    total = _scalar("SELECT COUNT(*) FROM client")
    backend = "postgresql" if is_postgres() else "sqlite"
    print(
        f"{backend}: {total:,} clients, {_scalar('SELECT COUNT(*) FROM contact'):,} contacts, "
        f"{_scalar('SELECT COUNT(*) FROM service'):,} services"
    )

    rng = random.Random(args.seed)
    kinds = _queries(rng, total, args.per_kind)
    for queries in kinds.values():  # warm the cache the way a desk in use has it
        for query in queries[:20]:
            search_clients(query, limit=LIMIT)

    print(
        f"\n{'kind':<16}{'search p50':>12}{'p95':>9}{'scan p50':>12}{'p95':>10}"
        f"{'x p50':>8}{'x p95':>8}  example"
    )
    all_search: list[float] = []
    all_scan: list[float] = []
    timed: list[tuple[float, str, str]] = []
    for kind, queries in kinds.items():
        searched = [_time(lambda q=q: search_clients(q, limit=LIMIT)) for q in queries]
        timed += [(ms, kind, query) for ms, query in zip(searched, queries, strict=True)]
        scanned = [_time(lambda q=q: _scan(q)) for q in queries[: args.scan_per_kind]]
        all_search += searched
        all_scan += scanned
        _row(kind, searched, scanned, queries[0])
    _row("all", all_search, all_scan, "")
    for ms, kind, query in sorted(timed, reverse=True)[: args.slowest]:
        print(f"  slow: {ms:7.2f} ms  {kind:<14} {query!r}")
    close_database()
    return 0


def _scalar(sql: str) -> int:
    return int(db.execute_sql(sql).fetchone()[0])


def _progress(total: int) -> Callable[[int, int], None]:
    last = [time.perf_counter()]

    def report(done: int, _: int) -> None:
        if time.perf_counter() - last[0] >= 10 or done == total:
            last[0] = time.perf_counter()
            print(f"  seeded {done:,} / {total:,}", file=sys.stderr)

    return report


def _sample(sql: str, rng: random.Random, total: int, count: int) -> list[tuple]:
    """`count` rows of `sql` (which takes a client number) for random clients."""
    first = _scalar("SELECT MIN(number) FROM client")
    param = "%s" if is_postgres() else "?"
    rows: list[tuple] = []
    while len(rows) < count:
        found = db.execute_sql(sql.replace("?", param), (first + rng.randrange(total),)).fetchone()
        if found and all(found):
            rows.append(found)
    return rows


def _queries(rng: random.Random, total: int, count: int) -> dict[str, list[str]]:
    """What people type into the box, taken from seeded rows."""
    clients = _sample(
        "SELECT email, number, first_name, last_name, company, phone FROM client WHERE number = ?",
        rng,
        total,
        count,
    )
    companies = _sample(
        "SELECT company FROM client WHERE number >= ? AND company <> '' LIMIT 1", rng, total, count
    )
    contacts = (
        _sample(
            "SELECT k.email FROM client c JOIN contact k ON k.client_id = c.id "
            "WHERE c.number = ? AND k.email <> c.email",
            rng,
            total,
            count,
        )
        if total
        else []
    )
    services = _sample(
        "SELECT s.identifier FROM client c JOIN service s ON s.client_id = c.id "
        "WHERE c.number >= ? LIMIT 1",
        rng,
        total,
        count,
    )

    def piece(text: str) -> str:
        size = rng.randint(4, 6)
        start = rng.randrange(max(1, len(text) - size))
        return text[start : start + size].strip() or text

    return {
        "exact email": [row[0].upper() for row in clients],
        "number": [f"C-{row[1]}" for row in clients],
        "name prefix": [
            (row[3] if i % 2 else f"{row[2]} {row[3]}")[: 2 + i % 4]
            for i, row in enumerate(clients)
        ],
        "company piece": [piece(row[0]) for row in companies],
        "contact email": [row[0] for row in contacts],
        "service id": [row[0] for row in services],
        "phone, local": [_local_phone(row[5]) for row in clients],
    }


def _local_phone(phone: str) -> str:
    """A phone typed the way a caller reads it out, without the area code: "555 0642"."""
    digits = "".join(char for char in phone if char.isdigit())[-7:]
    return f"{digits[:3]} {digits[3:]}"


def _scan(query: str) -> int:
    """The naive lookup: every column matched with LIKE '%q%', no index can help."""
    pattern = f"%{query}%"
    like = "ILIKE" if is_postgres() else "LIKE"
    param = "%s" if is_postgres() else "?"
    client_terms = " OR ".join(f"{column} {like} {param}" for column in SCAN_COLUMNS)
    contact_terms = " OR ".join(
        f"k.{column} {like} {param}" for column in ("first_name", "last_name", "email", "phone")
    )
    sql = (
        f"SELECT c.id FROM client c WHERE {client_terms} "
        f"OR EXISTS (SELECT 1 FROM contact k WHERE k.client_id = c.id AND ({contact_terms})) "
        f"OR EXISTS (SELECT 1 FROM service s WHERE s.client_id = c.id "
        f"AND s.identifier {like} {param}) LIMIT {LIMIT}"
    )
    params = (pattern,) * (len(SCAN_COLUMNS) + 4 + 1)
    return len(db.execute_sql(sql, params).fetchall())


def _time(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _row(kind: str, searched: list[float], scanned: list[float], example: str) -> None:
    s50, s95 = _percentile(searched, 0.5), _percentile(searched, 0.95)
    l50, l95 = _percentile(scanned, 0.5), _percentile(scanned, 0.95)
    print(
        f"{kind:<16}{s50:>10.2f}ms{s95:>7.2f}ms{l50:>10.1f}ms{l95:>8.1f}ms"
        f"{l50 / s50:>7.0f}x{l95 / s95:>7.0f}x  {example[:40]!r}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
