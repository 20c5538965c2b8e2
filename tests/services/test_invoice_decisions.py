"""An admin's decisions on an invoice, on both backends: cancelling needs a reason, a credit note
for an invoice is listed on its document (and capped at its total), a refund goes to credit or,
through localstripe, to the card that paid it; the document and the ledger check agree."""

from __future__ import annotations

import json

import pytest
from ledger_helpers import balance, client, invoice, staff
from localstripe_server import CARD_SUCCEEDS, attach_test_card
from order_rows import add_catalogue

from deskapp.config import load_settings
from deskapp.errors import Conflict, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, Invoice, PaymentMethod, PaymentStatus, Role
from deskapp.services import credit, invoices
from deskapp.services.actors import Actor
from deskapp.services.integrity import check_ledger
from deskapp.services.invoice_document import load_invoice_document
from deskapp.services.order_card import charge_order, payment_gateway
from deskapp.services.order_place import parse_cart_item, place_order
from deskapp.services.stripe_refunds import refund_invoice_to_card


@pytest.fixture
def admin(desk: str) -> Actor:
    return staff(Role.ADMIN, "kim")


@pytest.fixture
def agent(desk: str) -> Actor:
    return staff(Role.AGENT, "sam")


def test_cancelling_needs_a_reason_and_the_history_keeps_it(admin: Actor) -> None:
    mina = client()
    bill = invoice(admin, mina, 4_000)
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="^Reason is required.$"):
            invoices.cancel_invoice(admin, bill.id, blank)
    assert load_invoice_document(bill.id).status == "Unpaid"

    invoices.cancel_invoice(admin, bill.id, "Ordered twice")

    doc = load_invoice_document(bill.id)
    last = doc.history[-1]
    assert (doc.status, last.event, last.who, last.reason) == (
        "Cancelled",
        "Cancelled",
        "Kim",
        "Ordered twice",
    )
    audit = AuditEntry.get(
        (AuditEntry.entity_id == str(bill.id)) & (AuditEntry.action == "invoice.cancelled")
    )
    assert json.loads(audit.before)["reason"] == "Ordered twice"


def test_a_credit_note_for_an_invoice_is_listed_on_it_and_capped_at_its_total(
    admin: Actor, agent: Actor
) -> None:
    mina, ola = client(), client("Ola", "Berg")
    bill = invoice(admin, mina, 10_000)
    with pytest.raises(PermissionDenied, match="Only an admin can give a credit note"):
        credit.credit_note(agent, mina, "5", "Goodwill", invoice=bill.id)
    with pytest.raises(ValidationError, match="^Reason is required.$"):
        credit.credit_note(admin, mina, "5", " ", invoice=bill.id)
    with pytest.raises(ValidationError, match="is C-\\d+'s invoice, not this client's"):
        credit.credit_note(admin, ola, "5", "Wrong one", invoice=bill.id)

    note = credit.credit_note(admin, mina, "60", "Three days down", invoice=bill.id)

    assert (note.kind, note.amount_cents, note.invoice_number) == (
        "Credit note",
        6_000,
        bill.number,
    )
    assert balance(mina) == 6_000
    with pytest.raises(ValidationError, match="add up to at most its total, 100.00; 60.00 is"):
        credit.credit_note(admin, mina, "40.01", "More", invoice=bill.id)
    doc = load_invoice_document(bill.id)
    assert [(m.kind, m.amount_cents, m.description) for m in doc.credit_notes] == [
        ("Credit note", 6_000, f"{bill.number}: Three days down")
    ]
    assert doc.client.credit_cents == 6_000
    assert doc.amount_due_cents == 10_000  # a credit note is credit; it pays nothing by itself
    invoices.cancel_invoice(admin, bill.id, "Not wanted")
    with pytest.raises(Conflict, match="is Cancelled: nothing was owed on it"):
        credit.credit_note(admin, mina, "1", "After all", invoice=bill.id)
    assert check_ledger() == []


def test_a_refund_to_the_card_is_refused_for_an_invoice_no_card_paid(admin: Actor) -> None:
    mina = client()
    bill = invoice(admin, mina, 4_000)
    stripe = payment_gateway(load_settings(read_file=False))
    with pytest.raises(Conflict, match="is Unpaid; only a paid one is refunded"):
        refund_invoice_to_card(admin, bill.id, stripe, "Never delivered")
    invoices.record_manual_payment(admin, bill.id, "40", "Cash")
    with pytest.raises(ValidationError, match="was not paid by card; refund it to credit"):
        refund_invoice_to_card(admin, bill.id, stripe, "Never delivered")
    with pytest.raises(ValidationError, match="^Reason is required.$"):
        refund_invoice_to_card(admin, bill.id, stripe, "")
    assert load_invoice_document(bill.id).status == "Paid"


def test_a_card_paid_invoice_is_refunded_to_the_card(admin: Actor, localstripe: str) -> None:
    add_catalogue()
    stripe = payment_gateway(load_settings(read_file=False))
    mina = client()
    attach_test_card(mina, CARD_SUCCEEDS)
    lines = [parse_cart_item("FIBRE-1G")]
    order_id = place_order(admin, mina, lines, PaymentMethod.CARD).id
    assert charge_order(admin, order_id, stripe).status == PaymentStatus.SUCCESSFUL
    bill = Invoice.get(Invoice.order == order_id)
    assert load_invoice_document(bill.id).status == "Paid"

    refunded = refund_invoice_to_card(admin, bill.id, stripe, "Line never installed")

    doc = load_invoice_document(bill.id)
    assert refunded == doc.total_cents
    assert doc.status == "Refunded" and doc.history[-1].reason == "Line never installed"
    assert [(m.kind, m.amount_cents) for m in doc.refunds] == [("Refund to card", refunded)]
    assert balance(mina) == 0  # back to the card, not to credit
    assert check_ledger() == []
