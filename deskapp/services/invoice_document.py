"""An invoice as a document: everything about one invoice, read in one go, and its plain-text
and JSON forms (the mail body, `deskapp invoice show`, the invoice screen).

The document is read inside one transaction (on PostgreSQL a REPEATABLE READ, READ ONLY one
when it is not already inside the caller's), so its lines, payments, credit and history agree
with each other. Amounts are integer cents; the text form formats them at the edge. Everything
a client or staff member typed (names, addresses, descriptions, references, reasons) is
cleaned of control characters before it reaches the text or the JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deskapp.db.transaction import read_snapshot
from deskapp.errors import NotFound
from deskapp.ids import format_number
from deskapp.models import (
    AuditEntry,
    Client,
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceLine,
    Order,
    PaymentTransaction,
    Staff,
)
from deskapp.money import Money
from deskapp.text import clean

__all__ = [
    "WIDTH",
    "CreditMove",
    "DocumentClient",
    "DocumentLine",
    "DocumentPayment",
    "InvoiceDocument",
    "StatusChange",
    "find_invoice_id",
    "invoice_json",
    "invoice_text",
    "load_invoice_document",
    "parse_invoice_number",
]

WIDTH = 72
"""The width of the text invoice: a mail body and an 80-column terminal both show it whole."""

_NUMBER = re.compile(r"^\s*INV-?(\d{4})-?(\d{1,9})\s*$", re.IGNORECASE)
_QUANTITY = re.compile(r"^(\d{1,6}) × ")


@dataclass(frozen=True)
class DocumentClient:
    """Who is billed: the client as it is now and the addressee as it was at issue time."""

    id: uuid.UUID
    """The client's key."""
    number: int
    """1042."""
    label: str
    """C-1042."""
    name: str
    """The company, else the person (untrusted text)."""
    email: str
    """The client's own email."""
    bill_to_name: str
    """The addressee at issue time: the billing contact, else the client (untrusted text)."""
    bill_to_email: str
    """Where the invoice was addressed at issue time."""
    bill_to_address: tuple[str, ...]
    """The postal address at issue time, one line each (untrusted text)."""
    credit_cents: int = 0
    """The client's credit balance now (what paying from credit can use)."""


@dataclass(frozen=True)
class DocumentLine:
    """One charge on the invoice."""

    description: str
    """What is charged (untrusted text: product names, identifiers)."""
    period_start: dt.date | None
    """The first day of the service period billed, for a recurring line."""
    period_end: dt.date | None
    """The last day of that period."""
    quantity: int
    """How many (an order line "3 × Voice line" is 3; otherwise 1)."""
    unit_price_cents: int
    """The price of one."""
    amount_cents: int
    """The charge: quantity times the unit price."""


@dataclass(frozen=True)
class DocumentPayment:
    """Money received towards the invoice."""

    id: uuid.UUID
    """The payment transaction's key."""
    received_at: dt.datetime
    """When it was recorded (UTC)."""
    gateway: str
    """"manual" for money staff recorded, else the gateway ("stripe")."""
    method: str
    """Bank transfer, Cash, Cheque, card, ..."""
    reference: str
    """The bank's or the gateway's reference (untrusted text)."""
    amount_cents: int
    """What was received."""
    refunded_cents: int
    """What of it went back through the gateway."""
    staff_name: str
    """Who recorded it; empty for the gateway or a job."""


@dataclass(frozen=True)
class CreditMove:
    """A movement of the client's credit concerning the invoice."""

    id: uuid.UUID
    """The credit entry's key."""
    at: dt.datetime
    """When it was booked (UTC)."""
    kind: str
    """The CreditKind value: Applied to invoice, Reversal, Refund to credit, Credit note, ..."""
    amount_cents: int
    """As the invoice sees it: credit applied is positive here, as is a refund or a credit
    note to the client; a reversal of applied credit is negative."""
    description: str
    """What the ledger says (untrusted text)."""
    staff_name: str
    """Who booked it; empty for the desk itself."""


@dataclass(frozen=True)
class StatusChange:
    """A change of the invoice's status, from the audit log."""

    at: dt.datetime
    """When (UTC)."""
    status: str
    """The status after it: Unpaid (on issue, or reopened), Paid, Cancelled, Refunded."""
    event: str
    """What happened, in a word: Issued, Paid, Reopened, Cancelled, Refunded."""
    who: str
    """The staff member's name, or "system: billing run" for a job."""
    reason: str
    """The reason given, if any (untrusted text)."""


