"""The ticket queue and the mail outbox through Pilot, on SQLite and PostgreSQL (the demo desk,
signed in as sam), and their snapshots (SQLite).

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostile_desk import HOSTILE_SUBJECT, add_hostile_rows
from pilot_helpers import notices, palette_hit, screen_text, settle, use_tmp_user_dirs, wait_for
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList
from ticket_ui_data import (
    SIZE,
    demo_desk,
    go_to_queue,
    shown,
    sqlite_demo,
    the_queue,
)

from deskapp import clock
from deskapp.models import OutboxMail, Ticket
from deskapp.services.outbox import list_outbox
from deskapp.services.session import DeskSession
from deskapp.services.ticket_actions import change_status
from deskapp.services.ticket_open import list_departments
from deskapp.services.tickets import QueueFilter, count_queue, list_queue
from screens import ticket_list
from screens.app import DeskApp
from screens.commands import desk_commands
from screens.outbox_list import MailDecisionDialog, OutboxScreen
from screens.queue_picker import QueuePicker
from screens.ticket_list import TicketListScreen
from screens.widgets import search_box
from screens.widgets.choice_bar import ChoiceBar


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences and logs under tmp_path; a 10 ms search debounce keeps the tests quick."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(search_box, "SEARCH_DELAY", 0.01)


@pytest.fixture
def session(desk: str) -> DeskSession:
    """The demo desk on each backend, signed in as sam (an agent with tickets of his own)."""
    return demo_desk(desk)


@pytest.fixture
def local(tmp_path: Path, frozen_time: dt.datetime) -> Iterator[DeskSession]:
    """The demo desk on SQLite only, as sam: for what the screen does with any backend's
    answers (the services are tested on both)."""
    yield from sqlite_demo(tmp_path)


def first_page(pilot: Pilot[None], **narrowing: object) -> list[str]:
    """The labels of the queue's first page for `narrowing`, as the service lists them."""
    actor = pilot.app.session.actor  # type: ignore[attr-defined]
    queue_filter = QueueFilter(staff_id=actor.id, **narrowing)  # type: ignore[arg-type]
    return [ticket.label for ticket in list_queue(queue_filter, limit=50)]


async def pick(pilot: Pilot[None], key: str, label: str) -> None:
    """Open the picker under `key` and choose the line `label`."""
    await pilot.press(key)
    await settle(pilot)
    picker = pilot.app.screen
    assert isinstance(picker, QueuePicker)
    labels = [text.plain for text, _ in picker.choices]
    now = picker.query_one(OptionList).highlighted or 0  # the current choice
    step = labels.index(label) - now
    await pilot.press(*["down" if step > 0 else "up"] * abs(step), "enter")
    await settle(pilot)


