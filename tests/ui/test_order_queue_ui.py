"""The approval queue through Pilot: pending orders oldest first with their ages and lookers, the
preview of the highlighted order, approving with a date and rejecting through the dialogs, an
agent's keys dimmed, the order screen and its ticket both ways, and another desk's decision.

The orders are placed through order_place (tests/order_ui_data.py); what the screen does with
any backend's answers runs on SQLite, the main flows on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from localstripe_server import CARD_SUCCEEDS, attach_test_card
from order_ui_data import (
    SIZE,
    OrderDesk,
    go_to_orders,
    order_desk_session,
    sqlite_order_desk,
    the_queue,
)
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs, wait_for
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp import clock
from deskapp.models import Entity
from deskapp.services.order_decide import approve_order, preview_approval
from deskapp.services.order_payment import mark_order_paid
from deskapp.services.orders import get_order, list_orders
from deskapp.services.presence import lookers, looking_at
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.commands import desk_commands
from screens.order_detail import OrderScreen
from screens.order_dialogs import ApproveOrderDialog, RejectOrderDialog
from screens.order_list import AGENT_NOTE
from screens.order_preview import ApprovalPreviewView
from screens.ticket_detail import TicketScreen
from screens.widgets.choice_bar import ChoiceBar


@pytest.fixture(autouse=True)
def quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """User dirs under tmp_path; no Stripe key; the desk reads the feed every 200 ms."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.delenv("DESKAPP_STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)


@pytest.fixture
def both(desk: str) -> tuple[DeskSession, OrderDesk]:
    """The order desk on each backend, signed in as ann (an admin)."""
    return order_desk_session(desk)


@pytest.fixture
def local(tmp_path: Path, frozen_time: dt.datetime) -> Iterator[tuple[DeskSession, OrderDesk]]:
    """The order desk on SQLite, as ann."""
    yield from sqlite_order_desk(tmp_path)


@pytest.fixture
def agent(tmp_path: Path, frozen_time: dt.datetime) -> Iterator[tuple[DeskSession, OrderDesk]]:
    """The order desk on SQLite, as sam (an agent)."""
    yield from sqlite_order_desk(tmp_path, staff="sam")


def shown(pilot: Pilot[None]) -> list[str]:
    """The order numbers in the queue, in order."""
    return [order.label for order in the_queue(pilot).records.records]


def preview_shown(pilot: Pilot[None]) -> str:
    """The queue's preview pane as the terminal shows it."""
    pane = the_queue(pilot).query_one("#preview", ApprovalPreviewView).region
    lines = screen_text(pilot).splitlines()[pane.y : pane.bottom]
    return "\n".join(line[pane.x : pane.right] for line in lines)


async def open_dialog(pilot: Pilot[None], key: str) -> ApproveOrderDialog | RejectOrderDialog:
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ApproveOrderDialog | RejectOrderDialog)
    return dialog


