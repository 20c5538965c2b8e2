"""`deskapp db check`'s ledger part: quiet on good data, a sentence for each thing changed
behind the ledger's back."""

from __future__ import annotations

import pytest
from ledger_helpers import client, invoice, staff
from tamper import guards_off

from deskapp.models import Client, CreditEntry, Invoice, InvoiceLine, Role
from deskapp.services import credit, invoices
from deskapp.services.integrity import check_ledger


@pytest.fixture
def books(desk: str) -> dict[str, object]:
    """Two clients with every kind of movement on them; the ledger is consistent."""
    agent, admin = staff(Role.AGENT), staff(Role.ADMIN)
    mina, ola = client(), client("Ola")
    credit.add_credit(agent, mina, "50", "Prepayment")
    paid = invoice(agent, mina, 3_000)
    part = invoice(agent, mina, 4_000)
    invoices.record_manual_payment(agent, part.id, "50", "Cash")
    credit.adjust_credit(admin, mina, "-1", "Rounding")
    added = credit.add_credit(agent, ola, "9.99", "Goodwill")
    credit.reverse_entry(admin, added.id, "Wrong client")
    credit.add_credit(agent, ola, "5", "Goodwill")
    cancelled = invoice(agent, ola, 2_000)
    invoices.cancel_invoice(admin, cancelled.id, "Ordered twice")
    credit.record_merge_transfer(admin, ola, mina)
    return {"mina": mina, "ola": ola, "paid": paid, "part": part}


def test_consistent_books_pass(books) -> None:
    assert check_ledger() == []


def test_a_cached_balance_changed_behind_the_ledger_is_named(books) -> None:
    number = Client.get_by_id(books["mina"]).number
    Client.update(credit_cents=Client.credit_cents + 1).where(Client.id == books["mina"]).execute()

    assert check_ledger() == [
        f"Client C-{number}: cached credit 34.01, but its ledger entries add up to 34.00."
    ]


def test_an_entry_edited_in_place_breaks_the_chain(books) -> None:
    entries = CreditEntry.select().where(CreditEntry.client == books["ola"])
    first = entries.order_by(CreditEntry.id).first()
    with guards_off("credit_entry"):
        CreditEntry.update(balance_after_cents=1234).where(CreditEntry.id == first.id).execute()

    number = Client.get_by_id(books["ola"]).number
    assert check_ledger() == [
        f"Client C-{number}: the “Credit added” entry of 2026-03-14 09:30 says the balance "
        "became 12.34, but 0.00 plus 9.99 is 9.99.",
        f"Client C-{number}: the “Reversal” entry of 2026-03-14 09:30 says the balance "
        "became 0.00, but 12.34 plus -9.99 is 2.35.",
    ]


def test_an_amount_due_changed_behind_the_ledger_is_named(books) -> None:
    Invoice.update(amount_due_cents=500).where(Invoice.id == books["paid"].id).execute()
    Invoice.update(amount_due_cents=100).where(Invoice.id == books["part"].id).execute()

    problems = check_ledger()

    paid, part = books["paid"].number, books["part"].number
    assert problems == [
        f"Invoice {paid} (Paid): amount due 5.00, but its total 30.00 less credit applied 30.00 "
        "less payments 0.00 is 0.00.",
        f"Invoice {paid} is Paid with 5.00 still due.",
        f"Invoice {part} (Paid): amount due 1.00, but its total 40.00 less credit applied 20.00 "
        "less payments 20.00 is 0.00.",
        f"Invoice {part} is Paid with 1.00 still due.",
    ]


def test_a_line_changed_behind_the_invoice_is_named(books) -> None:
    InvoiceLine.update(amount_cents=1).where(InvoiceLine.invoice == books["paid"].id).execute()
    assert check_ledger() == [
        f"Invoice {books['paid'].number}: total 30.00, but its lines add up to 0.01."
    ]


def test_many_mismatches_are_counted_not_all_listed(desk: str) -> None:
    for _ in range(4):
        Client.update(credit_cents=7).where(Client.id == client()).execute()
    problems = check_ledger(limit=2)
    assert len(problems) == 3
    assert problems[-1] == "…and 2 more clients like these."
