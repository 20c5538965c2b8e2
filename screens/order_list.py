"""The approval queue (the Orders area): pending orders oldest first, what approving the
highlighted one would do, and the admin's two decisions.

| Key(s) | Description |
| :- | :- |
| left / right | (on the view choice) Pending orders, or every order newest first. |
| enter | Open the highlighted order. |
| a | Approve the highlighted order with its start date (admins). |
| x | Reject the highlighted order with a reason (admins). |
| n | (One client's orders) A new order for the client, in the cart. |
| r | Load the queue again. |
| escape | From the view choice back to the list; from the list back where you were. |

The pane under the list previews the highlighted order's approval before anyone presses a key;
the Looking column names the other staff whose cursor is on an order (services.presence).

On a narrow terminal (80 columns over SSH) the columns give way in this order: looking, items,
age, total, payment; number, client and status always stay.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from deskapp import clock
from deskapp.money import Money
from deskapp.services.actors import Actor
from deskapp.services.changes import Entity
from deskapp.services.order_decide import ApprovalPreview, preview_approval
from deskapp.services.orders import OrderSummary, list_orders
from deskapp.services.presence import lookers, looking_at
from deskapp.services.rights import Right, allows
from screens.admin_keys import ExplainsAdminKeys
from screens.area import AreaScreen
from screens.order_cart import TakesNewOrders
from screens.order_preview import ApprovalPreviewView
from screens.widgets.cells import duration_cell, label_cell, money_cell
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from screens.order_dialogs import OrderFacts

__all__ = ["AGENT_NOTE", "OrderListScreen", "payment_label"]

PENDING = "Pending"
"""The status of an order waiting for an admin."""
AGE_WARNING = dt.timedelta(days=1)
"""An order waiting longer than this shows its age in the warning colour."""
AGE_ERROR = dt.timedelta(days=3)
"""An order waiting longer than this shows its age in the error colour."""
WIDE = 110
"""Terminal width from which the client, items and looking columns get more room."""
LOOK_RENEWAL_SECONDS = 45.0
"""How often the queue renews its look at the highlighted order (within presence.WINDOW) and
loads again to show who else is looking."""
AGENT_NOTE = "Read only: approving and rejecting orders are an admin's (a, x are off)."
"""Under an agent's preview: why the keys are dimmed."""


def payment_label(payment_method: str, payment_status: str) -> str:
    """How the queue says an order's payment: Request, Card paid, Card failed, Paid (manual)."""
    if payment_status in ("None", ""):
        return "Request"
    word = {"Successful": "paid", "Pending": "pending", "Failed": "failed"}.get(
        payment_status, payment_status.lower()
    )
    if payment_method == "card":
        return f"Card {word}"
    if payment_method == "manual":
        return f"Manual {word}"
    return word.capitalize()


class QueuePages:
    """`fetch(last, limit)` for the queue: pages of list_orders() with who else is looking."""

    def __init__(self, view: str, client_id: uuid.UUID | None, asker: Actor) -> None:
        self.view = view
        """"pending" (oldest first) or "all" (newest first)."""
        self.client_id = client_id
        """Only this client's orders; None for every client's."""
        self.asker = asker
        """The signed-in staff member (left out of the Looking column)."""

    def __call__(self, last: OrderSummary | None, limit: int) -> list[OrderSummary]:
        """Runs in a thread: the page after `last` (None: the first page)."""
        page = list_orders(self.view, last, limit, self.client_id)
        looking = lookers(Entity.ORDER, [order.id for order in page], self.asker)
        return [replace(order, lookers=looking.get(str(order.id), "")) for order in page]