@dataclass(frozen=True)
class InvoiceDocument:
    """One invoice, whole."""

    id: uuid.UUID
    """The invoice's key."""
    number: str
    """INV-2026-00017."""
    status: str
    """Unpaid, Paid, Cancelled or Refunded."""
    issued_on: dt.date
    """The day it was issued."""
    due_on: dt.date
    """The day payment is due."""
    paid_on: dt.date | None
    """The day it became Paid, if it did."""
    order_label: str
    """The order it bills ("O-5531"), or empty."""
    client: DocumentClient
    """Who is billed."""
    lines: tuple[DocumentLine, ...]
    """The charges, in the order they were added (by period)."""
    total_cents: int
    """The sum of the lines."""
    credit_applied_cents: int
    """Credit applied, net of reversals."""
    paid_cents: int
    """Payments received towards it (before gateway refunds)."""
    overpaid_cents: int
    """What of the payments went on to the client's credit because it was more than due."""
    refunded_cents: int
    """Returned: to the card through the gateway, and to credit when refunded or cancelled."""
    amount_due_cents: int
    """What is left to pay (0 once Paid, Cancelled or Refunded)."""
    payments: tuple[DocumentPayment, ...]
    """Payments, oldest first."""
    credit_applied: tuple[CreditMove, ...]
    """Credit applied to it and reversals of that, oldest first."""
    refunds: tuple[CreditMove, ...]
    """Money given back: refunds to credit (cancellation, refund) and gateway refunds."""
    credit_notes: tuple[CreditMove, ...]
    """Credit notes booked for it (or, for an order's invoice, for that order's unused days)."""
    overpayments: tuple[CreditMove, ...]
    """Overpayments of it booked to credit."""
    history: tuple[StatusChange, ...]
    """Its status changes, oldest first."""
    version: int
    """The row version, for conflict checks by the screen's actions."""

    @property
    def label(self) -> str:
        """The invoice's number (for symmetry with orders and tickets)."""
        return self.number


def find_invoice_id(number_or_id: object) -> uuid.UUID:
    """The key of the invoice numbered "INV-2026-00592" (or "inv202600592", or its UUID);
    NotFound with a sentence otherwise."""
    if isinstance(number_or_id, uuid.UUID):
        found = Invoice.select(Invoice.id).where(Invoice.id == number_or_id).scalar()
        if found is None:
            raise NotFound("That invoice no longer exists.")
        return number_or_id
    typed = str(number_or_id)
    number = parse_invoice_number(typed)
    if number is not None:
        found = Invoice.select(Invoice.id).where(Invoice.number == number).scalar()
        if found is not None:
            return uuid.UUID(str(found))
        raise NotFound(f"There is no invoice {number}.")
    try:
        key = uuid.UUID(typed.strip())
    except ValueError:
        shown = clean(typed.strip())[:30]
        raise NotFound(
            f"“{shown}” is not an invoice number; write it like INV-2026-00017."
        ) from None
    return find_invoice_id(key)


def load_invoice_document(invoice_number_or_id: object) -> InvoiceDocument:
    """The whole invoice: "INV-2026-00592", its UUID, or the UUID's text. NotFound otherwise."""
    with read_snapshot():
        invoice_id = find_invoice_id(invoice_number_or_id)
        invoice = Invoice.get_or_none(Invoice.id == invoice_id)
        if invoice is None:
            raise NotFound("That invoice no longer exists.")
        client = Client.get_by_id(invoice.client_id)
        order_number = None
        if invoice.order_id is not None:
            order_number = Order.select(Order.number).where(Order.id == invoice.order_id).scalar()
        order_label = format_number("order", order_number) if order_number else ""
        lines = tuple(
            _line(row)
            for row in InvoiceLine.select()
            .where(InvoiceLine.invoice == invoice.id)
            .order_by(InvoiceLine.period_start, InvoiceLine.id)
        )
        names = _staff_names()
        payments = tuple(
            DocumentPayment(
                id=row.id,
                received_at=row.created_at,
                gateway=row.gateway,
                method=clean(row.method),
                reference=clean(row.reference),
                amount_cents=row.amount_cents,
                refunded_cents=row.refunded_cents,
                staff_name=names(row.staff_id),
            )
            for row in PaymentTransaction.select()
            .where(PaymentTransaction.invoice == invoice.id)
            .order_by(PaymentTransaction.created_at, PaymentTransaction.id)
        )
        entries = list(
            CreditEntry.select()
            .where(CreditEntry.invoice == invoice.id)
            .order_by(CreditEntry.created_at, CreditEntry.id)
        )
        if order_label and invoice.client_id is not None:
            entries += list(
                CreditEntry.select()
                .where(
                    (CreditEntry.client == invoice.client_id)
                    & (CreditEntry.invoice.is_null())
                    & (CreditEntry.kind == CreditKind.CREDIT_NOTE)
                    & (CreditEntry.description.startswith(f"Unused days of {order_label} "))
                )
                .order_by(CreditEntry.created_at, CreditEntry.id)
            )
        history = _history(invoice.id)
    moves = {
        kind: tuple(_move(entry, names) for entry in entries if entry.kind in kinds)
        for kind, kinds in _KINDS.items()
    }
    gateway_refunds = tuple(
        CreditMove(
            id=payment.id,
            at=payment.received_at,
            kind="Refund to card",
            amount_cents=payment.refunded_cents,
            description=f"{payment.method or payment.gateway} {payment.reference}".strip(),
            staff_name="",
        )
        for payment in payments
        if payment.refunded_cents
    )
    refunds = moves["refunds"] + gateway_refunds
    return InvoiceDocument(
        id=invoice.id,
        number=invoice.number,
        status=invoice.status,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        paid_on=invoice.paid_on,
        order_label=order_label,
        client=_client(client, invoice),
        lines=lines,
        total_cents=invoice.total_cents,
        credit_applied_cents=sum(move.amount_cents for move in moves["applied"]),
        paid_cents=sum(payment.amount_cents for payment in payments),
        overpaid_cents=sum(move.amount_cents for move in moves["overpayments"]),
        refunded_cents=sum(move.amount_cents for move in refunds),
        amount_due_cents=invoice.amount_due_cents,
        payments=payments,
        credit_applied=moves["applied"],
        refunds=refunds,
        credit_notes=moves["credit_notes"],
        overpayments=moves["overpayments"],
        history=history,
        version=invoice.version,
    )


