"""Many agents on one shared desk: 50 simulated agents working one PostgreSQL database at once.

    python bench/load.py                       # 50 agents for 3 minutes
    python bench/load.py --seconds 120 --processes 5

A throw-away database is created on the server of `--admin-url` (a user who may create
databases), brought to the current schema and seeded with a realistic desk: the demo business
(deskapp.demo.load_demo), `--clients` more clients (seed_clients), `--tickets` more tickets
(bench/ticket_queue_seed.py) and one staff member per agent (role agent). It is dropped at the
end unless `--keep`.

Then `--agents` agents work for `--seconds`, spread over `--processes` processes (threads in
each; every agent a thread with its own database connection, as each desk has its own). An
agent repeats: think (a random pause, `--think` seconds on average), then one action, drawn
with these weights (a shift's mix: reading far more than writing):

| action | weight | service calls, as the desk's screens make them |
| --- | --- | --- |
| queue | 25 | list_queue (first 100, open, anyone's or mine, a random sort) + count_queue |
| open ticket | 20 | get_ticket + list_messages (the newest 200) + presence.looking_at |
| lookup | 20 | search_clients (number, email, name's start, part of a company) + get_client |
| reply | 15 | post_reply on one of the `--hot-tickets` most recent open tickets |
| note | 8 | post_note on one of those tickets |
| credit | 7 | credit.add_credit of 1.00 to 50.00 on one of `--hot-clients` clients |

and, as every open desk does, reads the change feed from its place once a second
(changes_since, "feed"), keeping what it read. The hot sets are small on purpose: agents often
write the same ticket or the same client's ledger at the same moment, which is where a lost
update would happen.

Afterwards, on the database: every reply, note and credit entry an agent was told it made is
there (the reply as a reply, on its ticket, with its text; the entry with its amount), nothing
else was written by the agents, each hot client's balance grew by exactly what the agents
report adding, `db check` finds nothing (integrity.check_ledger: cached balances agree with the
ledger, every balance-after follows from the entry before; chain.check_chains: the ledger's and
the audit log's hash chains hold), and each agent read every change of the feed exactly once
(a last read 10 s after the shift, when every write is over). Prints p50/p95/max per action,
the errors (each kind with its first message), and the checks; exits 1 if any check fails or
any action raised.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ticket_queue_seed, when spawned

ACTIONS = {"queue": 25, "open ticket": 20, "lookup": 20, "reply": 15, "note": 8, "credit": 7}
"""The mix of an agent's actions (relative weights)."""
FEED_SECONDS = 1.0
"""How often each agent reads the change feed (the desk's CHANGES_POLL_SECONDS)."""
LAST_READ_AFTER = 10.0
"""Seconds after the end of the shift each agent reads the feed one last time."""
ADMIN_URL = os.environ.get("DESKAPP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
"""The server, as a user who may create and drop databases."""


@dataclass(frozen=True)
class Agent:
    """One simulated agent: a staff member of the seeded desk."""

    id: uuid.UUID
    username: str
    name: str
    role: str


@dataclass(frozen=True)
class Workload:
    """What the agents work on, read from the seeded desk."""

    tickets: list[uuid.UUID]
    """The hot tickets: the most recent open ones."""
    clients: list[uuid.UUID]
    """The hot clients, whose credit agents add to."""
    searches: list[str]
    """Search box queries, of every kind."""
    lookups: list[uuid.UUID]
    """Clients agents open."""


@dataclass
class AgentReport:
    """What one agent did and was told."""

    username: str
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[tuple[str, str]] = field(default_factory=list)
    replies: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    """(message, ticket, text) of each reply posted."""
    notes: list[tuple[uuid.UUID, uuid.UUID, str]] = field(default_factory=list)
    credits: list[tuple[uuid.UUID, uuid.UUID, int]] = field(default_factory=list)
    """(entry, client, cents) of each credit added."""
    seen: list[int] = field(default_factory=list)
    """The change feed's ids this agent read."""
    first_read: int = 0
    """Where its following started."""
    place: Any = None
    """Where it is in the feed (a FeedPlace), as a desk keeps it."""
    cpu_seconds: float = 0.0
    """The CPU time its process used (on the first agent of each process only)."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5, help="agents are spread over these")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between actions, s")
    parser.add_argument("--clients", type=int, default=5_000, help="clients added to the demo")
    parser.add_argument("--tickets", type=int, default=20_000, help="tickets added to the demo")
    parser.add_argument("--hot-tickets", type=int, default=300)
    parser.add_argument("--hot-clients", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    name = f"deskapp_bench_load_{uuid.uuid4().hex[:8]}"
    url = f"{args.admin_url.rsplit('/', 1)[0]}/{name}"
    _admin(args.admin_url, f'CREATE DATABASE "{name}"')
    try:
        return _run(url, args)
    finally:
        from deskapp.db import close_database

        close_database()
        if args.keep:
            print(f"kept {url}")
        else:
            _admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def _run(url: str, args: argparse.Namespace) -> int:
    from deskapp import migrations
    from deskapp.db import close_database, open_database

    open_database(url)
    migrations.upgrade()
    started = time.perf_counter()
    agents = seed_desk(args.agents, args.clients, args.tickets)
    work = workload(random.Random(args.seed), args.hot_tickets, args.hot_clients)
    balances = _balances(work.clients)
    print(f"seeded in {time.perf_counter() - started:.0f} s: {_counts()}")
    close_database()

    groups = [agents[n :: args.processes] for n in range(args.processes)]
    start_at = time.time() + 5  # every process imported and connected by then
    load_before = os.getloadavg()
    print(
        f"{len(agents)} agents in {args.processes} processes for {args.seconds:.0f} s, "
        f"think {args.think} s on average; load average {load_before[0]:.1f}"
    )
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(len(groups), mp_context=context) as pool:
        futures = [
            pool.submit(work_shift, url, group, work, start_at, args.seconds, args.think, n)
            for n, group in enumerate(groups)
        ]
        reports = [report for future in futures for report in future.result()]
    load_after = os.getloadavg()

    open_database(url)
    cpu = sum(report.cpu_seconds for report in reports)
    print(
        f"load average after: {load_after[0]:.1f} (5 min {load_after[1]:.1f}); the agents' "
        f"processes used {cpu:.0f} s of CPU ({cpu / (args.seconds + LAST_READ_AFTER):.2f} cores)\n"
    )
    print_times(reports, args.seconds)
    failures = print_errors(reports) + verify(reports, balances)
    print("\nALL CHECKS PASSED" if not failures else f"\n{failures} CHECK(S) FAILED")
    return 1 if failures else 0


def seed_desk(agents: int, clients: int, tickets: int) -> list[Agent]:
    """The demo desk, more clients and tickets, and `agents` agents; returns the agents."""
    from ticket_queue_seed import seed_tickets

    from deskapp.db import db
    from deskapp.demo import load_demo, seed_clients
    from deskapp.models import Role, Staff

    load_demo()
    seed_clients(clients)
    seed_tickets(tickets)
    with db.atomic():
        rows = [
            Staff.create(username=f"load{n:02d}", name=f"Load Agent {n:02d}", role=Role.AGENT)
            for n in range(1, agents + 1)
        ]
    db.execute_sql("ANALYZE")
    return [Agent(row.id, row.username, row.name, row.role) for row in rows]


def workload(rng: random.Random, hot_tickets: int, hot_clients: int) -> Workload:
    """The hot tickets and clients, and the searches, from the seeded desk."""
    from deskapp.db import db

    tickets = [
        row[0]
        for row in db.execute_sql(
            "SELECT id FROM ticket WHERE status <> 'Completed'"
            " ORDER BY last_activity_at DESC LIMIT %s",
            (hot_tickets,),
        )
    ]
    rows = db.execute_sql(
        "SELECT id, number, email, last_name, company FROM client"
        " WHERE status <> 'Closed' ORDER BY random() LIMIT 2000"
    ).fetchall()
    searches: list[str] = []
    for _, number, email, last_name, company in rows[:400]:
        searches.append(rng.choice([f"C-{number}", str(number)]))
        if email:
            searches.append(email)
        if last_name and len(last_name) >= 3:
            searches.append(last_name[: rng.randint(3, len(last_name))].lower())
        if company and len(company) >= 6:
            start = rng.randrange(len(company) - 4)
            searches.append(company[start : start + rng.randint(3, 5)])
    rng.shuffle(searches)
    return Workload(
        tickets=tickets,
        clients=[row[0] for row in rows[:hot_clients]],
        searches=searches,
        lookups=[row[0] for row in rows],
    )


def _balances(clients: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    from deskapp.models import Client

    query = Client.select(Client.id, Client.credit_cents).where(Client.id.in_(clients))
    return {row.id: row.credit_cents for row in query}


def _counts() -> str:
    from deskapp.db import db

    tables = ("client", "contact", "ticket", "message", "invoice", "credit_entry", "staff")
    found = {t: db.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    return ", ".join(f"{n:,} {t}" for t, n in found.items())


def work_shift(
    url: str,
    agents: list[Agent],
    work: Workload,
    start_at: float,
    seconds: float,
    think: float,
    group: int,
) -> list[AgentReport]:
    """In a process of its own: each agent in a thread with its own connection, until the end."""
    from deskapp.db import open_database

    open_database(url, connect=False)
    reports = [AgentReport(agent.username) for agent in agents]
    threads = [
        threading.Thread(
            target=_agent_shift,
            args=(agent, report, work, start_at, seconds, think, random.Random(f"{group}:{n}")),
            name=agent.username,
        )
        for n, (agent, report) in enumerate(zip(agents, reports, strict=True))
    ]
    cpu = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for report in reports:  # plain dicts pickle; defaultdict of a lambda does not
        report.times = dict(report.times)
    reports[0].cpu_seconds = time.process_time() - cpu
    return reports


def _agent_shift(
    agent: Agent,
    report: AgentReport,
    work: Workload,
    start_at: float,
    seconds: float,
    think: float,
    rng: random.Random,
) -> None:
    from deskapp.db import close_database, db
    from deskapp.services.actors import Actor
    from deskapp.services.changes import FeedPlace, latest_change

    actor = Actor(agent.id, agent.username, agent.name, agent.role)
    db.connect(reuse_if_open=True)  # this thread's own connection
    actions, weights = list(ACTIONS), list(ACTIONS.values())
    time.sleep(max(0.0, start_at - time.time()))
    report.first_read = latest_change()
    report.place = FeedPlace(report.first_read)
    end = start_at + seconds
    next_feed = time.time() + rng.uniform(0, FEED_SECONDS)
    next_action = time.time() + rng.uniform(0, 2 * think)
    while (now := time.time()) < end:
        if now >= next_feed:  # every second, whatever the agent is doing
            _timed(report, "feed", lambda: _read_feed(report))
            next_feed = max(next_feed + FEED_SECONDS, time.time())
        elif now >= next_action:
            action = rng.choices(actions, weights)[0]
            _timed(report, action, lambda action=action: _act(action, actor, report, work, rng))
            next_action = time.time() + rng.uniform(0, 2 * think)
        time.sleep(max(0.0, min(next_feed, next_action, end) - time.time()))
    # The last read, once every agent's last write is surely over: it must find every change.
    time.sleep(max(0.0, end + LAST_READ_AFTER - time.time()))
    _read_feed(report)
    close_database()


def _timed(report: AgentReport, action: str, call: Any) -> None:
    started = time.perf_counter()
    try:
        call()
    except Exception as error:  # noqa: BLE001 - every error is counted and reported
        report.errors.append((action, "".join(traceback.format_exception_only(error)).strip()))
        return
    report.times[action].append((time.perf_counter() - started) * 1000)


def _read_feed(report: AgentReport) -> None:
    """As a desk follows the feed: what it has not read from its place, a page at a time."""
    from deskapp.services.changes import changes_since

    while True:
        before = report.place.after
        changes, report.place = changes_since(report.place)
        report.seen.extend(change.id for change in changes)
        if len([c for c in changes if c.id > before]) < 500:
            return


def _act(action: str, actor: Any, report: AgentReport, work: Workload, rng: random.Random) -> None:
    from deskapp.models import Entity
    from deskapp.services import credit, presence
    from deskapp.services.client_search import search_clients
    from deskapp.services.clients import get_client
    from deskapp.services.conversation import get_ticket, list_messages, post_note, post_reply
    from deskapp.services.tickets import QueueFilter, count_queue, list_queue

    if action == "queue":
        mine = rng.random() < 0.4
        wanted = QueueFilter(
            assignee="mine" if mine else "any",
            staff_id=actor.id if mine else None,
            sort=rng.choice(("activity", "activity", "waiting", "age")),
        )
        list_queue(wanted, limit=100)
        count_queue(wanted)
    elif action == "open ticket":
        ticket_id = rng.choice(work.tickets)
        get_ticket(ticket_id)
        list_messages(ticket_id)
        presence.looking_at(actor, Entity.TICKET, ticket_id)
    elif action == "lookup":
        hits = search_clients(rng.choice(work.searches), limit=50)
        get_client(hits[0].id if hits else rng.choice(work.lookups))
    elif action in ("reply", "note"):
        ticket_id = rng.choice(work.tickets)
        text = f"{action} from {actor.username} #{uuid.uuid4().hex[:10]}: we are on it."
        if action == "reply":
            posted = post_reply(actor, ticket_id, text)
            report.replies.append((posted.id, ticket_id, text))
        else:
            posted = post_note(actor, ticket_id, text)
            report.notes.append((posted.id, ticket_id, text))
    elif action == "credit":
        client_id = rng.choice(work.clients)
        cents = rng.randint(100, 5_000)  # an agent's entry: at most 50.00
        entry = credit.add_credit(actor, client_id, cents, f"Goodwill, {actor.username}")
        report.credits.append((entry.id, client_id, cents))
    else:
        raise ValueError(action)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share 0.95: p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def print_times(reports: list[AgentReport], seconds: float) -> None:
    """One line per action: how many, per second, median, p95, slowest."""
    merged: dict[str, list[float]] = defaultdict(list)
    for report in reports:
        for action, times in report.times.items():
            merged[action] += times
    print("| action | calls | per second | median | p95 | slowest |")
    print("| --- | --- | --- | --- | --- | --- |")
    for action in [*ACTIONS, "feed"]:
        times = merged.get(action, [])
        if not times:
            print(f"| {action} | 0 | | | | |")
            continue
        print(
            f"| {action} | {len(times):,} | {len(times) / seconds:.1f} | "
            f"{statistics.median(times):.1f} ms | {percentile(times, 0.95):.1f} ms | "
            f"{max(times):.1f} ms |"
        )
    total = sum(len(t) for a, t in merged.items() if a != "feed")
    print(f"\n{total:,} actions ({total / seconds:.1f} a second) besides the feed reads")


def print_errors(reports: list[AgentReport]) -> int:
    """The errors by action and message; returns how many kinds there were."""
    errors = Counter(error for report in reports for error in report.errors)
    print(f"errors: {sum(errors.values())}")
    for (action, message), count in errors.most_common(10):
        print(f"  {count} x {action}: {message[:300]}")
    return len(errors)


def verify(reports: list[AgentReport], before: dict[uuid.UUID, int]) -> int:
    """Everything the agents were told they wrote is there, nothing else; returns the failures."""
    from deskapp.db import db
    from deskapp.models import Client, CreditEntry, Message
    from deskapp.services.chain import check_chains
    from deskapp.services.integrity import check_ledger

    failures = 0

    def check(ok: bool, sentence: str) -> None:
        nonlocal failures
        failures += 0 if ok else 1
        print(f"  {'ok  ' if ok else 'FAIL'} {sentence}")

    print("\nchecks:")
    for kind, told in (
        ("reply", [m for r in reports for m in r.replies]),
        ("note", [m for r in reports for m in r.notes]),
    ):
        stored = {
            row.id: (row.ticket_id, row.body)
            for row in Message.select(Message.id, Message.ticket, Message.body).where(
                Message.kind == kind, Message.body.startswith(f"{kind} from load")
            )
        }
        want = {message_id: (ticket_id, text) for message_id, ticket_id, text in told}
        check(
            stored == want,
            f"{len(want):,} {kind} messages reported, {len(stored):,} stored by the agents, "
            f"{sum(1 for k, v in want.items() if stored.get(k) == v):,} identical",
        )
    credits = [c for r in reports for c in r.credits]
    entries = {
        row.id: (row.client_id, row.amount_cents)
        for row in CreditEntry.select(
            CreditEntry.id, CreditEntry.client, CreditEntry.amount_cents
        ).where(CreditEntry.description.startswith("Goodwill, load"))
    }
    want_entries = {entry_id: (client_id, cents) for entry_id, client_id, cents in credits}
    check(
        entries == want_entries,
        f"{len(want_entries):,} credit entries reported, {len(entries):,} stored, "
        f"{sum(1 for k, v in want_entries.items() if entries.get(k) == v):,} identical",
    )
    added: dict[uuid.UUID, int] = defaultdict(int)
    for _, client_id, cents in credits:
        added[client_id] += cents
    after = {
        row.id: row.credit_cents
        for row in Client.select(Client.id, Client.credit_cents).where(Client.id.in_(list(before)))
    }
    wrong = [c for c in before if after[c] - before[c] != added.get(c, 0)]
    check(
        not wrong,
        f"{len(added)} clients' balances grew by exactly what was added "
        f"({sum(added.values()) / 100:,.2f} in all)" + (f"; {len(wrong)} did not" if wrong else ""),
    )
    problems = check_ledger()
    check(not problems, "db check's ledger check: " + ("clean" if not problems else problems[0]))
    for chain in check_chains():
        check(
            chain.problem is None,
            f"db check's {chain.title.lower()} chain: {chain.length:,} rows, "
            + (chain.problem or "every hash holds"),
        )
    committed = [
        int(row[0])
        for row in db.execute_sql(
            "SELECT id FROM change_event WHERE id > %s ORDER BY id",
            (min(r.first_read for r in reports),),
        )
    ]
    missed = twice = 0
    for report in reports:
        seen = Counter(report.seen)
        missed += sum(1 for event in committed if report.first_read < event and not seen[event])
        twice += sum(1 for count in seen.values() if count > 1)
    check(
        missed == twice == 0,
        f"every agent read every change of the feed once ({len(committed):,} changes"
        + (f"; {missed:,} missed and {twice:,} read twice in all)" if missed or twice else ")"),
    )
    return failures


if __name__ == "__main__":
    raise SystemExit(main())
