"""The ticket screen and the queue at size, in the real app under Pilot, on SQLite and PostgreSQL.

    python bench/tickets.py                      # both backends, throwaway databases
    python bench/tickets.py --backends sqlite --runs 9

Each backend gets a throwaway database (a SQLite file in a temp folder; a PostgreSQL database
created on --postgres and dropped afterwards) with the demo desk, one ticket holding
--messages messages (client messages, staff replies and notes, bodies of one to eight lines)
and --tickets tickets in all (bench/ticket_queue_seed.py's seed_tickets). Then, in a 120x36
headless DeskApp:

- open: from pushing TicketScreen to the first line of the conversation drawn with messages
  in it (the newest page, scrolled to the bottom); the first run (cold: modules, stylesheets)
  apart, the median and slowest of the others;
- page-up: key press to the view's next drawn line, once per page from the bottom to the top
  of the whole conversation (older pages load on the way), animation off; median, p95, slowest
  (the slowest are full garbage collections landing on a key press, not the view);
- queue: list_queue's first page of 100 (median of --runs calls), and a fresh TicketListScreen
  from push to its table drawing rows (median of --runs pushes after a cold one).

Measured 2026-12-02 (2 shared cores, Python 3.11, Textual 8.2.8, SQLite 3.40, PostgreSQL 15
on the same machine; 100,000 tickets, a 2,000-message conversation, 7 runs):

| backend | open: cold / median / max | page-up: median / p95 / max | list_queue | queue painted |
| --- | --- | --- | --- | --- |
| SQLite | 71 / 55 / 72 ms | 2.4 / 6.7 / 50.5 ms | 1.3 ms | 50 / 52 ms |
| PostgreSQL | 76 / 56 / 57 ms | 2.4 / 3.8 / 35.3 ms | 2.3 ms | 47 / 49 ms |

(list_queue: its first page of 100, median; queue painted: a fresh TicketListScreen to its
rows drawn, cold / median.) The slowest page-ups are full garbage collections landing on that
key press; the ones that load an older page take 10 to 30 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deskapp import clock, migrations
from deskapp.db import close_database, db, open_database
from deskapp.demo import load_demo
from deskapp.models import Message, Staff, Ticket
from deskapp.services.session import open_desk
from deskapp.services.tickets import QueueFilter, list_queue

sys.path.insert(0, str(Path(__file__).parent))
from ticket_queue_seed import seed_tickets  # noqa: E402

SIZE = (120, 36)
SENTENCES = (
    "The router drops the line every evening around eight.",
    "We replaced the ONT last week and the light is green again.",
    "Could you check the signal levels on your side?",
    "I have attached the traceroute from this morning.",
    "Our accounts team needs the invoice number on the credit note.",
    "The technician can come on Thursday between nine and twelve.",
    "Speed tests show 940 down and 920 up on the wired port.",
    "Please restart the router and wait five minutes before testing again.",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    for backend in args.backends.split(","):
        with _throwaway(backend, args.postgres) as url:
            rows += _bench(backend, url, args)
    print(f"\n{'backend':<12}{'measure':<58}{'result'}")
    for backend, measure, result in rows:
        print(f"{backend:<12}{measure:<58}{result}")
    return 0


class _throwaway:
    """A database that exists for one backend's run."""

    def __init__(self, backend: str, admin_url: str) -> None:
        self.backend = backend
        self.admin_url = admin_url
        self.name = f"deskapp_bench_tickets_{uuid.uuid4().hex[:8]}"
        self.folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> str:
        if self.backend == "sqlite":
            self.folder = tempfile.TemporaryDirectory(prefix="deskapp-bench-")
            return f"sqlite:///{self.folder.name}/desk.db"
        self._admin(f'CREATE DATABASE "{self.name}"')
        return f"{self.admin_url.rsplit('/', 1)[0]}/{self.name}"

    def __exit__(self, *exc: object) -> None:
        close_database()
        db.initialize(None)
        if self.folder is not None:
            self.folder.cleanup()
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(sql)