_KINDS = {
    "applied": (CreditKind.APPLIED, CreditKind.REVERSAL),
    "refunds": (CreditKind.REFUND,),
    "credit_notes": (CreditKind.CREDIT_NOTE,),
    "overpayments": (CreditKind.OVERPAYMENT,),
}


def _staff_names() -> Callable[[uuid.UUID | None], str]:
    """A memo of staff names by key (a document names few people)."""
    known: dict[uuid.UUID | None, str] = {None: ""}

    def name(staff_id: uuid.UUID | None) -> str:
        if staff_id not in known:
            found = Staff.select(Staff.name).where(Staff.id == staff_id).scalar()
            known[staff_id] = clean(found or "")
        return known[staff_id]

    return name


def _client(client: Client, invoice: Invoice) -> DocumentClient:
    person = f"{client.first_name} {client.last_name}".strip()
    address = clean(invoice.bill_to_address, multiline=True).replace("\t", " ")
    return DocumentClient(
        id=client.id,
        number=client.number,
        label=format_number("client", client.number),
        name=clean(client.company or person),
        email=clean(client.email),
        bill_to_name=clean(invoice.bill_to_name),
        bill_to_email=clean(invoice.bill_to_email),
        bill_to_address=tuple(line.strip() for line in address.splitlines() if line.strip()),
        credit_cents=client.credit_cents,
    )


def _line(row: InvoiceLine) -> DocumentLine:
    description = clean(row.description)
    quantity = 1
    matched = _QUANTITY.match(description)
    if matched is not None and int(matched.group(1)) > 0:
        count = int(matched.group(1))
        if row.amount_cents % count == 0:
            quantity = count
            description = description[matched.end() :]
    return DocumentLine(
        description=description,
        period_start=row.period_start,
        period_end=row.period_end,
        quantity=quantity,
        unit_price_cents=row.amount_cents // quantity,
        amount_cents=row.amount_cents,
    )


def _move(entry: CreditEntry, names: Callable[[uuid.UUID | None], str]) -> CreditMove:
    # Applied credit is a negative entry on the ledger; the invoice sees it as money received.
    sign = -1 if entry.kind in (CreditKind.APPLIED, CreditKind.REVERSAL) else 1
    return CreditMove(
        id=entry.id,
        at=entry.created_at,
        kind=entry.kind,
        amount_cents=sign * entry.amount_cents,
        description=clean(entry.description),
        staff_name=names(entry.staff_id),
    )


_EVENTS = {"Paid": "Paid", "Cancelled": "Cancelled", "Refunded": "Refunded", "Unpaid": "Reopened"}


