"""One invoice as a document: who is billed, the dates and status, the lines and totals, the
payments with method and reference, credit applied, refunds, credit notes, the amount due and
who changed its status when. Loaded by one service call (load_invoice_document) in a thread,
and loaded again when another desk (or this one) changes the invoice, its payments or its
client's credit.

| Key(s) | Description |
| :- | :- |
| x | Cancel the invoice, with a reason (admins; unpaid invoices). |
| f | Refund it to credit or to the card, with a reason (admins; paid invoices). |
| n | Give a credit note for it, with a reason (admins). |
| p | Pay it from the client's credit. |
| m | Record a manual payment for it. |
| l | The client's credit ledger. |
| r | Load the invoice again. |
| escape | Back. |

Keys the signed-in person may not use, or that do not fit the invoice's status, are dimmed;
pressing one says why.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from deskapp.services.changes import Entity
from deskapp.services.invoice_document import InvoiceDocument, load_invoice_document
from deskapp.services.rights import Right
from screens.admin_keys import ExplainsAdminKeys
from screens.invoice_decisions import (
    CancelInvoiceDialog,
    CreditNoteDialog,
    InvoiceFacts,
    RefundInvoiceDialog,
)
from screens.invoice_sections import (
    facts_text,
    history_part,
    lines_part,
    moves_part,
    payments_part,
    title_text,
)
from screens.messages import FollowsChanges
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.form_dialog import FormDialog
from screens.widgets.untrusted import untrusted_message

if TYPE_CHECKING:
    from deskapp.services.changes import Change

UNPAID, PAID, CANCELLED = "Unpaid", "Paid", "Cancelled"
"""The statuses the keys depend on."""


def status_refusal(doc: InvoiceDocument, action: str) -> str:
    """Why `action` does not fit the invoice's status now ("" when it does)."""
    number, status = doc.number, doc.status
    if action == "cancel_invoice" and status != UNPAID:
        advice = "refund it instead" if status == PAID else "there is nothing to cancel"
        return f"{number} is {status}; {advice}."
    if action == "refund" and status != PAID:
        advice = "cancel it instead" if status == UNPAID else "there is nothing to refund"
        return f"{number} is {status}; only a paid invoice is refunded, {advice}."
    if action == "credit_note" and status == CANCELLED:
        return f"{number} is Cancelled: nothing was owed on it."
    if action in ("apply_credit", "record_payment") and status != UNPAID:
        return f"{number} is {status}; nothing is left to pay."
    return ""


