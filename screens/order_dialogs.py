"""The admin's two decisions on a pending order: approve from a start date, or reject with a
reason (and, for a paid order, a refund to the card or to credit).

Both are FormDialogs: one call to order_decide in a thread worker, its refusal shown in the
form, its one-line message as the notice once it succeeded. The approve dialog previews what
approval will do for the date typed, again each time the date changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, Static

from deskapp.errors import Conflict, DeskError, PaymentError, PermissionDenied, ValidationError
from deskapp.services.order_decide import (
    ApprovalPreview,
    OrderDecision,
    approve_order,
    preview_approval,
    reject_order,
)
from screens.order_preview import ApprovalPreviewView
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.form_dialog import FormDialog

if TYPE_CHECKING:
    from deskapp.payments.gateway import StripeGateway

__all__ = ["ApproveOrderDialog", "OrderFacts", "RejectOrderDialog", "card_gateway", "parse_start"]


@dataclass(frozen=True)
class OrderFacts:
    """What a decision dialog needs to know of the order it decides."""

    id: uuid.UUID
    """The order's key."""
    label: str
    """O-5531."""
    payment_status: str
    """None (a request), Successful, Pending or Failed."""
    payment_method: str
    """"" (a request), "card" or "manual"."""

    @property
    def paid(self) -> bool:
        """Whether money was taken for it (a rejection must then say where it goes back)."""
        return self.payment_status == "Successful"


def parse_start(typed: str) -> dt.date:
    """The start date typed as YYYY-MM-DD; ValidationError on the start field otherwise."""
    try:
        return dt.date.fromisoformat(typed.strip())
    except ValueError:
        raise ValidationError(
            "start", f"“{typed.strip()}” is not a date: type it as YYYY-MM-DD."
        ) from None


def card_gateway() -> StripeGateway:
    """Stripe as configured (key from the keyring or the environment): for a card refund or a
    card payment; PaymentError saying why when card payments are off. Runs in a thread."""
    from deskapp.config import load_settings
    from deskapp.services.order_card import card_payments_available, payment_gateway

    settings = load_settings()
    available, why = card_payments_available(settings)
    if not available:
        raise PaymentError(why)
    return payment_gateway(settings)


class ApproveOrderDialog(FormDialog[OrderDecision]):
    """Approve an order from a start date; the preview follows the date typed."""

    SUBMIT = "Approve"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (
        Conflict,
        PermissionDenied,
        PaymentError,
    )
    WORK_GROUP = "approve-order"

    class _Previewed(Message, bubble=False):
        def __init__(self, start: dt.date, preview: ApprovalPreview | None, why: str) -> None:
            super().__init__()
            self.start = start
            self.preview = preview
            self.why = why

    def __init__(self, order: OrderFacts) -> None:
        super().__init__()
        self.order = order
        """The order to approve."""
        self.default_start: dt.date | None = None
        """The start approval takes when none is typed (once loaded)."""

    def heading(self) -> str:
        """Names the order."""
        return f"Approve {self.order.label}"

    def compose_fields(self) -> ComposeResult:
        """The start date, what its default is, and the preview."""
        yield self.label("Start date (YYYY-MM-DD)")
        yield Input(id="start", placeholder="YYYY-MM-DD")
        yield Static(Text("Loading the default…"), id="start-default", classes="note")
        yield self.field_error("start")
        yield ApprovalPreviewView(id="dialog-preview")

    def load(self) -> ApprovalPreview:
        """The preview for the default start date."""
        return preview_approval(self.order.id)

    def loaded(self, data: ApprovalPreview) -> None:
        """Fill the start with the default and show its preview."""
        self.default_start = data.default_start
        if self.order.paid:
            why = "the payment date"
        elif self.order.payment_status in ("None", ""):
            why = "today, for a request"
        else:
            why = "today: nothing is paid yet"
        self.query_one("#start-default", Static).update(
            Text(f"Default: {data.default_start:%Y-%m-%d} ({why}).")
        )
        self.query_one("#dialog-preview", ApprovalPreviewView).show_preview(data)
        field = self.query_one("#start", Input)
        with field.prevent(Input.Changed):
            field.value = f"{data.start:%Y-%m-%d}"
        field.cursor_position = len(field.value)
        field.focus()

    @on(Input.Changed, "#start")
    def _start_changed(self, event: Input.Changed) -> None:
        """Preview the approval again for the date now typed."""
        if self.default_start is None:
            return
        view = self.query_one("#dialog-preview", ApprovalPreviewView)
        try:
            start = parse_start(event.value)
        except ValidationError as error:
            view.show_sentence(Text(str(error)))
            return
        self.run_worker(
            partial(self._preview, start),
            thread=True,
            exit_on_error=False,
            group="approve-preview",
            exclusive=True,
            name="preview the approval",
        )

    def _preview(self, start: dt.date) -> None:
        try:
            preview = preview_approval(self.order.id, start)
        except DeskError as error:
            self.post_message(self._Previewed(start, None, str(error)))
            return
        self.post_message(self._Previewed(start, preview, ""))

    @on(_Previewed)
    def _show_preview(self, message: _Previewed) -> None:
        try:
            typed = parse_start(self.query_one("#start", Input).value)
        except ValidationError:
            return
        if typed != message.start:
            return  # an older date's preview
        view = self.query_one("#dialog-preview", ApprovalPreviewView)
        if message.preview is None:
            view.show_sentence(Text(message.why))
        else:
            view.show_preview(message.preview)

    def values(self) -> dict[str, Any]:
        """The start date."""
        return {"start": parse_start(self.query_one("#start", Input).value)}

    def call_service(self, values: Mapping[str, Any]) -> OrderDecision:
        """approve_order."""
        return approve_order(self.actor, self.order.id, values["start"])

    def done(self, result: OrderDecision) -> None:
        """Say what happened (the decision's own line) and close with it."""
        self.say(result.message)
        self.dismiss(result)