def _bench(backend: str, url: str, args: argparse.Namespace) -> list[tuple[str, str, str]]:
    open_database(url)
    migrations.upgrade()
    started = time.perf_counter()
    load_demo()
    ticket_id = _long_conversation(args.messages)
    have = Ticket.select().count()
    seed_tickets(max(args.tickets - have, 0))
    total = Ticket.select().count()
    print(
        f"{backend}: seeded {total:,} tickets and a {args.messages:,}-message conversation "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    session = open_desk(url, staff="sam")
    queue = [_ms(lambda: list_queue(QueueFilter(), limit=100)) for _ in range(args.runs + 1)]
    found = asyncio.run(_in_app(session, ticket_id, args.runs))
    n = args.messages
    return [
        (backend, f"open a {n:,}-message ticket, cold (first push)", f"{found['open'][0]:.0f} ms"),
        (
            backend,
            f"open a {n:,}-message ticket, median / slowest of {args.runs}",
            f"{statistics.median(found['open'][1:]):.0f} / {max(found['open'][1:]):.0f} ms",
        ),
        (
            backend,
            f"page-up, {len(found['pageup'])} pages to the top: median / p95 / max",
            f"{statistics.median(found['pageup']):.1f} / {_p95(found['pageup']):.1f} / "
            f"{max(found['pageup']):.1f} ms",
        ),
        (backend, "  messages loaded when the top was reached", f"{found['loaded']:,}"),
        (
            backend,
            f"list_queue first page of {total:,} tickets, median",
            f"{statistics.median(queue[1:]):.1f} ms",
        ),
        (
            backend,
            f"TicketListScreen first page painted, cold / median of {args.runs}",
            f"{found['queue'][0]:.0f} / {statistics.median(found['queue'][1:]):.0f} ms",
        ),
    ]


def _long_conversation(count: int) -> uuid.UUID:
    """A ticket of the demo's with `count` messages of every kind, a minute or more apart."""
    ticket = Ticket.select().order_by(Ticket.number).first()
    staff = [row.id for row in Staff.select(Staff.id)]
    rng = random.Random(5)
    start = clock.now() - dt.timedelta(days=60)
    Message.delete().where(Message.ticket == ticket.id).execute()
    rows = []
    for index in range(count):
        kind = "note" if index % 5 == 4 else ("client", "reply")[index % 2]
        lines = [
            " ".join(rng.choices(SENTENCES, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 3))
        ]
        at = start + dt.timedelta(minutes=index * 20 + rng.randint(0, 15))
        rows.append(
            {
                "id": uuid.uuid4(),
                "created_at": at,
                "ticket": ticket.id,
                "kind": kind,
                "staff": None if kind == "client" else rng.choice(staff),
                "author_name": "Client of the bench" if kind == "client" else "",
                "body": f"#{index} " + "\n\n".join(lines),
            }
        )
    with db.atomic():
        for first in range(0, len(rows), 500):
            Message.insert_many(rows[first : first + 500]).execute()
    Ticket.update(last_activity_at=rows[-1]["created_at"]).where(Ticket.id == ticket.id).execute()
    return ticket.id


async def _in_app(session: Any, ticket_id: uuid.UUID, runs: int) -> dict[str, Any]:
    from screens.app import DeskApp
    from screens.ticket_detail import TicketScreen
    from screens.ticket_list import TicketListScreen
    from screens.widgets.record_table import RecordTable

    # As `deskapp` runs the desk: the collector paused until the first frame, then the start-up
    # objects frozen (DeskApp.on_ready), so full collections do not rescan them.
    gc.disable()
    app = DeskApp(session)
    found: dict[str, Any] = {"open": [], "queue": []}
    async with app.run_test(size=SIZE) as pilot:
        await _quiet(pilot)
        for _ in range(runs + 1):
            screen = TicketScreen(ticket_id)
            started = time.perf_counter()
            app.push_screen(screen)
            await _until(pilot, lambda s=screen: s.is_mounted and s.conversation.first_painted)
            found["open"].append((screen.conversation.first_painted - started) * 1000)
            await _quiet(pilot)
            if len(found["open"]) <= runs:
                screen.action_back()
                await _quiet(pilot)
        view = screen.conversation
        view.focus()
        app.animation_level = "none"
        times: list[float] = []
        for _ in range(10_000):
            if view.scroll_y <= 0 and not view.has_older:
                break
            view.first_painted = None
            started = time.perf_counter()
            await pilot.press("pageup")
            await _until(pilot, lambda: view.first_painted)
            times.append((view.first_painted - started) * 1000)
            if view.scroll_y <= 0:
                await _quiet(pilot)  # an older page may be on its way
        found["pageup"] = times
        found["loaded"] = len(view.messages)
        screen.action_back()
        await _quiet(pilot)
        painted: list[float] = []
        plain = RecordTable.render_line

        def marked(table: RecordTable[Any], y: int) -> Any:
            if table.records and not painted:
                painted.append(time.perf_counter())
            return plain(table, y)

        RecordTable.render_line = marked  # type: ignore[method-assign]
        try:
            for _ in range(runs + 1):
                painted.clear()
                queue = TicketListScreen()
                started = time.perf_counter()
                app.push_screen(queue)
                await _until(pilot, lambda: painted)
                found["queue"].append((painted[0] - started) * 1000)
                await _quiet(pilot)
                app.pop_screen()
                await _quiet(pilot)
        finally:
            RecordTable.render_line = plain  # type: ignore[method-assign]
    return found


async def _until(pilot: Any, done: Callable[[], object], limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")
        await asyncio.sleep(0.0005)


async def _quiet(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


def _ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


if __name__ == "__main__":
    raise SystemExit(main())