def _history(invoice_id: uuid.UUID) -> tuple[StatusChange, ...]:
    rows = (
        AuditEntry.select(
            AuditEntry.created_at,
            AuditEntry.action,
            AuditEntry.staff_name,
            AuditEntry.before,
            AuditEntry.after,
        )
        .where((AuditEntry.entity == "invoice") & (AuditEntry.entity_id == str(invoice_id)))
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    changes: list[StatusChange] = []
    for row in rows:
        before, after = _json(row.before), _json(row.after)
        who = clean(row.staff_name)
        if row.action == "invoice.issued":
            changes.append(StatusChange(row.created_at, "Unpaid", "Issued", who, ""))
            continue
        status = str(after.get("status", ""))
        if not status or status == before.get("status"):
            continue
        reason = clean(str(before.get("reason") or after.get("reason") or ""))
        changes.append(
            StatusChange(row.created_at, status, _EVENTS.get(status, status), who, reason)
        )
    return tuple(changes)


def _json(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# The text form -------------------------------------------------------------------------------

_AMOUNT = 14
"""The width of an amount column (up to 99,999,999,999.99 with a sign)."""
_DESCRIPTION = WIDTH - 4 - 1 - 12 - 1 - _AMOUNT - 1
"""What is left of a line for its description: 72 less the quantity, unit price and amount."""


def _money(cents: int) -> str:
    return str(Money(cents))


def _right(label: str, cents: int, indent: int = 0) -> str:
    """A label on the left, the amount ending at the last column."""
    amount = _money(cents).rjust(_AMOUNT)
    room = WIDTH - _AMOUNT - 1 - indent
    return " " * indent + _fit(label, room).ljust(room) + " " + amount


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False
    ) or [indent.rstrip()]


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else "-"


def _when(at: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M}"


def invoice_text(doc: InvoiceDocument) -> str:
    """The invoice as plain text, at most 72 columns wide, amounts aligned on the right: fit
    for a mail body and a terminal. Everything in it was cleaned when the document was read."""
    out: list[str] = []
    title = f"INVOICE {doc.number}"
    out.append(title + doc.status.upper().rjust(WIDTH - len(title)))
    out.append("=" * WIDTH)
    out.append(f"Client:    {_fit(f'{doc.client.label}  {doc.client.name}', WIDTH - 11)}")
    if doc.order_label:
        out.append(f"Order:     {doc.order_label}")
    out.append(f"Issued:    {_date(doc.issued_on)}")
    out.append(f"Due:       {_date(doc.due_on)}")
    if doc.paid_on is not None:
        out.append(f"Paid:      {_date(doc.paid_on)}")
    out.append("")
    out.append("Bill to:")
    for line in (doc.client.bill_to_name, *doc.client.bill_to_address, doc.client.bill_to_email):
        if line:
            out.extend(_wrap(line, WIDTH, "  "))
    out.append("")
    header = "Description".ljust(_DESCRIPTION) + " " + "Qty".rjust(4)
    out.append(header + " " + "Unit price".rjust(12) + " " + "Amount".rjust(_AMOUNT))
    out.append("-" * WIDTH)
    for item in doc.lines:
        text = _wrap(item.description, _DESCRIPTION)
        figures = (
            str(item.quantity).rjust(4)
            + " "
            + _money(item.unit_price_cents).rjust(12)
            + " "
            + _money(item.amount_cents).rjust(_AMOUNT)
        )
        out.append(text[0].ljust(_DESCRIPTION) + " " + figures)
        out.extend(text[1:])
        if item.period_start is not None:
            period = f"  period {_date(item.period_start)} to {_date(item.period_end)}"
            out.append(period)
    if not doc.lines:
        out.append("(no lines)")
    out.append("-" * WIDTH)
    out.extend(_totals(doc))
    out.append("=" * WIDTH)
    out.append(_right("AMOUNT DUE", doc.amount_due_cents))
    sections: list[tuple[str, list[str]]] = [
        ("Payments", [_payment(p) for p in doc.payments]),
        ("Credit applied", [_credit(m, doc.number) for m in doc.credit_applied]),
        ("Overpayments to credit", [_credit(m, doc.number) for m in doc.overpayments]),
        ("Refunds", [_credit(m, doc.number) for m in doc.refunds]),
        ("Credit notes", [_credit(m, doc.number) for m in doc.credit_notes]),
    ]
    for heading, rows in sections:
        if rows:
            out.append("")
            out.append(heading)
            out.extend(row for block in rows for row in block.splitlines())
    if doc.history:
        out.append("")
        out.append("History")
        for change in doc.history:
            out.extend(_change(change))
    return "\n".join(line.rstrip() for line in out) + "\n"


def _totals(doc: InvoiceDocument) -> list[str]:
    rows = [_right("Total", doc.total_cents, 30)]
    if doc.credit_applied_cents:
        rows.append(_right("Credit applied", -doc.credit_applied_cents, 30))
    if doc.paid_cents:
        rows.append(_right("Payments", -doc.paid_cents, 30))
    if doc.overpaid_cents:
        rows.append(_right("Overpayment to credit", doc.overpaid_cents, 30))
    if doc.refunded_cents:
        rows.append(_right("Refunded", doc.refunded_cents, 30))
    return rows


def _payment(payment: DocumentPayment) -> str:
    what = payment.method or payment.gateway
    if payment.reference:
        what += f", ref {payment.reference}"
    if payment.staff_name:
        what += f" ({payment.staff_name})"
    row = _right(f"{_when(payment.received_at)}  {what}", payment.amount_cents, 2)
    if payment.refunded_cents:
        row += "\n" + _right("  of which refunded", payment.refunded_cents, 2)
    return row


def _credit(move: CreditMove, number: str) -> str:
    first = _right(f"{_when(move.at)}  {move.kind}", move.amount_cents, 2)
    said = "" if move.description == f"Applied to {number}" else move.description
    detail = (said + (f" ({move.staff_name})" if move.staff_name else "")).strip()
    return "\n".join([first, *_wrap(detail, WIDTH, "      ")]) if detail else first


def _change(change: StatusChange) -> list[str]:
    row = f"  {_when(change.at)}  {change.event.ljust(10)} {change.who}"
    rows = [_fit(row, WIDTH)]
    if change.reason:
        rows += _wrap(f"reason: {change.reason}", WIDTH, "      ")
    return rows


# The JSON form -------------------------------------------------------------------------------


def _amount(cents: int) -> dict[str, Any]:
    return {"cents": cents, "formatted": _money(cents)}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def invoice_json(doc: InvoiceDocument) -> dict[str, Any]:
    """The invoice for scripts: amounts as {"cents": int, "formatted": "1,234.50"}, dates and
    times ISO 8601 (times in UTC), keys stable."""

    def move(item: CreditMove) -> dict[str, Any]:
        return {
            "id": str(item.id),
            "at": _iso(item.at),
            "kind": item.kind,
            "amount": _amount(item.amount_cents),
            "description": item.description,
            "staff": item.staff_name,
        }

    return {
        "id": str(doc.id),
        "number": doc.number,
        "status": doc.status,
        "issued_on": _iso(doc.issued_on),
        "due_on": _iso(doc.due_on),
        "paid_on": _iso(doc.paid_on),
        "order": doc.order_label or None,
        "client": {
            "id": str(doc.client.id),
            "number": doc.client.number,
            "label": doc.client.label,
            "name": doc.client.name,
            "email": doc.client.email,
        },
        "bill_to": {
            "name": doc.client.bill_to_name,
            "email": doc.client.bill_to_email,
            "address": list(doc.client.bill_to_address),
        },
        "lines": [
            {
                "description": line.description,
                "period_start": _iso(line.period_start),
                "period_end": _iso(line.period_end),
                "quantity": line.quantity,
                "unit_price": _amount(line.unit_price_cents),
                "amount": _amount(line.amount_cents),
            }
            for line in doc.lines
        ],
        "totals": {
            "total": _amount(doc.total_cents),
            "credit_applied": _amount(doc.credit_applied_cents),
            "paid": _amount(doc.paid_cents),
            "overpaid": _amount(doc.overpaid_cents),
            "refunded": _amount(doc.refunded_cents),
            "amount_due": _amount(doc.amount_due_cents),
        },
        "payments": [
            {
                "id": str(payment.id),
                "received_at": _iso(payment.received_at),
                "gateway": payment.gateway,
                "method": payment.method,
                "reference": payment.reference,
                "amount": _amount(payment.amount_cents),
                "refunded": _amount(payment.refunded_cents),
                "staff": payment.staff_name,
            }
            for payment in doc.payments
        ],
        "credit_applied": [move(item) for item in doc.credit_applied],
        "overpayments": [move(item) for item in doc.overpayments],
        "refunds": [move(item) for item in doc.refunds],
        "credit_notes": [move(item) for item in doc.credit_notes],
        "history": [
            {
                "at": _iso(change.at),
                "status": change.status,
                "event": change.event,
                "who": change.who,
                "reason": change.reason,
            }
            for change in doc.history
        ],
        "version": doc.version,
    }


def parse_invoice_number(text: str) -> str | None:
    """The invoice number in "INV-2026-00017", "inv-2026-17" or "INV202600017", or None."""
    matched = _NUMBER.match(text)
    if matched is None:
        return None
    return f"INV-{matched.group(1)}-{int(matched.group(2)):05d}"
