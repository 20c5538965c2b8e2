"""Dialogs that pay a client's unpaid invoice: from credit, or with money that arrived by hand.

Both pick one of the client's unpaid invoices (loaded in a thread worker) and fill the amount
with a sensible default that follows the chosen invoice until the person types their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from deskapp.errors import ValidationError
from deskapp.money import Money
from deskapp.services import credit, invoices
from deskapp.services.credit import CreditApplication
from deskapp.services.invoices import PAYMENT_METHODS, InvoiceSummary, PaymentRecorded
from screens.ledger_dialog import LedgerDialog

ResultT = TypeVar("ResultT")

UNPAID = "Unpaid"
"""The invoice status credit and payments go to."""

PICKER_LIMIT = 50
"""The most unpaid invoices a dialog offers (newest first)."""


def invoice_option(invoice: InvoiceSummary) -> Option:
    """One line of the picker: number, due date, what is left to pay."""
    prompt = Text.assemble(
        (invoice.number, "bold"),
        f"  due {invoice.due_on:%Y-%m-%d}  ",
        (f"{Money(invoice.amount_due_cents)!s:>12}", ""),
        " to pay",
    )
    return Option(prompt, id=str(invoice.id))


class InvoiceDialog(LedgerDialog[ResultT]):
    """A LedgerDialog that starts with a choice of the client's unpaid invoices."""

    def __init__(
        self, client_id: uuid.UUID, client_label: str, invoice_id: uuid.UUID | None = None
    ) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose invoices."""
        self.client_label = client_label
        """C-1042, for the title."""
        self.preselected = invoice_id
        """The invoice to start on (the one highlighted on the ledger screen), if any."""
        self.unpaid: tuple[InvoiceSummary, ...] = ()
        """The invoices offered, once loaded."""
        self._offered_amount = ""

    class _InvoicesLoaded(Message, bubble=False):
        def __init__(self, found: Sequence[InvoiceSummary]) -> None:
            super().__init__()
            self.found = tuple(found)

    def compose_invoice_field(self) -> ComposeResult:
        """The picker, its empty-list note and its error line."""
        yield self.label("Invoice")
        yield OptionList(id="invoice")
        yield Static(Text("Loading the unpaid invoices…"), id="invoice-note")
        yield self.field_error("invoice")

    def on_mount(self) -> None:
        """Load the unpaid invoices; the form cannot be sent until they are in."""
        self.working = True
        self._load_invoices()

    @work(thread=True, exit_on_error=False, group="ledger-dialog", name="load invoices")
    def _load_invoices(self) -> None:
        found = invoices.invoices_for_client(self.client_id, UNPAID, limit=PICKER_LIMIT)
        self.post_message(self._InvoicesLoaded(found))

    @on(_InvoicesLoaded)
    def _show_invoices(self, message: _InvoicesLoaded) -> None:
        self.unpaid = message.found
        picker = self.query_one("#invoice", OptionList)
        picker.add_options(invoice_option(invoice) for invoice in self.unpaid)
        note = self.query_one("#invoice-note", Static)
        if not self.unpaid:
            note.update(Text(f"{self.client_label} has no unpaid invoices."))
            return
        note.display = False
        self.working = False
        ids = [invoice.id for invoice in self.unpaid]
        picker.highlighted = ids.index(self.preselected) if self.preselected in ids else 0
        picker.focus()

    @property
    def chosen(self) -> InvoiceSummary | None:
        """The highlighted invoice."""
        index = self.query_one("#invoice", OptionList).highlighted
        return self.unpaid[index] if index is not None and index < len(self.unpaid) else None

    @on(OptionList.OptionHighlighted, "#invoice")
    def _offer_amount(self) -> None:
        """The amount follows the invoice while it still holds what was offered."""
        amount = self.query_one("#amount", Input)
        invoice = self.chosen
        if invoice is None or amount.value != self._offered_amount:
            return
        self._offered_amount = self.default_amount(invoice)
        amount.value = self._offered_amount

    @on(OptionList.OptionSelected, "#invoice")
    def _to_amount(self) -> None:
        self.query_one("#amount", Input).focus()

    def default_amount(self, invoice: InvoiceSummary) -> str:
        """What the amount field offers for `invoice`."""
        return str(Money(invoice.amount_due_cents))

    def chosen_or_refuse(self) -> InvoiceSummary:
        """The chosen invoice, or a sentence under the picker."""
        invoice = self.chosen
        if invoice is None:
            raise ValidationError("invoice", "Choose the invoice to pay.")
        return invoice


class ApplyCreditDialog(InvoiceDialog[CreditApplication]):
    """Pay an unpaid invoice from the client's credit: by default all that the credit covers."""

    SUBMIT = "Apply credit"

    def __init__(
        self,
        client_id: uuid.UUID,
        client_label: str,
        balance_cents: int,
        invoice_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__(client_id, client_label, invoice_id)
        self.balance_cents = balance_cents
        """The credit when the dialog opened: the default amount is at most this."""

    def heading(self) -> str:
        """Names the client and its credit."""
        return f"Apply credit of {self.client_label} ({Money(self.balance_cents)}) to an invoice"

    def compose_fields(self) -> ComposeResult:
        """Invoice and amount."""
        yield from self.compose_invoice_field()
        yield self.label("Amount (empty: all that the credit covers)")
        yield Input(id="amount", classes="amount")
        yield self.field_error("amount")

    def default_amount(self, invoice: InvoiceSummary) -> str:
        """What the credit covers of the invoice."""
        return str(Money(max(0, min(self.balance_cents, invoice.amount_due_cents))))

    def values(self) -> dict[str, Any]:
        """The invoice and the amount (None when left empty)."""
        typed = self.query_one("#amount", Input).value
        return {"invoice": self.chosen_or_refuse(), "amount": typed if typed.strip() else None}

    def call_service(self, values: Mapping[str, Any]) -> CreditApplication:
        """apply_credit."""
        return credit.apply_credit(self.actor, values["invoice"].id, values["amount"])

    def summary(self, result: CreditApplication) -> str:
        """Applied 45.00 credit to INV-2026-00003: Paid."""
        left = (
            ""
            if result.invoice_status == "Paid"
            else f", {Money(result.amount_due_cents)} left to pay"
        )
        return (
            f"Applied {Money(-result.entry.amount_cents)} credit to {result.invoice_number}: "
            f"{result.invoice_status}{left}."
        )


class ManualPaymentDialog(InvoiceDialog[PaymentRecorded]):
    """Record a bank transfer, cash or cheque against an unpaid invoice; any excess is credit."""

    SUBMIT = "Record payment"
    METHODS: ClassVar[tuple[str, ...]] = PAYMENT_METHODS
    """How the money arrived."""

    def heading(self) -> str:
        """Names the client."""
        return f"Record a payment from {self.client_label}"

    def compose_fields(self) -> ComposeResult:
        """Invoice, amount, method and reference."""
        yield from self.compose_invoice_field()
        yield self.label("Amount received")
        yield Input(id="amount", classes="amount")
        yield self.field_error("amount")
        yield self.label("Method")
        yield Select(
            [(Text(method), method) for method in self.METHODS],
            allow_blank=False,
            value=self.METHODS[0],
            id="method",
        )
        yield self.field_error("method")
        yield self.label("Reference (optional: bank reference, cheque number)")
        yield Input(id="reference")
        yield self.field_error("reference")

    def values(self) -> dict[str, Any]:
        """The invoice, the amount as typed, the method and the reference."""
        return {
            "invoice": self.chosen_or_refuse(),
            "amount": self.query_one("#amount", Input).value,
            "method": str(self.query_one("#method", Select).value),
            "reference": self.query_one("#reference", Input).value,
        }

    def call_service(self, values: Mapping[str, Any]) -> PaymentRecorded:
        """record_manual_payment."""
        return invoices.record_manual_payment(
            self.actor,
            values["invoice"].id,
            values["amount"],
            values["method"],
            values["reference"],
        )

    def summary(self, result: PaymentRecorded) -> str:
        """Recorded 60.00 for INV-2026-00003: Paid; 15.00 went to credit as an overpayment."""
        paid = Money(result.applied_cents + result.overpayment_cents)
        over = (
            f"; {Money(result.overpayment_cents)} went to credit as an overpayment"
            if result.overpayment_cents
            else ""
        )
        return f"Recorded {paid} for {result.invoice.number}: {result.invoice.status}{over}."