async def test_pending_orders_oldest_first_with_the_preview(
    both: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = both
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        queue = await go_to_orders(pilot)
        expected = [made.old_request, made.paid, made.new_request, made.card_failed]
        assert shown(pilot) == [order.label for order in expected]
        assert shown(pilot) == [order.label for order in list_orders("pending")]
        preview = preview_approval(made.old_request.id)
        pane = preview_shown(pilot)
        assert made.old_request.label in pane and "Northwind Hosting" in pane
        assert f"{preview.start:%Y-%m-%d} (the default)" in pane
        assert preview.invoice_text[:40] in pane
        await pilot.press("j", "j", "j")  # the card order whose payment failed
        await settle(pilot)
        failed = preview_approval(made.card_failed.id)
        assert failed.problems
        assert failed.problems[0][:40] in preview_shown(pilot)
        assert queue.records.highlighted_record.id == made.card_failed.id


async def test_ages_turn_amber_after_a_day_and_red_after_three(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        queue = await go_to_orders(pilot)
        by_label = {order.label: order for order in queue.records.records}
        red = queue.get_component_rich_style("order-queue--waiting-too-long", partial=True)
        amber = queue.get_component_rich_style("order-queue--waiting-long", partial=True)
        assert red.color != amber.color

        def color(label: str) -> object:
            cell = queue.age_cell(by_label[label])
            return cell.spans[0].style.color if cell.spans else None  # type: ignore[union-attr]

        assert color(made.old_request.label) == red.color
        assert color(made.paid.label) == amber.color
        assert color(made.new_request.label) is None
        assert queue.age_cell(by_label[made.old_request.label]).plain == "5d 0h"


async def test_an_admin_approves_from_a_later_date_through_the_dialog(
    both: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = both
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        await pilot.press("j")  # the order paid two days ago
        await settle(pilot)
        dialog = await open_dialog(pilot, "a")
        assert isinstance(dialog, ApproveOrderDialog)
        field = dialog.query_one("#start", Input)
        paid_on = clock.today() - dt.timedelta(days=2)
        assert field.value == f"{paid_on:%Y-%m-%d}"
        assert f"Default: {paid_on:%Y-%m-%d} (the payment date)." in screen_text(pilot)
        start = clock.today()
        await pilot.press("end", *["backspace"] * 10, *f"{start:%Y-%m-%d}")
        view = dialog.query_one("#dialog-preview", ApprovalPreviewView)
        await wait_for(
            pilot,
            lambda: view.preview is not None and view.preview.start == start,
            what="the preview for the date typed",
        )
        assert view.preview is not None and view.preview.credit_note_cents > 0
        assert "a credit note of" in screen_text(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(pilot.app.screen, ApproveOrderDialog))
        await settle(pilot)
        order = get_order(made.paid.id)
        assert order.status == "Active" and order.start_date == start
        assert any(made.paid.label in notice for notice in notices(pilot))
        assert made.paid.label not in shown(pilot)


async def test_a_start_that_is_not_a_date_is_refused_in_the_dialog(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        dialog = await open_dialog(pilot, "a")
        await pilot.press("end", *["backspace"] * 10, *"14/03")
        await settle(pilot)
        sentence = "“14/03” is not a date: type it as YYYY-MM-DD."
        assert sentence in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert dialog.query_one("#start-error").has_class("-shown")
        assert get_order(made.old_request.id).status == "Pending"


async def test_an_order_another_admin_approved_meanwhile_is_refused_in_the_dialog(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        queue = await go_to_orders(pilot)
        assert "approve" in {command.action for command in desk_commands(queue)}
        dialog = await open_dialog(pilot, "a")
        approve_order(made.bob, made.old_request.id)  # bob, at his desk, was quicker
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert "already approved by Bob Berg" in screen_text(pilot)
        assert get_order(made.old_request.id).decided_by_name == "Bob Berg"


async def test_an_admin_rejects_with_a_reason(local: tuple[DeskSession, OrderDesk]) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        dialog = await open_dialog(pilot, "x")
        assert "No payment was taken: nothing to refund." in screen_text(pilot)
        await pilot.press("enter")  # no reason yet
        await settle(pilot)
        assert "Say why the order is rejected; the client is told." in screen_text(pilot)
        reason = "The address is outside our fibre area."
        await pilot.press(*reason, "enter")
        await wait_for(pilot, lambda: pilot.app.screen is not dialog)
        await settle(pilot)
        order = get_order(made.old_request.id)
        assert order.status == "Rejected" and order.decision_note == reason.rstrip(".")
        assert any(made.old_request.label in notice for notice in notices(pilot))
        assert made.old_request.label not in shown(pilot)


async def test_a_paid_order_is_refunded_where_it_was_paid_from(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        await pilot.press("j")  # paid by bank transfer: the card is not offered
        await settle(pilot)
        dialog = await open_dialog(pilot, "x")
        bar = dialog.query_one("#refund", ChoiceBar)
        assert [value for _, value in bar.choices] == ["credit"]
        await pilot.press(*"Duplicate order.", "enter")
        await wait_for(pilot, lambda: pilot.app.screen is not dialog)
        await settle(pilot)
        assert get_order(made.paid.id).status == "Rejected"


async def test_a_card_refund_without_stripe_says_why_and_credit_is_the_way_out(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    mark_order_paid(
        None,
        made.card_failed.id,
        gateway="stripe",
        method="card",
        reference="pi_paid_meanwhile",
        amount_cents=made.card_failed.total_cents,
        paid_at=clock.now(),
    )
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        await pilot.press("j", "j", "j")  # the card order, paid now
        await settle(pilot)
        dialog = await open_dialog(pilot, "x")
        bar = dialog.query_one("#refund", ChoiceBar)
        assert [value for _, value in bar.choices] == ["card", "credit"]
        await pilot.press(*"Out of our area.", "enter")
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert "card payments are off" in screen_text(pilot)
        await pilot.press("tab", "right", "shift+tab", "enter")  # to credit, and send again
        await wait_for(pilot, lambda: pilot.app.screen is not dialog)
        await settle(pilot)
        order = get_order(made.card_failed.id)
        assert order.status == "Rejected"
        assert f"{made.card_failed.label} rejected, its payment refunded to credit." in notices(
            pilot
        )


async def test_an_agent_reads_the_queue_with_the_decisions_dimmed(
    agent: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = agent
    async with DeskApp(session).run_test(size=SIZE, notifications=True) as pilot:
        queue = await go_to_orders(pilot)
        bindings = queue.active_bindings
        assert not bindings["a"].enabled and not bindings["x"].enabled
        assert "(admins" in bindings["a"].binding.tooltip
        assert AGENT_NOTE in preview_shown(pilot)
        offered = {command.action: command for command in desk_commands(queue)}
        why = "Only an admin can approve or reject an order; ask an admin to do it."
        assert f"Admins only: {why}" in offered["approve"].help  # offered, saying why
        await pilot.press("a", "x")
        await settle(pilot)
        assert pilot.app.screen is queue
        assert notices(pilot).count(why) == 2  # each key says why
        assert get_order(made.old_request.id).status == "Pending"


async def test_enter_opens_the_order_and_t_its_ticket(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, OrderScreen) and screen.order_id == made.old_request.id
        text = screen_text(pilot)
        assert "Fibre 1G" in text and "Installation" in text
        assert f"T-{made.old_request.ticket_number}" in text
        await pilot.press("t")
        await settle(pilot)
        ticket = pilot.app.screen
        assert isinstance(ticket, TicketScreen) and ticket.ticket_id == made.old_request.ticket_id


async def test_o_on_the_ticket_opens_its_order(local: tuple[DeskSession, OrderDesk]) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.app.push_screen(TicketScreen(made.paid.ticket_id))
        await settle(pilot)
        assert f"order {made.paid.label} (o opens it)" in screen_text(pilot)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, OrderScreen))
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, OrderScreen) and screen.order_id == made.paid.id
        assert made.paid.label in screen_text(pilot)


async def test_the_decline_reason_is_inert_and_p_says_why_it_is_off(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = OrderScreen(made.card_failed.id)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        text = screen_text(pilot)
        assert "[bold]insufficient funds" in text
        assert "card payments are off" in text.lower()
        assert not screen.active_bindings["p"].enabled


async def test_another_desk_approving_takes_the_order_off_the_queue(
    local: tuple[DeskSession, OrderDesk],
) -> None:
    session, made = local
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await go_to_orders(pilot)
        assert made.new_request.label in shown(pilot)
        approve_order(made.bob, made.new_request.id)  # another admin, another desk
        await wait_for(
            pilot, lambda: made.new_request.label not in shown(pilot), what="the queue to reload"
        )


async def test_the_queue_names_who_else_is_looking(local: tuple[DeskSession, OrderDesk]) -> None:
    session, made = local
    looking_at(made.bob, Entity.ORDER, made.new_request.id)
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        queue = await go_to_orders(pilot)
        row = next(o for o in queue.records.records if o.id == made.new_request.id)
        assert row.lookers == "Bob Berg"
        assert "Bob Berg" in screen_text(pilot)
        # ann's cursor is on the first order: bob's desk sees her there
        first = made.old_request.id
        assert lookers(Entity.ORDER, [first], made.bob) == {str(first): "Ann Admin"}


async def test_p_retries_a_failed_card_payment_with_stripe(
    local: tuple[DeskSession, OrderDesk], localstripe: str
) -> None:
    session, made = local
    attach_test_card(get_order(made.card_failed.id).client_id, CARD_SUCCEEDS)
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = OrderScreen(made.card_failed.id)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        assert screen.active_bindings["p"].enabled
        await pilot.press("p")
        await wait_for(pilot, lambda: get_order(made.card_failed.id).payment_status == "Successful")
        await settle(pilot)
        assert any(made.card_failed.label in notice for notice in notices(pilot))
        assert "Card paid" in screen_text(pilot)
        assert not screen.active_bindings["p"].enabled  # nothing left to retry
