"""The building blocks of every service that moves money, used inside its one transaction.

Every change to a client's credit locks the client's row first (SELECT … FOR UPDATE on
PostgreSQL; on SQLite an IMMEDIATE transaction takes the write lock up front), appends one entry
carrying the balance after it, and updates the cached balance in the same transaction. Desks
working one client's credit at once therefore queue on that row and can never spend the same
credit twice. Locks are always taken in the same order (client, then invoice or services, then
the invoice number counter), so two desks never wait on each other in a circle.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number, uuid7
from deskapp.models import (
    Client,
    CreditEntry,
    CreditKind,
    Entity,
    Invoice,
    InvoiceStatus,
    Order,
)
from deskapp.money import MAX_CENTS, Money
from deskapp.services import audit
from deskapp.services.actors import Actor

Amount = Money | int | str
"""What services accept as an amount: Money, integer cents, or text as a person typed it."""

NOT_REVERSIBLE = (CreditKind.REVERSAL, CreditKind.MERGE)
"""A reversal is final, and a merge transfer has a client on each side that may be gone."""


@dataclass(frozen=True)
class CreditMovement:
    """One entry of a client's ledger, as the ledger screen shows it."""

    id: uuid.UUID
    """The entry's key (time-ordered: a later entry has a greater key)."""
    client_id: uuid.UUID | None
    """Whose credit moved (None once that client was deleted: the entry is kept, detached)."""
    created_at: dt.datetime
    """When it was booked (UTC)."""
    kind: str
    """A CreditKind value: Credit added, Adjustment, Applied to invoice, …"""
    amount_cents: int
    """Positive adds credit, negative takes it."""
    balance_after_cents: int
    """The client's balance right after this entry: the running balance."""
    description: str
    """Why, as staff wrote it or the desk generated it (untrusted text)."""
    invoice_id: uuid.UUID | None = None
    """The invoice it concerns, if any."""
    invoice_number: str = ""
    """That invoice's number (INV-2026-00017), or empty."""
    reverses_id: uuid.UUID | None = None
    """For a reversal, the entry it cancels out."""
    reversed: bool = False
    """Whether a later entry reverses this one."""
    staff_name: str = ""
    """Who booked it; empty for the desk itself (billing run)."""
    merged_from: str = ""
    """For an entry that came with a merge, the client it was booked on (C-1002): its balance
    after is that client's running balance; empty for the client's own entries."""

    @property
    def can_reverse(self) -> bool:
        """Whether an admin may still reverse this entry."""
        return not self.reversed and self.kind not in NOT_REVERSIBLE


def movement(entry: CreditEntry, invoice_number: str = "", staff_name: str = "") -> CreditMovement:
    """The dataclass for an entry row."""
    return CreditMovement(
        id=entry.id,
        client_id=entry.client_id,
        created_at=entry.created_at,
        kind=entry.kind,
        amount_cents=entry.amount_cents,
        balance_after_cents=entry.balance_after_cents,
        description=entry.description,
        invoice_id=entry.invoice_id,
        invoice_number=invoice_number,
        reverses_id=entry.reverses_id,
        staff_name=staff_name,
    )