REFUNDS = {"card": "To the card", "credit": "To the client's credit"}
"""Where a paid order's money goes back, as the reject dialog offers it."""


class RejectOrderDialog(FormDialog[OrderDecision]):
    """Reject an order with a reason the client is told; a paid one says where the money goes."""

    SUBMIT = "Reject"
    SUBMIT_VARIANT = "error"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (
        Conflict,
        PermissionDenied,
        PaymentError,
    )
    WORK_GROUP = "reject-order"

    def __init__(self, order: OrderFacts) -> None:
        super().__init__()
        self.order = order
        """The order to reject."""

    def heading(self) -> str:
        """Names the order."""
        return f"Reject {self.order.label}"

    def refunds(self) -> tuple[tuple[str, str], ...]:
        """The refunds offered: the card only for an order paid by card; none when unpaid."""
        if not self.order.paid:
            return ()
        ways = ("card", "credit") if self.order.payment_method == "card" else ("credit",)
        return tuple((REFUNDS[way], way) for way in ways)

    def compose_fields(self) -> ComposeResult:
        """The reason, and the refund for a paid order."""
        yield self.label("Reason (the client is told, on the order's ticket)")
        yield Input(id="reason")
        yield self.field_error("reason")
        refunds = self.refunds()
        if refunds:
            yield self.label("Refund the payment")
            yield ChoiceBar(refunds, id="refund")
            yield self.field_error("refund")
            if self.order.payment_method != "card":
                yield Static(
                    Text("Paid by a manual method: the money goes back as credit."),
                    classes="note",
                )
        else:
            yield Static(Text("No payment was taken: nothing to refund."), classes="note")

    def on_mount(self) -> None:
        """Start in the reason."""
        super().on_mount()
        self.query_one("#reason", Input).focus()

    def values(self) -> dict[str, Any]:
        """The reason and where the refund goes (None for an unpaid order)."""
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            raise ValidationError("reason", "Say why the order is rejected; the client is told.")
        refund = self.query_one("#refund", ChoiceBar).value if self.refunds() else None
        return {"reason": reason, "refund": refund}

    def call_service(self, values: Mapping[str, Any]) -> OrderDecision:
        """reject_order (with Stripe for a refund to the card)."""
        refund = values["refund"]
        gateway = card_gateway() if refund == "card" else None
        return reject_order(self.actor, self.order.id, values["reason"], refund, gateway)

    def done(self, result: OrderDecision) -> None:
        """Say what happened (the decision's own line) and close with it."""
        self.say(result.message)
        self.dismiss(result)
