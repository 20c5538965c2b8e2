"""Placing orders: the cart read and priced, a request, a manual payment, a card order waiting for
its charge, the Orders ticket linked both ways, payments recorded once, and every refusal."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from ledger_helpers import client, staff
from order_rows import add_catalogue

from deskapp.errors import Conflict, ValidationError
from deskapp.models import (
    AuditEntry,
    ChangeEvent,
    Client,
    ClientStatus,
    CreditEntry,
    Department,
    Invoice,
    InvoiceStatus,
    Message,
    Order,
    OrderItem,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Product,
    Role,
    Service,
    ServiceStatus,
    Ticket,
)
from deskapp.services import order_payment
from deskapp.services.integrity import check_ledger
from deskapp.services.order_place import (
    CartLine,
    mark_order_paid,
    mark_payment_unsettled,
    parse_cart_item,
    place_order,
    price_cart,
)


@pytest.fixture
def agent(desk: str):  # type: ignore[no-untyped-def]
    add_catalogue()
    return staff(Role.AGENT, "sam")


def cart(*items: str) -> list[CartLine]:
    return [parse_cart_item(item) for item in items]


@pytest.mark.parametrize(
    ("typed", "line"),
    [
        ("FIBRE-1G", CartLine("FIBRE-1G")),
        ("fibre-1g:annually", CartLine("fibre-1g", "Annually")),
        ("FIBRE-1G:Monthlyx2", CartLine("FIBRE-1G", "Monthly", 2)),
        ("VOIP-LINEx3", CartLine("VOIP-LINE", None, 3)),
        ("  SETUP:one time ", CartLine("SETUP", "One-time")),
        ("BOX", CartLine("BOX")),
        ("VOIP-LINE×100", CartLine("VOIP-LINE", None, 100)),
    ],
)
def test_cart_items_are_read_as_code_cycle_and_quantity(typed: str, line: CartLine) -> None:
    assert parse_cart_item(typed) == line


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("VOIP-LINEx0", "The quantity must be at least 1; take the line out instead."),
        ("VOIP-LINEx-2", "The quantity must be at least 1; take the line out instead."),
        ("VOIP-LINEx101", "101 is more than one order takes (100); check the number."),
        ("VOIP-LINEx99999999999", "“99999999999” is not a quantity; write a whole number like 2."),
        ("VOIP-LINEx2.5", "“2.5” is not a quantity; write a whole number like 2."),
        ("VOIP-LINE:Weekly", "“Weekly” is not a billing cycle; use Monthly, Quarterly, "
         "Semi-annually, Annually or One-time."),
        ("", "“” is not a product; write it like FIBRE-1G:Monthlyx2."),
        (":Monthly", "“:Monthly” is not a product; write it like FIBRE-1G:Monthlyx2."),
    ],
)  # fmt: skip
def test_bad_cart_items_get_a_sentence(typed: str, sentence: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_cart_item(typed)
    assert str(refused.value) == sentence


@pytest.mark.parametrize(
    ("lines", "sentence"),
    [
        ([], "The order is empty; add at least one product."),
        ([CartLine("NOPE-1")], "There is no product with the code “NOPE-1”."),
        ([CartLine("OLD-ADSL")], "OLD-ADSL is retired; it can no longer be ordered."),
        ([CartLine("LAB-TEST")], "LAB-TEST is not orderable at the moment."),
        ([CartLine("VOIP-LINE", "Annually")],
         "VOIP-LINE is not sold Annually; it is sold Monthly."),
        ([CartLine("SETUP", "Monthly")],
         "SETUP is not sold Monthly; it is sold as a one-time purchase."),
        ([CartLine("VOIP-LINE", "One-time")],
         "VOIP-LINE is not sold as a one-time purchase; it is sold Monthly."),
        ([CartLine("FIBRE-1G", "Quarterly")],
         "FIBRE-1G is not sold Quarterly; it is sold Monthly or Annually."),
        ([CartLine("VOIP-LINE", None, 0)],
         "The quantity of VOIP-LINE must be at least 1; take the line out instead."),
        ([CartLine("VOIP-LINE", None, -3)],
         "The quantity of VOIP-LINE must be at least 1; take the line out instead."),
        ([CartLine("VOIP-LINE", None, 10**9)],
         "1,000,000,000 of VOIP-LINE is more than one order takes (100); check the number."),
        ([CartLine("VOIP-LINE", None, "2")],  # type: ignore[arg-type]
         "The quantity of VOIP-LINE must be a whole number like 2."),
    ],
)  # fmt: skip
def test_bad_carts_are_refused_with_a_sentence_naming_the_code(
    agent, lines: list[CartLine], sentence: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        price_cart(lines)
    assert str(refused.value) == sentence


def test_a_cart_is_priced_per_cycle_and_quantity(agent) -> None:
    priced = price_cart(cart("fibre-1g:Annually", "VOIP-LINEx2", "HOURS-5x2"))
    assert [(p.code, p.cycle, p.quantity, p.unit_cents, p.total_cents) for p in priced.lines] == [
        ("FIBRE-1G", "Annually", 1, 48_600, 48_600),
        ("VOIP-LINE", "Monthly", 2, 500, 1_000),
        ("HOURS-5", "One-time", 2, 25_000, 50_000),
    ]
    assert priced.total_cents == 99_600
    assert [p.support_minutes for p in priced.lines] == [0, 0, 600]
    assert price_cart(cart("FIBRE-1G")).lines[0].cycle == "Monthly"  # the first cycle sold


def test_a_request_opens_an_orders_ticket_linked_both_ways(agent) -> None:
    mina = client()

    placed = place_order(
        agent, mina, cart("FIBRE-1G", "VOIP-LINEx2", "SETUP"), PaymentMethod.REQUEST
    )

    order = Order.get_by_id(placed.id)
    assert (placed.label, placed.total_cents, placed.payment_status) == ("O-5001", 15_400, "None")
    assert (order.status, order.payment_status, order.payment_method, order.paid_upfront) == (
        "Pending",
        "None",
        "",
        False,
    )
    assert placed.invoice_number == "" and not Invoice.select().exists()
    items = OrderItem.select().where(OrderItem.order == order.id).order_by(OrderItem.price_cents)
    assert [(i.cycle, i.price_cents, i.quantity) for i in items] == [
        ("Monthly", 500, 2),
        ("Monthly", 4_500, 1),
        ("One-time", 9_900, 1),
    ]
    services = Service.select().where(Service.order == order.id)
    assert sorted((s.status, s.price_cents, s.start_date) for s in services) == [
        ("Pending", 500, None),
        ("Pending", 500, None),
        ("Pending", 4_500, None),
    ]
    ticket = Ticket.get_by_id(placed.ticket_id)
    assert ticket.order_id == order.id and ticket.number == placed.ticket_number
    assert Department.get_by_id(ticket.department_id).name == "Orders"
    assert [t.id for t in order.tickets] == [ticket.id]
    assert ticket.subject == "Order O-5001: Fibre 1G, 2 × VoIP Line, Installation"
    body = Message.get(Message.ticket == ticket.id).body
    assert body.splitlines() == [
        "Order O-5001 for C-1001 (Mina Okafor), placed by Sam.",
        "",
        "- FIBRE-1G Fibre 1G, Monthly: 1 × 45.00 = 45.00",
        "- VOIP-LINE VoIP Line, Monthly: 2 × 5.00 = 10.00",
        "- SETUP Installation, One-time: 1 × 99.00 = 99.00",
        "",
        "Total: 154.00",
        "Payment: a request for an admin's approval, paid later by invoice.",
    ]
    placed_audit = AuditEntry.get(AuditEntry.action == "order.placed")
    assert placed_audit.staff_name == "Sam" and placed_audit.entity_id == str(order.id)
    assert json.loads(placed_audit.after)["ticket"] == f"T-{ticket.number}"
    assert (
        ChangeEvent.select()
        .where((ChangeEvent.entity == "order") & (ChangeEvent.entity_id == str(order.id)))
        .exists()
    )


def test_a_card_order_waits_for_its_charge(agent) -> None:
    placed = place_order(agent, client(), cart("VOIP-LINE"), "card")

    order = Order.get_by_id(placed.id)
    assert (order.payment_status, order.payment_method, order.payment_note) == (
        "Pending",
        "card",
        "Card payment not started",
    )
    assert "Payment: by the card Stripe holds for the client." in Message.get().body
    assert not PaymentTransaction.select().exists()


def test_a_manual_payment_invoices_activates_and_adds_support_hours(
    agent, frozen_time: dt.datetime
) -> None:
    mina = client()

    placed = place_order(
        agent,
        mina,
        cart("FIBRE-1G:Annually", "VOIP-LINEx2", "HOURS-5"),
        PaymentMethod.MANUAL,
        manual_method="bank transfer",
        reference="BT-7781",
    )

    order = Order.get_by_id(placed.id)
    assert placed.payment_status == "Successful"
    assert (order.payment_status, order.paid_upfront, order.paid_at, order.status) == (
        "Successful",
        True,
        frozen_time,
        "Pending",  # an admin still approves it
    )
    payment = PaymentTransaction.get()
    assert (payment.gateway, payment.method, payment.reference, payment.amount_cents) == (
        "manual",
        "Bank transfer",
        "BT-7781",
        74_600,
    )
    invoice = Invoice.get()
    assert placed.invoice_number == invoice.number == "INV-2026-00001"
    assert (invoice.status, invoice.amount_due_cents, invoice.order_id, payment.invoice_id) == (
        InvoiceStatus.PAID,
        0,
        order.id,
        invoice.id,
    )
    services = Service.select().where(Service.order == order.id).order_by(Service.price_cents)
    assert [(s.status, s.cycle, s.start_date, s.next_due_date) for s in services] == [
        ("Active", "Monthly", dt.date(2026, 3, 14), dt.date(2026, 4, 14)),
        ("Active", "Monthly", dt.date(2026, 3, 14), dt.date(2026, 4, 14)),
        ("Active", "Annually", dt.date(2026, 3, 14), dt.date(2027, 3, 14)),
    ]
    assert Client.get_by_id(mina).support_minutes == 300
    assert "Payment: paid by Bank transfer, reference BT-7781 on 2026-03-14." in Message.get().body
    paid = json.loads(AuditEntry.get(AuditEntry.action == "order.paid").after)
    assert (paid["invoice"], paid["services_active"], paid["support_minutes_added"]) == (
        "INV-2026-00001",
        3,
        300,
    )
    assert not CreditEntry.select().exists() and check_ledger() == []


def test_marking_an_order_paid_twice_records_one_payment(agent) -> None:
    mina = client()
    placed = place_order(agent, mina, cart("HOURS-5x2"), "card")
    paid_at = dt.datetime(2026, 3, 14, 9, 31)

    for _ in range(2):
        mark_order_paid(
            None,
            placed.id,
            gateway="stripe",
            method="card",
            reference="pi_123",
            amount_cents=50_000,
            paid_at=paid_at,
        )

    assert PaymentTransaction.select().count() == 1 and Invoice.select().count() == 1
    assert Client.get_by_id(mina).support_minutes == 600
    audit = AuditEntry.get(AuditEntry.action == "order.paid")
    assert (audit.staff_id, audit.staff_name) == (None, "system")
    assert PaymentTransaction.get().staff_id is None
    mark_payment_unsettled(placed.id, PaymentStatus.FAILED, "too late")
    assert Order.get_by_id(placed.id).payment_status == "Successful"


def test_an_unsettled_card_payment_keeps_the_gateways_reason(agent) -> None:
    placed = place_order(agent, client(), cart("VOIP-LINE"), "card")

    mark_payment_unsettled(placed.id, "Failed", "Your card was declined.\n")

    order = Order.get_by_id(placed.id)
    assert (order.payment_status, order.payment_note) == ("Failed", "Your card was declined.")
    assert AuditEntry.get(AuditEntry.action == "order.payment_failed").staff_name == "system"
    with pytest.raises(ValueError):
        mark_payment_unsettled(placed.id, "Successful", "no")


def test_a_closed_client_cannot_order(agent) -> None:
    closed = client(status=ClientStatus.CLOSED)

    with pytest.raises(Conflict) as refused:
        place_order(agent, closed, cart("VOIP-LINE"), PaymentMethod.REQUEST)

    assert str(refused.value) == (
        "C-1001 is Closed: no new tickets or orders. Set it to Active first if it should have one."
    )
    assert not Order.select().exists() and not Ticket.select().exists()


@pytest.mark.parametrize(
    ("how", "method", "reference", "sentence"),
    [
        ("manual", "", "", "Say how it was paid: Bank transfer, Cash, Cheque."),
        ("manual", "Bitcoin", "", "Say how it was paid: Bank transfer, Cash, Cheque."),
        ("", "Cash", "", "A method goes only with a manual payment."),
        ("card", "", "R-1", "A reference goes only with a manual payment."),
        ("cheque", "", "", "An order is paid by card, by a manual method, or sent as a request."),
    ],
)
def test_bad_payment_choices_get_a_sentence(
    agent, how: str, method: str, reference: str, sentence: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        place_order(
            agent, client(), cart("VOIP-LINE"), how, manual_method=method, reference=reference
        )
    assert str(refused.value) == sentence
    assert not Order.select().exists()


def test_without_the_orders_department_the_order_is_refused(agent) -> None:
    Department.delete().where(Department.name == "Orders").execute()

    with pytest.raises(Conflict) as refused:
        place_order(agent, client(), cart("VOIP-LINE"), PaymentMethod.REQUEST)

    assert "ask an admin to add one called Orders" in str(refused.value)
    assert not Order.select().exists() and not Service.select().exists()


def test_a_failure_midway_leaves_no_order_ticket_or_payment(
    agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    mina = client()

    def broken(actor: object, order_id: object) -> None:
        raise RuntimeError("the invoice could not be issued")

    monkeypatch.setattr(order_payment, "issue_invoice_for_order", broken)
    with pytest.raises(RuntimeError):
        place_order(agent, mina, cart("FIBRE-1G", "HOURS-5"), "manual", manual_method="Cash")

    for model in (Order, OrderItem, Service, Ticket, Message, PaymentTransaction, Invoice):
        assert not model.select().exists(), model.__name__
    assert Client.get_by_id(mina).support_minutes == 0
    monkeypatch.undo()
    again = place_order(agent, mina, cart("VOIP-LINE"), "manual", manual_method="Cash")
    assert again.label == "O-5001"  # the number was given back
    assert Service.get().status == ServiceStatus.ACTIVE


def test_a_long_or_oddly_named_cart_still_opens_its_ticket(agent) -> None:
    Product.update(name="Fibre\n[bold]1G\x1b]0;x\x07").where(Product.code == "FIBRE-1G").execute()
    lines = [CartLine("FIBRE-1G")] + [CartLine("VOIP-LINE", None, n) for n in range(2, 25)]

    placed = place_order(agent, client(), lines, PaymentMethod.REQUEST)

    ticket = Ticket.get_by_id(placed.ticket_id)
    assert ticket.subject.startswith("Order O-5001: Fibre [bold]1G\x1b]0;x\x07, 2 × VoIP Line")
    assert len(ticket.subject) == 300 and ticket.subject.endswith("…")
    assert Service.select().count() == 1 + sum(range(2, 25))
