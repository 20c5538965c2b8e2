"""The dashboard: the desk today, for whoever watches over it (a lead, an admin) — tickets
waiting on us per department, unassigned tickets, orders pending, invoices overdue and due
soon, mail the outbox could not send, mail from unknown senders.

| Key(s) | Description |
| :- | :- |
| j / k | Move in a list of figures. |
| tab | From the departments to the other figures and back. |
| enter | Open the list behind the figure (a department's queue, the order queue, …). |
| r | Read the figures again (they follow other desks' changes by themselves). |
| escape | Back where you came from. |

The figures are `deskapp.services.dashboard.desk_today()`, as `deskapp dashboard` prints them;
the screen reads them again when the change feed says something they count changed, and every
minute (waiting times grow, and an invoice turns overdue at midnight with nobody writing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from deskapp.services.changes import Change, Entity
from deskapp.services.dashboard import (
    DeskToday,
    Figure,
    FigureKey,
    WaitingTickets,
    desk_today,
    figures_of,
)
from deskapp.services.outbox import OutboxStatus
from deskapp.services.tickets import QueueFilter
from screens.area import AreaScreen
from screens.messages import FollowsChanges
from screens.widgets.cells import duration_cell, money_cell
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.record_lines import RecordColumn
from screens.widgets.record_list import RecordList
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from screens.app import DeskApp

__all__ = ["DashboardScreen", "show_dashboard"]

COUNTED = frozenset(
    {
        Entity.TICKET,
        Entity.ORDER,
        Entity.INVOICE,
        Entity.PAYMENT,
        Entity.OUTBOX,
        Entity.UNASSIGNED_MAIL,
        Entity.DEPARTMENT,
    }
)
"""The entities whose changes can move a figure."""
READ_AGAIN_SECONDS = 60.0
"""How often the figures are read with no change seen (waiting times grow; midnight)."""
ATTENTION = frozenset({FigureKey.INVOICES_OVERDUE, FigureKey.MAIL_FAILED, FigureKey.MAIL_UNCERTAIN})
"""Figures shown in the warning colour when they are not zero."""
NO_LIST = "No list shows every client's invoices yet; a client's screen lists theirs."
"""What enter on an invoice figure says."""
LABEL_WIDTH = 34
"""The first column of both lists (so their numbers line up)."""


def _count(count: int) -> Text:
    return Text(f"{count:,}", justify="right")


class DashboardScreen(FollowsChanges, ReportsFailedWork, Screen[None]):
    """The desk today: two lists of figures, each line opening the list behind it."""

    AREA_TITLE = "The desk today"
    """The place's name in the header and the key list."""
    AUTO_FOCUS = "#waiting"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"dashboard--attention"}
    """How a figure that needs someone looks (styles/dashboard.tcss)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_figure", "Open", tooltip="Open the list behind the figure."),
        Binding("r", "refresh", "Refresh", tooltip="Read the figures again."),
        Binding("escape", "back", "Back", tooltip="Back where you came from."),
        *AREAS_NOT_IN_FOOTER,
    ]

    class _Read(Message, bubble=False):
        def __init__(self, today: DeskToday) -> None:
            super().__init__()
            self.today = today

    def __init__(self) -> None:
        super().__init__()
        self.today: DeskToday | None = None
        """The figures shown, once read."""

    def compose(self) -> ComposeResult:
        """Header, when the figures were read, the two lists, a line of help, footer."""
        yield DeskHeader()
        yield Static(Text("Loading…"), id="as-of")
        yield RecordList(self._waiting_columns(), id="waiting")
        yield RecordList(self._figure_columns(), id="figures")
        yield Static(Text("enter opens the list behind a figure; r reads them again."), id="hint")
        yield DeskFooter()

    def _waiting_columns(self) -> Sequence[RecordColumn[WaitingTickets]]:
        return (
            RecordColumn(
                "Tickets waiting on us", lambda w: untrusted(w.department, limit=30), LABEL_WIDTH
            ),
            RecordColumn("Open", lambda w: _count(w.open), 8, True),
            RecordColumn("Cust-Reply", lambda w: _count(w.customer_reply), 12, True),
            RecordColumn("Oldest wait", self._oldest_wait, 11, True, drop_rank=1),
        )

    def _figure_columns(self) -> Sequence[RecordColumn[Figure]]:
        return (
            RecordColumn("The desk", lambda f: Text(f.label), LABEL_WIDTH),
            RecordColumn("How many", self._figure_count, 8, True),
            RecordColumn("Amount", self._amount, 12, True, drop_rank=2),
            RecordColumn("Oldest", lambda f: self._waited(f.oldest), 11, True, drop_rank=1),
        )

    def _oldest_wait(self, waiting: WaitingTickets) -> Text:
        return self._waited(waiting.oldest_waiting_since)

    def _waited(self, since: dt.datetime | None) -> Text:
        if self.today is None or since is None:
            return Text("")
        return duration_cell(self.today.as_of - since)

    def _figure_count(self, figure: Figure) -> Text:
        cell = _count(figure.count)
        if figure.count and figure.key in ATTENTION:
            cell.stylize(self.get_component_rich_style("dashboard--attention", partial=True))
        return cell

    def _amount(self, figure: Figure) -> Text:
        return Text("") if figure.cents is None else money_cell(figure.cents)

    def on_mount(self) -> None:
        """Read the figures; follow the changes that move them, and the clock."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.follow_changes()
        self.set_interval(READ_AGAIN_SECONDS, self.action_refresh)
        self.action_refresh()

    def shows_change(self, change: Change) -> bool:
        """A ticket, order, invoice, payment, mail or department changed somewhere."""
        return change.entity in COUNTED

    def action_refresh(self) -> None:
        """Read the figures again (in a thread; a read on its way is enough)."""
        self._read()

    @work(thread=True, exit_on_error=False, exclusive=True, group="dashboard", name="read")
    def _read(self) -> None:
        self.post_message(self._Read(desk_today()))

    @on(_Read)
    def _show(self, message: _Read) -> None:
        today = self.today = message.today
        self.query_one("#as-of", Static).update(
            Text(f"As of {today.as_of:%Y-%m-%d %H:%M} UTC; other desks' changes show here.")
        )
        self.query_one("#waiting", RecordList).show(today.waiting)
        self.query_one("#figures", RecordList).show(figures_of(today))
        self.refresh_bindings()

    @on(RecordList.Selected)
    def _chosen(self, event: RecordList.Selected) -> None:
        event.stop()
        self.action_open_figure()

    def action_open_figure(self) -> None:
        """Open the list behind the highlighted figure of the focused list."""
        from screens.ticket_list import show_queue_narrowed

        focused = self.focused
        if not isinstance(focused, RecordList) or focused.highlighted_record is None:
            return
        record = focused.highlighted_record
        if isinstance(record, WaitingTickets):
            self._leave_for(
                lambda app: show_queue_narrowed(
                    app, QueueFilter(department_id=record.department_id, sort="waiting")
                )
            )
        elif isinstance(record, Figure):
            self._open(record.key)

    def _open(self, key: FigureKey) -> None:
        from screens.mail_triage import UnassignedMailScreen
        from screens.order_list import OrderListScreen
        from screens.outbox_list import OutboxScreen
        from screens.ticket_list import show_queue_narrowed

        if key == FigureKey.UNASSIGNED_TICKETS:
            unassigned = QueueFilter(assignee="unassigned", sort="waiting")
            self._leave_for(lambda app: show_queue_narrowed(app, unassigned))
        elif key == FigureKey.ORDERS_PENDING:
            self._leave_for(lambda app: _show_area(app, "orders", OrderListScreen, "pending"))
        elif key in OUTBOX_STATUS:
            outbox = OutboxScreen()
            outbox.show_filter(OUTBOX_STATUS[key])
            self.app.push_screen(outbox)
        elif key == FigureKey.UNASSIGNED_MAIL:
            self.app.push_screen(UnassignedMailScreen())
        else:
            self.notify(NO_LIST, markup=False)

    def _leave_for(self, go: Callable[[App[Any]], None]) -> None:
        """Close the dashboard, then go to an area's list (an area is a place of its own)."""
        app = self.app
        self.leave()
        go(app)

    def action_back(self) -> None:
        """Back where the dashboard was opened."""
        self.leave()

    def leave(self) -> None:
        """Close the dashboard (escape, or an area key going to its list)."""
        # Leaving announces new keys; DeskFooter would rebuild once detached (see ClientScreen).
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        self.dismiss()


OUTBOX_STATUS: dict[FigureKey, str] = {
    FigureKey.MAIL_WAITING: OutboxStatus.QUEUED,
    FigureKey.MAIL_FAILED: OutboxStatus.FAILED,
    FigureKey.MAIL_UNCERTAIN: OutboxStatus.UNCERTAIN,
}
"""The outbox's status choice each mail figure opens on."""


def _show_area(app: App[Any], area: str, kind: type[AreaScreen], filter_value: str) -> None:
    """Go to an area's list showing `filter_value`."""
    cast("DeskApp", app).action_switch_area(area)
    for screen in reversed(app.screen_stack):
        if isinstance(screen, kind):
            screen.show_filter(filter_value)
            return


def show_dashboard(app: App[Any]) -> None:
    """The dashboard, over the current screen."""
    app.push_screen(DashboardScreen())
