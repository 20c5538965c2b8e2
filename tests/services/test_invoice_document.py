"""An invoice as a document: lines, payments, credit, refunds and history read in one go, its
72-column text (the mail body, `deskapp invoice show`) and its JSON for scripts."""

from __future__ import annotations

import json

import pytest
from ledger_helpers import client, order, staff

from deskapp.errors import NotFound
from deskapp.models import Contact, Role
from deskapp.services import credit, invoices
from deskapp.services.invoice_document import (
    WIDTH,
    invoice_json,
    invoice_text,
    load_invoice_document,
)


@pytest.fixture
def admin(desk: str):  # type: ignore[no-untyped-def]
    return staff(Role.ADMIN, "kim")


def _billed(name: str = "Okafor Consulting") -> object:
    mina = client(company=name, address1="Storgatan 1", postcode="114 51", city="Stockholm")
    Contact.create(
        client=mina,
        first_name="Ada",
        last_name="Berg",
        email="ada@okafor.example",
        is_billing=True,
        mail_invoice=True,
    )
    return mina


def _partly_paid(admin):  # type: ignore[no-untyped-def]
    mina = _billed()
    credit.add_credit(admin, mina, "20.00", "Prepayment")
    issued = invoices.issue_invoice_for_order(
        admin, order(mina, ("Fibre 500 setup", 4_900, 1), ("Static IP", 500, 2))
    )
    invoices.record_manual_payment(admin, issued.id, "15.00", "Bank transfer", "BG 4411")
    return issued


def test_a_partly_paid_invoice_has_its_lines_payment_credit_and_history(admin) -> None:
    issued = _partly_paid(admin)

    doc = load_invoice_document(issued.number)

    assert (doc.number, doc.status, doc.total_cents, doc.amount_due_cents) == (
        issued.number,
        "Unpaid",
        5_900,
        2_400,
    )
    assert [(line.description, line.quantity, line.unit_price_cents) for line in doc.lines] == [
        ("Fibre 500 setup", 1, 4_900),
        ("Static IP", 2, 500),
    ]
    assert (doc.credit_applied_cents, doc.paid_cents, doc.refunded_cents) == (2_000, 1_500, 0)
    [payment] = doc.payments
    assert (payment.method, payment.reference, payment.amount_cents, payment.staff_name) == (
        "Bank transfer",
        "BG 4411",
        1_500,
        "Kim",
    )
    assert [(move.kind, move.amount_cents) for move in doc.credit_applied] == [
        ("Applied to invoice", 2_000)
    ]
    assert [(change.event, change.who) for change in doc.history] == [("Issued", "Kim")]
    assert doc.client.bill_to_name == "Ada Berg"
    assert doc.client.bill_to_address == ("Okafor Consulting", "Storgatan 1", "114 51 Stockholm")
    assert load_invoice_document(str(issued.id)) == doc
    assert load_invoice_document(issued.id) == doc


EXPECTED_TEXT = """\
INVOICE INV-2026-00001                                            UNPAID
========================================================================
Client:    C-1001  Okafor Consulting
Order:     O-5001
Issued:    2026-03-14
Due:       2026-03-14

Bill to:
  Ada Berg
  Okafor Consulting
  Storgatan 1
  114 51 Stockholm
  ada@okafor.example

Description                              Qty   Unit price         Amount
------------------------------------------------------------------------
Fibre 500 setup                            1        49.00          49.00
Static IP                                  2         5.00          10.00
------------------------------------------------------------------------
                              Total                                59.00
                              Credit applied                      -20.00
                              Payments                            -15.00
========================================================================
AMOUNT DUE                                                         24.00

Payments
  2026-03-14 09:30  Bank transfer, ref BG 4411 (Kim)               15.00

Credit applied
  2026-03-14 09:30  Applied to invoice                             20.00
      (Kim)

History
  2026-03-14 09:30  Issued     Kim
"""


