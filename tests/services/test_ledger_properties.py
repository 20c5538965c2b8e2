"""Property tests on both backends: any sequence of add, adjust, issue, apply, pay, reverse,
cancel and merge keeps the balance equal to the sum of the entries (and never below zero),
never applies more credit than there is, and leaves an invoice Paid exactly when nothing is due.

A small model of the books predicts every outcome, refusals included. One database serves all
examples of a test (creating one per example is too slow on PostgreSQL); each example works on
a client of its own.

Amounts reach the boundaries where bugs live: besides random ones, a step may pay exactly what is
due, a cent less or a cent more, apply exactly the balance or a cent beyond it, issue an invoice
for the balance or a cent more. Explicit examples run those edges every time;
test_ledger_boundaries.py shows that a desk marking an invoice Paid with a cent still due, or
applying a cent more credit than there is, fails these properties.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import peewee
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ledger_helpers import client, invoice, staff

from deskapp.errors import Conflict, DeskError, ValidationError
from deskapp.models import Client, CreditEntry, CreditKind, Invoice, InvoiceStatus, Role
from deskapp.services import credit, invoices
from deskapp.services.integrity import check_ledger

cents = st.integers(min_value=1, max_value=50_000)
index = st.integers(min_value=0, max_value=40)
EDGES = ("balance", "balance-1", "balance+1", "due", "due-1", "due+1")
"""Amounts relative to the books at that step: where off-by-one-cent bugs show."""
edge = st.sampled_from(EDGES)
operations = st.one_of(
    st.tuples(st.just("add"), cents),
    st.tuples(st.just("adjust"), st.integers(-50_000, 50_000).filter(bool)),
    st.tuples(st.just("adjust"), st.sampled_from(("-balance", "-balance+1"))),
    st.tuples(st.just("issue"), st.integers(0, 50_000) | edge),
    st.tuples(st.just("apply"), index, st.none() | cents | edge),
    st.tuples(st.just("pay"), index, cents | edge),
    st.tuples(st.just("reverse"), index),
    st.tuples(st.just("cancel"), index),
    st.tuples(st.just("merge"), st.integers(0, 20_000)),
)
BOUNDARIES = [
    [("add", 1_000), ("issue", 1_500), ("pay", 0, "due-1"), ("pay", 0, "due")],
    [("add", 1_000), ("issue", "balance+1"), ("pay", 0, "due+1")],
    [("issue", 2_000), ("add", 1_000), ("apply", 0, "balance+1"), ("apply", 0, "balance")],
    [("add", 700), ("issue", 500), ("apply", 0, "due+1"), ("adjust", "-balance+1")],
    [("add", 700), ("issue", 900), ("add", 300), ("apply", 0, "due-1"), ("apply", 0, "due")],
]
"""Step lists every run tries first: a cent either side of due and of the balance."""


PROPERTIES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Books:
    """What the ledger should say, kept by hand."""

    client: uuid.UUID
    balance: int = 0
    invoices: dict[uuid.UUID, list] = field(default_factory=dict)  # id -> [total, due, status]
    order: list[uuid.UUID] = field(default_factory=list)


def _pick(items: list, position: int):  # type: ignore[no-untyped-def]
    return items[position % len(items)] if items else None


def _resolve(books: Books, amount, key=None):  # type: ignore[no-untyped-def]
    """An amount from a step: as given, or an edge of the books at this step (at least 1).

    "due-1" is a cent less than the invoice's amount due; "-balance+1" takes a cent more than
    the balance."""
    if not isinstance(amount, str):
        return amount
    text, offset = amount.lstrip("-"), 0
    for sign, step in (("+", 1), ("-", -1)):
        if sign in text:
            text, tail = text.split(sign)
            offset = step * int(tail)
    value = books.balance if text == "balance" else (books.invoices[key][1] if key else 0)
    value = max(value + offset, 1)
    return -value if amount.startswith("-") else value


def _step(books: Books, operation: tuple, agent, admin) -> None:  # type: ignore[no-untyped-def]
    """Run one operation through the services and the model; they must agree."""
    name, *args = operation
    if name == "apply" or name == "pay":
        key = _pick(books.order, args[0])
        args = [args[0], _resolve(books, args[1], key) if key else args[1]]
    else:
        args = [_resolve(books, arg) for arg in args]
    if name == "add":
        credit.add_credit(admin, books.client, args[0], "Top-up")
        books.balance += args[0]
    elif name == "adjust":
        if books.balance + args[0] < 0:
            _refused(ValidationError, credit.adjust_credit, admin, books.client, args[0], "Fix")
        else:
            credit.adjust_credit(admin, books.client, args[0], "Fix")
            books.balance += args[0]
    elif name == "issue":
        issued = invoice(agent, books.client, args[0])
        applied = min(books.balance, args[0])
        books.balance -= applied
        due = args[0] - applied
        books.invoices[issued.id] = [args[0], due, "Paid" if due == 0 else "Unpaid"]
        books.order.append(issued.id)
    elif name == "apply":
        _apply(books, _pick(books.order, args[0]), args[1], agent)
    elif name == "pay":
        _pay(books, _pick(books.order, args[0]), args[1], agent)
    elif name == "reverse":
        _reverse(books, args[0], admin)
    elif name == "cancel":
        key = _pick(books.order, args[0])
        if key is None:
            return
        state = books.invoices[key]
        if state[2] != "Unpaid":
            _refused(Conflict, invoices.cancel_invoice, admin, key, "Twice")
            return
        invoices.cancel_invoice(admin, key, "Twice")
        books.balance += state[0] - state[1]
        state[1:] = [0, "Cancelled"]
    elif name == "merge":
        other = client("Merged")
        if args[0]:
            credit.add_credit(admin, other, args[0], "Credit of the duplicate")
        credit.record_merge_transfer(admin, other, books.client)
        books.balance += args[0]


def _apply(books: Books, key, amount, agent) -> None:  # type: ignore[no-untyped-def]
    if key is None:
        return
    state = books.invoices[key]
    if state[2] != "Unpaid" or books.balance == 0:
        _refused(Conflict, credit.apply_credit, agent, key, amount)
        return
    wanted = min(books.balance, state[1]) if amount is None else amount
    if wanted > books.balance or wanted > state[1]:
        _refused(ValidationError, credit.apply_credit, agent, key, amount)
        return
    credit.apply_credit(agent, key, amount)
    books.balance -= wanted
    state[1] -= wanted
    state[2] = "Paid" if state[1] == 0 else "Unpaid"


def _pay(books: Books, key, amount, agent) -> None:  # type: ignore[no-untyped-def]
    if key is None:
        return
    state = books.invoices[key]
    if state[2] != "Unpaid":
        _refused(Conflict, invoices.record_manual_payment, agent, key, amount, "Cash")
        return
    invoices.record_manual_payment(agent, key, amount, "Cash")
    applied = min(amount, state[1])
    books.balance += amount - applied
    state[1] -= applied
    state[2] = "Paid" if state[1] == 0 else "Unpaid"


def _reverse(books: Books, position: int, admin) -> None:  # type: ignore[no-untyped-def]
    entries = list(CreditEntry.select().where(CreditEntry.client == books.client))
    entry = _pick(sorted(entries, key=lambda e: e.id), position)
    if entry is None:
        return
    reversed_already = CreditEntry.select().where(CreditEntry.reverses == entry.id).exists()
    closed = entry.kind == CreditKind.APPLIED and books.invoices[entry.invoice_id][2] in (
        "Cancelled",
        "Refunded",
    )
    if (
        entry.kind in (CreditKind.REVERSAL, CreditKind.MERGE)
        or reversed_already
        or books.balance - entry.amount_cents < 0
        or closed
    ):
        _refused(Conflict, credit.reverse_entry, admin, entry.id, "Property test")
        return
    credit.reverse_entry(admin, entry.id, "Property test")
    books.balance -= entry.amount_cents
    if entry.kind == CreditKind.APPLIED:
        state = books.invoices[entry.invoice_id]
        state[1] -= entry.amount_cents
        state[2] = "Unpaid"


def _refused(error: type[DeskError], action, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        action(*args)
    except error:
        return
    raise AssertionError(f"{action.__name__}{args[1:]} should have been refused")


def _check(books: Books) -> None:
    """The invariants, after every step."""
    cached = Client.get_by_id(books.client).credit_cents
    total = (
        CreditEntry.select(peewee.fn.SUM(CreditEntry.amount_cents))
        .where(CreditEntry.client == books.client)
        .scalar()
    )
    assert cached == (total or 0) == books.balance >= 0
    for row in Invoice.select().where(Invoice.client == books.client):
        assert [row.total_cents, row.amount_due_cents, row.status] == books.invoices[row.id]
        if row.status in (InvoiceStatus.UNPAID, InvoiceStatus.PAID):
            assert (row.status == InvoiceStatus.PAID) == (row.amount_due_cents == 0)
        assert 0 <= row.amount_due_cents <= row.total_cents


def run_steps(steps: list[tuple]) -> None:
    """Run `steps` on a new client, checking the books after each; then `db check`'s ledger."""
    agent, admin = staff(Role.AGENT), staff(Role.ADMIN)
    books = Books(client())
    for operation in steps:
        _step(books, operation, agent, admin)
        _check(books)
    assert check_ledger() == []


