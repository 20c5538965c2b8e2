"""The order lists (the approval queue oldest first, every order newest first, keyset pages) and
one order in full: items, ticket, invoice, payments, services; found by its number or ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_helpers import client, staff
from order_rows import add_catalogue

from deskapp.errors import NotFound
from deskapp.models import Order, OrderStatus, Role, Ticket
from deskapp.services.order_place import mark_payment_unsettled, parse_cart_item, place_order
from deskapp.services.orders import find_order, get_order, list_orders, order_of_ticket


@pytest.fixture
def agent(desk: str):  # type: ignore[no-untyped-def]
    add_catalogue()
    return staff(Role.AGENT, "sam")


def place(actor, client_id, *items: str, how: str = "", **payment: str):  # type: ignore[no-untyped-def]
    return place_order(actor, client_id, [parse_cart_item(i) for i in items], how, **payment)


def test_the_queue_pages_oldest_first_and_all_orders_newest_first(agent) -> None:
    mina, otto = client(), client("Otto", "Berg", company="Berg & Söhne")
    for index in range(7):
        place(agent, (mina, otto)[index % 2], "VOIP-LINE")
    Order.update(status=OrderStatus.ACTIVE).where(Order.number.in_([5002, 5005])).execute()

    queue = list_orders("pending", None, 2)
    queue += list_orders("pending", queue[-1], 2)
    queue += list_orders("pending", queue[-1], 2)
    assert list_orders("pending", queue[-1], 2) == []
    assert [order.label for order in queue] == ["O-5001", "O-5003", "O-5004", "O-5006", "O-5007"]

    everything = list_orders("all", None, 3)
    everything += list_orders("all", everything[-1], 3)
    everything += list_orders("all", everything[-1], 3)
    assert [order.number for order in everything] == [5007, 5006, 5005, 5004, 5003, 5002, 5001]
    assert [o.number for o in list_orders("pending", None, 10, otto)] == [5004, 5006]
    assert {o.client_name for o in list_orders("all", None, 10, otto)} == {"Berg & Söhne"}
    with pytest.raises(ValueError):
        list_orders("waiting")


def test_a_queue_row_says_what_and_how_paid_and_how_old(agent, frozen_time: dt.datetime) -> None:
    mina = client()
    request = place(agent, mina, "FIBRE-1G", "VOIP-LINEx2")
    card = place(agent, mina, "HOURS-5", how="card")
    Order.update(created_at=frozen_time - dt.timedelta(days=3, hours=1)).where(
        Order.id == request.id
    ).execute()

    first, second = list_orders("pending")

    assert (first.items, first.payment_method, first.payment_status, first.total_cents) == (
        "Fibre 1G, 2 × VoIP Line",
        "",
        "None",
        5_500,
    )
    assert first.age_days == 3
    assert (second.items, second.payment_method, second.payment_status, second.age_days) == (
        "5 support hours",
        "card",
        "Pending",
        0,
    )
    assert card.label == second.label


def test_an_order_in_full_after_a_manual_payment(agent, frozen_time: dt.datetime) -> None:
    mina = client(company="Okafor Hosting")
    placed = place(
        agent,
        mina,
        "FIBRE-1G:Annually",
        "VOIP-LINEx2",
        "SETUP",
        how="manual",
        manual_method="Cheque",
        reference="CHQ 4411",
    )

    detail = get_order(placed.id)

    assert (detail.label, detail.client_label, detail.client_name, detail.client_status) == (
        "O-5001",
        "C-1001",
        "Okafor Hosting",
        "Active",
    )
    assert (detail.status, detail.payment_method, detail.payment_status, detail.paid_at) == (
        "Pending",
        "manual",
        "Successful",
        frozen_time,
    )
    assert [(i.code, i.cycle, i.quantity, i.unit_cents, i.total_cents) for i in detail.items] == [
        ("FIBRE-1G", "Annually", 1, 48_600, 48_600),
        ("VOIP-LINE", "Monthly", 2, 500, 1_000),
        ("SETUP", "One-time", 1, 9_900, 9_900),
    ]
    assert detail.total_cents == 59_500 and detail.placed_at == frozen_time
    assert (detail.ticket_id, detail.ticket_label) == (
        placed.ticket_id,
        f"T-{placed.ticket_number}",
    )
    assert (detail.invoice_number, detail.invoice_status, detail.invoice_due_cents) == (
        "INV-2026-00001",
        "Paid",
        0,
    )
    assert [(p.gateway, p.method, p.reference, p.amount_cents) for p in detail.payments] == [
        ("manual", "Cheque", "CHQ 4411", 59_500)
    ]
    today = frozen_time.date()
    assert sorted((s.name, s.status, s.start_date, s.next_due_date) for s in detail.services) == [
        ("Fibre 1G", "Active", today, dt.date(2027, 3, 14)),
        ("VoIP Line", "Active", today, dt.date(2026, 4, 14)),
        ("VoIP Line", "Active", today, dt.date(2026, 4, 14)),
    ]
    assert detail.decided_by_name == "" and detail.decided_at is None


def test_orders_are_found_by_number_and_by_their_ticket(agent) -> None:
    placed = place(agent, client(), "VOIP-LINE", how="card")
    mark_payment_unsettled(placed.id, "Failed", "Your card was declined.")

    for typed in ("O-5001", "o5001", " 5001 "):
        assert find_order(typed).id == placed.id
    assert find_order("O-5001").payment_note == "Your card was declined."
    assert order_of_ticket(placed.ticket_id) == placed.id
    other = Ticket.get_by_id(placed.ticket_id)
    Ticket.update(order=None).where(Ticket.id == other.id).execute()
    assert order_of_ticket(placed.ticket_id) is None
    assert get_order(placed.id).ticket_id is None

    with pytest.raises(NotFound, match="There is no order O-9999."):
        find_order("O-9999")
    with pytest.raises(NotFound, match="“FIBRE” is not an order number; write it like O-5531."):
        find_order("FIBRE")
    with pytest.raises(NotFound, match="That order no longer exists."):
        get_order(Ticket.get_by_id(placed.ticket_id).id)
