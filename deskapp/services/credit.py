"""A client's credit: an append-only ledger whose sum is the balance cached on the client.

Staff add credit with a description; admins adjust with a reason and reverse entries (a new
Reversal entry, never an edit). Locking and booking live in deskapp.services.bookkeeping; pages,
the balance chart and the CSV export in deskapp.services.credit_history (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from deskapp.db import feed
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import CreditEntry, CreditKind, Entity, Invoice, InvoiceStatus
from deskapp.money import Money
from deskapp.services.actors import Actor
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
from deskapp.services.rights import Right, acting
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
REVERSAL_NEEDS_A_REASON = (
    "Say why the entry is reversed; a reversal needs a reason, as an adjustment does."
)
"""The refusal of a reversal without a reason."""


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
    value = positive_cents(amount)
    return _book(actor, Right.ADD_CREDIT, client_id, CreditKind.ADDED, value, description)


def credit_note(
    actor: Actor,
    client_id: object,
    amount: Amount,
    description: str,
    *,
    invoice: object | None = None,
) -> CreditMovement:
    """Give credit the business owes (unused days of a service paid before it started).

    With `invoice` the note is for that invoice of the client: `description` is then the
    required reason (its field is "reason"), the notes for one invoice add up to at most its
    total, and the invoice's document lists the note.
    """
    value = positive_cents(amount)
    if invoice is None:
        return _book(
            actor, Right.CREDIT_NOTE, client_id, CreditKind.CREDIT_NOTE, value, description
        )
    why = text("reason", description, "Reason", limit=DESCRIPTION_LIMIT, required=True)
    with acting(actor, Right.CREDIT_NOTE) as person:
        bill, client = lock_invoice(invoice)
        if client.id != key(client_id, "client"):
            raise ValidationError(
                "invoice", f"{bill.number} is {client_label(client)}'s invoice, not this client's."
            )
        if bill.status == InvoiceStatus.CANCELLED:
            raise Conflict(f"{bill.number} is Cancelled: nothing was owed on it.")
        given = _credit_noted(bill)
        if given + value > bill.total_cents:
            raise ValidationError(
                "amount",
                f"Credit notes for {bill.number} add up to at most its total, "
                f"{Money(bill.total_cents)}; {Money(given)} is given already.",
            )
        entry = append_entry(
            person, client, CreditKind.CREDIT_NOTE, value, f"{bill.number}: {why}", invoice=bill
        )
        feed.publish(Entity.INVOICE, bill.id, "updated")
    return movement(entry, bill.number, person.name)


def _credit_noted(bill: Invoice) -> int:
    """The credit notes booked for an invoice so far."""
    total = (
        CreditEntry.select(fn.SUM(CreditEntry.amount_cents))
        .where((CreditEntry.invoice == bill.id) & (CreditEntry.kind == CreditKind.CREDIT_NOTE))
        .scalar()
    )
    return int(total or 0)


def refund_to_credit(
    actor: Actor, client_id: object, amount: Amount, description: str
) -> CreditMovement:
    """Refund money the client paid (a rejected paid order) to their credit."""
    value = positive_cents(amount)
    return _book(actor, Right.REFUND, client_id, CreditKind.REFUND, value, description)


def adjust_credit(actor: Actor, client_id: object, amount: Amount, reason: str) -> CreditMovement:
    """An admin's correction, up or down (not below zero), with a required reason."""
    value = cents(amount)
    if value == 0:
        raise ValidationError("amount", "An adjustment of 0.00 changes nothing; type an amount.")
    kind = CreditKind.ADJUSTMENT
    return _book(actor, Right.ADJUST_CREDIT, client_id, kind, value, reason, field="reason")


def _book(
    actor: Actor,
    right: Right,
    client_id: object,
    kind: CreditKind,
    amount_cents: int,
    description: str,
    field: str = "description",
) -> CreditMovement:
    why = text(field, description, field.title(), limit=DESCRIPTION_LIMIT, required=True)
    with acting(actor, right, amount_cents=amount_cents) as person:
        client = lock_client(client_id)
        assert client is not None
        if client.credit_cents + amount_cents < 0:
            raise ValidationError(
                "amount",
                f"{client_label(client)} has only {Money(client.credit_cents)} credit; "
                "it cannot go below zero.",
            )
        entry = append_entry(person, client, kind, amount_cents, why)
    return movement(entry, staff_name=person.name)


def reverse_entry(actor: Actor, entry_id: object, reason: str) -> CreditMovement:
    """Cancel out an earlier entry with a new Reversal entry (admins only; once per entry),
    with a required reason, as an adjustment has: the entry and its audit entry keep it.

    Reversing credit applied to an unpaid or paid invoice puts that amount back on the invoice.
    """
    why = text("reason", reason, "Reason", limit=DESCRIPTION_LIMIT)
    if not why:
        raise ValidationError("reason", REVERSAL_NEEDS_A_REASON)
    entry_key = key(entry_id, "credit entry")
    with acting(actor, Right.REVERSE_ENTRY) as person:
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
            person,
            client,
            CreditKind.REVERSAL,
            -original.amount_cents,
            f"{description}: {why}",
            invoice=invoice,
            reverses=original,
        )
        if invoice is not None:
            change_amount_due(person, invoice, invoice.amount_due_cents - original.amount_cents)
    return movement(entry, invoice.number if invoice else "", person.name)


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
    with acting(actor, Right.RECORD_PAYMENT) as person:
        invoice, client = lock_invoice(invoice_id)
        entry = apply_locked(person, client, invoice, requested)
    return CreditApplication(
        entry=movement(entry, invoice.number, person.name),
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
    discarded_key, kept_key = key(discarded_client_id, "client"), key(kept_client_id, "client")
    if discarded_key == kept_key:
        raise ValidationError("client", "A client cannot be merged into itself.")
    with acting(actor, Right.MERGE_CLIENTS) as person:
        first, second = sorted((discarded_key, kept_key))  # one lock order for every merge
        locked = {first: lock_client(first), second: lock_client(second)}
        discarded, kept = locked[discarded_key], locked[kept_key]
        assert discarded is not None and kept is not None
        amount = discarded.credit_cents
        if amount == 0:
            return None
        out_entry = append_entry(
            person, discarded, CreditKind.MERGE, -amount, f"Moved to {client_label(kept)} by merge"
        )
        in_entry = append_entry(
            person, kept, CreditKind.MERGE, amount, f"Moved from {client_label(discarded)} by merge"
        )
    out_movement = movement(out_entry, staff_name=person.name)
    return MergeTransfer(amount, out_movement, movement(in_entry, staff_name=person.name))