@PROPERTIES
@given(steps=st.lists(operations, min_size=1, max_size=25))
@example(steps=BOUNDARIES[0])
@example(steps=BOUNDARIES[1])
@example(steps=BOUNDARIES[2])
@example(steps=BOUNDARIES[3])
@example(steps=BOUNDARIES[4])
def test_any_sequence_keeps_the_books_consistent(desk: str, steps: list[tuple]) -> None:
    run_steps(steps)


@PROPERTIES
@given(credit_cents=st.integers(0, 30_000), bills=st.lists(cents, min_size=1, max_size=8))
def test_applying_never_uses_more_credit_than_there_is(
    desk: str, credit_cents: int, bills: list[int]
) -> None:
    agent, admin = staff(Role.AGENT), staff(Role.ADMIN)
    books = Books(client())
    keys = [invoice(agent, books.client, amount).id for amount in bills]
    if credit_cents:
        credit.add_credit(admin, books.client, credit_cents, "Prepayment")
    for key in keys:
        try:
            credit.apply_credit(agent, key)
        except Conflict:
            pass
    applied = -(
        CreditEntry.select(peewee.fn.SUM(CreditEntry.amount_cents))
        .where((CreditEntry.client == books.client) & (CreditEntry.kind == CreditKind.APPLIED))
        .scalar()
        or 0
    )
    assert applied == min(credit_cents, sum(bills))
    assert Client.get_by_id(books.client).credit_cents == credit_cents - applied
