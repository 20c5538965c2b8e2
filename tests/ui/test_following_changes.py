"""Other desks' changes reach an open desk through the change feed (deskapp.services.changes):
the ticket queue, an open ticket, the client list and the credit ledger show what another agent
or an incoming mail did, without a key press, on SQLite and PostgreSQL; a reader's place and
typed text stay as they were."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from pilot_helpers import notices, settle, use_tmp_user_dirs, wait_for
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static
from ticket_screen_data import demo_app, open_ticket
from ticket_ui_data import go_to_queue

from deskapp import clock
from deskapp.db import db, feed
from deskapp.models import ChangeEvent, Staff
from deskapp.services.actors import actor_from
from deskapp.services.changes import (
    Change,
    FeedPlace,
    changes_after,
    latest_change,
    start_following,
)
from deskapp.services.clients import find_client_by_number, get_client, update_client
from deskapp.services.conversation import find_ticket, record_client_message
from deskapp.services.credit import add_credit
from deskapp.services.ticket_actions import change_status, set_priority
from deskapp.services.tickets import QueueFilter, list_queue
from screens.app import DeskApp
from screens.client_list import ClientListScreen
from screens.ledger_list import LedgerListScreen


@pytest.fixture(autouse=True)
def quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """User dirs under tmp_path; the desk asks the feed every 200 ms instead of every second.
    (Not much more often: Pilot waits for the app to be idle after each key, which a timer
    firing every 20 ms made take over a second a key.)"""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)


def kim() -> object:
    """Another agent of the demo desk, at another desk."""
    return actor_from(Staff.get(Staff.username == "kim"))


def has_read(app: DeskApp, change_id: int) -> bool:
    """Whether the desk has read the feed up to `change_id` (and told its screens)."""
    return app._last_change is not None and app._last_change >= change_id


def listening() -> bool:
    """Whether a connection to this PostgreSQL database waits for the feed's notifications."""
    row = db.execute_sql(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND state = 'idle' AND query = %s",
        (f"LISTEN {feed.CHANNEL}",),
    ).fetchone()
    return bool(row[0])


def test_the_feed_lists_changes_in_order_after_a_point(desk: str) -> None:
    demo_app(desk)  # loads the demo
    start = latest_change()
    ticket = find_ticket("T-20056")
    set_priority(kim(), ticket.id, "Urgent")
    change_status(kim(), ticket.id, "On Hold")
    changes = changes_after(start)
    assert [c.entity for c in changes] == ["ticket", "ticket"]
    assert {c.entity_id for c in changes} == {str(ticket.id)}
    assert changes[0].id < changes[1].id and all(isinstance(c, Change) for c in changes)
    assert changes_after(changes[-1].id) == []
    assert changes_after(start, limit=1) == changes[:1]