def test_the_text_invoice_is_72_columns_with_amounts_aligned(admin) -> None:
    issued = _partly_paid(admin)

    text = invoice_text(load_invoice_document(issued.number))

    assert text == EXPECTED_TEXT
    assert max(len(line) for line in text.splitlines()) <= WIDTH


def test_cancelled_and_refunded_invoices_show_the_money_going_back_and_who_did_it(admin) -> None:
    issued = _partly_paid(admin)
    invoices.cancel_invoice(admin, issued.id, "Ordered twice")
    mina = _billed("Berg AB")
    paid = invoices.issue_invoice_for_order(admin, order(mina, ("Router", 12_345, 1)))
    invoices.record_manual_payment(admin, paid.id, "123.45", "Cash")
    invoices.refund_invoice(admin, paid.id, "Router returned")

    cancelled = load_invoice_document(issued.number)
    refunded = load_invoice_document(paid.number)

    assert (cancelled.status, cancelled.amount_due_cents) == ("Cancelled", 0)
    # What the client had put in (20.00 credit and 15.00 paid) went back to its credit.
    assert [(m.kind, m.amount_cents) for m in cancelled.refunds] == [("Refund to credit", 3_500)]
    assert [(c.event, c.who, c.reason) for c in cancelled.history] == [
        ("Issued", "Kim", ""),
        ("Cancelled", "Kim", "Ordered twice"),
    ]
    assert [(c.event, c.status) for c in refunded.history] == [
        ("Issued", "Unpaid"),
        ("Paid", "Paid"),
        ("Refunded", "Refunded"),
    ]
    assert refunded.refunded_cents == 12_345
    assert refunded.paid_on is not None
    text = invoice_text(refunded)
    assert "REFUNDED" in text.splitlines()[0]
    assert "Refund to credit" in text
    assert "reason: Router returned" in text
    assert text.splitlines()[text.splitlines().index("=" * WIDTH, 2) + 1].endswith(" 0.00")


def test_a_hostile_client_name_is_inert_in_the_text_and_the_json(admin) -> None:
    hostile = "\x1b]0;owned\x07[bold]Evil[/b] \u202eCorp\x9b2J"
    mina = _billed(hostile)
    issued = invoices.issue_invoice_for_order(
        admin, order(mina, ("Setup \x1b[31mred\x1b[0m " + "very long words " * 8, 100, 1))
    )

    doc = load_invoice_document(issued.number)
    text = invoice_text(doc)
    data = json.dumps(invoice_json(doc), ensure_ascii=False)

    for shown in (text, data):
        assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
        assert "\u202e" not in shown
    assert "[bold]Evil[/b]" in text
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    first_line = next(line for line in text.splitlines() if line.startswith("Setup"))
    assert first_line.endswith("        1.00")


def test_json_has_cents_and_formatted_amounts_and_iso_dates(admin) -> None:
    issued = _partly_paid(admin)

    data = invoice_json(load_invoice_document(issued.number))

    assert json.loads(json.dumps(data)) == data
    assert data["number"] == issued.number
    assert (data["issued_on"], data["status"]) == ("2026-03-14", "Unpaid")
    assert data["totals"]["amount_due"] == {"cents": 2_400, "formatted": "24.00"}
    assert data["totals"]["credit_applied"] == {"cents": 2_000, "formatted": "20.00"}
    assert data["lines"][1]["quantity"] == 2
    assert data["lines"][1]["unit_price"] == {"cents": 500, "formatted": "5.00"}
    assert data["payments"][0]["method"] == "Bank transfer"
    assert data["payments"][0]["received_at"] == "2026-03-14T09:30:00"
    assert data["bill_to"]["address"] == ["Okafor Consulting", "Storgatan 1", "114 51 Stockholm"]
    assert data["history"][0]["event"] == "Issued"


def test_an_unknown_invoice_number_says_so(desk: str) -> None:
    with pytest.raises(NotFound, match="There is no invoice INV-2026-00592"):
        load_invoice_document("inv-2026-592")
    with pytest.raises(NotFound, match="not an invoice number"):
        load_invoice_document("\x1b[2Jnonsense")