class OrderListScreen(ExplainsAdminKeys, AreaScreen, TakesNewOrders):
    """Pending orders oldest first (or every order newest first), with the approval preview.

    As the orders area it shows every client's; pushed with a `client_id` (the client screen's
    `o`), only that client's, titled with its number, and escape goes back to the client.
    """

    AREA_TITLE = "Orders"
    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {
        "approve": Right.DECIDE_ORDERS,
        "reject": Right.DECIDE_ORDERS,
    }
    NOUN = "orders"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (("Pending", "pending"), ("All", "all"))
    FILTER_NOUNS: ClassVar[dict[str, str]] = {"pending": "pending orders"}
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.ORDER})
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "order-queue--waiting-long",
        "order-queue--waiting-too-long",
        "order-queue--payment-failed",
    }
    """Ages over a day and over three days, failed payments (styles/orders.tcss)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "approve",
            "Approve",
            tooltip="Approve the highlighted order from a start date (admins; agents read).",
        ),
        Binding(
            "x",
            "reject",
            "Reject",
            tooltip="Reject the highlighted order with a reason (admins; agents read).",
        ),
        Binding("enter", "open_order", "Open", tooltip="Open the highlighted order."),
    ]

    class _Previewed(Message, bubble=False):
        def __init__(self, order_id: uuid.UUID, preview: ApprovalPreview | None) -> None:
            super().__init__()
            self.order_id = order_id
            self.preview = preview

    def compose(self) -> ComposeResult:
        """The area's layout with the approval preview between the list and the count line."""
        for widget in super().compose():
            if isinstance(widget, Static) and widget.id == "count":
                yield ApprovalPreviewView(id="preview")
            yield widget

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, client, items, total, payment, age, status, who is looking (narrow ones
        give way in the order the module docstring states)."""
        wide = self.app.size.width >= WIDE
        client, items, looking = (20, 24, 14) if wide else (11, 11, 7)
        columns: list[RecordColumn[OrderSummary]] = [
            RecordColumn("Number", lambda o: label_cell(o.label), 7),
            RecordColumn("Client", lambda o: untrusted(o.client_name, limit=client), client),
            RecordColumn("Items", lambda o: untrusted(o.items, limit=items), items, drop_rank=2),
            RecordColumn("Total", lambda o: money_cell(o.total_cents), 9, True, drop_rank=4),
            RecordColumn("Payment", self.payment_cell, 12, drop_rank=5),
            RecordColumn("Age", self.age_cell, 7, align_right=True, drop_rank=3),
            RecordColumn("Status", lambda o: label_cell(o.status), 9),
            RecordColumn(
                "Looking", lambda o: untrusted(o.lookers, limit=looking), looking, drop_rank=1
            ),
        ]
        return columns

    def age_cell(self, order: OrderSummary) -> Text:
        """How long a pending order has waited: amber after a day, red after three."""
        age = clock.now() - order.placed_at
        cell = duration_cell(age)
        if order.status != PENDING:
            return cell
        if age > AGE_ERROR:
            cell.stylize(
                self.get_component_rich_style("order-queue--waiting-too-long", partial=True)
            )
        elif age > AGE_WARNING:
            cell.stylize(self.get_component_rich_style("order-queue--waiting-long", partial=True))
        return cell

    def payment_cell(self, order: OrderSummary) -> Text:
        """Request, or how it was paid and whether that went through (failed ones stand out)."""
        cell = Text(payment_label(order.payment_method, order.payment_status))
        if order.payment_status == "Failed":
            cell.stylize(self.get_component_rich_style("order-queue--payment-failed", partial=True))
        return cell

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_orders() for the view chosen (and the client, if one)."""
        return QueuePages(filter_value, self.client_id, self.desk_app.session.actor)

    @property
    def decides_orders(self) -> bool:
        """Whether the signed-in person may decide orders (the rights table's answer)."""
        return allows(self.desk_app.session.actor, Right.DECIDE_ORDERS)

    @property
    def preview_view(self) -> ApprovalPreviewView:
        """The approval preview under the list."""
        return self.query_one("#preview", ApprovalPreviewView)

    @property
    def highlighted(self) -> OrderSummary | None:
        """The order under the cursor, if any (none while the list is not mounted: the footer
        asks check_action as the screen opens and closes)."""
        tables = self.query("#records").results(RecordTable)
        table = next(tables, None)
        record: OrderSummary | None = table.highlighted_record if table is not None else None
        return record

    def on_mount(self) -> None:
        """Say why the keys are off for an agent; renew the look at the highlighted order."""
        self.preview_view.show_sentence(Text("Loading…"))
        self.preview_view.show_note("" if self.decides_orders else AGENT_NOTE)
        self.set_interval(LOOK_RENEWAL_SECONDS, self._look_again)

    # -- the preview ----------------------------------------------------------------------

    @on(RecordTable.Highlighted, "#records")
    def _order_highlighted(self) -> None:
        self.refresh_bindings()
        order = self.highlighted
        if order is None:
            return
        heading = _heading(order)
        if order.status != PENDING:
            self.preview_view.show_sentence(
                Text(f"{order.label} is {order.status}: nothing to approve. Enter opens it."),
                heading,
            )
        elif not self._previewing(order):
            self.preview_view.show_sentence(Text("Working out what approval would do…"), heading)
        self.run_worker(
            partial(self._look_and_preview, order),
            thread=True,
            exit_on_error=False,
            group="order-preview",
            exclusive=True,
            name="preview the approval",
        )

    def _previewing(self, order: OrderSummary) -> bool:
        """Whether the pane shows this order's preview already (it stays until the new one)."""
        shown = self.preview_view.preview
        return shown is not None and shown.order_label == order.label

    def _look_and_preview(self, order: OrderSummary) -> None:
        """Runs in a thread: mark this desk as looking at the order; preview a pending one."""
        looking_at(self.desk_app.session.actor, Entity.ORDER, order.id)
        preview = preview_approval(order.id) if order.status == PENDING else None
        self.post_message(self._Previewed(order.id, preview))

    def _look_again(self) -> None:
        """Now and then: renew this desk's look at the highlighted order and show who else
        looks now (the list loads again, the cursor kept; past the first page the count line
        offers r instead)."""
        if self.highlighted is not None and self.app.screen is self:
            self.refresh_for_changes()

    @on(_Previewed)
    def _show_preview(self, message: _Previewed) -> None:
        order = self.highlighted
        if order is None or order.id != message.order_id or message.preview is None:
            return  # the cursor moved on, or nothing to preview
        self.preview_view.show_preview(message.preview, _heading(order))

    @on(RecordTable.Loaded, "#records")
    def _loaded(self, event: RecordTable.Loaded) -> None:
        if event.shown == 0:
            noun = self.FILTER_NOUNS.get(self.filter_value, self.NOUN)
            self.preview_view.show_sentence(Text(f"No {noun}: nothing to preview."))
        self.refresh_bindings()

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Approve and reject show dimmed for agents and for an order not pending; opening
        needs an order under the cursor."""
        if action in ("approve", "reject"):
            order = self.highlighted
            return (
                True
                if not self.refused_because(action) and order and order.status == PENDING
                else None
            )
        if action == "open_order":
            return True if self.highlighted is not None else None
        if action == "new_order":
            # AreaScreen comes first (Textual styles a screen by its first base's chain of
            # types, so the mixin must not), and its check_action ends the chain: ask the mixin.
            return TakesNewOrders.check_action(self, action, parameters)
        return super().check_action(action, parameters)

    def facts(self, order: OrderSummary) -> OrderFacts:
        """What the dialogs need to know of the order."""
        from screens.order_dialogs import OrderFacts

        return OrderFacts(order.id, order.label, order.payment_status, order.payment_method)

    def action_approve(self) -> None:
        """Ask for the start date and approve the highlighted order."""
        from screens.order_dialogs import ApproveOrderDialog

        if (order := self.highlighted) is not None:
            self.app.push_screen(ApproveOrderDialog(self.facts(order)), self._decided)

    def action_reject(self) -> None:
        """Ask for the reason (and the refund) and reject the highlighted order."""
        from screens.order_dialogs import RejectOrderDialog

        if (order := self.highlighted) is not None:
            self.app.push_screen(RejectOrderDialog(self.facts(order)), self._decided)

    def _decided(self, decision: object) -> None:
        if decision is not None:
            self.action_refresh()

    @on(RecordTable.Selected, "#records")
    def _order_chosen(self) -> None:
        self.action_open_order()

    def action_open_order(self) -> None:
        """Open the highlighted order."""
        from screens.order_detail import OrderScreen

        if (order := self.highlighted) is not None:
            self.app.push_screen(OrderScreen(order.id), self._order_closed)

    def _order_closed(self, changed: bool | None) -> None:
        if changed:
            self.action_refresh()


def _heading(order: OrderSummary) -> Text:
    """The pane's first line: the order, its client, its total and its payment."""
    return Text.assemble(
        (order.label, "bold"),
        "  ",
        untrusted(order.client_name, limit=40, style="bold"),
        f"  {Money(order.total_cents)} · ",
        payment_label(order.payment_method, order.payment_status),
    )
