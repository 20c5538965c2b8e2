"""The record lists in the real app under Pilot: the first page shown, and 10,000 rows scrolled.

    python bench/lists.py                          # a throwaway SQLite desk of 10,000 clients
    python bench/lists.py --db sqlite:////tmp/lists.db --moves 10000 --runs 9

Against the code of another checkout (the DataTable list, for a before/after), put that
checkout first on the path and keep this file:

    PYTHONPATH=/work/main python bench/lists.py

Only a local SQLite file is used (a throwaway one in a temp folder unless --db names one);
nothing leaves the machine. The desk holds the demo data and is seeded up to --clients
clients (deskapp.demo.seed_clients). Then, in a 120x36 headless DeskApp, with animations off:

- first page: from pushing a fresh ClientListScreen to the list's first line drawn with
  records in it (the list pages itself through list_clients in a thread); the first (cold)
  push apart, median and slowest of --runs;
- down: `down` pressed until the cursor has moved --moves rows (the list loads a page of 50
  as the cursor nears the end); per move the time of the key press (Pilot's press: the key
  handled and the screen updated), median, p95 and slowest, the total, and how many of the
  list's lines were drawn per move (render_line calls) and the time the list spent drawing
  them (its render_lines: a move that scrolls draws the whole view, one inside it two lines);
- pagedown: the same with `pagedown` through the same rows, per move and in total;
- in view: `j` and `k` in turn between two records on screen (--moves / 10 times).

The key press's time is Pilot's: it includes waiting for the app to go idle and the screen
update, so it is mostly the app's frame pacing; the drawing time is the list's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from deskapp import migrations
from deskapp.db import close_database, db, open_database
from deskapp.demo import load_demo, seed_clients
from deskapp.services.session import open_desk

SIZE = (120, 36)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="", help="a sqlite:/// URL to use (else a throwaway)")
    parser.add_argument("--clients", type=int, default=10_200)
    parser.add_argument("--moves", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    if not args.db.startswith("sqlite:///"):
        if args.db:
            parser.error("--db must be a sqlite:/// URL (this benchmark stays on local files)")
        folder = tempfile.TemporaryDirectory(prefix="deskapp-bench-lists-")
        args.db = f"sqlite:///{folder.name}/desk.db"
    open_database(args.db)
    migrations.upgrade()
    if not db.execute_sql("SELECT COUNT(*) FROM staff").fetchone()[0]:
        load_demo()
    have = db.execute_sql("SELECT COUNT(*) FROM client").fetchone()[0]
    if have < args.clients:
        started = time.perf_counter()
        seed_clients(args.clients - have)
        print(f"seeded {args.clients - have:,} clients in {time.perf_counter() - started:.0f} s")
    session = open_desk(args.db, staff="sam")
    found = asyncio.run(_in_app(session, args.runs, args.moves))
    close_database()
    first = found["first"]
    print(f"\n{'measure':<44}result")
    print(f"{'first page: cold / median / max':<44}" + _ms3(first[0], first[1:]))
    for kind in ("down", "pagedown", "in view"):
        times, lines, drawing, total = found[kind]
        print(
            f"{kind + ': key press median / p95 / max':<44}"
            f"{statistics.median(times):.2f} / {_p95(times):.2f} / {max(times):.1f} ms"
        )
        print(f"{kind + ': moves, total':<44}{len(times):,} moves, {total:.1f} s")
        print(
            f"{kind + ': lines drawn per move, median / max':<44}"
            f"{statistics.median(lines):.0f} / {max(lines)}"
        )
        print(
            f"{kind + ': drawing them, median / p95':<44}"
            f"{statistics.median(drawing):.3f} / {_p95(drawing):.3f} ms"
        )
    return 0


async def _in_app(session: Any, runs: int, moves: int) -> dict[str, Any]:
    from screens.app import DeskApp
    from screens.client_list import ClientListScreen
    from screens.widgets.record_table import RecordTable

    gc.disable()  # as `deskapp` runs the desk until its first frame; frozen after
    app = DeskApp(session)
    found: dict[str, Any] = {"first": []}
    drawn: list[float] = []  # per drawing of the list (render_lines): its time
    lines: list[int] = []  # per line of the list drawn with records in it: 1
    plain_lines, plain_line = RecordTable.render_lines, RecordTable.render_line

    def timed(table: RecordTable[Any], crop: Any) -> Any:
        started = time.perf_counter()
        strips = plain_lines(table, crop)
        if table.records:
            drawn.append(time.perf_counter() - started)
        return strips

    def counted(table: RecordTable[Any], y: int) -> Any:
        if table.records:
            lines.append(1)
        return plain_line(table, y)

    RecordTable.render_lines = timed  # type: ignore[method-assign]
    RecordTable.render_line = counted  # type: ignore[method-assign]
    try:
        async with app.run_test(size=SIZE) as pilot:
            app.animation_level = "none"
            await _quiet(pilot)
            gc.enable()
            gc.freeze()
            for _ in range(runs + 1):
                screen = ClientListScreen()
                drawn.clear()
                started = time.perf_counter()
                app.push_screen(screen)
                await _until(lambda: drawn)
                found["first"].append((time.perf_counter() - started) * 1000)
                await _quiet(pilot)
            table = app.screen.query_one("#records", RecordTable)
            table.focus()
            await _quiet(pilot)
            for key in ("down", "pagedown"):
                found[key] = await _scroll(pilot, table, key, moves, drawn, lines)
            found["in view"] = await _in_view(pilot, table, moves // 10, drawn, lines)
    finally:
        RecordTable.render_lines = plain_lines  # type: ignore[method-assign]
        RecordTable.render_line = plain_line  # type: ignore[method-assign]
    return found


Moves = tuple[list[float], list[int], list[float], float]
"""Per move: the key press's time, the list's lines drawn, their drawing time; the total."""


async def _scroll(
    pilot: Any, table: Any, key: str, moves: int, drawn: list[float], lines: list[int]
) -> Moves:
    """Press `key` until the cursor is `moves` rows further (or the list ends)."""
    table.move_cursor(row=0)
    table.scroll_home(animate=False)
    await _quiet(pilot)
    times: list[float] = []
    counts: list[int] = []
    drawing: list[float] = []
    started_all = time.perf_counter()
    while table.cursor_row < moves:
        row = table.cursor_row
        drawn.clear()
        lines.clear()
        started = time.perf_counter()
        await pilot.press(key)
        elapsed = (time.perf_counter() - started) * 1000
        if table.cursor_row == row:  # at the end of what is loaded: wait for the next page
            if table.complete:
                break
            await _quiet(pilot)
            continue
        times.append(elapsed)
        counts.append(len(lines))
        drawing.append(sum(drawn) * 1000)
    return times, counts, drawing, time.perf_counter() - started_all


async def _in_view(
    pilot: Any, table: Any, moves: int, drawn: list[float], lines: list[int]
) -> Moves:
    """`j` and `k` in turn, `moves` times, between two records on screen (no scrolling)."""
    table.move_cursor(row=0)
    table.scroll_home(animate=False)
    await pilot.press("j", "j")
    await _quiet(pilot)
    times: list[float] = []
    counts: list[int] = []
    drawing: list[float] = []
    started_all = time.perf_counter()
    for move in range(moves):
        drawn.clear()
        lines.clear()
        started = time.perf_counter()
        await pilot.press("k" if move % 2 else "j")
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(lines))
        drawing.append(sum(drawn) * 1000)
    return times, counts, drawing, time.perf_counter() - started_all


async def _until(done: Callable[[], object], limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")
        await asyncio.sleep(0.0005)


async def _quiet(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()


def _ms3(cold: float, rest: list[float]) -> str:
    return f"{cold:.1f} / {statistics.median(rest):.1f} / {max(rest):.1f} ms"


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


if __name__ == "__main__":
    sys.exit(main())
