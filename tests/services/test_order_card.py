"""Card payments for orders against localstripe through the real stripe SDK, on both backends:
a card that succeeds, one declined and retried, one that needs the customer's authentication
(reconciled by the sync), a refund, a retry after a lost answer that charges once, Stripe's
webhook events applied once, Stripe unreachable, and no key at all."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import keyring
import pytest
from keyring.backends import fail
from ledger_helpers import client, staff
from localstripe_server import (
    CARD_DECLINED,
    CARD_NEEDS_AUTHENTICATION,
    CARD_SUCCEEDS,
    TEST_SECRET_KEY,
    attach_test_card,
    authenticate_payment,
    closed_port_base,
    losing_once,
    payment_intents,
    sign_payload,
    stripe_client,
    stripe_event,
)
from order_rows import add_catalogue

from deskapp.config import load_settings
from deskapp.db import close_database
from deskapp.errors import ConfigError, Conflict, PaymentError, PermissionDenied
from deskapp.models import (
    Client,
    Invoice,
    InvoiceStatus,
    Order,
    OrderStatus,
    PaymentEvent,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Role,
    Service,
    ServiceStatus,
)
from deskapp.payments.gateway import (
    PaymentIntentState,
    StripeGateway,
    StripeUnreachable,
    WebhookRefused,
)
from deskapp.services.actors import Actor
from deskapp.services.integrity import check_ledger
from deskapp.services.order_card import (
    NO_KEY,
    card_payments_available,
    charge_order,
    handle_webhook,
    payment_gateway,
    reconcile_order,
    refund_card_payment,
    sync_pending_payments,
)
from deskapp.services.order_place import parse_cart_item, place_order

WEBHOOK_SECRET = "whsec_deskapp_test"
"""The webhook secret the tests sign events with."""
FIBRE_AND_SETUP = 4_500 + 9_900
"""FIBRE-1G monthly and SETUP: what the test orders cost."""


@pytest.fixture
def admin(desk: str, localstripe: str) -> Actor:
    add_catalogue()
    return staff(Role.ADMIN, "kim")


@pytest.fixture
def stripe(localstripe: str) -> StripeGateway:
    """The gateway as the desk configures it from DESKAPP_STRIPE_* (the fixture sets them)."""
    return payment_gateway(load_settings(read_file=False))


def card_order(actor: Actor, client_id: uuid.UUID) -> uuid.UUID:
    lines = [parse_cart_item("FIBRE-1G"), parse_cart_item("SETUP")]
    return place_order(actor, client_id, lines, PaymentMethod.CARD).id


def customer_with_card(number: str = CARD_SUCCEEDS) -> uuid.UUID:
    mina = client()
    attach_test_card(mina, number)
    return mina


def payments_of(order_id: uuid.UUID) -> list[PaymentTransaction]:
    return list(PaymentTransaction.select().where(PaymentTransaction.order == order_id))


def test_a_card_that_succeeds_records_the_payment_pays_the_invoice_and_starts_the_services(
    admin: Actor, stripe: StripeGateway, frozen_time: dt.datetime
) -> None:
    order_id = card_order(admin, customer_with_card())

    outcome = charge_order(admin, order_id, stripe)

    assert outcome.status == PaymentStatus.SUCCESSFUL
    assert "paid by card: 144.00" in outcome.message
    order = Order.get_by_id(order_id)
    assert (order.payment_status, order.payment_attempt) == (PaymentStatus.SUCCESSFUL, 1)
    assert order.paid_at == frozen_time
    [payment] = payments_of(order_id)
    assert (payment.gateway, payment.method, payment.amount_cents) == ("stripe", "card", 14_400)
    assert payment.reference == order.payment_intent
    [intent] = payment_intents()
    assert (intent.id, intent.status, intent.amount) == (payment.reference, "succeeded", 14_400)
    assert intent.metadata["order"] == str(order_id)
    invoice = Invoice.get(Invoice.order == order_id)
    assert (invoice.status, invoice.amount_due_cents) == (InvoiceStatus.PAID, 0)
    services = list(Service.select().where(Service.order == order_id))
    assert [s.status for s in services] == [ServiceStatus.ACTIVE]
    assert services[0].start_date == frozen_time.date()
    assert check_ledger() == []
    assert charge_order(admin, order_id, stripe).message.endswith("is already paid.")
    assert len(payment_intents()) == 1


def test_the_stripe_customer_is_made_once_and_no_card_on_file_is_said_plainly(
    admin: Actor, stripe: StripeGateway
) -> None:
    mina = client()
    order_id = card_order(admin, mina)

    with pytest.raises(PaymentError, match=r"C-\d+ has no card on file with Stripe"):
        charge_order(admin, order_id, stripe)

    customer = Client.get_by_id(mina).stripe_customer_id
    assert customer.startswith("cus_")
    order = Order.get_by_id(order_id)
    assert order.payment_status == PaymentStatus.PENDING
    assert "no card on file" in order.payment_note
    attach_test_card(mina, CARD_SUCCEEDS)
    assert charge_order(admin, order_id, stripe).status == PaymentStatus.SUCCESSFUL
    assert Client.get_by_id(mina).stripe_customer_id == customer
    assert len(stripe_client().v1.customers.list().data) == 1


def test_a_declined_card_leaves_the_order_failed_with_stripes_reason_and_another_card_pays(
    admin: Actor, stripe: StripeGateway
) -> None:
    mina = customer_with_card(CARD_DECLINED)
    order_id = card_order(admin, mina)

    outcome = charge_order(admin, order_id, stripe)

    assert outcome.status == PaymentStatus.FAILED
    assert "Your card was declined." in outcome.message
    order = Order.get_by_id(order_id)
    assert (order.status, order.payment_status) == (OrderStatus.PENDING, PaymentStatus.FAILED)
    assert order.payment_note == "Declined: Your card was declined."
    assert (order.payment_intent, order.payment_attempt) == ("", 1)
    assert payments_of(order_id) == []

    attach_test_card(mina, CARD_SUCCEEDS)
    assert reconcile_order(admin, order_id, stripe).status == PaymentStatus.SUCCESSFUL

    assert Order.get_by_id(order_id).payment_attempt == 2
    assert sorted(i.status for i in payment_intents()) == ["requires_payment_method", "succeeded"]
    assert len(payments_of(order_id)) == 1
    assert check_ledger() == []


def test_a_card_that_needs_authentication_waits_and_the_sync_records_it_once_authenticated(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id = card_order(admin, customer_with_card(CARD_NEEDS_AUTHENTICATION))

    outcome = charge_order(admin, order_id, stripe)

    assert outcome.status == PaymentStatus.PENDING
    order = Order.get_by_id(order_id)
    assert order.payment_status == PaymentStatus.PENDING
    assert "asks the customer to confirm" in order.payment_note
    first = sync_pending_payments(stripe)
    assert (first.checked, first.paid, first.waiting) == (1, 0, 1)

    assert authenticate_payment(order.payment_intent) == "succeeded"
    synced = sync_pending_payments(stripe)

    assert (synced.checked, synced.paid, synced.failed, synced.waiting) == (1, 1, 0, 0)
    assert synced.message == "Checked 1 pending card payment: 1 paid, 0 failed, 0 still pending."
    assert Order.get_by_id(order_id).payment_status == PaymentStatus.SUCCESSFUL
    assert [p.reference for p in payments_of(order_id)] == [order.payment_intent]
    assert sync_pending_payments(stripe).message == "No card payments are pending."


def test_a_refund_goes_back_to_the_card_and_the_invoice_is_refunded(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id = card_order(admin, customer_with_card())
    charge_order(admin, order_id, stripe)
    agent = staff(Role.AGENT, "sam")
    with pytest.raises(PermissionDenied):
        refund_card_payment(agent, order_id, stripe, "Wrong product")

    refunded = refund_card_payment(admin, order_id, stripe, "Wrong product")

    assert refunded == FIBRE_AND_SETUP
    [payment] = payments_of(order_id)
    assert payment.refunded_cents == FIBRE_AND_SETUP
    [refund] = stripe_client().v1.refunds.list().data
    assert refund.amount == FIBRE_AND_SETUP
    assert refund.metadata["reason"] == "Wrong product"
    assert Invoice.get(Invoice.order == order_id).status == InvoiceStatus.REFUNDED
    assert check_ledger() == []
    with pytest.raises(Conflict, match="no card payment left to refund"):
        refund_card_payment(admin, order_id, stripe, "Again")


@pytest.mark.parametrize(
    "forward", [True, False], ids=["answer-lost-after-the-charge", "confirm-never-arrived"]
)
def test_a_payment_retried_after_a_timeout_charges_once(
    admin: Actor, stripe: StripeGateway, localstripe: str, forward: bool
) -> None:
    order_id = card_order(admin, customer_with_card())
    with losing_once(localstripe, "/confirm", forward=forward) as proxy:
        flaky = StripeGateway(TEST_SECRET_KEY, api_base=proxy, timeout=1)

        with pytest.raises(PaymentError, match="could not be reached .*safe to try again"):
            charge_order(admin, order_id, flaky)
        waiting = Order.get_by_id(order_id)
        assert waiting.payment_status == PaymentStatus.PENDING
        assert "Stripe could not be reached (no answer within 1 s)" in waiting.payment_note
        assert waiting.payment_intent.startswith("pi_")
        [intent] = payment_intents()
        assert intent.status == ("succeeded" if forward else "requires_confirmation")

        assert charge_order(admin, order_id, flaky).status == PaymentStatus.SUCCESSFUL

    assert reconcile_order(admin, order_id, stripe).status == PaymentStatus.SUCCESSFUL
    [intent] = payment_intents()
    assert (intent.id, intent.status) == (waiting.payment_intent, "succeeded")
    assert [p.reference for p in payments_of(order_id)] == [intent.id]
    assert Order.get_by_id(order_id).payment_attempt == 1


class SecondDeskMeanwhile(StripeGateway):
    """Between this desk creating its intent and recording it, another desk charges the order."""

    def __init__(self, *args: object, other: StripeGateway, actor: Actor, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.other, self.actor = other, actor

    def create_payment_intent(self, **kwargs: object) -> PaymentIntentState:
        made = super().create_payment_intent(**kwargs)  # type: ignore[arg-type]
        order_id = uuid.UUID(str(kwargs["metadata"]["order"]))  # type: ignore[index]
        assert charge_order(self.actor, order_id, self.other).status == PaymentStatus.SUCCESSFUL
        return made


def test_two_desks_charging_one_order_at_once_charge_it_once(
    admin: Actor, stripe: StripeGateway, localstripe: str
) -> None:
    order_id = card_order(admin, customer_with_card())
    racing = SecondDeskMeanwhile(TEST_SECRET_KEY, api_base=localstripe, other=stripe, actor=admin)

    outcome = charge_order(admin, order_id, racing)

    assert (outcome.status, outcome.message[-24:]) == ("Successful", "is paid by card: 144.00.")
    assert sorted(i.status for i in payment_intents()) == ["canceled", "succeeded"]
    [payment] = payments_of(order_id)
    assert payment.reference == Order.get_by_id(order_id).payment_intent
    assert check_ledger() == []


def test_stripe_unreachable_leaves_the_order_pending_with_the_reason_and_a_retry_pays(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id = card_order(admin, customer_with_card())
    down = StripeGateway(TEST_SECRET_KEY, api_base=closed_port_base(), timeout=2)

    with pytest.raises(StripeUnreachable) as raised:
        charge_order(admin, order_id, down)
    assert "connection refused" in str(raised.value)
    assert TEST_SECRET_KEY not in str(raised.value)
    order = Order.get_by_id(order_id)
    assert order.payment_status == PaymentStatus.PENDING
    assert "Stripe could not be reached (connection refused)" in order.payment_note
    assert (order.payment_intent, payments_of(order_id)) == ("", [])
    assert sync_pending_payments(down).checked == 0

    assert charge_order(admin, order_id, stripe).status == PaymentStatus.SUCCESSFUL
    assert len(payment_intents()) == 1


def _waiting_order(admin: Actor, stripe: StripeGateway) -> tuple[uuid.UUID, str]:
    """An order whose card payment waits for authentication, then authenticated at Stripe."""
    order_id = card_order(admin, customer_with_card(CARD_NEEDS_AUTHENTICATION))
    charge_order(admin, order_id, stripe)
    intent_id = Order.get_by_id(order_id).payment_intent
    authenticate_payment(intent_id)
    return order_id, intent_id


def test_a_webhook_with_a_bad_signature_is_refused_and_changes_nothing(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id, intent_id = _waiting_order(admin, stripe)
    intent = stripe_client().v1.payment_intents.retrieve(intent_id)
    payload = stripe_event("evt_forged", "payment_intent.succeeded", intent)

    for signature in (sign_payload(payload, "whsec_someone_else"), "", "t=1,v1=00"):
        with pytest.raises(WebhookRefused, match="does not match the webhook secret"):
            handle_webhook(payload, signature, WEBHOOK_SECRET)
    stale = sign_payload(payload, WEBHOOK_SECRET, timestamp=1_000_000_000)
    with pytest.raises(WebhookRefused):
        handle_webhook(payload, stale, WEBHOOK_SECRET)

    with pytest.raises(ConfigError, match="No Stripe webhook secret is configured"):
        handle_webhook(payload, sign_payload(payload, ""), "")

    assert Order.get_by_id(order_id).payment_status == PaymentStatus.PENDING
    assert PaymentEvent.select().count() == 0


def test_a_webhook_event_sent_twice_is_applied_once(admin: Actor, stripe: StripeGateway) -> None:
    order_id, intent_id = _waiting_order(admin, stripe)
    intent = stripe_client().v1.payment_intents.retrieve(intent_id)
    payload = stripe_event("evt_paid_1", "payment_intent.succeeded", intent)
    signature = sign_payload(payload, WEBHOOK_SECRET)

    first = handle_webhook(payload, signature, WEBHOOK_SECRET)
    second = handle_webhook(payload, signature, WEBHOOK_SECRET)

    assert first.endswith(f"is paid by card: 144.00 ({intent_id}).")
    assert second == "Event evt_paid_1 (payment_intent.succeeded) was already applied."
    assert Order.get_by_id(order_id).payment_status == PaymentStatus.SUCCESSFUL
    assert len(payments_of(order_id)) == 1
    [event] = PaymentEvent.select()
    assert (event.id, event.type, event.outcome) == (
        "evt_paid_1",
        "payment_intent.succeeded",
        first,
    )
    assert sync_pending_payments(stripe).checked == 0


def test_one_webhook_event_delivered_four_times_at_once_is_applied_once(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id, intent_id = _waiting_order(admin, stripe)
    intent = stripe_client().v1.payment_intents.retrieve(intent_id)
    payload = stripe_event("evt_raced", "payment_intent.succeeded", intent)
    signature = sign_payload(payload, WEBHOOK_SECRET)
    start, outcomes = threading.Barrier(4), []

    def deliver() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(handle_webhook(payload, signature, WEBHOOK_SECRET))
        except Exception as error:  # noqa: BLE001 - the assertions show it
            outcomes.append(repr(error))
        finally:
            close_database()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    applied = [o for o in outcomes if "is paid by card" in o]
    assert len(applied) == 1, outcomes
    assert sorted(outcomes) == sorted(
        [*applied, *["Event evt_raced (payment_intent.succeeded) was already applied."] * 3]
    )
    assert len(payments_of(order_id)) == 1
    assert PaymentEvent.select().count() == 1
    assert check_ledger() == []


def test_webhook_events_for_a_failed_payment_and_a_refund_are_recorded(
    admin: Actor, stripe: StripeGateway
) -> None:
    order_id = card_order(admin, customer_with_card(CARD_NEEDS_AUTHENTICATION))
    charge_order(admin, order_id, stripe)
    intent_id = Order.get_by_id(order_id).payment_intent
    assert authenticate_payment(intent_id, success=False) == "requires_payment_method"
    failed = stripe_client().v1.payment_intents.retrieve(intent_id)
    payload = stripe_event("evt_failed", "payment_intent.payment_failed", failed)

    outcome = handle_webhook(payload, sign_payload(payload, WEBHOOK_SECRET), WEBHOOK_SECRET)

    assert "payment failed: The provided PaymentMethod has failed authentication." in outcome
    order = Order.get_by_id(order_id)
    assert (order.payment_status, order.payment_intent) == (PaymentStatus.FAILED, "")

    attach_test_card(order.client_id, CARD_SUCCEEDS)
    charge_order(admin, order_id, stripe)
    paid = Order.get_by_id(order_id).payment_intent
    refunded = refund_card_payment(admin, order_id, stripe, "Cancelled")
    charge = stripe_client().v1.charges.retrieve(
        stripe_client().v1.payment_intents.retrieve(paid).latest_charge.id
    )
    payload = stripe_event("evt_refunded", "charge.refunded", charge)
    outcome = handle_webhook(payload, sign_payload(payload, WEBHOOK_SECRET), WEBHOOK_SECRET)

    assert outcome == f"The refund of {paid} was already recorded."
    assert [p.refunded_cents for p in payments_of(order_id)] == [refunded]
    assert PaymentEvent.get_by_id("evt_refunded").outcome == outcome


def test_without_a_key_card_payments_are_off_with_the_reason(
    desk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DESKAPP_STRIPE_SECRET_KEY", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        settings = load_settings(read_file=False)
        assert card_payments_available(settings) == (False, NO_KEY)
        with pytest.raises(PaymentError, match="No Stripe secret key is configured"):
            payment_gateway(settings).client()
        monkeypatch.setenv("DESKAPP_STRIPE_SECRET_KEY", TEST_SECRET_KEY)
        assert card_payments_available(load_settings(read_file=False)) == (True, "")
    finally:
        keyring.set_keyring(previous)
