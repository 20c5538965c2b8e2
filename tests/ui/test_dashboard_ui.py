"""The dashboard on the demo desk: reached from the palette, showing desk_today()'s figures,
each line opening the list behind it, following other desks' changes and reading again on `r`.
Screen behaviour only: SQLite."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from pathlib import Path

import pytest
from pilot_helpers import notices, palette_hit, settle, use_tmp_user_dirs, wait_for
from textual.pilot import Pilot
from ticket_screen_data import demo_app

from deskapp.models import Invoice
from deskapp.services.dashboard import FigureKey, desk_today, figures_of
from deskapp.services.incoming_mail import import_message
from deskapp.services.outbox import OutboxStatus
from screens.dashboard import NO_LIST, DashboardScreen
from screens.mail_triage import UnassignedMailScreen
from screens.order_list import OrderListScreen
from screens.outbox_list import OutboxScreen
from screens.ticket_list import TicketListScreen
from screens.widgets.record_list import RecordList

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts, preferences and logs go under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


async def open_dashboard(pilot: Pilot[None]) -> DashboardScreen:
    """The dashboard from the palette, its figures read."""
    await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"dashboard")
    await wait_for(
        pilot, lambda: palette_hit(pilot).startswith("Dashboard"), what="the palette entry"
    )
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, DashboardScreen) and pilot.app.screen.today,
        what="the dashboard's figures",
    )
    screen = pilot.app.screen
    assert isinstance(screen, DashboardScreen)
    return screen


def shown(screen: DashboardScreen, list_id: str) -> list[object]:
    return list(screen.query_one(list_id, RecordList).records)


async def test_the_palette_opens_the_figures_the_service_reads(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)

        today = desk_today()
        assert shown(screen, "#waiting") == list(today.waiting)
        assert shown(screen, "#figures") == list(figures_of(today))
        assert [w.department for w in today.waiting] == [
            "Support",
            "Billing",
            "Outage",
            "Orders",
            "Sales",
        ]
        await pilot.press("escape")
        await settle(pilot)
        assert not any(isinstance(s, DashboardScreen) for s in pilot.app.screen_stack)


async def test_a_department_opens_its_queue_sorted_by_waiting(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        billing = shown(screen, "#waiting")[1]

        await pilot.press("j", "enter")
        await settle(pilot)

        queue = pilot.app.screen
        assert isinstance(queue, TicketListScreen) and queue.client_id is None
        assert (queue.filter_value, queue.narrowing.sort) == ("open", "waiting")
        assert queue.narrowing.department_id == billing.department_id  # type: ignore[attr-defined]
        assert not any(isinstance(s, DashboardScreen) for s in pilot.app.screen_stack)


async def test_unassigned_tickets_and_pending_orders_open_their_lists(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        await open_dashboard(pilot)
        await pilot.press("tab", "enter")
        await settle(pilot)
        queue = pilot.app.screen
        assert isinstance(queue, TicketListScreen)
        assert (queue.narrowing.assignee, queue.narrowing.department_id) == ("unassigned", None)
        assert len(queue.records.records) == desk_today().unassigned_tickets

        await pilot.press("3")  # the orders area showing every order first
        await settle(pilot)
        orders = pilot.app.screen
        assert isinstance(orders, OrderListScreen)
        orders.show_filter("all")
        await open_dashboard(pilot)
        await pilot.press("tab", "j", "enter")
        await settle(pilot)
        assert pilot.app.screen is orders and orders.filter_value == "pending"


async def test_mail_figures_open_the_outbox_and_the_triage(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        await pilot.press("tab", *"jjjjj", "enter")  # mail failed
        await settle(pilot)
        outbox = pilot.app.screen
        assert isinstance(outbox, OutboxScreen) and outbox.filter_value == OutboxStatus.FAILED

        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        await pilot.press("j", "j", "enter")  # mail from unknown senders
        await settle(pilot)
        assert isinstance(pilot.app.screen, UnassignedMailScreen)


async def test_invoices_have_no_list_and_say_so(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)
        await pilot.press("tab", "j", "j", "enter")  # invoices overdue
        await settle(pilot)

        assert pilot.app.screen is screen
        assert NO_LIST in notices(pilot)


def stranger_mail() -> bytes:
    mail = EmailMessage()
    mail["From"] = "Ada Lindqvist <ada@bluefjord.example>"
    mail["To"] = "support@example.net"
    mail["Subject"] = "Mail for five people?"
    mail["Message-ID"] = "<five@bluefjord.example>"
    mail.set_content("What does it cost?")
    return bytes(mail)


async def test_figures_follow_other_desks_and_r_reads_them_again(
    desk: str, frozen_time: dt.datetime
) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_dashboard(pilot)

        def triage() -> int:
            figures = {f.key: f.count for f in shown(screen, "#figures")}  # type: ignore[attr-defined]
            return figures[FigureKey.UNASSIGNED_MAIL]

        assert triage() == 0
        import_message(stranger_mail())  # as the mail server would: the change feed says so
        await wait_for(pilot, lambda: triage() == 1, timeout=10, what="the feed's change")

        overdue = screen.today.invoices_overdue.count  # type: ignore[union-attr]
        Invoice.update(due_on=frozen_time.date() + dt.timedelta(days=30)).execute()  # no feed
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: screen.today is not None and screen.today.invoices_overdue.count == 0,
            what="the figures read again",
        )
        assert overdue > 0
