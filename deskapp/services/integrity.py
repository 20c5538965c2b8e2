"""The ledger check behind `deskapp db check`: every cached amount agrees with its entries.

- a client's cached credit is the sum of its credit entries, and never below zero;
- each entry's balance-after follows from the entry before it (key order is booking order);
- an invoice's total is the sum of its lines; an unpaid or paid invoice's amount due is its total
  less the credit applied to it (Applied entries, less Reversals of them) less what was paid
  towards it (payments less refunds less the Overpayment that went to credit); it is Paid
  exactly when that is zero; a cancelled or refunded invoice has nothing due.

Each check is one set-based query that returns only the mismatches, at most `limit` of a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from deskapp.db import db
from deskapp.ids import format_number
from deskapp.models import CreditKind, InvoiceStatus
from deskapp.money import Money


def _literal(value: str) -> str:
    """A constant of the code as an SQL string literal (never user input)."""
    assert "'" not in value
    return f"'{value}'"


UNPAID, PAID = _literal(InvoiceStatus.UNPAID), _literal(InvoiceStatus.PAID)
CLOSED = f"{_literal(InvoiceStatus.CANCELLED)}, {_literal(InvoiceStatus.REFUNDED)}"
APPLIED = f"{_literal(CreditKind.APPLIED)}, {_literal(CreditKind.REVERSAL)}"

CREDIT_MISMATCHES = """
SELECT c.number, c.credit_cents, COALESCE(e.total, 0)
FROM client c
LEFT JOIN (SELECT client_id, SUM(amount_cents) AS total FROM credit_entry GROUP BY client_id) e
  ON e.client_id = c.id
WHERE c.credit_cents <> COALESCE(e.total, 0) OR c.credit_cents < 0"""
"""Clients whose cached credit is not the sum of their entries (or is negative)."""

BROKEN_CHAINS = """
SELECT x.client_number, x.kind, x.created_at, x.amount_cents, x.balance_after_cents, x.previous
FROM (SELECT client_number, id, kind, created_at, amount_cents, balance_after_cents,
        COALESCE(LAG(balance_after_cents) OVER (PARTITION BY client_number ORDER BY id), 0)
          AS previous
      FROM credit_entry) x
WHERE x.balance_after_cents <> x.previous + x.amount_cents OR x.balance_after_cents < 0"""
"""Entries whose balance-after does not follow from the entry before them in the ledger they
were booked on (merged and detached entries included)."""

INVOICE_MISMATCHES = f"""
SELECT i.number, i.status, i.total_cents, i.amount_due_cents, COALESCE(l.total, 0),
       COALESCE(e.applied, 0), COALESCE(p.paid, 0) - COALESCE(e.overpaid, 0)
FROM invoice i
LEFT JOIN (SELECT invoice_id, SUM(amount_cents) AS total FROM invoice_line GROUP BY invoice_id) l
  ON l.invoice_id = i.id
LEFT JOIN (SELECT invoice_id,
             -SUM(CASE WHEN kind IN ({APPLIED}) THEN amount_cents ELSE 0 END) AS applied,
             SUM(CASE WHEN kind = {_literal(CreditKind.OVERPAYMENT)} THEN amount_cents ELSE 0 END)
               AS overpaid
           FROM credit_entry WHERE invoice_id IS NOT NULL GROUP BY invoice_id) e
  ON e.invoice_id = i.id
LEFT JOIN (SELECT invoice_id, SUM(amount_cents - refunded_cents) AS paid
           FROM payment_transaction WHERE invoice_id IS NOT NULL GROUP BY invoice_id) p
  ON p.invoice_id = i.id
WHERE i.total_cents <> COALESCE(l.total, 0)
   OR (i.status IN ({UNPAID}, {PAID}) AND i.amount_due_cents <> i.total_cents
       - COALESCE(e.applied, 0) - COALESCE(p.paid, 0) + COALESCE(e.overpaid, 0))
   OR (i.status = {PAID} AND i.amount_due_cents <> 0)
   OR (i.status = {UNPAID} AND i.amount_due_cents = 0)
   OR (i.status IN ({CLOSED}) AND i.amount_due_cents <> 0)
   OR i.status NOT IN ({UNPAID}, {PAID}, {CLOSED})"""
"""Invoices whose lines, amount due or status disagree with the money booked against them."""


def check_ledger(limit: int = 100) -> list[str]:
    """One sentence per mismatch (empty when all is well), at most `limit` of each kind."""
    return (
        _mismatches(CREDIT_MISMATCHES, "c.number", _credit, limit, "clients")
        + _mismatches(BROKEN_CHAINS, "x.client_number, x.id", _chain, limit, "credit entries")
        + _mismatches(INVOICE_MISMATCHES, "i.number", _invoice, limit, "invoices")
    )


def _mismatches(
    query: str,
    order: str,
    describe: Callable[[Sequence[Any]], list[str]],
    limit: int,
    noun: str,
) -> list[str]:
    rows = db.execute_sql(f"{query} ORDER BY {order} LIMIT {int(limit) + 1}").fetchall()
    found = [sentence for row in rows[:limit] for sentence in describe(row)]
    if len(rows) > limit:
        total = int(db.execute_sql(f"SELECT COUNT(*) FROM ({query}) AS m").fetchone()[0])
        found.append(f"…and {total - limit:,} more {noun} like these.")
    return found


def _cents(value: Any) -> Money:
    return Money(int(value))


def _credit(row: Sequence[Any]) -> list[str]:
    number, cached, total = row
    client = format_number("client", number)
    if int(cached) < 0:
        return [f"Client {client} has negative credit: {_cents(cached)}."]
    return [
        f"Client {client}: cached credit {_cents(cached)}, but its ledger entries add up to "
        f"{_cents(total)}."
    ]


def _chain(row: Sequence[Any]) -> list[str]:
    number, kind, created_at, amount, after, previous = row
    return [
        f"Client {format_number('client', number)}: the “{kind}” entry of "
        f"{str(created_at)[:16]} says the balance became {_cents(after)}, but "
        f"{_cents(previous)} plus {_cents(amount)} is {_cents(int(previous) + int(amount))}."
    ]


def _invoice(row: Sequence[Any]) -> list[str]:
    number, status, total, due, lines, applied, paid = row
    total, due, lines, applied, paid = (int(v) for v in (total, due, lines, applied, paid))
    found = []
    if total != lines:
        found.append(
            f"Invoice {number}: total {Money(total)}, but its lines add up to {Money(lines)}."
        )
    if status in (InvoiceStatus.UNPAID, InvoiceStatus.PAID) and due != total - applied - paid:
        found.append(
            f"Invoice {number} ({status}): amount due {Money(due)}, but its total {Money(total)} "
            f"less credit applied {Money(applied)} less payments {Money(paid)} is "
            f"{Money(total - applied - paid)}."
        )
    if status == InvoiceStatus.PAID and due != 0:
        found.append(f"Invoice {number} is Paid with {Money(due)} still due.")
    elif status == InvoiceStatus.UNPAID and due == 0:
        found.append(f"Invoice {number} is Unpaid with nothing left to pay.")
    elif status in (InvoiceStatus.CANCELLED, InvoiceStatus.REFUNDED) and due != 0:
        found.append(f"Invoice {number} is {status} with {Money(due)} still due.")
    elif status not in tuple(InvoiceStatus):
        found.append(f"Invoice {number} has the unknown status “{status}”.")
    return found
