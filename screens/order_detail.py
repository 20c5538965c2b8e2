"""The order screen: what was ordered, how it was paid, its invoice, services, ticket and the
decision, and (while it waits) what approving it would do.

| Key(s) | Description |
| :- | :- |
| a | Approve the order from a start date (admins). |
| x | Reject the order with a reason (admins). |
| p | Check the card payment with Stripe again, or retry a failed one. |
| t | Open the order's ticket. |
| r | Load the order again. |
| escape | Back. |
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from deskapp.services.changes import Entity
from deskapp.services.order_card import (
    card_payments_available,
    charge_order,
    reconcile_order,
)
from deskapp.services.order_decide import ApprovalPreview, preview_approval
from deskapp.services.orders import OrderDetail, get_order
from deskapp.services.rights import Right, allows
from screens.admin_keys import ExplainsAdminKeys
from screens.messages import FollowsChanges
from screens.order_dialogs import OrderFacts, card_gateway
from screens.order_list import AGENT_NOTE, PENDING
from screens.order_preview import ApprovalPreviewView
from screens.order_sections import (
    about_text,
    decision_text,
    items_text,
    payment_section,
    services_text,
    state_text,
)
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.changes import Change
    from screens.app import DeskApp

__all__ = ["OrderScreen"]

CARD_RETRIED = frozenset({"Pending", "Failed"})
"""Payment statuses of a card order that `p` checks again (Pending) or retries (Failed)."""


def _binding(key: str, action: str, description: str, tooltip: str, show: bool = True) -> Binding:
    return Binding(key, action, description, show=show, tooltip=tooltip, id=f"order.{action}")


class OrderScreen(ExplainsAdminKeys, FollowsChanges, ReportsFailedWork, Screen[bool]):
    """One order; dismisses True when it was decided or its payment moved here."""

    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {
        "approve": Right.DECIDE_ORDERS,
        "reject": Right.DECIDE_ORDERS,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("a", "approve", "Approve", "Approve the order from a start date (admins)."),
        _binding("x", "reject", "Reject", "Reject the order with a reason (admins)."),
        _binding(
            "p",
            "card_payment",
            "Card payment",
            "Ask Stripe about the card payment again, or retry a failed one "
            "(off without a Stripe key).",
        ),
        _binding("t", "ticket", "Its ticket", "Open the order's ticket."),
        _binding("r", "refresh", "Refresh", "Load the order again.", False),
        _binding("escape", "back", "Back", "Go back to where the order was opened."),
        *AREAS_NOT_IN_FOOTER,
    ]

    AUTO_FOCUS = "#order-body"
    AREA_TITLE = "Order"
    """The place's name in the header and the key list."""

    class _Loaded(Message, bubble=False):
        def __init__(
            self, order: OrderDetail, preview: ApprovalPreview | None, card: tuple[bool, str]
        ) -> None:
            super().__init__()
            self.order = order
            self.preview = preview
            self.card = card

    class _PaymentChecked(Message, bubble=False):
        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    def __init__(self, order_id: uuid.UUID) -> None:
        super().__init__()
        self.order_id = order_id
        """Which order."""
        self.order: OrderDetail | None = None
        """What is shown, once loaded."""
        self.card_available = (False, "")
        """Whether card payments are on, and if not why (from the Stripe settings)."""
        self.changed = False
        """Whether the order was decided or its payment moved here (the queue reloads)."""

    def compose(self) -> ComposeResult:
        """Header, the order's head, its sections, the approval preview, footer."""
        yield DeskHeader()
        with Horizontal(id="order-head"):
            yield Static(Text("Loading…"), id="order-about")
            yield Static(id="order-state")
        with VerticalScroll(id="order-body"):
            yield Static(id="order-items", classes="order-section")
            yield Static(id="order-payment", classes="order-section")
            yield Static(id="order-services", classes="order-section")
            yield Static(id="order-decision", classes="order-section")
            yield ApprovalPreviewView(id="order-preview", classes="order-section")
        yield DeskFooter()

    @property
    def desk_app(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    def on_mount(self) -> None:
        """Load the order; follow what other desks do to it."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.query_one("#order-preview").display = False
        self.reload()
        self.follow_changes()

    def shows_change(self, change: Change) -> bool:
        """This order (decided, paid, its payment reconciled) by any desk."""
        return change.entity == Entity.ORDER and change.entity_id == str(self.order_id)

    @work(thread=True, exit_on_error=False, group="order", name="load the order")
    def reload(self) -> None:
        """Load the order again (in a thread), with its approval preview while it waits."""
        from deskapp.config import load_settings

        order = get_order(self.order_id)
        preview = preview_approval(order.id) if order.status == PENDING else None
        card = (False, "")
        if order.payment_method == "card":
            card = card_payments_available(load_settings())
        self.post_message(self._Loaded(order, preview, card))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An order that could not be loaded says so (the app's notice says why)."""
        if event.worker.group == "order" and event.state is WorkerState.ERROR:
            if self.order is None:
                self.query_one("#order-about", Static).update(
                    Text("The order could not be loaded; press r to try again.")
                )

    @on(_Loaded)
    def _show_order(self, message: _Loaded) -> None:
        order = self.order = message.order
        self.card_available = message.card
        self.query_one(DeskHeader).area = f"{self.AREA_TITLE} · {order.label}"
        self.query_one("#order-about", Static).update(about_text(order))
        self.query_one("#order-state", Static).update(state_text(order))
        self.query_one("#order-items", Static).update(items_text(order))
        self.query_one("#order-payment", Static).update(payment_section(order, message.card))
        self.query_one("#order-services", Static).update(services_text(order))
        self.query_one("#order-decision", Static).update(decision_text(order))
        preview = self.query_one("#order-preview", ApprovalPreviewView)
        preview.display = message.preview is not None
        if message.preview is not None:
            preview.show_preview(message.preview, Text("If approved now", style="bold"))
            decides = allows(self.desk_app.session.actor, Right.DECIDE_ORDERS)
            preview.show_note("" if decides else AGENT_NOTE)
        self.refresh_bindings()

    # -- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decisions are an admin's, on a pending order; `p` needs a card order whose payment
        is pending or failed, and Stripe configured; `t` needs a ticket."""
        order = self.order
        if action in ("back", "refresh") or action.startswith("app."):
            return True
        if order is None:
            return None if action in ("approve", "reject", "card_payment", "ticket") else True
        if action in ("approve", "reject"):
            decides = not self.refused_because(action)
            return True if decides and order.status == PENDING else None
        if action == "card_payment":
            card_order = order.payment_method == "card" and order.payment_status in CARD_RETRIED
            return True if card_order and self.card_available[0] else None
        if action == "ticket":
            return True if order.ticket_id is not None else None
        return True

    def _facts(self) -> OrderFacts | None:
        order = self.order
        if order is None:
            return None
        return OrderFacts(order.id, order.label, order.payment_status, order.payment_method)

    def action_approve(self) -> None:
        """Ask for the start date and approve."""
        from screens.order_dialogs import ApproveOrderDialog

        if (facts := self._facts()) is not None:
            self.app.push_screen(ApproveOrderDialog(facts), self._decided)

    def action_reject(self) -> None:
        """Ask for the reason (and refund) and reject."""
        from screens.order_dialogs import RejectOrderDialog

        if (facts := self._facts()) is not None:
            self.app.push_screen(RejectOrderDialog(facts), self._decided)

    def _decided(self, decision: object) -> None:
        if decision is not None:
            self.changed = True
            self.reload()

    def action_card_payment(self) -> None:
        """Ask Stripe where the card payment stands (Pending), or charge again (Failed)."""
        if self.order is not None:
            self._check_card_payment(self.order.payment_status)

    @work(thread=True, exit_on_error=False, group="order-card", name="check the card payment")
    def _check_card_payment(self, payment_status: str) -> None:
        actor = self.desk_app.session.actor
        gateway = card_gateway()
        if payment_status == "Failed":
            outcome = charge_order(actor, self.order_id, gateway)
        else:
            outcome = reconcile_order(actor, self.order_id, gateway)
        self.post_message(self._PaymentChecked(outcome.message))

    @on(_PaymentChecked)
    def _payment_checked(self, message: _PaymentChecked) -> None:
        self.changed = True
        self.notify(untrusted(message.sentence, limit=300).plain, markup=False)
        self.reload()

    def action_ticket(self) -> None:
        """The order's ticket."""
        from screens.ticket_list import open_ticket_screen

        if self.order is not None and self.order.ticket_id is not None:
            open_ticket_screen(self.app, self.order.ticket_id)

    def action_refresh(self) -> None:
        """Load the order again."""
        self.reload()

    def action_back(self) -> None:
        """Back to where the order was opened (saying whether it changed)."""
        self.leave()

    def leave(self) -> None:
        """Close the order screen, saying whether the order changed (escape, or an area key
        going to its list)."""
        # Leaving announces new keys; DeskFooter would rebuild once detached (see ClientScreen).
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        self.dismiss(self.changed)