def key(value: object, what: str) -> uuid.UUID:
    """A row key from a UUID or its text; a malformed one means the row does not exist."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"There is no such {what}.") from None


def lock_client(client_id: object, *, skip_locked: bool = False) -> Client | None:
    """The client's row, locked until the transaction ends (call inside write_transaction()).

    With `skip_locked` (PostgreSQL) a row another transaction holds gives None instead of a
    wait. Raises NotFound when the client does not exist.
    """
    query = Client.select().where(Client.id == key(client_id, "client"))
    if is_postgres():
        query = query.for_update(skip_locked=skip_locked or None)
    client = query.first()
    if client is None:
        if skip_locked and Client.select().where(Client.id == key(client_id, "client")).exists():
            return None
        raise NotFound("That client no longer exists.")
    return client


def lock_invoice(invoice_id: object) -> tuple[Invoice, Client]:
    """An invoice and its client, both locked: the client first, as every writer does."""
    invoice_key = key(invoice_id, "invoice")
    client_id = Invoice.select(Invoice.client).where(Invoice.id == invoice_key).scalar()
    if client_id is None:
        raise NotFound("That invoice no longer exists.")
    client = lock_client(client_id)
    assert client is not None
    invoice = invoice_row(invoice_key)
    if invoice is None:
        raise NotFound("That invoice no longer exists.")
    if invoice.client_id != client.id:
        raise Conflict(f"{invoice.number} moved to another client just now; open it again.")
    return invoice, client


def lock_order(order_id: object) -> tuple[Order, Client]:
    """An order and its client, both locked: the client first, as every writer does."""
    order_key = key(order_id, "order")
    client_id = Order.select(Order.client).where(Order.id == order_key).scalar()
    if client_id is None:
        raise NotFound("That order no longer exists.")
    client = lock_client(client_id)
    assert client is not None
    query = Order.select().where(Order.id == order_key)
    order = (query.for_update() if is_postgres() else query).first()
    if order is None:
        raise NotFound("That order no longer exists.")
    if order.client_id != client.id:
        raise Conflict("That order moved to another client just now; open it again.")
    return order, client


def invoice_row(invoice_id: uuid.UUID) -> Invoice | None:
    """An invoice's row, locked until the transaction ends; lock its client first."""
    query = Invoice.select().where(Invoice.id == invoice_id)
    return (query.for_update() if is_postgres() else query).first()


def cents(amount: object, field: str = "amount") -> int:
    """Integer cents from Money, an int or typed text; refuses words, floats and absurd sizes."""
    if isinstance(amount, Money):
        value = amount.cents
    elif isinstance(amount, str):
        value = Money.parse(amount, field).cents
    elif isinstance(amount, int) and not isinstance(amount, bool):
        value = amount
    else:
        raise ValidationError(field, "The amount must be typed like 12.50.")
    if abs(value) >= MAX_CENTS:
        raise ValidationError(field, "That amount is too large to be real; check the digits.")
    return value


def positive_cents(amount: object, field: str = "amount") -> int:
    """Cents that must be more than zero (adding, applying, paying)."""
    value = cents(amount, field)
    if value <= 0:
        raise ValidationError(field, "The amount must be more than 0.00.")
    return value


def client_label(client: Client) -> str:
    """C-1042."""
    return format_number("client", client.number)


def append_entry(
    actor: Actor | None,
    client: Client,
    kind: CreditKind,
    amount_cents: int,
    description: str,
    *,
    invoice: Invoice | None = None,
    reverses: CreditEntry | None = None,
) -> CreditEntry:
    """Book one entry on a locked client and move the cached balance with it.

    Refuses (Conflict) anything that would take the balance below zero; callers check first
    to give a more precise sentence.
    """
    before = client.credit_cents
    after = before + amount_cents
    if after < 0:
        raise Conflict(
            f"{client_label(client)} has {Money(before)} credit; that is not enough for "
            f"{Money(-amount_cents)}."
        )
    entry = CreditEntry.create(
        id=_next_entry_key(client.id),
        client=client.id,
        client_number=client.number,
        kind=kind,
        amount_cents=amount_cents,
        balance_after_cents=after,
        description=description,
        invoice=invoice.id if invoice else None,
        reverses=reverses.id if reverses else None,
        staff=actor.id if actor else None,
    )
    Client.update(credit_cents=after).where(Client.id == client.id).execute()
    client.credit_cents = after
    number = invoice.number if invoice else ""
    audit.record(
        actor,
        "credit." + kind.lower().replace(" ", "_"),
        "credit_entry",
        entry.id,
        f"{kind} for {client_label(client)}: {Money(amount_cents)}"
        + (f" ({number})" if number else ""),
        before={"client": client_label(client), "credit_cents": before},
        after={
            "client": client_label(client),
            "credit_cents": after,
            "kind": str(kind),
            "amount_cents": amount_cents,
            "description": description,
            "invoice": number,
            "reverses": str(reverses.id) if reverses else "",
        },
    )
    feed.publish(Entity.CLIENT, client.id, "credit")
    return entry


