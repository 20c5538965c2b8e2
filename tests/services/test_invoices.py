"""Invoices: issuing for orders with the addressee snapshot, credit applied at issue, manual
payments and overpayments, cancelling and refunding, and the client's invoice list."""

from __future__ import annotations

import json

import pytest
from ledger_helpers import balance, client, invoice, order, staff

from deskapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from deskapp.models import (
    AuditEntry,
    Client,
    Contact,
    CreditKind,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    PaymentTransaction,
    Role,
)
from deskapp.services import credit, invoices
from deskapp.services.integrity import check_ledger


@pytest.fixture
def agent(desk: str):  # type: ignore[no-untyped-def]
    return staff(Role.AGENT, "sam")


@pytest.fixture
def admin(desk: str):  # type: ignore[no-untyped-def]
    return staff(Role.ADMIN, "kim")


def test_whmcs_credit_that_covers_a_new_invoice_marks_it_paid(admin) -> None:
    mina = client()
    credit.add_credit(admin, mina, "100.00", "Prepayment by bank transfer")

    issued = invoice(admin, mina, 6_000)

    assert (issued.status, issued.amount_due_cents, issued.paid_on) == (
        InvoiceStatus.PAID,
        0,
        issued.issued_on,
    )
    assert balance(mina) == 4_000
    applied = credit.ledger_page(mina).entries[0]
    assert (applied.kind, applied.amount_cents, applied.invoice_number) == (
        CreditKind.APPLIED,
        -6_000,
        issued.number,
    )
    assert check_ledger() == []


def test_whmcs_credit_smaller_than_the_invoice_reduces_the_amount_due(agent) -> None:
    mina = client()
    credit.add_credit(agent, mina, "25.00", "Goodwill")

    issued = invoice(agent, mina, 6_000)

    assert (issued.status, issued.total_cents, issued.amount_due_cents) == ("Unpaid", 6000, 3500)
    assert balance(mina) == 0
    assert check_ledger() == []


def test_order_invoice_has_its_lines_a_gapless_number_and_is_issued_once(agent) -> None:
    mina = client()
    first = invoices.issue_invoice_for_order(
        agent, order(mina, ("Fibre 500 setup", 4_900, 1), ("Static IP", 500, 2))
    )
    second = invoice(agent, mina, 1_000)

    detail = invoices.get_invoice(first.id)
    assert [(line.description, line.amount_cents) for line in detail.lines] == [
        ("Fibre 500 setup", 4_900),
        ("2 × Static IP", 1_000),
    ]
    assert (first.number, second.number) == ("INV-2026-00001", "INV-2026-00002")
    assert first.total_cents == first.amount_due_cents == 5_900
    assert first.issued_on == first.due_on == first.issued_on.today().replace(2026, 3, 14)
    with pytest.raises(Conflict, match="is already invoiced on INV-2026-00001"):
        invoices.issue_invoice_for_order(agent, first.order_id)
    assert [row.action for row in AuditEntry.select().where(AuditEntry.entity_id == str(first.id))]


def test_rejected_or_empty_orders_are_not_invoiced(agent) -> None:
    mina = client()
    rejected = order(mina, ("Setup", 100, 1))
    Order.update(status=OrderStatus.REJECTED).where(Order.id == rejected).execute()
    with pytest.raises(Conflict, match="is rejected"):
        invoices.issue_invoice_for_order(agent, rejected)
    with pytest.raises(Conflict, match="has no items"):
        invoices.issue_invoice_for_order(agent, order(mina))
    with pytest.raises(NotFound):
        invoices.issue_invoice_for_order(agent, "0190c5b4-1b2c-7d3e-8f40-123456789abc")
    assert Invoice.select().count() == 0


def test_invoice_is_addressed_to_the_billing_contact_as_it_was_at_issue(agent) -> None:
    mina = client(company="Okafor Telecom Ltd", address1="1 Quay St", city="Leeds", postcode="LS1")
    Contact.create(client=mina, first_name="Ola", last_name="Okafor", email="ola@okafor.example")
    Contact.create(
        client=mina,
        first_name="Bill",
        last_name="Payer",
        email="accounts@okafor.example",
        address="PO Box 7\nLeeds LS2",
        is_billing=True,
    )
    issued = invoice(agent, mina, 1_000)

    Contact.update(email="new@okafor.example", first_name="Changed").where(
        Contact.is_billing == True  # noqa: E712
    ).execute()
    Client.update(company="Renamed plc").execute()

    kept = invoices.get_invoice(issued.id).summary
    assert (kept.bill_to_name, kept.bill_to_email) == ("Bill Payer", "accounts@okafor.example")
    assert kept.bill_to_address == "Okafor Telecom Ltd\nPO Box 7\nLeeds LS2"


