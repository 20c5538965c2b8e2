"""Human numbers (C-1042, T-20311, O-5531, INV-2026-00017) handed out by the database.

The counter row is updated inside the caller's transaction, so a rolled-back write gives its
number back: invoice numbers have no gaps. On PostgreSQL the row lock serializes writers.
"""

from __future__ import annotations

from deskapp.models import NumberSequence

FIRST_NUMBERS = {"client": 1001, "ticket": 20001, "order": 5001}
"""Where each kind starts, so numbers look established from day one; invoices start at 1."""


def next_number(kind: str) -> int:
    """Take the next number of `kind` (client, ticket, order, or invoice-YYYY).

    One statement, an upsert: a missing counter is created with the kind's first number taken,
    an existing one counts on; two desks racing for a kind's first number (the first invoice of
    a new year) queue on the row instead of clashing.
    """
    first = FIRST_NUMBERS.get(kind, 1)
    taken = (
        NumberSequence.insert(name=kind, next_value=first + 1)
        .on_conflict(
            conflict_target=[NumberSequence.name],
            update={NumberSequence.next_value: NumberSequence.next_value + 1},
        )
        .returning(NumberSequence.next_value)
        .execute()
    )
    return [row.next_value for row in taken][0] - 1


def reserve_numbers(kind: str, count: int) -> int:
    """Take `count` consecutive numbers at once (bulk seeding); returns the first."""
    first = next_number(kind)
    if count > 1:
        NumberSequence.update(next_value=NumberSequence.next_value + count - 1).where(
            NumberSequence.name == kind
        ).execute()
    return first
