"""A list of records that pages itself in from a service, a page at a time.

The screen gives the columns and a fetcher: `fetch(last, limit)` returns the records after
`last` (the last record shown, None for the first page), so the service can page by keyset.
The fetcher runs in a thread worker; the next page loads when the cursor or the scroll nears
the end. Nothing ever loads a whole table. Drawing, keys and the mouse are RecordList's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from textual import on
from textual.message import Message
from textual.worker import Worker, WorkerState

from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.record_lines import RecordColumn
from screens.widgets.record_list import RecordList

__all__ = ["PageFetcher", "RecordColumn", "RecordTable"]

RecordT = TypeVar("RecordT")

PageFetcher = Callable[[Any, int], Sequence[Any]]
"""`fetch(last_record_or_None, limit)`: the next page of records; called in a thread."""


class RecordTable(ReportsFailedWork, RecordList[RecordT], Generic[RecordT]):
    """A row-cursor list that loads pages of records from a fetcher, in a thread worker.

    | Key(s) | Description |
    | :- | :- |
    | j / down | Move to the next record. |
    | k / up | Move to the previous record. |
    | pagedown / pageup | Move a screenful down / up. |
    | home / end (or ctrl+) | Move to the first / the last loaded record (more then load). |
    | enter | Select the record (posts `RecordTable.Selected`). |

    The cursor moving posts `RecordTable.Highlighted`; a click moves it, a click on the
    cursor's record selects. Each page that arrives posts `RecordTable.Loaded`.
    """

    PREFETCH_ROWS = 20
    """Load the next page when the cursor or the view is this close to the last row."""

    class Loaded(Message):
        """A page arrived (or the list turned out empty)."""

        def __init__(self, table: RecordTable[Any], shown: int, complete: bool) -> None:
            super().__init__()
            self.table = table
            """The table that loaded."""
            self.shown = shown
            """How many records the table holds now."""
            self.complete = complete
            """True when there is nothing more to load."""

        @property
        def control(self) -> RecordTable[Any]:
            """The table (for `@on(RecordTable.Loaded, "#id")`)."""
            return self.table

    class LoadFailed(Message):
        """Loading a page failed; the app's error handler has shown why."""

        def __init__(self, table: RecordTable[Any]) -> None:
            super().__init__()
            self.table = table
            """The table whose page failed."""

        @property
        def control(self) -> RecordTable[Any]:
            """The table (for `@on(RecordTable.LoadFailed, "#id")`)."""
            return self.table

    class _PageArrived(Message, bubble=False):
        def __init__(self, generation: int, records: Sequence[Any], limit: int) -> None:
            super().__init__()
            self.generation = generation
            self.records = records
            self.limit = limit

    def __init__(
        self,
        columns: Sequence[RecordColumn[RecordT]],
        *,
        record_key: Callable[[RecordT], object] | None = None,
        page_size: int = 50,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(columns, record_key=record_key, id=id, classes=classes)
        self.page_size = page_size
        """How many records one page holds."""
        self._fetch: PageFetcher | None = None
        self._generation = 0
        self._page_arrived = asyncio.Event()
        self._fetching = False
        self._page_arrived.set()
        self._complete = False
        self._paging_held = False
        self._keep_key: str | None = None
        self._shown_before: tuple[list[RecordT], int] | None = None
        self._replacing = False

    @property
    def records(self) -> Sequence[RecordT]:
        """The records shown, in order (none while a reload's first page is on its way)."""
        return () if self._replacing else super().records

    @property
    def row_count(self) -> int:
        """How many records the list holds (0 while a reload's first page is on its way)."""
        return 0 if self._replacing else super().row_count

    @property
    def highlighted_record(self) -> RecordT | None:
        """The record under the cursor, if any (None while a reload's first page is on its
        way: the rows still drawn are the old ones)."""
        return None if self._replacing else super().highlighted_record

    def validate_cursor_row(self, row: int) -> int:
        """Keep the cursor on a record; it stays put over the old rows during a reload."""
        return self.cursor_row if self._replacing else super().validate_cursor_row(row)

    @property
    def complete(self) -> bool:
        """Whether every record the fetcher has is shown."""
        return self._complete

    @property
    def fetching(self) -> bool:
        """Whether a page is on its way."""
        return self._fetching

    def _set_fetching(self, fetching: bool) -> None:
        self._fetching = fetching
        if fetching:
            self._page_arrived.clear()
        else:
            self._page_arrived.set()

    async def wait_for_page(self, timeout: float) -> None:
        """Wait until the page on its way has arrived (or failed), `timeout` seconds at most:
        a screen about to show awaits its first rows, to be drawn once with them."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._page_arrived.wait(), timeout)

    def show(self, records: Sequence[RecordT]) -> None:
        """Show exactly these records, with no fetcher (a page on its way is dropped)."""
        self._fetch = None
        self._generation += 1
        self._set_fetching(False)
        self._complete = True
        self._replacing = False
        super().show(records)

    # Paging ----------------------------------------------------------------------------------

    def reload(
        self,
        fetch: PageFetcher | None = None,
        *,
        at_once: bool = False,
        hold_paging: bool = False,
        keep_cursor: bool = False,
    ) -> None:
        """Start again from the first page, with a new fetcher if given (a changed filter).

        `keep_cursor` puts the cursor back on the record it is on, if the first page has it.

        `at_once` reads the first page here, in the event loop, not in a thread: for a local
        desk, whose file answers within a few milliseconds, so that the screen is drawn once
        with its rows (a page from a thread lands a frame later, and over SSH each frame of a
        new screen is a whole screen). If it fails, the thread worker tries again and reports
        the error as usual. With `hold_paging` (starting up) it reads only a screenful, and the
        next page waits for `release_paging()`, once the first frame is out: a thread reading
        it while that frame is drawn would slow the drawing.
        """
        if self.row_count and (fetch is None or fetch == self._fetch):
            # The same rows asked for again: shown again should the database not answer.
            self._shown_before = (list(self._records), self.cursor_row)
        elif fetch is not None and fetch != self._fetch:
            self._shown_before = None
        if fetch is not None:
            self._fetch = fetch
        highlighted = self.highlighted_record if keep_cursor else None
        if highlighted is not None:
            self._keep_key = self._key_of(highlighted, self.cursor_row)
        elif not keep_cursor:
            self._keep_key = None
        # else: a reload while one is on its way (the list empty) aims where that one aimed
        self._generation += 1
        self._set_fetching(True)  # scrolling to the top must not ask for a page
        # The rows drawn stay on the terminal until the first page replaces them in one
        # frame: emptying the list first would draw it twice (blank, then the new rows),
        # twice the bytes over SSH for each letter typed in a search (bench/wire.py).
        self._replacing = True
        self._complete = False
        self._paging_held = False
        if at_once and self._fetch is not None:
            # Holding: no more rows than the terminal has lines; the next page is asked for
            # once these are drawn.
            limit = (
                max(1, min(self.page_size, self.app.size.height)) if hold_paging else self.page_size
            )
            try:
                records = self._fetch(None, limit)
            except Exception:  # noqa: BLE001 (the worker below reads it again and reports)
                pass
            else:
                self._paging_held = hold_paging
                self._add_page(self._PageArrived(self._generation, records, limit))
                return
        self._request_page()

    def release_paging(self) -> None:
        """Load pages again after the first page read `at_once` (see reload)."""
        if self._paging_held:
            self._paging_held = False
            self.load_more()

    def load_more(self) -> None:
        """Load the next page unless one is on its way, there is no more, or paging is held."""
        if not self._fetching and not self._complete and not self._paging_held:
            self._request_page()

    def _request_page(self) -> None:
        if self._fetch is None:
            self._set_fetching(False)
            return
        self._set_fetching(True)
        last = self._records[-1] if self._records and not self._replacing else None
        work = partial(self._fetch_page, self._fetch, self._generation, last, self.page_size)
        self.run_worker(
            work, thread=True, exit_on_error=False, group="record-page", name="load page"
        )

    def _fetch_page(self, fetch: PageFetcher, generation: int, last: Any, limit: int) -> None:
        """Runs in a thread: ask the service, hand the page to the event loop."""
        self.post_message(self._PageArrived(generation, fetch(last, limit), limit))

    @on(_PageArrived)
    def _add_page(self, message: _PageArrived) -> None:
        if message.generation != self._generation:
            return  # a page for a filter that is no longer shown
        self._set_fetching(False)
        self._complete = len(message.records) < message.limit
        self._shown_before = None
        if self._replacing:
            self._replacing = False
            self._clear()
        keep = self._keep_key
        self._keep_key = None
        self._append(message.records)
        if keep is not None and keep in self._rows_by_key:
            self.move_cursor(self._rows_by_key[keep])
        self.post_message(self.Loaded(self, len(self._records), self._complete))
        self._near_the_end()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed page: stop waiting for it (the app shows the error)."""
        if event.worker.group == "record-page" and event.state is WorkerState.ERROR:
            self._set_fetching(False)
            if self._replacing:
                # The old rows are still drawn: kept if they are what was asked for again
                # (the database gone, say), otherwise the list empties as it would have.
                self._replacing = False
                if self._shown_before is None:
                    self._clear()
            elif not self._records and self._shown_before is not None:
                # Loading the same rows again failed (the database gone, say): keep showing
                # what was there rather than an empty list.
                records, row = self._shown_before
                self._append(records)
                self.move_cursor(row=min(row, len(records) - 1))
            self.post_message(self.LoadFailed(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolling close to the bottom loads the next page too."""
        super().watch_scroll_y(old_value, new_value)
        if self.max_scroll_y - new_value <= self.PREFETCH_ROWS:
            self.load_more()

    def cursor_moved(self) -> None:
        """Near the end, load the next page."""
        self._near_the_end()

    def _near_the_end(self) -> None:
        if self._records and self.cursor_row >= len(self._records) - self.PREFETCH_ROWS:
            self.load_more()