def test_without_a_billing_contact_the_client_itself_is_billed(agent) -> None:
    mina = client(address1="1 Quay St", city="Leeds", postcode="LS1", country="GB")
    issued = invoice(agent, mina, 1_000)
    assert issued.bill_to_name == "Mina Okafor"
    assert issued.bill_to_email == Client.get_by_id(mina).email
    assert issued.bill_to_address == "1 Quay St\nLS1 Leeds\nGB"


def test_manual_payments_pay_partly_fully_and_overpay_to_credit(agent) -> None:
    mina = client()
    bill = invoice(agent, mina, 10_000)

    part = invoices.record_manual_payment(agent, bill.id, "40", "bank transfer", "BACS 1182")
    assert (part.invoice.status, part.invoice.amount_due_cents) == ("Unpaid", 6_000)
    assert (part.applied_cents, part.overpayment_cents) == (4_000, 0)
    rest = invoices.record_manual_payment(agent, bill.id, "75.50", "Cheque", "No. 000231")
    assert (rest.invoice.status, rest.invoice.amount_due_cents) == ("Paid", 0)
    assert (rest.applied_cents, rest.overpayment_cents) == (6_000, 1_550)

    assert balance(mina) == 1_550
    over = credit.ledger_page(mina).entries[0]
    assert (over.kind, over.amount_cents, over.invoice_number) == (
        CreditKind.OVERPAYMENT,
        1_550,
        bill.number,
    )
    payments = PaymentTransaction.select().order_by(PaymentTransaction.id)
    assert [(p.method, p.reference, p.amount_cents, p.gateway) for p in payments] == [
        ("Bank transfer", "BACS 1182", 4_000, "manual"),
        ("Cheque", "No. 000231", 7_550, "manual"),
    ]
    assert payments[0].client_name == "Mina Okafor" and payments[0].staff_id == agent.id
    with pytest.raises(Conflict, match="is Paid; record the money as credit instead"):
        invoices.record_manual_payment(agent, bill.id, "1", "Cash")
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("amount", "method", "field", "sentence"),
    [
        ("0", "Cash", "amount", "more than 0.00"),
        ("-3", "Cash", "amount", "more than 0.00"),
        ("1.001", "Cash", "amount", "at most two decimals"),
        ("lots", "Cash", "amount", "is not an amount"),
        ("1", "Bitcoin", "method", "Bank transfer, Cash, Cheque"),
        ("1", "", "method", "Bank transfer, Cash, Cheque"),
    ],
)
def test_bad_payments_are_refused(agent, amount, method, field, sentence) -> None:
    bill = invoice(agent, client(), 1_000)
    with pytest.raises(ValidationError, match=sentence) as refused:
        invoices.record_manual_payment(agent, bill.id, amount, method)
    assert refused.value.field == field
    assert PaymentTransaction.select().count() == 0


def test_cancelling_returns_credit_and_payments_to_credit(admin) -> None:
    mina = client()
    credit.add_credit(admin, mina, "30", "Prepayment")
    bill = invoice(admin, mina, 10_000)
    invoices.record_manual_payment(admin, bill.id, "20", "Cash")

    cancelled = invoices.cancel_invoice(admin, bill.id, "Ordered twice by mistake")

    assert (cancelled.status, cancelled.amount_due_cents) == ("Cancelled", 0)
    returned = credit.ledger_page(mina).entries[0]
    assert (returned.kind, returned.amount_cents) == (CreditKind.REFUND, 5_000)
    assert "Ordered twice by mistake" in returned.description
    assert balance(mina) == 5_000
    with pytest.raises(Conflict, match="is Cancelled; there is nothing to cancel"):
        invoices.cancel_invoice(admin, bill.id, "Twice")
    with pytest.raises(Conflict, match="is Cancelled"):
        credit.apply_credit(admin, bill.id)
    applied = credit.ledger_page(mina, kind=CreditKind.APPLIED).entries[0]
    with pytest.raises(Conflict, match="was cancelled; the credit applied to it went back"):
        credit.reverse_entry(staff(Role.ADMIN), applied.id, "Wrong invoice")
    assert check_ledger() == []


