"""An admin's three decisions on an invoice, each with a required reason: cancel it, refund it
(to credit, or to the card it was paid with through Stripe), or give a credit note for it.

Each is a FormDialog: one service call in a thread worker, the service's refusal shown in the
form (an empty reason is refused by the service, under the reason), and a sentence for the
invoice screen once it succeeded. The reason is the last field, so Enter there sends it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from deskapp.errors import Conflict, DeskError, PaymentError, PermissionDenied
from deskapp.money import Money
from deskapp.services import credit, invoices
from deskapp.services.credit import CreditMovement
from deskapp.services.invoice_document import InvoiceDocument
from deskapp.services.invoices import InvoiceSummary
from deskapp.services.stripe_refunds import refund_invoice_to_card
from screens.invoice_sections import card_refundable_cents
from screens.order_dialogs import card_gateway
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.form_dialog import FormDialog

__all__ = [
    "CancelInvoiceDialog",
    "CreditNoteDialog",
    "InvoiceDecision",
    "InvoiceFacts",
    "RefundInvoiceDialog",
]


@dataclass(frozen=True)
class InvoiceFacts:
    """What a decision dialog needs to know of the invoice it decides."""

    id: uuid.UUID
    """The invoice's key."""
    number: str
    """INV-2026-00017."""
    client_id: uuid.UUID
    """Whose invoice."""
    client_label: str
    """C-1042."""
    total_cents: int
    """The sum of its lines."""
    put_in_cents: int
    """What the client put into it so far (credit and payments): what cancelling returns."""
    card_cents: int
    """What of it was paid by card through Stripe and can go back to the card."""

    @classmethod
    def of(cls, doc: InvoiceDocument) -> InvoiceFacts:
        """The facts of a loaded document."""
        return cls(
            doc.id,
            doc.number,
            doc.client.id,
            doc.client.label,
            doc.total_cents,
            doc.total_cents - doc.amount_due_cents,
            card_refundable_cents(doc),
        )


class InvoiceDecision(FormDialog[Any]):
    """A decision on one invoice: a note saying what it does, its fields, then the reason."""

    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (
        Conflict,
        PermissionDenied,
        PaymentError,
    )
    WORK_GROUP = "invoice-decision"
    REASON_HINT: ClassVar[str] = ""
    """The reason field's placeholder."""

    def __init__(self, invoice: InvoiceFacts) -> None:
        super().__init__()
        self.invoice = invoice
        """The invoice decided on."""

    def note(self) -> str:
        """One sentence saying what the decision does to the money."""
        return ""

    def compose_fields(self) -> ComposeResult:
        """The note, the dialog's own fields, the reason."""
        yield Static(Text(self.note()), id="decision-note", classes="note")
        yield from self.compose_choices()
        yield self.label("Reason (required; kept with the invoice and in the audit)")
        yield Input(id="reason", placeholder=self.REASON_HINT)
        yield self.field_error("reason")

    def compose_choices(self) -> ComposeResult:
        """Fields before the reason."""
        yield from ()

    @property
    def reason(self) -> str:
        """The reason as typed."""
        return self.query_one("#reason", Input).value


class CancelInvoiceDialog(InvoiceDecision):
    """Cancel an unpaid invoice; what the client put into it goes back to their credit."""

    SUBMIT = "Cancel invoice"
    SUBMIT_VARIANT = "error"
    REASON_HINT = "Ordered twice by mistake"

    def heading(self) -> str:
        """Names the invoice."""
        return f"Cancel {self.invoice.number} of {self.invoice.client_label}"

    def note(self) -> str:
        """What goes back to credit."""
        if self.invoice.put_in_cents:
            return (
                f"Nothing will be due; the {Money(self.invoice.put_in_cents)} of credit and "
                f"payments put into it goes back to {self.invoice.client_label}'s credit."
            )
        return "Nothing will be due on it any more."

    def values(self) -> dict[str, Any]:
        """The reason."""
        return {"reason": self.reason}

    def call_service(self, values: Mapping[str, Any]) -> InvoiceSummary:
        """cancel_invoice."""
        return invoices.cancel_invoice(self.actor, self.invoice.id, values["reason"])

    def summary(self, result: InvoiceSummary) -> str:
        """INV-2026-00017 cancelled."""
        return f"{result.number} cancelled."