class InvoiceScreen(ExplainsAdminKeys, FollowsChanges, ReportsFailedWork, Screen[None]):
    """One invoice, whole, and an admin's decisions on it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "cancel_invoice", "Cancel", tooltip="Cancel this unpaid invoice (admins)."),
        Binding("f", "refund", "Refund", tooltip="Refund this paid invoice (admins)."),
        Binding("n", "credit_note", "Credit note", tooltip="Give credit for it (admins)."),
        Binding("p", "apply_credit", "Use credit", tooltip="Pay it from the client's credit."),
        Binding(
            "m",
            "record_payment",
            "Payment",
            show=False,  # the footer keeps esc and ? at 80 columns
            tooltip="Record a transfer, cash or cheque for it.",
        ),
        Binding("l", "ledger", "Ledger", show=False, tooltip="The client's credit ledger."),
        Binding("r", "refresh", "Refresh", show=False, tooltip="Load the invoice again."),
        Binding("escape", "back", "Back", tooltip="Go back to where the invoice was opened."),
        *AREAS_NOT_IN_FOOTER,
    ]

    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {
        "cancel_invoice": Right.CANCEL_INVOICE,
        "refund": Right.REFUND,
        "credit_note": Right.CREDIT_NOTE,
        "apply_credit": Right.RECORD_PAYMENT,
        "record_payment": Right.RECORD_PAYMENT,
    }
    AUTO_FOCUS = "#document"
    AREA_TITLE = "Invoice"
    """The place's name in the header and the key list."""

    class _Loaded(Message, bubble=False):
        def __init__(self, document: InvoiceDocument) -> None:
            super().__init__()
            self.document = document

    def __init__(self, invoice_id: uuid.UUID) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        """Which invoice."""
        self.document: InvoiceDocument | None = None
        """What is shown, once loaded."""

    def compose(self) -> ComposeResult:
        """Header, the document's parts in one scrolling column, footer."""
        yield DeskHeader()
        with VerticalScroll(id="document"):
            yield Static(Text("Loading…"), id="invoice-title")
            yield Static(id="facts")
            yield Static(id="lines", classes="part")
            yield Static(id="payments", classes="part")
            yield Static(id="credit-applied", classes="part")
            yield Static(id="overpayments", classes="part")
            yield Static(id="refunds", classes="part")
            yield Static(id="credit-notes", classes="part")
            yield Static(id="history", classes="part")
        yield DeskFooter()

    def on_mount(self) -> None:
        """Fill the header, load the invoice, follow what changes it."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.reload()
        self.follow_changes()

    def shows_change(self, change: Change) -> bool:
        """The invoice itself, its client's credit (applied, refunded, noted), its payments."""
        if change.entity == Entity.INVOICE:
            return change.entity_id == str(self.invoice_id)
        doc = self.document
        if doc is None:
            return False
        if change.entity == Entity.CLIENT:
            return change.entity_id == str(doc.client.id)
        if change.entity == Entity.PAYMENT:
            return any(change.entity_id == str(payment.id) for payment in doc.payments)
        return False

    @work(thread=True, exit_on_error=False, group="invoice-document", name="load the invoice")
    def reload(self) -> None:
        """Load the invoice again (in a thread); the screen shows it when it arrives."""
        self.post_message(self._Loaded(load_invoice_document(self.invoice_id)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An invoice that could not be loaded says so (the app's notice says why)."""
        if event.worker.group == "invoice-document" and event.state is WorkerState.ERROR:
            if self.document is None:
                self.query_one("#invoice-title", Static).update(
                    Text("The invoice could not be loaded; press r to try again.")
                )

    @on(_Loaded)
    def _show(self, message: _Loaded) -> None:
        doc = self.document = message.document
        self.query_one(DeskHeader).area = doc.number  # "Invoice · " would push it off at 80
        title = self.query_one("#invoice-title", Static)
        title.update(title_text(doc))
        for status in ("Unpaid", "Paid", "Cancelled", "Refunded"):
            title.set_class(doc.status == status, f"-{status.lower()}")
        self.query_one("#facts", Static).update(facts_text(doc))
        self.query_one("#lines", Static).update(lines_part(doc))
        self.query_one("#payments", Static).update(payments_part(doc))
        self.query_one("#history", Static).update(history_part(doc))
        optional = {
            "credit-applied": ("Credit applied", doc.credit_applied),
            "overpayments": ("Overpayments to credit", doc.overpayments),
            "refunds": ("Refunds", doc.refunds),
            "credit-notes": ("Credit notes", doc.credit_notes),
        }
        for part, (heading, moves) in optional.items():
            shown = self.query_one(f"#{part}", Static)
            shown.display = bool(moves)
            if moves:
                shown.update(moves_part(heading, moves, doc.number))
        self.refresh_bindings()

    def refused_because(self, action: str) -> str:
        """The rights table's sentence, else why the invoice's status does not allow it."""
        sentence = super().refused_because(action)
        if sentence or self.document is None:
            return sentence
        return status_refusal(self.document, action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decisions wait for the invoice and are dimmed where refused (pressing says why)."""
        if action not in self.ADMIN_KEYS:
            return True
        if self.document is None:
            return None
        return None if self.refused_because(action) else True

    def _ask(self, dialog: FormDialog[Any]) -> None:
        def done(result: object) -> None:
            if result is not None:
                self.notify(untrusted_message(dialog.summary(result)), markup=False)
                self.reload()

        self.app.push_screen(dialog, done)

    def _facts(self) -> InvoiceFacts | None:
        return InvoiceFacts.of(self.document) if self.document is not None else None

    def action_cancel_invoice(self) -> None:
        """Ask for the reason and cancel."""
        if (facts := self._facts()) is not None:
            self._ask(CancelInvoiceDialog(facts))

    def action_refund(self) -> None:
        """Ask where the money goes and why, and refund."""
        if (facts := self._facts()) is not None:
            self._ask(RefundInvoiceDialog(facts))

    def action_credit_note(self) -> None:
        """Ask for the amount and reason of a credit note for this invoice."""
        if (facts := self._facts()) is not None:
            self._ask(CreditNoteDialog(facts))

    def action_apply_credit(self) -> None:
        """Pay the invoice from the client's credit (the ledger's dialog, on this invoice)."""
        from screens.invoice_dialogs import ApplyCreditDialog

        doc = self.document
        if doc is not None:
            client = doc.client
            self._ask(ApplyCreditDialog(client.id, client.label, client.credit_cents, doc.id))

    def action_record_payment(self) -> None:
        """Record money received by hand for this invoice (the ledger's dialog)."""
        from screens.invoice_dialogs import ManualPaymentDialog

        doc = self.document
        if doc is not None:
            self._ask(ManualPaymentDialog(doc.client.id, doc.client.label, doc.id))

    def action_ledger(self) -> None:
        """The client's credit ledger."""
        from screens.client_ledger import ClientLedgerScreen

        if self.document is not None:
            self.app.push_screen(ClientLedgerScreen(self.document.client.id))

    def action_refresh(self) -> None:
        """Load the invoice again."""
        self.reload()

    def action_back(self) -> None:
        """Back to where the invoice was opened."""
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        self.dismiss(None)