def _next_entry_key(client_id: uuid.UUID) -> uuid.UUID:
    """A key greater than the client's newest entry's, so key order is booking order.

    Keys from two processes in the same millisecond may come out of order; the client lock
    serializes booking, and this keeps the keys in that order too.
    """
    candidate = uuid7()
    newest = (
        CreditEntry.select(CreditEntry.id)
        .where(CreditEntry.client == client_id)
        .order_by(CreditEntry.id.desc())
        .limit(1)
        .scalar()
    )
    if newest is not None and key(newest, "entry").int >= candidate.int:
        return uuid.UUID(int=key(newest, "entry").int + 1)
    return candidate


def change_amount_due(actor: Actor | None, invoice: Invoice, amount_due_cents: int) -> None:
    """Set what is left to pay on a locked Unpaid/Paid invoice: Paid exactly when it is zero."""
    if not 0 <= amount_due_cents <= invoice.total_cents:
        raise Conflict(f"{invoice.number} cannot have {Money(amount_due_cents)} due.")
    before = _invoice_state(invoice)
    invoice.amount_due_cents = amount_due_cents
    invoice.status = InvoiceStatus.PAID if amount_due_cents == 0 else InvoiceStatus.UNPAID
    invoice.paid_on = (invoice.paid_on or clock.today()) if amount_due_cents == 0 else None
    save_invoice(actor, invoice, before, "invoice.paid" if amount_due_cents == 0 else "invoice.due")


def save_invoice(
    actor: Actor | None, invoice: Invoice, before: dict[str, object], action: str
) -> None:
    """Write a locked invoice's status and amounts back with a new version, audited."""
    invoice.version += 1
    Invoice.update(
        status=invoice.status,
        amount_due_cents=invoice.amount_due_cents,
        paid_on=invoice.paid_on,
        version=invoice.version,
        updated_at=clock.now(),
    ).where(Invoice.id == invoice.id).execute()
    after = _invoice_state(invoice)
    summary = f"{invoice.number}: {before['status']} → {after['status']}, due {after['due']}"
    audit.record(actor, action, "invoice", invoice.id, summary, before, after)
    feed.publish(Entity.INVOICE, invoice.id, "updated")


def _invoice_state(invoice: Invoice) -> dict[str, object]:
    return {
        "number": invoice.number,
        "status": invoice.status,
        "due": str(Money(invoice.amount_due_cents)),
        "amount_due_cents": invoice.amount_due_cents,
        "paid_on": invoice.paid_on.isoformat() if invoice.paid_on else None,
        "version": invoice.version,
    }


def apply_locked(
    actor: Actor | None, client: Client, invoice: Invoice, requested: int | None
) -> CreditEntry:
    """Move credit onto a locked Unpaid invoice: min(balance, due), or exactly `requested`."""
    label = client_label(client)
    if invoice.status != InvoiceStatus.UNPAID:
        raise Conflict(f"{invoice.number} is {invoice.status}; credit goes only to unpaid ones.")
    if client.credit_cents <= 0:
        raise Conflict(f"{label} has no credit to apply.")
    due = invoice.amount_due_cents
    amount = min(client.credit_cents, due) if requested is None else requested
    if amount > client.credit_cents:
        raise ValidationError(
            "amount", f"{label} has only {Money(client.credit_cents)} credit; apply at most that."
        )
    if amount > due:
        raise ValidationError(
            "amount", f"{invoice.number} has only {Money(due)} left to pay; apply at most that."
        )
    entry = append_entry(
        actor, client, CreditKind.APPLIED, -amount, f"Applied to {invoice.number}", invoice=invoice
    )
    change_amount_due(actor, invoice, due - amount)
    return entry