class RefundInvoiceDialog(InvoiceDecision):
    """Refund a paid invoice: to the client's credit, or to the card it was paid with."""

    SUBMIT = "Refund"
    SUBMIT_VARIANT = "warning"
    REASON_HINT = "Service never delivered"

    def heading(self) -> str:
        """Names the invoice."""
        return f"Refund {self.invoice.number} of {self.invoice.client_label}"

    def note(self) -> str:
        """How much goes back, and where it can go."""
        back = Money(self.invoice.total_cents)
        if self.invoice.card_cents:
            return f"{back} goes back to {self.invoice.client_label}: to credit or to the card."
        return f"{back} goes back to {self.invoice.client_label}'s credit (no card paid it)."

    def compose_choices(self) -> ComposeResult:
        """To credit or to the card, when a card paid it."""
        if self.invoice.card_cents:
            yield self.label("Refund to")
            yield ChoiceBar((("Credit", "credit"), ("The card", "card")), id="refund")
            yield self.field_error("refund")

    def values(self) -> dict[str, Any]:
        """The reason and where the money goes."""
        found = self.query("#refund")
        to = found.first(ChoiceBar).value if found else "credit"
        return {"reason": self.reason, "refund": to}

    def call_service(self, values: Mapping[str, Any]) -> str:
        """refund_invoice (to credit) or refund_invoice_to_card (through Stripe)."""
        if values["refund"] == "card":
            cents = refund_invoice_to_card(
                self.actor, self.invoice.id, card_gateway(), values["reason"]
            )
            return f"{self.invoice.number} refunded: {Money(cents)} back to the card."
        done = invoices.refund_invoice(self.actor, self.invoice.id, values["reason"])
        return (
            f"{done.number} refunded: {Money(self.invoice.total_cents)} "
            f"to {self.invoice.client_label}'s credit."
        )

    def summary(self, result: str) -> str:
        """What went where."""
        return result


class CreditNoteDialog(InvoiceDecision):
    """Give the client credit for this invoice (a price error, a service that fell short)."""

    SUBMIT = "Give credit note"
    REASON_HINT = "Three days without service in March"

    def heading(self) -> str:
        """Names the invoice."""
        return f"Credit note for {self.invoice.number} of {self.invoice.client_label}"

    def note(self) -> str:
        """Where the credit goes."""
        return (
            f"The amount goes to {self.invoice.client_label}'s credit; the invoice lists the "
            f"note (at most its total, {Money(self.invoice.total_cents)}, in all)."
        )

    def compose_choices(self) -> ComposeResult:
        """The amount."""
        yield self.label("Amount")
        yield Input(id="amount", placeholder="15.00", classes="amount")
        yield self.field_error("amount")

    def values(self) -> dict[str, Any]:
        """The amount and the reason."""
        return {"amount": self.query_one("#amount", Input).value, "reason": self.reason}

    def call_service(self, values: Mapping[str, Any]) -> CreditMovement:
        """credit_note, linked to the invoice."""
        return credit.credit_note(
            self.actor,
            self.invoice.client_id,
            values["amount"],
            values["reason"],
            invoice=self.invoice.id,
        )

    def summary(self, result: CreditMovement) -> str:
        """Credit note of 15.00 for INV-2026-00017; the credit is 40.00."""
        return (
            f"Credit note of {Money(result.amount_cents)} for {self.invoice.number}; "
            f"{self.invoice.client_label}'s credit is {Money(result.balance_after_cents)}."
        )