async def test_views_show_their_counts_and_switch(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        views = ("open", "completed", "all")
        counts = {view: count_queue(QueueFilter(view=view)) for view in views}
        assert counts["open"] + counts["completed"] == counts["all"] > 0
        bar = queue.query_one("#filter", ChoiceBar)
        assert [label for label, _ in bar.choices] == [
            f"Open {counts['open']}",
            f"Completed {counts['completed']}",
            f"All {counts['all']}",
        ]
        assert shown(pilot) == first_page(pilot, view="open")
        assert "Completed" not in {t.status for t in queue.records.records}
        text = screen_text(pilot)
        assert f"Open {counts['open']}" in text
        assert "Anyone's · every department · any priority · sorted by last activity" in text
        await pilot.press("slash", "shift+tab", "right")  # the view choice: Completed
        await settle(pilot)
        assert {t.status for t in queue.records.records} == {"Completed"}
        assert shown(pilot) == first_page(pilot, view="completed")
        await pilot.press("escape", "v")  # v cycles the view too: All
        await settle(pilot)
        assert queue.filter_value == "all"
        assert shown(pilot) == first_page(pilot, view="all")


async def test_mine_unassigned_and_anyone(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        everyone = shown(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert shown(pilot) == first_page(pilot, assignee="mine") != []
        assert {t.assignee for t in queue.records.records} == {local.actor.name}
        assert screen_text(pilot).count("Mine · every department") == 1
        bar = queue.query_one("#filter", ChoiceBar)
        assert bar.choices[0][0] == f"Open {count_queue(queue.queue_filter('open'))}"
        await pilot.press("m")
        await settle(pilot)
        assert shown(pilot) == first_page(pilot, assignee="unassigned") != []
        assert {t.assignee for t in queue.records.records} == {""}
        assert "Unassigned · every department" in screen_text(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert shown(pilot) == everyone


async def test_department_and_priority_pickers_narrow_the_queue(local: DeskSession) -> None:
    billing = next(d for d in list_departments() if d.name == "Billing")
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        await pick(pilot, "d", "Billing")
        assert {t.department for t in queue.records.records} == {"Billing"}
        assert shown(pilot) == first_page(pilot, department_id=billing.id)
        await pick(pilot, "p", "Medium")
        assert {(t.department, t.priority) for t in queue.records.records} == {
            ("Billing", "Medium")
        }
        assert shown(pilot) == first_page(pilot, department_id=billing.id, priority="Medium")
        text = screen_text(pilot)
        assert "Anyone's · Billing · Medium · sorted by last activity" in text
        await pilot.press("d", "escape")  # a picker closed without a choice changes nothing
        await settle(pilot)
        assert queue.narrowing.department_id == billing.id
        await pick(pilot, "d", "Every department")
        await pick(pilot, "p", "Any priority")
        assert shown(pilot) == first_page(pilot, view="open")


async def test_sort_cycles_through_activity_age_and_waiting(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        activity = [t.last_activity_at for t in queue.records.records]
        assert activity == sorted(activity, reverse=True)
        await pilot.press("s")
        await settle(pilot)
        created = [t.created_at for t in queue.records.records]
        assert created == sorted(created) and shown(pilot) == first_page(pilot, sort="age")
        assert "sorted by age" in screen_text(pilot)
        await pilot.press("s")
        await settle(pilot)
        waiting = [t.waiting_since for t in queue.records.records if t.waiting_since]
        assert waiting == sorted(waiting) and shown(pilot) == first_page(pilot, sort="waiting")
        assert queue.records.records[0].waiting_since is not None  # the longest wait on top
        assert "sorted by waiting" in screen_text(pilot)


async def test_long_waits_stand_out(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        now = clock.now()
        for ticket in queue.records.records:
            waited = ticket.waiting(now)
            style = queue.waiting_cell(ticket).spans
            if waited is not None and waited > ticket_list.WAIT_ERROR:
                assert style and style[0].style == queue.get_component_rich_style(
                    "queue--waiting-too-long", partial=True
                )
            elif waited is None or waited <= ticket_list.WAIT_WARNING:
                assert not style
        assert any(
            (t.waiting(now) or dt.timedelta(0)) > ticket_list.WAIT_WARNING
            for t in queue.records.records
        )


async def test_search_by_ticket_number_and_by_words(session: DeskSession) -> None:
    wanted = list_queue(QueueFilter(view="completed"), limit=30)[-1]
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        await pilot.press("slash", *wanted.label)
        await settle(pilot)
        # The open view holds no completed ticket; the count line says where the number is.
        assert shown(pilot) == []
        await wait_for(pilot, lambda: "Completed has 1 (v)." in screen_text(pilot))
        assert f"No open tickets match “{wanted.label}”." in screen_text(pilot)
        queue.show_view("completed")
        await settle(pilot)
        assert shown(pilot) == [wanted.label]
        assert f"Showing 1 completed ticket matching “{wanted.label}”" in screen_text(pilot)
        queue.search_box.value = ""
        await pilot.press(*str(wanted.number))
        await settle(pilot)
        assert shown(pilot) == [wanted.label]
        queue.search_box.value = ""
        await settle(pilot)
        assert len(shown(pilot)) > 1


async def test_enter_opens_the_ticket_and_the_queue_reloads_on_return(
    local: DeskSession,
) -> None:
    from screens.ticket_detail import TicketScreen

    async with DeskApp(local).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        await pilot.press("j", "j")
        chosen = queue.records.highlighted_record
        assert chosen is not None and chosen.status != "Answered"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TicketScreen)
        assert pilot.app.screen.ticket_id == chosen.id
        change_status(local.actor, chosen.id, "Answered")  # as a reply would
        pilot.app.pop_screen()
        await settle(pilot)
        assert the_queue(pilot) is queue
        again = queue.records.highlighted_record
        assert again is not None and again.id == chosen.id and again.status == "Answered"


async def test_hostile_subjects_show_literally(local: DeskSession) -> None:
    add_hostile_rows()
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        queue = await go_to_queue(pilot)
        await pilot.press("slash", *"rebooting")
        await settle(pilot)
        await pilot.press("shift+tab", "right", "right")  # every view
        await settle(pilot)
        hostile = [t for t in queue.records.records if t.subject == HOSTILE_SUBJECT]
        assert hostile
        text = screen_text(pilot)
        assert text.count("[/b] Router [@click=app.…") == len(hostile) == 2  # 25 characters
        assert "Fox [/b] Consul…" in text and "[@click=app.qui…" in text  # the clients' names
        assert "\x1b" not in text
        await pilot.press("escape")
        await pilot.click("#records", offset=(12, 1))
        assert pilot.app.is_running


async def test_a_clients_tickets_open_from_the_client_screen(local: DeskSession) -> None:
    from screens.client_detail import ClientScreen

    some = Ticket.select().where(Ticket.status != "Completed").order_by(Ticket.number).first()
    client_id = some.client_id
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        pilot.app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        queue = the_queue(pilot)
        assert queue.client_id == client_id and some.id in {t.id for t in queue.records.records}
        assert {t.client_id for t in queue.records.records} == {client_id}
        assert f"Tickets · {queue.client_label}" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientScreen)


async def test_palette_offers_new_ticket_outbox_and_queue_views(local: DeskSession) -> None:
    async with DeskApp(local).run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in desk_commands(pilot.app.screen)]
        wanted = {"New ticket", "Outbox", "Open tickets", "Completed tickets", "All tickets"}
        assert wanted <= set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"Completed tickets")
        await wait_for(
            pilot, lambda: "Completed tickets" in palette_hit(pilot), what="the palette's hit"
        )
        await pilot.press("enter")
        await settle(pilot)
        queue = the_queue(pilot)
        assert pilot.app.current_mode == "tickets" and queue.filter_value == "completed"
        assert {t.status for t in queue.records.records} == {"Completed"}
        on_queue = [command.title for command in desk_commands(pilot.app.screen)]
        assert "New" in on_queue and "New ticket" not in on_queue  # the key's entry, once
        assert on_queue.count("Outbox") == 1


def add_mail(status: str, error: str = "", subject: str = "[T-20001] Your router") -> None:
    """One outbox row (tests may use models)."""
    now = clock.now()
    count = OutboxMail.select().count()
    OutboxMail.create(
        to_address=f"person{count}@example.net",
        subject=subject,
        body="Hello",
        message_id=f"<test-{count}@deskapp>",
        status=status,
        attempts=3 if error else 0,
        next_attempt_at=now + dt.timedelta(minutes=5),
        last_error=error,
        created_at=now - dt.timedelta(minutes=10 - count),  # the last added is the newest
    )


async def test_outbox_lists_mail_and_resends_after_asking_and_tells_an_agent_why_not_discard(
    local: DeskSession,
) -> None:
    OutboxMail.delete().execute()
    add_mail("sent")
    add_mail("uncertain", "The sender stopped while handing the mail over.")
    add_mail("failed", "550 5.1.1 User unknown", subject="[@click=app.quit]x\x1b]0;t\x07")
    async with DeskApp(local).run_test(size=SIZE, notifications=True) as pilot:
        await go_to_queue(pilot)
        await pilot.press("o")
        await settle(pilot)
        outbox = pilot.app.screen
        assert isinstance(outbox, OutboxScreen)
        text = screen_text(pilot)
        assert "All 3" in text and "Failed 1" in text and "Uncertain 1" in text
        assert "[@click=app.quit]x␛]0;t" in text and "\x1b" not in text
        assert "Last error: 550 5.1.1 User unknown" in text  # the newest, highlighted
        await pilot.press("x")  # sam is an agent: discarding is an admin's
        await wait_for(pilot, lambda: notices(pilot), what="the refusal of x")
        assert notices(pilot) == [
            "Only an admin can discard a mail of the outbox; ask an admin to do it."
        ]
        assert pilot.app.screen is outbox  # nothing asked
        assert [m.status for m in list_outbox()] == ["failed", "uncertain", "sent"]
        await pilot.press("s")  # the failed one: asked, and said no
        await settle(pilot)
        assert isinstance(pilot.app.screen, MailDecisionDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert [m.status for m in list_outbox()] == ["failed", "uncertain", "sent"]
        await pilot.press("j", "s")  # the uncertain one: send it again
        await settle(pilot)
        assert "may deliver it twice" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert [m.status for m in list_outbox()] == ["failed", "queued", "sent"]
        await pilot.press("j")  # sent mail: neither key is offered
        assert outbox.check_action("resend", ()) is None
        assert outbox.check_action("discard", ()) is None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TicketListScreen)


# -- snapshots ----------------------------------------------------------------------------


def in_queue(*keys: str) -> Callable[[Pilot[None]], object]:
    """Go to the queue, press `keys`, wait for the list."""

    async def run(pilot: Pilot[None]) -> None:
        await go_to_queue(pilot)
        the_queue(pilot).search_box.cursor_blink = False
        if keys:
            await pilot.press(*keys)
            await settle(pilot)

    return run


class TestQueueSnapshots:
    """The queue as a shift starts it, and narrowed to one's own tickets by waiting."""

    def test_queue(self, snap_compare, local: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(local)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_queue())

    def test_queue_mine_by_waiting(self, snap_compare, local: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(local)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_queue("m", "s", "s"))
