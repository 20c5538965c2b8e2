"""Two desks on one shared PostgreSQL desk, in one test: what one agent does shows on the other's
screen by itself, through the change feed and PostgreSQL's notifications: the reply in the
other's queue and open conversation, and who is replying while they type.

Each DeskApp runs under its own Pilot in a task of its own (`DeskAtWork`): Textual finds "the
app" of a widget through a context variable that `run_test` sets for the task using it, so two
apps driven from one task would answer each other's screens. Each task has its own copy of the
context, so each desk's screens find their own app.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from signed_in import open_as
from textual.pilot import Pilot
from ticket_screen_data import open_ticket
from ticket_ui_data import SIZE, go_to_queue

from deskapp.db import db, feed
from deskapp.demo import load_demo
from deskapp.services.presence import Activity, Present
from deskapp.services.tickets import TicketSummary
from screens.app import DeskApp
from screens.ticket_detail import TicketScreen

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
"""Two desks share a PostgreSQL database (a local file is one person's desk)."""

SHOWS_WITHIN = 1.0
"""Seconds another desk may take to show a change (the bound of each wait, not a timing)."""
SAM_REPLYING = Present("Sam Okoye", Activity.REPLYING)
"""What kim's queue shows on the ticket while sam writes."""

T = TypeVar("T")
Step = Callable[[Pilot[None]], Awaitable[None]]
"""Something to do on one desk, under its Pilot."""


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences, logs and drafts under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)


class DeskAtWork:
    """One desk running under its Pilot in a task of its own; `do` runs a step on it there."""

    def __init__(self, app: DeskApp) -> None:
        self.app = app
        self._steps: asyncio.Queue[tuple[asyncio.Future[Any], Callable[..., Awaitable[Any]]]]
        self._steps = asyncio.Queue()
        self._task = asyncio.create_task(self._work(), name=f"desk of {app.session.actor.name}")

    async def _work(self) -> None:
        async with self.app.run_test(size=SIZE) as pilot:
            while True:
                done, step = await self._steps.get()
                if done.cancelled():
                    continue
                try:
                    done.set_result(await step(pilot))
                except Exception as error:  # noqa: BLE001 - handed to the test's task
                    done.set_exception(error)
                if step is _leave:
                    return

    async def do(self, step: Callable[[Pilot[None]], Awaitable[T]]) -> T:
        """Run `step(pilot)` in this desk's task and return what it returns (or raise)."""
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._steps.put((done, step))
        waiting = asyncio.ensure_future(done)
        finished, _ = await asyncio.wait({waiting, self._task}, return_when="FIRST_COMPLETED")
        if waiting not in finished:  # the desk stopped (its app failed): say why
            waiting.cancel()
            self._task.result()
            raise AssertionError(f"{self.app.session.actor.name}'s desk stopped")
        return waiting.result()

    async def close(self) -> None:
        """Leave the app and wait for it to shut down."""
        if not self._task.done():
            await self.do(_leave)
        await self._task


async def _leave(pilot: Pilot[None]) -> None:
    await settle(pilot)


@pytest.fixture
def desks(desk: str) -> Iterator[tuple[DeskApp, DeskApp]]:
    """The demo desk, opened as sam at one desk and as kim at another."""
    load_demo()
    yield DeskApp(open_as(desk, "sam")), DeskApp(open_as(desk, "kim"))


def listening_desks() -> int:
    """How many connections to this database wait for the feed's notifications."""
    row = db.execute_sql(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND state = 'idle' AND query = %s",
        (f"LISTEN {feed.CHANNEL}",),
    ).fetchone()
    return int(row[0])


async def start_reply(pilot: Pilot[None], text: str) -> None:
    """On the open ticket: r and the text (as a paste puts it in), not sent yet."""
    screen = pilot.app.screen
    assert isinstance(screen, TicketScreen)
    await pilot.press("r")
    await settle(pilot)
    screen.composer.text_area.insert(text)
    await pilot.pause()


async def send(pilot: Pilot[None], text: str) -> None:
    """ctrl+s; back once the reply shows as sent on this desk."""
    screen = pilot.app.screen
    assert isinstance(screen, TicketScreen)
    await pilot.press("ctrl+s")
    await wait_for(
        pilot,
        lambda: any(m.body.startswith(text) for m in screen.conversation.messages),
        what="the reply sent",
    )


def within_a_second(condition: Callable[[], object], what: str) -> Step:
    """A step: wait until `condition()` holds, failing after SHOWS_WITHIN seconds."""
    return lambda pilot: wait_for(pilot, condition, SHOWS_WITHIN, what)


def shows(text: str) -> Step:
    """A step: wait until the desk's screen shows `text`, failing after SHOWS_WITHIN seconds."""
    return lambda pilot: wait_for(pilot, lambda: text in screen_text(pilot), SHOWS_WITHIN, text)


async def test_a_reply_at_one_desk_shows_in_the_others_queue_and_open_conversation(
    desks: tuple[DeskApp, DeskApp],
) -> None:
    sam, kim = (DeskAtWork(app) for app in desks)
    first = "The mailboxes are moved; please try now."
    second = "One more thing: the old password works."
    try:
        # Kim watches the queue while sam opens a ticket of it, not answered yet, and writes.
        queue = await kim.do(go_to_queue)
        await kim.do(lambda pilot: wait_for(pilot, lambda: listening_desks() >= 2))

        before = next(t for t in queue.records.records if t.status != "Answered")
        assert not before.present

        def in_kim_queue() -> TicketSummary:
            """The ticket's row in kim's queue (a blank one while the queue loads again)."""
            rows = (t for t in queue.records.records if t.id == before.id)
            return next(rows, None) or dataclasses.replace(before, status="", present=())

        await sam.do(lambda pilot: open_ticket(pilot, before.label))
        await sam.do(lambda pilot: start_reply(pilot, first))
        await kim.do(
            within_a_second(
                lambda: in_kim_queue().present == (SAM_REPLYING,), "sam replying, in the queue"
            )
        )
        await sam.do(lambda pilot: send(pilot, first))
        await kim.do(
            within_a_second(
                lambda: in_kim_queue().status == "Answered", "sam's reply, in the queue"
            )
        )

        # Kim opens the ticket; sam writes again.
        screen = await kim.do(lambda pilot: open_ticket(pilot, before.label))
        await kim.do(shows("Sam Okoye is viewing"))
        await sam.do(lambda pilot: start_reply(pilot, second))
        await kim.do(shows("Sam Okoye is replying"))
        await sam.do(lambda pilot: send(pilot, second))
        await kim.do(
            within_a_second(
                lambda: any(
                    m.body.startswith(second) and m.author == "Sam Okoye"
                    for m in screen.conversation.messages
                ),
                "sam's reply, in kim's open conversation",
            )
        )
        await kim.do(shows("Sam Okoye is viewing"))  # the composer closed
    finally:
        await sam.close()
        await kim.close()
