"""The ledger's properties and `db check` catch bugs that are off by one cent, on both backends.

Each test plants a bug in the running desk (a mutant of one bookkeeping function) and shows that
the property tests' boundary steps fail on it and that `db check` names what it booked:
- an invoice marked Paid while one cent is still due (a "close enough" rounding);
- credit applied one cent beyond the client's balance (a balance read one cent high).
"""

from __future__ import annotations

import pytest
from ledger_helpers import client, invoice, staff
from test_ledger_properties import BOUNDARIES, run_steps

from deskapp.models import Client, Role
from deskapp.services import bookkeeping, credit, invoice_issue, invoices
from deskapp.services.integrity import check_ledger


@pytest.fixture
def paid_within_a_cent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug: an invoice with a cent or less left to pay counts as Paid."""
    original = bookkeeping.change_amount_due

    def mutant(actor, invoice, amount_due_cents):  # type: ignore[no-untyped-def]
        original(actor, invoice, 0 if amount_due_cents <= 1 else amount_due_cents)

    for module in (bookkeeping, invoices, invoice_issue, credit):
        monkeypatch.setattr(module, "change_amount_due", mutant)


@pytest.fixture
def a_cent_beyond_the_balance(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug: applying reads the balance one cent high, so one cent more than there is goes."""
    original = bookkeeping.apply_locked

    def mutant(actor, client, invoice, requested):  # type: ignore[no-untyped-def]
        if requested == client.credit_cents + 1 <= invoice.amount_due_cents:
            client.credit_cents += 1
        return original(actor, client, invoice, requested)

    for module in (bookkeeping, invoices, invoice_issue, credit):
        monkeypatch.setattr(module, "apply_locked", mutant)


def test_the_boundary_steps_pass_on_a_correct_desk(desk: str) -> None:
    for steps in BOUNDARIES:
        run_steps(steps)


def test_paid_with_a_cent_due_fails_the_properties_and_db_check(
    desk: str, paid_within_a_cent: None
) -> None:
    with pytest.raises(AssertionError):
        run_steps(BOUNDARIES[0])

    agent = staff(Role.AGENT)
    bill = invoice(agent, client(), 1_500)
    invoices.record_manual_payment(agent, bill.id, "14.99", "Cash")
    assert (
        f"Invoice {bill.number} (Paid): amount due 0.00, but its total 15.00 less credit applied "
        "0.00 less payments 14.99 is 0.01." in check_ledger()
    )


def test_credit_applied_a_cent_beyond_the_balance_fails_the_properties_and_db_check(
    desk: str, a_cent_beyond_the_balance: None
) -> None:
    with pytest.raises(AssertionError, match="should have been refused"):
        run_steps(BOUNDARIES[2])

    agent = staff(Role.AGENT)
    mina = client()
    bill = invoice(agent, mina, 2_000)
    credit.add_credit(agent, mina, "10", "Prepayment")
    credit.apply_credit(agent, bill.id, "10.01")
    number = Client.get_by_id(mina).number
    problems = check_ledger()
    assert (
        f"Client C-{number}: cached credit 0.00, but its ledger entries add up to -0.01."
        in problems
    )
    assert any(
        "says the balance became 0.00, but 10.00 plus -10.01 is -0.01" in p for p in problems
    )
