"""The demo's orders: one in each state the approval queue and the order screen show, each with
its ticket in Orders, consistent with how the desk pays orders; made without Stripe."""

from __future__ import annotations

import pytest

from deskapp.demo import load_demo
from deskapp.models import (
    Client,
    Department,
    Order,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Product,
    ProductType,
    Role,
    Service,
    ServiceStatus,
    Staff,
    Ticket,
)
from deskapp.services.actors import actor_from
from deskapp.services.integrity import check_ledger
from deskapp.services.order_decide import approve_order, preview_approval

STATES = {
    "request pending approval": (OrderStatus.PENDING, PaymentMethod.REQUEST, PaymentStatus.NONE),
    "paid by card, pending approval": (
        OrderStatus.PENDING,
        PaymentMethod.CARD,
        PaymentStatus.SUCCESSFUL,
    ),
    "paid manually, pending approval": (
        OrderStatus.PENDING,
        PaymentMethod.MANUAL,
        PaymentStatus.SUCCESSFUL,
    ),
    "card declined": (OrderStatus.PENDING, PaymentMethod.CARD, PaymentStatus.FAILED),
    "card waiting for the cardholder": (
        OrderStatus.PENDING,
        PaymentMethod.CARD,
        PaymentStatus.PENDING,
    ),
    "approved": (OrderStatus.ACTIVE, None, None),
    "rejected": (OrderStatus.REJECTED, None, None),
}
"""What the demo must hold: (status, payment method, payment status); None: any."""


@pytest.fixture
def demo(desk: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo loaded with Stripe off (no key anywhere)."""
    for variable in ("DESKAPP_STRIPE_SECRET_KEY", "DESKAPP_STRIPE_API_BASE"):
        monkeypatch.delenv(variable, raising=False)
    load_demo()
    return desk


def orders_in(status: str, method: str | None, payment: str | None) -> list[Order]:
    """The demo's orders in that state."""
    query = Order.select().where(Order.status == status)
    if method is not None:
        query = query.where(Order.payment_method == method)
    if payment is not None:
        query = query.where(Order.payment_status == payment)
    return list(query.order_by(Order.number))


@pytest.mark.parametrize("state", list(STATES))
def test_the_demo_has_an_order_in_each_state_with_its_ticket(demo: str, state: str) -> None:
    found = orders_in(*STATES[state])
    assert found, state
    orders = Department.get(Department.name == "Orders")
    for order in found:
        ticket = Ticket.get(Ticket.order == order.id)
        assert ticket.department_id == orders.id
        assert ticket.client_id == order.client_id
        assert f"O-{order.number}" in ticket.subject


def test_card_payments_carry_their_stripe_attempt(demo: str) -> None:
    for order in Order.select().where(Order.payment_method == PaymentMethod.CARD):
        assert order.payment_attempt == 1, order.number
        if order.payment_status == PaymentStatus.FAILED:
            assert order.payment_intent == ""  # a retry makes attempt 2 with a new intent
            assert order.payment_note.startswith("Your card"), order.number
        else:
            assert order.payment_intent.startswith("pi_demo_"), order.number
    waiting = orders_in(OrderStatus.PENDING, PaymentMethod.CARD, PaymentStatus.PENDING)
    assert all("requires_action" in order.payment_note for order in waiting)
    assert all(order.paid_at is None for order in waiting)
    assert (
        not Order.select()
        .where((Order.payment_method != PaymentMethod.CARD) & (Order.payment_intent != ""))
        .exists()
    )


def test_paid_orders_are_paid_the_way_their_method_says(demo: str) -> None:
    paid = Order.select().where(Order.payment_status == PaymentStatus.SUCCESSFUL)
    for order in paid:
        assert order.paid_at is not None and order.paid_upfront
        payment = PaymentTransaction.get(PaymentTransaction.order == order.id)
        if order.payment_method == PaymentMethod.CARD:
            assert (payment.gateway, payment.method) == ("stripe", "card")
        else:
            assert order.payment_method == PaymentMethod.MANUAL
            assert (payment.gateway, payment.method) == ("manual", "bank transfer")
            assert payment.reference.startswith("BT-")
    requests = Order.select().where(Order.payment_method == PaymentMethod.REQUEST)
    assert all(order.payment_status == PaymentStatus.NONE for order in requests)


def test_orders_not_yet_paid_have_no_active_services(demo: str) -> None:
    unpaid_pending = Order.select().where(
        (Order.status == OrderStatus.PENDING) & (Order.payment_status != PaymentStatus.SUCCESSFUL)
    )
    for order in unpaid_pending:
        statuses = {s.status for s in Service.select().where(Service.order == order.id)}
        assert statuses <= {ServiceStatus.PENDING}, order.number
        assert not PaymentTransaction.select().where(PaymentTransaction.order == order.id).exists()


def test_support_hours_paid_upfront_are_the_clients_already(demo: str) -> None:
    paid_bundles = (
        Order.select(Order, Product.support_minutes.alias("bundle"), OrderItem.quantity)
        .join(OrderItem)
        .join(Product)
        .where(
            (Order.status == OrderStatus.PENDING)
            & (Order.payment_status == PaymentStatus.SUCCESSFUL)
            & (Product.type == ProductType.SUPPORT_HOURS)
        )
        .objects()
    )
    assert paid_bundles
    for order in paid_bundles:
        client = Client.get_by_id(order.client_id)
        assert client.support_minutes >= order.bundle * order.quantity, order.number


def test_every_demo_order_waiting_can_be_decided_by_the_desk(demo: str) -> None:
    admin = actor_from(Staff.get(Staff.role == Role.ADMIN))
    waiting = Order.select().where(Order.status == OrderStatus.PENDING).order_by(Order.number)
    for order in waiting:
        preview = preview_approval(order.id)
        if order.payment_status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            assert preview.problems, order.number  # the card must be settled first
            continue
        assert preview.problems == (), (order.number, preview.problems)
        decision = approve_order(admin, order.id)
        assert decision.status == OrderStatus.ACTIVE
    assert check_ledger() == []
