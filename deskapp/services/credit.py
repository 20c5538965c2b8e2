"""A client's credit: an append-only ledger whose sum is the balance cached on the client.

Staff add credit with a description; admins adjust with a reason and reverse entries (a new
Reversal entry, never an edit). Locking and booking live in deskapp.services.bookkeeping; pages,
the balance chart and the CSV export in deskapp.services.credit_history (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import CreditEntry, CreditKind, Invoice, InvoiceStatus
from deskapp.money import Money
from deskapp.services.actors import Actor, require_admin
from deskapp.services.bookkeeping import (
    Amount,
    CreditMovement,
    append_entry,
    apply_locked,
    cents,
    change_amount_due,
    client_label,
    invoice_row,
    key,
    lock_client,
    lock_invoice,
    movement,
    positive_cents,
)
from deskapp.services.credit_history import (
    CSV_COLUMNS,
    KINDS,
    BalancePoint,
    LedgerPage,
    balance_history,
    export_csv,
    ledger_page,
)
from deskapp.services.validation import text

__all__ = [
    "CSV_COLUMNS",
    "KINDS",
    "Amount",
    "BalancePoint",
    "CreditApplication",
    "CreditMovement",
    "LedgerPage",
    "MergeTransfer",
    "add_credit",
    "adjust_credit",
    "apply_credit",
    "balance_history",
    "credit_note",
    "export_csv",
    "ledger_page",
    "record_merge_transfer",
    "refund_to_credit",
    "reverse_entry",
]

DESCRIPTION_LIMIT = 500
"""The longest description or reason an entry keeps."""


@dataclass(frozen=True)
class CreditApplication:
    """Credit moved onto an invoice, and where that leaves the invoice."""

    entry: CreditMovement
    """The Applied to invoice entry."""
    invoice_number: str
    """The invoice paid (partly) with credit."""
    invoice_status: str
    """Paid when the credit covered what was due, else Unpaid."""
    amount_due_cents: int
    """What is left to pay on the invoice."""


@dataclass(frozen=True)
class MergeTransfer:
    """A discarded client's credit moved to the client it was merged into."""

    moved_cents: int
    """How much moved."""
    out_entry: CreditMovement
    """The entry taking it from the discarded client."""
    in_entry: CreditMovement
    """The entry giving it to the kept client."""


def add_credit(actor: Actor, client_id: object, amount: Amount, description: str) -> CreditMovement:
    """Add credit with a description saying why (goodwill for downtime, a prepayment)."""
    return _book(actor, client_id, CreditKind.ADDED, positive_cents(amount), description)


def credit_note(
    actor: Actor, client_id: object, amount: Amount, description: str
) -> CreditMovement:
    """Give credit the business owes (unused days of a service paid before it started)."""
    return _book(actor, client_id, CreditKind.CREDIT_NOTE, positive_cents(amount), description)


def refund_to_credit(
    actor: Actor, client_id: object, amount: Amount, description: str
) -> CreditMovement:
    """Refund money the client paid (a rejected paid order) to their credit."""
    return _book(actor, client_id, CreditKind.REFUND, positive_cents(amount), description)


def adjust_credit(actor: Actor, client_id: object, amount: Amount, reason: str) -> CreditMovement:
    """An admin's correction, up or down (not below zero), with a required reason."""
    require_admin(actor, "adjust credit")
    value = cents(amount)
    if value == 0:
        raise ValidationError("amount", "An adjustment of 0.00 changes nothing; type an amount.")
    return _book(actor, client_id, CreditKind.ADJUSTMENT, value, reason, field="reason")


def _book(
    actor: Actor,
    client_id: object,
    kind: CreditKind,
    amount_cents: int,
    description: str,
    field: str = "description",
) -> CreditMovement:
    why = text(field, description, field.title(), limit=DESCRIPTION_LIMIT, required=True)
    with write_transaction():
        client = lock_client(client_id)
        assert client is not None
        if client.credit_cents + amount_cents < 0:
            raise ValidationError(
                "amount",
                f"{client_label(client)} has only {Money(client.credit_cents)} credit; "
                "it cannot go below zero.",
            )
        entry = append_entry(actor, client, kind, amount_cents, why)
    return movement(entry, staff_name=actor.name)


