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
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from deskapp.ids import format_number
from deskapp.money import Money
from deskapp.services.changes import Entity
from deskapp.services.order_card import (
    card_payments_available,
    charge_order,
    reconcile_order,
)
from deskapp.services.order_decide import ApprovalPreview, preview_approval
from deskapp.services.orders import OrderDetail, get_order
from screens.messages import FollowsChanges
from screens.order_dialogs import OrderFacts, card_gateway
from screens.order_list import AGENT_NOTE, PENDING, payment_label
from screens.order_preview import ApprovalPreviewView
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.changes import Change
    from screens.app import DeskApp

__all__ = ["OrderScreen"]

LABEL_WIDTH = 10
"""The width of the labels down the left of each section."""
CARD_RETRIED = frozenset({"Pending", "Failed"})
"""Payment statuses of a card order that `p` checks again (Pending) or retries (Failed)."""


def _binding(key: str, action: str, description: str, tooltip: str, show: bool = True) -> Binding:
    return Binding(key, action, description, show=show, tooltip=tooltip, id=f"order.{action}")


class OrderScreen(FollowsChanges, ReportsFailedWork, Screen[bool]):
    """One order; dismisses True when it was decided or its payment moved here."""

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
        self.query_one("#order-about", Static).update(_about(order))
        self.query_one("#order-state", Static).update(_state(order))
        self.query_one("#order-items", Static).update(_items(order))
        self.query_one("#order-payment", Static).update(_payment(order, message.card))
        self.query_one("#order-services", Static).update(_services(order))
        self.query_one("#order-decision", Static).update(_decision(order))
        preview = self.query_one("#order-preview", ApprovalPreviewView)
        preview.display = message.preview is not None
        if message.preview is not None:
            preview.show_preview(message.preview, Text("If approved now", style="bold"))
            preview.show_note("" if self.desk_app.session.actor.is_admin else AGENT_NOTE)
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
            admin = self.desk_app.session.actor.is_admin
            return True if admin and order.status == PENDING else None
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
        # Leaving announces new keys; DeskFooter would rebuild once detached (see ClientScreen).
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        self.dismiss(self.changed)


# -- what the screen shows -------------------------------------------------------------------


def _grid(rows: list[tuple[str, Text]]) -> Table:
    """Labelled lines whose values wrap under their own column."""
    table = Table.grid(expand=True)
    table.add_column(width=LABEL_WIDTH, no_wrap=True, style="dim")
    table.add_column(ratio=1)
    for label, value in rows:
        table.add_row(label, value)
    return table


def _line(text: Text, label: str, value: Text) -> None:
    if text:
        text.append("\n")
    text.append(f"{label:<{LABEL_WIDTH}}", style="dim")
    text.append_text(value)


def _about(order: OrderDetail) -> Text:
    """Number and client; when placed; the ticket."""
    text = Text.assemble(
        (order.label, "bold"),
        "  ",
        (format_number("client", order.client_number), "bold"),
        " ",
        untrusted(order.client_name, limit=50),
        (f"  ({order.client_status})", "dim"),
    )
    _line(text, "Placed", Text(f"{order.placed_at:%Y-%m-%d %H:%M} UTC"))
    ticket = (
        Text(f"{format_number('ticket', order.ticket_number)}  (t opens it)")
        if order.ticket_number is not None
        else Text("none")
    )
    _line(text, "Ticket", ticket)
    return text


def _state(order: OrderDetail) -> Text:
    """Status, payment, total, start."""
    text = Text()
    _line(text, "Status", Text(order.status, style="bold"))
    _line(text, "Payment", Text(payment_label(order.payment_method, order.payment_status)))
    _line(text, "Total", Text(str(Money(order.total_cents)), style="bold"))
    start = f"{order.start_date:%Y-%m-%d}" if order.start_date else "not yet"
    _line(text, "Start", Text(start))
    return text


def _items(order: OrderDetail) -> Text:
    """What was ordered, a line each."""
    text = Text("Items", style="bold")
    for item in order.items:
        text.append("\n")
        quantity = f"{item.quantity} × " if item.quantity != 1 else ""
        text.append_text(
            Text.assemble(
                (f"{item.code:<14}", "dim"),
                quantity,
                untrusted(item.name, limit=40),
                f"  {item.cycle}  ",
                (str(Money(item.total_cents)), "bold"),
            )
        )
    return text


def _payment(order: OrderDetail, card: tuple[bool, str]) -> Group:
    """How it is paid, the gateway's last word (inert), the payments, the invoice."""
    rows: list[tuple[str, Text]] = [
        ("Status", Text(payment_label(order.payment_method, order.payment_status)))
    ]
    if order.paid_at:
        rows.append(("Paid at", Text(f"{order.paid_at:%Y-%m-%d %H:%M} UTC")))
    if order.payment_note:
        rows.append(("Gateway", untrusted(order.payment_note, limit=300)))
    if order.payment_method == "card" and not card[0] and card[1]:
        rows.append(("Card", untrusted(card[1], limit=300)))
    for payment in order.payments:
        refunded = f", {Money(payment.refunded_cents)} refunded" if payment.refunded_cents else ""
        rows.append(
            (
                "Paid",
                Text.assemble(
                    (str(Money(payment.amount_cents)), "bold"),
                    f" on {payment.created_at:%Y-%m-%d} by ",
                    untrusted(payment.method or payment.gateway, limit=30),
                    " ",
                    untrusted(payment.reference, limit=40),
                    refunded,
                ),
            )
        )
    if order.invoice_number:
        due = f", {Money(order.invoice_due_cents or 0)} due" if order.invoice_due_cents else ""
        rows.append(("Invoice", Text(f"{order.invoice_number} {order.invoice_status}{due}")))
    else:
        rows.append(("Invoice", Text("not issued yet")))
    return Group(Text("Payment", style="bold"), _grid(rows))


def _services(order: OrderDetail) -> Text:
    """The services the order makes, with their dates."""
    text = Text("Services", style="bold")
    if not order.services:
        text.append("\nnone (nothing recurring in the order)", style="dim")
    for service in order.services:
        text.append("\n")
        text.append_text(untrusted(service.name, limit=40))
        text.append(f"  {service.status}")
        if service.start_date:
            text.append(f"  from {service.start_date:%Y-%m-%d}")
        if service.next_due_date:
            text.append(f"  next due {service.next_due_date:%Y-%m-%d}", style="dim")
    return text


def _decision(order: OrderDetail) -> Text:
    """Who decided, when, and what they said."""
    text = Text("Decision", style="bold")
    if order.decided_at is None:
        text.append("\nwaiting for an admin", style="dim")
        return text
    text.append("\n")
    text.append_text(
        Text.assemble(
            f"{order.status} by ",
            untrusted(order.decided_by_name or "the desk", limit=40),
            f" at {order.decided_at:%Y-%m-%d %H:%M} UTC",
        )
    )
    if order.decision_note:
        text.append("\n")
        text.append_text(untrusted(order.decision_note, limit=300))
    return text