def test_refunding_a_paid_invoice_is_for_admins(agent, admin) -> None:
    mina = client()
    bill = invoice(agent, mina, 4_000)
    with pytest.raises(Conflict, match="only a paid one is refunded"):
        invoices.refund_invoice(admin, bill.id, "Not paid yet")
    invoices.record_manual_payment(agent, bill.id, "40", "Bank transfer")
    with pytest.raises(PermissionDenied):
        invoices.refund_invoice(agent, bill.id, "Goodwill")
    with pytest.raises(ValidationError, match="Reason is required"):
        invoices.refund_invoice(admin, bill.id, "")

    refunded = invoices.refund_invoice(admin, bill.id, "Service never delivered")

    assert (refunded.status, refunded.amount_due_cents) == ("Refunded", 0)
    assert balance(mina) == 4_000
    with pytest.raises(Conflict, match="is Refunded; there is nothing to cancel"):
        invoices.cancel_invoice(admin, bill.id, "Twice")
    changes = AuditEntry.select().where(
        (AuditEntry.entity == "invoice") & (AuditEntry.entity_id == str(bill.id))
    )
    refund_audit = next(row for row in changes if row.action == "invoice.refunded")
    assert json.loads(refund_audit.before)["status"] == "Paid"
    assert json.loads(refund_audit.after)["status"] == "Refunded"
    assert refund_audit.staff_name == admin.name
    assert check_ledger() == []


def test_refund_without_credit_only_changes_the_status(agent, admin) -> None:
    mina = client()
    bill = invoice(agent, mina, 4_000)
    invoices.record_manual_payment(agent, bill.id, "40", "Cash")
    invoices.refund_invoice(admin, bill.id, "Refunded by card", to_credit=False)
    assert balance(mina) == 0


def test_upfront_payments_of_the_order_count_towards_its_invoice(agent) -> None:
    mina = client()
    credit.add_credit(agent, mina, "10", "Goodwill")
    placed = order(mina, ("Fibre 500, first month", 4_500, 1))
    PaymentTransaction.create(
        client=mina, client_name="Mina Okafor", order=placed, gateway="stripe", amount_cents=5_000
    )

    issued = invoices.issue_invoice_for_order(agent, placed)

    assert (issued.status, issued.amount_due_cents) == ("Paid", 0)
    assert PaymentTransaction.get().invoice_id == issued.id
    kinds = [(e.kind, e.amount_cents) for e in credit.ledger_page(mina).entries]
    assert kinds == [(CreditKind.OVERPAYMENT, 500), (CreditKind.ADDED, 1_000)]
    assert check_ledger() == []


def test_credit_pays_what_upfront_payments_left_of_the_order(admin) -> None:
    mina = client()
    credit.add_credit(admin, mina, "100", "Prepayment")
    placed = order(mina, ("Fibre 500, first month", 4_500, 1))
    PaymentTransaction.create(
        client=mina, client_name="Mina Okafor", order=placed, gateway="stripe", amount_cents=2_000
    )

    issued = invoices.issue_invoice_for_order(admin, placed)

    assert (issued.status, issued.amount_due_cents) == ("Paid", 0)
    assert balance(mina) == 7_500
    assert check_ledger() == []


def test_client_invoice_list_is_newest_first_paged_and_filtered(agent) -> None:
    mina, other = client(), client("Other")
    made = [invoice(agent, mina, cents) for cents in (100, 200, 300)]
    invoice(agent, other, 999)
    invoices.record_manual_payment(agent, made[1].id, "2", "Cash")

    first = invoices.invoices_for_client(mina, limit=2)
    rest = invoices.invoices_for_client(mina, after=first[-1])

    assert [i.number for i in first + rest] == [m.number for m in reversed(made)]
    paid = invoices.invoices_for_client(mina, status="Paid")
    assert [(i.number, i.status) for i in paid] == [(made[1].number, "Paid")]
    with pytest.raises(ValidationError, match="is not an invoice status"):
        invoices.invoices_for_client(mina, status="Overdue")
