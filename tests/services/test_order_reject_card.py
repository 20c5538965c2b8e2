"""Rejecting an order paid by card, against localstripe on both backends: the money goes back to
the card through the Refund API, the invoice is Refunded (not to credit), the client is told; a
refund Stripe does not answer leaves the order rejected and is retried by rejecting again."""

from __future__ import annotations

import json
import uuid

import pytest
from ledger_helpers import client, staff
from localstripe_server import CARD_SUCCEEDS, attach_test_card, stripe_client
from order_rows import add_catalogue

from deskapp.config import load_settings
from deskapp.errors import Conflict, PaymentError
from deskapp.ids import format_number
from deskapp.models import (
    AuditEntry,
    Client,
    Invoice,
    InvoiceStatus,
    Message,
    MessageKind,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Role,
    Service,
    ServiceStatus,
    Ticket,
    TicketStatus,
)
from deskapp.payments.gateway import RefundMade, StripeGateway, StripeUnreachable
from deskapp.services.actors import Actor
from deskapp.services.integrity import check_ledger
from deskapp.services.order_card import charge_order, payment_gateway
from deskapp.services.order_decide import reject_order
from deskapp.services.order_place import parse_cart_item, place_order

FIBRE_AND_HOURS = 4_500 + 25_000
"""FIBRE-1G monthly and HOURS-5 (300 minutes): what the test order costs."""


@pytest.fixture
def admin(desk: str, localstripe: str) -> Actor:
    add_catalogue()
    return staff(Role.ADMIN, "ann")


@pytest.fixture
def stripe(localstripe: str) -> StripeGateway:
    return payment_gateway(load_settings(read_file=False))


def paid_by_card(admin: Actor, stripe: StripeGateway) -> uuid.UUID:
    mina = client()
    attach_test_card(mina, CARD_SUCCEEDS)
    lines = [parse_cart_item("FIBRE-1G"), parse_cart_item("HOURS-5")]
    order_id = place_order(admin, mina, lines, PaymentMethod.CARD).id
    assert charge_order(admin, order_id, stripe).status == PaymentStatus.SUCCESSFUL
    return order_id


def replies(order_id: uuid.UUID) -> list[str]:
    ticket = Ticket.get(Ticket.order == order_id)
    rows = Message.select().where(
        (Message.ticket == ticket.id) & (Message.kind == MessageKind.REPLY)
    )
    return [row.body for row in rows.order_by(Message.created_at, Message.id)]


def test_rejecting_a_card_order_refunds_the_card_and_tells_the_client(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id = paid_by_card(admin, stripe)
    order = Order.get_by_id(order_id)
    label = format_number("order", order.number)
    assert Client.get_by_id(order.client_id).support_minutes == 300

    decision = reject_order(admin, order_id, "Out of area", refund="card", gateway=stripe)

    assert (decision.status, decision.refund) == ("Rejected", "card")
    assert decision.message == f"{label} rejected, 295.00 refunded to the card."
    [payment] = PaymentTransaction.select().where(PaymentTransaction.order == order_id)
    assert payment.refunded_cents == FIBRE_AND_HOURS
    [refund] = stripe_client().v1.refunds.list().data
    assert refund.amount == FIBRE_AND_HOURS
    assert Invoice.get(Invoice.order == order_id).status == InvoiceStatus.REFUNDED
    mina = Client.get_by_id(order.client_id)
    assert (mina.credit_cents, mina.support_minutes) == (0, 0)
    assert Order.get_by_id(order_id).status == OrderStatus.REJECTED
    services = Service.select(Service.status).where(Service.order == order_id)
    assert [service.status for service in services] == [ServiceStatus.CANCELLED]
    assert replies(order_id) == [
        f"Your order {label} was not approved: Out of area. 295.00 is refunded to your card; "
        "it can take a few days to show."
    ]
    assert Ticket.get(Ticket.order == order_id).status == TicketStatus.COMPLETED
    rejected = AuditEntry.get(AuditEntry.action == "order.rejected")
    assert json.loads(rejected.after)["refund"] == "card"
    assert AuditEntry.select().where(AuditEntry.action == "order.refunded").count() == 1
    assert check_ledger() == []


class RefundUnanswered(StripeGateway):
    """Stripe cannot be reached when the refund is asked for."""

    def refund_payment(
        self, intent_id: str, amount_cents: int, *, reason: str, idempotency_key: str
    ) -> RefundMade:
        raise StripeUnreachable("no answer within 20 s")


def test_a_card_refund_that_fails_leaves_the_order_rejected_and_is_retried(
    admin: Actor, stripe: StripeGateway, localstripe: str
) -> None:
    order_id = paid_by_card(admin, stripe)
    label = format_number("order", Order.get_by_id(order_id).number)
    offline = RefundUnanswered(stripe.secret_key, api_base=localstripe)

    with pytest.raises(PaymentError) as failed:
        reject_order(admin, order_id, "Out of area", refund="card", gateway=offline)

    assert str(failed.value).startswith(f"{label} is rejected, but the card refund failed:")
    assert str(failed.value).endswith("Reject it again with a card refund to retry.")
    assert Order.get_by_id(order_id).status == OrderStatus.REJECTED
    assert Invoice.get(Invoice.order == order_id).status == InvoiceStatus.PAID
    assert replies(order_id) == []
    assert check_ledger() == []

    decision = reject_order(admin, order_id, "Out of area", refund="card", gateway=stripe)

    assert decision.refund == "card"
    assert Invoice.get(Invoice.order == order_id).status == InvoiceStatus.REFUNDED
    assert len(stripe_client().v1.refunds.list().data) == 1
    assert len(replies(order_id)) == 1
    with pytest.raises(Conflict, match=f"{label} was already rejected by Ann"):
        reject_order(admin, order_id, "Out of area", refund="card", gateway=stripe)
    assert check_ledger() == []
