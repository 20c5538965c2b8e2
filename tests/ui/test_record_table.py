"""The record list widget on its own, in a small app: keyset paging through a fetcher, the
cursor kept on its record, keys and mouse, what it posts, and hostile cells drawn literally."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot

from screens.widgets.record_table import RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

SIZE = (60, 12)
"""Ten records on screen under the heading (a line is left for nothing else)."""
TERMINAL_COMMANDS = re.compile(r"\x1b[\]P^_X]|\x07|\x9b|\x9d|\x90")


@dataclass(frozen=True)
class Item:
    """A record: a number and a name someone typed."""

    number: int
    name: str


COLUMNS = (
    RecordColumn("No", lambda i: Text(str(i.number)), 6),
    RecordColumn("Name", lambda i: untrusted(i.name, limit=30), 30),
    RecordColumn("Amount", lambda i: Text(f"{i.number}.00", justify="right"), 10, True),
)


class Fetcher:
    """Pages of `total` items after the last one shown, by keyset; remembers each call."""

    def __init__(self, total: int, *, names: dict[int, str] | None = None) -> None:
        self.items = [Item(n, (names or {}).get(n, f"item {n}")) for n in range(total)]
        self.calls: list[tuple[int | None, int]] = []

    def __call__(self, last: Item | None, limit: int) -> list[Item]:
        self.calls.append((None if last is None else last.number, limit))
        after = [i for i in self.items if last is None or i.number > last.number]
        return after[:limit]


class ListApp(App[None]):
    """One RecordTable, filled by a fetcher; keeps what the table posts."""

    def __init__(self, fetch: Fetcher, page_size: int = 25) -> None:
        super().__init__()
        self.fetch = fetch
        self.page_size = page_size
        self.posted: list[Any] = []

    def compose(self) -> ComposeResult:
        yield RecordTable(
            COLUMNS, record_key=lambda i: i.number, page_size=self.page_size, id="list"
        )

    def on_mount(self) -> None:
        self.table.reload(self.fetch)
        self.table.focus()

    @property
    def table(self) -> RecordTable[Item]:
        return self.query_one("#list", RecordTable)

    @on(RecordTable.Selected)
    @on(RecordTable.Highlighted)
    @on(RecordTable.Loaded)
    def _keep(self, message: Any) -> None:
        self.posted.append(message)


async def settle(pilot: Pilot[None]) -> None:
    """Until no page is on its way."""
    for _ in range(50):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        if not pilot.app.query_one(RecordTable).fetching:
            await pilot.pause()
            return


def lines(table: RecordTable[Any]) -> list[str]:
    """The widget's lines as text, heading first."""
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_pages_arrive_by_keyset_as_the_cursor_nears_the_end() -> None:
    fetch = Fetcher(60)
    app = ListApp(fetch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        assert fetch.calls == [(None, 25)]
        assert table.row_count == 25 and not table.complete
        await pilot.press("j")  # row 1: 24 rows from the end, more than PREFETCH_ROWS
        await settle(pilot)
        assert len(fetch.calls) == 1
        await pilot.press("pagedown")  # within 20 rows of the end: the next page
        await settle(pilot)
        assert fetch.calls[1] == (24, 25)
        assert table.row_count == 50
        await pilot.press("end")
        await settle(pilot)
        assert fetch.calls[2] == (49, 25)
        assert table.row_count == 60 and table.complete
        await pilot.press("end")
        await settle(pilot)
        assert len(fetch.calls) == 3  # complete: nothing more is asked for
        assert table.highlighted_record == fetch.items[59]
        loaded = [m for m in app.posted if isinstance(m, RecordTable.Loaded)]
        assert [(m.shown, m.complete) for m in loaded] == [(25, False), (50, False), (60, True)]


async def test_scrolling_to_the_end_loads_the_next_page() -> None:
    fetch = Fetcher(60)
    app = ListApp(fetch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The list has no scroll bar (bytes over SSH): a scroll is forced, as its wheel's is.
        app.table.scroll_end(animate=False, immediate=True, force=True)
        await settle(pilot)
        assert fetch.calls[:2] == [(None, 25), (24, 25)]
        assert app.table.cursor_row == 0  # the wheel moves the view only


async def test_reload_keeps_the_cursor_on_its_record() -> None:
    fetch = Fetcher(30)
    app = ListApp(fetch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        table.move_cursor(row=7)
        assert table.highlighted_record == fetch.items[7]
        fetch.items.insert(0, Item(-1, "new first"))  # a record arrived above it
        table.reload(keep_cursor=True)
        await settle(pilot)
        assert table.highlighted_record == Item(7, "item 7")
        assert table.cursor_row == 8
        table.reload()  # without keep_cursor: back to the top
        await settle(pilot)
        assert table.cursor_row == 0


async def test_j_k_and_arrows_move_the_cursor_and_post_highlighted() -> None:
    app = ListApp(Fetcher(5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        app.posted.clear()
        await pilot.press("j", "j", "down", "k")
        assert table.cursor_row == 2
        moves = [m.row for m in app.posted if isinstance(m, RecordTable.Highlighted)]
        assert moves == [1, 2, 3, 2]
        await pilot.press("k", "k", "up")  # stops at the first record
        assert table.cursor_row == 0
        await pilot.press("end", "down")  # and at the last
        assert table.cursor_row == 4
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_a_click_moves_the_cursor_and_a_second_selects() -> None:
    app = ListApp(Fetcher(5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        await pilot.click(RecordTable, offset=(3, 0))  # the heading: nothing
        assert table.cursor_row == 0
        await pilot.click(RecordTable, offset=(3, 3))  # line 3: the third record
        assert table.cursor_row == 2
        assert not [m for m in app.posted if isinstance(m, RecordTable.Selected)]
        await pilot.click(RecordTable, offset=(3, 3))
        await pilot.pause()
        selected = [m for m in app.posted if isinstance(m, RecordTable.Selected)]
        assert [(m.row, m.record, m.control) for m in selected] == [(2, Item(2, "item 2"), table)]
        await pilot.click(RecordTable, offset=(3, 9))  # below the last record: nothing
        assert table.cursor_row == 2


async def test_enter_posts_selected_with_the_record() -> None:
    app = ListApp(Fetcher(5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        selected = [m for m in app.posted if isinstance(m, RecordTable.Selected)]
        assert [(m.row, m.record.number) for m in selected] == [(1, 1)]


async def test_hostile_cells_draw_literally() -> None:
    names = {0: "[bold]x[/]", 1: "\x1b]0;t\x07 after", 2: "[@click=app.quit]q[/]"}
    app = ListApp(Fetcher(3, names=names))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        shown = lines(table)
        assert shown[0].split() == ["No", "Name", "Amount"]
        assert " [bold]x[/] " in shown[1]
        assert "␛]0;t after" in shown[2]  # the escape shown, the bell dropped
        assert "[@click=app.quit]q[/]" in shown[3]
        for y in range(4):
            strip = table.render_line(y)
            assert not TERMINAL_COMMANDS.search(strip.render(app.console))
        await pilot.press("end")  # the cursor's row is bold; the others must not be
        for y in (1, 2):
            assert not any(s.style and s.style.bold for s in table.render_line(y))
        assert app.is_running


async def test_amounts_align_right_under_a_right_aligned_heading() -> None:
    app = ListApp(Fetcher(12))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = lines(app.table)
        assert shown[0][40:52] == "     Amount "
        assert shown[11][40:52] == "      10.00 "
        assert shown[1][:8] == " 0      "


async def test_moving_the_cursor_redraws_two_lines_only() -> None:
    app = ListApp(Fetcher(20))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        refreshed: list[tuple[Region, ...]] = []
        plain = table.refresh

        def spy(*regions: Region, **kwargs: Any) -> Any:
            refreshed.append(regions)
            return plain(*regions, **kwargs)

        table.refresh = spy  # type: ignore[method-assign]
        await pilot.press("j")
        assert refreshed == [(Region(0, 1, 60, 1),), (Region(0, 2, 60, 1),)]
        refreshed.clear()
        await pilot.press("k")
        assert len(refreshed) == 2 and all(r[0].height == 1 for r in refreshed)


async def test_a_theme_change_redraws_the_cursor_in_the_new_colours() -> None:
    app = ListApp(Fetcher(3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.table.render_line(1)
        app.theme = "textual-light"
        await pilot.pause()
        after = app.table.render_line(1)
        assert before.text == after.text
        assert list(before)[0].style != list(after)[0].style


async def test_show_lists_records_without_a_fetcher() -> None:
    app = ListApp(Fetcher(0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.table
        table.show([Item(5, "five"), Item(6, "six")])
        await pilot.pause()
        assert table.complete and not table.fetching and table.row_count == 2
        table.move_cursor(row=1)
        table.show([Item(7, "seven")])  # the cursor stays within the records
        assert table.cursor_row == 0 and table.highlighted_record == Item(7, "seven")