async def test_the_queue_shows_another_agents_change_and_keeps_the_cursor(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await go_to_queue(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        kept = queue.records.highlighted_record
        assert kept is not None
        first = queue.records.records[0]
        assert first.priority != "Urgent"

        set_priority(kim(), first.id, "Urgent")  # another desk, another connection

        def shows_it() -> bool:
            return any(t.id == first.id and t.priority == "Urgent" for t in queue.records.records)

        await wait_for(pilot, shows_it, what="the new priority")
        await settle(pilot)
        assert queue.records.highlighted_record is not None
        assert queue.records.highlighted_record.id == kept.id  # the cursor stayed on its ticket


async def test_an_open_ticket_shows_a_message_that_came_in_and_keeps_the_draft(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Thanks, looking")
        typed = screen.composer.text

        record_client_message(screen.ticket_id, "One more thing: the invoice address changed.")

        def shows_it() -> bool:
            bodies = [m.body for m in screen.conversation.messages]
            return "One more thing: the invoice address changed." in bodies

        await wait_for(pilot, shows_it, what="the client's new message")
        await wait_for(
            pilot, lambda: screen.ticket.status == "Customer-Reply", what="the new status"
        )
        assert screen.composer.text == typed  # the reply being written is untouched


async def test_a_list_not_on_screen_loads_again_when_shown(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await go_to_queue(pilot)
        await pilot.press("1")  # to the clients
        await settle(pilot)
        chosen = list_queue(QueueFilter(staff_id=app.session.actor.id), limit=1)[0]
        change_status(kim(), chosen.id, "On Hold")
        seen = latest_change()
        await wait_for(pilot, lambda: has_read(app, seen), what="the change, while away")
        await pilot.press("2")
        await wait_for(
            pilot,
            lambda: any(t.id == chosen.id and t.status == "On Hold" for t in queue.records.records),
            what="the change on return",
        )


async def test_a_failing_feed_says_nothing_and_is_asked_again(
    desk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(desk)
    calls: list[int] = []

    def broken(place: FeedPlace, limit: int = 500) -> tuple[list[Change], FeedPlace]:
        calls.append(place.after)
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr("deskapp.services.changes.changes_since", broken)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: len(calls) >= 3, what="the feed asked again and again")
        assert not notices(pilot)  # and never a notice for it (the header tells)


async def test_the_queue_reads_its_first_page_once_and_follows_once(
    desk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual calls each class's on_mount: a screen's own must not call its base's too."""
    from screens import queue_narrowing

    pages: list[object] = []
    real = queue_narrowing.list_queue

    def counted(*args: object, **kwargs: object) -> object:
        pages.append(kwargs.get("after"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queue_narrowing, "list_queue", counted)
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await go_to_queue(pilot)
        assert pages == [None]  # one first page
        change_status(kim(), queue.records.records[0].id, "On Hold")
        await wait_for(pilot, lambda: len(pages) >= 2, what="a reload")
        await settle(pilot)
        assert pages == [None, None]  # one reload for one change


async def test_an_open_client_and_its_ledger_show_credit_another_desk_added(desk: str) -> None:
    from deskapp.services import credit
    from deskapp.services.clients import find_client_by_number
    from screens.client_detail import ClientScreen
    from screens.client_ledger import ClientLedgerScreen

    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        client = find_client_by_number("C-1004")
        assert client is not None
        screen = ClientScreen(client.id)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.profile is not None, what="the client")
        before = screen.profile.credit_cents  # type: ignore[union-attr]

        credit.add_credit(kim(), client.id, "12.50", "Goodwill for the outage")
        await wait_for(
            pilot,
            lambda: screen.profile.credit_cents == before + 1250,  # type: ignore[union-attr]
            what="the new credit on the client",
        )

        credit.add_credit(kim(), client.id, "0.50", "Another goodwill")
        ledger = ClientLedgerScreen(client.id)
        await app.push_screen(ledger)
        await settle(pilot)
        entries = len(ledger.entries.records)
        assert entries >= 2
        await pilot.press("j")  # the reader moves to the second entry
        kept = ledger.entries.highlighted_record
        credit.add_credit(kim(), client.id, "1.00", "A second goodwill")
        await wait_for(
            pilot, lambda: len(ledger.entries.records) == entries + 1, what="the new entry"
        )
        await wait_for(
            pilot,
            lambda: getattr(ledger.entries.highlighted_record, "id", None) == kept.id,
            what="the cursor back on the reader's entry",
        )


async def test_a_shared_desk_hears_a_change_at_once(
    desk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL notifies the open desks of each commit: with reading now and then slowed to
    once a minute, another agent's change still shows within a second or two."""
    if not desk.startswith("postgresql"):
        pytest.skip("notifications are PostgreSQL's; a local file's desks read the feed")
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 60.0)
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await go_to_queue(pilot)
        await wait_for(pilot, listening, what="the listening connection")
        first = queue.records.records[0]
        change_status(kim(), first.id, "On Hold")
        await wait_for(
            pilot,
            lambda: any(t.id == first.id and t.status == "On Hold" for t in queue.records.records),
            what="the change, notified",
        )


async def test_the_client_list_shows_another_desks_edit_of_a_client_it_shows(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        clients = app.screen
        assert isinstance(clients, ClientListScreen)
        shown = clients.records.records[2]
        profile = get_client(shown.id)

        update_client(kim(), shown.id, profile.version, {"company": "Renamed By Kim Ltd"})

        await wait_for(
            pilot,
            lambda: any(c.company == "Renamed By Kim Ltd" for c in clients.records.records),
            what="the new company",
        )
        # Another client's edit is not this list's business; an added client is.
        unseen = str(uuid.uuid4())
        assert not clients.shows_change(Change(1, "client", unseen, "updated"))
        assert clients.shows_change(Change(2, "client", unseen, "created"))
        assert not clients.shows_change(Change(3, "ticket", str(shown.id), "updated"))


async def test_the_ledger_shows_credit_another_desk_added(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        ledger = app.screen
        assert isinstance(ledger, LedgerListScreen)
        client = find_client_by_number("C-1005")
        assert client is not None

        add_credit(kim(), client.id, 1234, "Goodwill from another desk")

        await wait_for(
            pilot,
            lambda: (
                [e.description for e in ledger.records.records[:1]]
                == ["Goodwill from another desk"]
            ),  # newest first (the list is empty while reloading)
            what="the new credit entry",
        )


def feed_at(*ages: dt.timedelta) -> list[int]:
    """The feed emptied, then one change at each age before now; returns their ids."""
    ChangeEvent.delete().execute()
    now = clock.now()
    return [
        ChangeEvent.create(entity="client", entity_id=str(n), action="updated", at=now - age).id
        for n, age in enumerate(ages)
    ]


def kept() -> list[int]:
    """The ids of the changes the feed holds."""
    return [event.id for event in ChangeEvent.select().order_by(ChangeEvent.id)]


def test_the_feed_keeps_a_week_of_changes(desk: str) -> None:
    six_days, now = feed_at(dt.timedelta(days=8), dt.timedelta(days=6), dt.timedelta(0))[1:]
    assert start_following() == now
    assert kept() == [six_days, now]
    assert [c.id for c in changes_after(0)] == [six_days, now]


def test_the_feed_prunes_in_batches(desk: str) -> None:
    *old, recent = feed_at(
        *[dt.timedelta(days=30)] * 7, dt.timedelta(days=7, seconds=1), dt.timedelta(0)
    )
    assert feed.prune(clock.now() - dt.timedelta(days=7), batch=3) == len(old)
    assert kept() == [recent]
    assert feed.prune(clock.now() - dt.timedelta(days=7)) == 0


async def test_a_desk_starting_up_prunes_the_feed(desk: str) -> None:
    app = demo_app(desk)  # loads the demo (whose changes are all of now)
    old, six_days = feed_at(dt.timedelta(days=8), dt.timedelta(days=6))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app._last_change is not None, what="following to start")
        assert app._last_change == six_days
    assert old not in kept() and six_days in kept()


class Dialog(ModalScreen[None]):
    """Any dialog over a list."""

    def compose(self) -> ComposeResult:
        yield Static("A dialog")


async def test_a_list_under_a_dialog_shows_a_change_once_the_dialog_closes(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        queue = await go_to_queue(pilot)
        chosen = queue.records.records[0]
        assert chosen.status != "On Hold"
        await app.push_screen(Dialog())
        await settle(pilot)

        change_status(kim(), chosen.id, "On Hold")
        seen = latest_change()
        await wait_for(pilot, lambda: has_read(app, seen), what="the change read under the dialog")
        await settle(pilot)
        statuses = {t.id: t.status for t in queue.records.records}
        assert statuses[chosen.id] != "On Hold"  # not loaded again while covered

        app.pop_screen()
        await wait_for(
            pilot,
            lambda: any(t.id == chosen.id and t.status == "On Hold" for t in queue.records.records),
            what="the change once the dialog closed",
        )
