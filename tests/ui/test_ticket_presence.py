"""Who else is on a ticket, through Pilot on both backends: the conversation names who is
viewing or replying, the queue marks the ticket, both follow another desk within the feed's
poll, this desk says it is replying while its reply composer is open, and a desk gone longer
than presence.WINDOW drops out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from ticket_screen_data import demo_app, open_ticket
from ticket_ui_data import go_to_queue

from deskapp import clock
from deskapp.models import Staff
from deskapp.services.actors import Actor, actor_from
from deskapp.services.changes import Entity
from deskapp.services.conversation import find_ticket
from deskapp.services.presence import WINDOW, Activity, Present, leave, looking_at, present_on
from screens.app import DeskApp


@pytest.fixture(autouse=True)
def quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """User dirs under tmp_path; the feed is read every 200 ms."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)


def kim() -> Actor:
    """Another agent of the demo desk, at another desk."""
    return actor_from(Staff.get(Staff.username == "kim"))


async def test_the_conversation_names_who_else_is_there(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        assert "is viewing" not in screen_text(pilot)

        looking_at(kim(), Entity.TICKET, screen.ticket_id)
        await wait_for(pilot, lambda: "Kim Larsen is viewing" in screen_text(pilot), what="kim")
        looking_at(kim(), Entity.TICKET, screen.ticket_id, Activity.REPLYING)
        await wait_for(pilot, lambda: "Kim Larsen is replying" in screen_text(pilot), what="reply")
        leave(kim())
        await wait_for(pilot, lambda: "Kim Larsen" not in screen_text(pilot), what="kim gone")


async def test_this_desk_says_it_is_replying_while_the_composer_is_open(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        sam = Present("Sam Okoye", Activity.VIEWING)

        def seen_by_kim() -> tuple[Present, ...]:
            return present_on(Entity.TICKET, [screen.ticket_id], kim().id).get(
                str(screen.ticket_id), ()
            )

        await wait_for(pilot, lambda: seen_by_kim() == (sam,), what="sam viewing")
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: seen_by_kim() == (Present("Sam Okoye", Activity.REPLYING),),
            what="sam replying",
        )
        await pilot.press("escape")  # the composer closes (the draft kept)
        await wait_for(pilot, lambda: seen_by_kim() == (sam,), what="sam viewing again")
        await pilot.press("escape")  # back to where it was opened
        await wait_for(pilot, lambda: seen_by_kim() == (), what="sam gone")


async def test_the_queue_marks_a_ticket_someone_is_replying_to(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await go_to_queue(pilot)
        first = queue.records.records[0]
        looking_at(kim(), Entity.TICKET, first.id, Activity.REPLYING)

        def marked() -> bool:
            return any(t.id == first.id and t.present for t in queue.records.records)

        await wait_for(pilot, marked, what="the mark")
        await settle(pilot)
        assert "✎Kim" in screen_text(pilot)
        leave(kim())
        await wait_for(pilot, lambda: not marked(), what="the mark gone")
        await settle(pilot)
        assert "✎Kim" not in screen_text(pilot)


async def test_a_desk_gone_longer_than_the_window_drops_out(
    desk: str, frozen_time: dt.datetime
) -> None:
    app = demo_app(desk)
    ticket = find_ticket("T-20056")
    looking_at(kim(), Entity.TICKET, ticket.id, Activity.REPLYING)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        await wait_for(pilot, lambda: "Kim Larsen is replying" in screen_text(pilot), what="kim")
        clock.set_clock(clock.frozen_clock(frozen_time + WINDOW + dt.timedelta(seconds=1)))
        try:
            screen.presence.announce()  # what the renewal does every RENEW_SECONDS
            await wait_for(pilot, lambda: "Kim Larsen" not in screen_text(pilot), what="gone")
        finally:
            clock.set_clock(clock.frozen_clock(frozen_time))