def reverse_entry(actor: Actor, entry_id: object, reason: str = "") -> CreditMovement:
    """Cancel out an earlier entry with a new Reversal entry (admins only; once per entry).

    Reversing credit applied to an unpaid or paid invoice puts that amount back on the invoice.
    """
    require_admin(actor, "reverse a credit entry")
    why = text("reason", reason, "Reason", limit=DESCRIPTION_LIMIT)
    entry_key = key(entry_id, "credit entry")
    with write_transaction():
        original = CreditEntry.get_or_none(CreditEntry.id == entry_key)
        if original is None:
            raise NotFound("That credit entry no longer exists.")
        client = lock_client(original.client_id)
        assert client is not None
        if original.kind == CreditKind.REVERSAL:
            raise Conflict("A reversal cannot be reversed; add or adjust credit instead.")
        if original.kind == CreditKind.MERGE:
            raise Conflict("A merge transfer cannot be reversed; adjust the credit instead.")
        earlier = CreditEntry.get_or_none(CreditEntry.reverses == original.id)
        if earlier is not None:
            raise Conflict(f"This entry was already reversed on {earlier.created_at:%Y-%m-%d}.")
        if client.credit_cents - original.amount_cents < 0:
            raise Conflict(
                f"{client_label(client)} has only {Money(client.credit_cents)} credit left, "
                f"less than the {Money(original.amount_cents)} this entry added."
            )
        invoice = _invoice_to_reopen(original)
        booked = f"{original.created_at:%Y-%m-%d}"
        description = f"Reverses “{original.kind}” of {Money(original.amount_cents)} ({booked})"
        entry = append_entry(
            actor,
            client,
            CreditKind.REVERSAL,
            -original.amount_cents,
            f"{description}: {why}" if why else description,
            invoice=invoice,
            reverses=original,
        )
        if invoice is not None:
            change_amount_due(actor, invoice, invoice.amount_due_cents - original.amount_cents)
    return movement(entry, invoice.number if invoice else "", actor.name)


def _invoice_to_reopen(original: CreditEntry) -> Invoice | None:
    """The locked invoice whose applied credit a reversal gives back, if any.

    Only such reversals name an invoice, so an invoice's net applied credit is the sum of its
    Applied and Reversal entries (what `deskapp db check` relies on).
    """
    if original.kind != CreditKind.APPLIED or original.invoice_id is None:
        return None
    invoice = invoice_row(original.invoice_id)
    if invoice is None:
        return None
    if invoice.status in (InvoiceStatus.CANCELLED, InvoiceStatus.REFUNDED):
        raise Conflict(
            f"{invoice.number} was {invoice.status.lower()}; the credit applied to it "
            "went back to the client then."
        )
    return invoice


def apply_credit(
    actor: Actor, invoice_id: object, amount: Amount | None = None
) -> CreditApplication:
    """Pay an unpaid invoice from the client's credit: all that fits, or exactly `amount`."""
    requested = None if amount is None else positive_cents(amount)
    with write_transaction():
        invoice, client = lock_invoice(invoice_id)
        entry = apply_locked(actor, client, invoice, requested)
    return CreditApplication(
        entry=movement(entry, invoice.number, actor.name),
        invoice_number=invoice.number,
        invoice_status=invoice.status,
        amount_due_cents=invoice.amount_due_cents,
    )


def record_merge_transfer(
    actor: Actor, discarded_client_id: object, kept_client_id: object
) -> MergeTransfer | None:
    """Move a discarded client's whole balance to the kept one (None when it had none).

    The client-merge service books the same pair inside its own transaction and then moves the
    discarded entries to the kept client; each keeps the number of the client it was booked on,
    so both running balances still read in order.
    """
    require_admin(actor, "merge clients")
    discarded_key, kept_key = key(discarded_client_id, "client"), key(kept_client_id, "client")
    if discarded_key == kept_key:
        raise ValidationError("client", "A client cannot be merged into itself.")
    with write_transaction():
        first, second = sorted((discarded_key, kept_key))  # one lock order for every merge
        locked = {first: lock_client(first), second: lock_client(second)}
        discarded, kept = locked[discarded_key], locked[kept_key]
        assert discarded is not None and kept is not None
        amount = discarded.credit_cents
        if amount == 0:
            return None
        out_entry = append_entry(
            actor, discarded, CreditKind.MERGE, -amount, f"Moved to {client_label(kept)} by merge"
        )
        in_entry = append_entry(
            actor, kept, CreditKind.MERGE, amount, f"Moved from {client_label(discarded)} by merge"
        )
    out_movement = movement(out_entry, staff_name=actor.name)
    return MergeTransfer(amount, out_movement, movement(in_entry, staff_name=actor.name))
