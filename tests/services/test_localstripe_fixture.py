"""The localstripe fixture: a real Stripe API on 127.0.0.1 for the SDK, state in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

from localstripe_server import (
    CARD_DECLINED,
    CARD_NEEDS_AUTHENTICATION,
    CARD_SUCCEEDS,
    attach_card,
    authenticate_payment,
    payment_intents,
    stripe_client,
)


def test_localstripe_serves_the_sdk_on_loopback_with_state_under_tmp_path(
    localstripe: str, tmp_path: Path
) -> None:
    assert localstripe.startswith("http://127.0.0.1:")
    assert os.environ["DESKAPP_STRIPE_API_BASE"] == localstripe
    assert os.environ["DESKAPP_STRIPE_SECRET_KEY"].startswith("sk_test_")
    stripe = stripe_client()
    customer = stripe.v1.customers.create({"name": "Mina Okafor"})
    card = attach_card(customer.id, CARD_SUCCEEDS)
    assert stripe.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method == card
    assert (tmp_path / "localstripe" / "localstripe.pickle").stat().st_size > 0


def test_each_test_starts_with_an_empty_localstripe(localstripe: str) -> None:
    assert payment_intents() == []
    assert list(stripe_client().v1.customers.list().data) == []


def _pay(number: str) -> str:
    """Charge 10.00 to a new customer's card `number`: the intent's status, or the decline."""
    import stripe as sdk

    stripe = stripe_client()
    customer = stripe.v1.customers.create({})
    card = attach_card(customer.id, number)
    intent = stripe.v1.payment_intents.create(
        {"amount": 1000, "currency": "eur", "customer": customer.id, "payment_method": card}
    )
    try:
        return str(stripe.v1.payment_intents.confirm(intent.id).status)
    except sdk.CardError as error:
        return f"declined: {error.user_message}"


def test_the_test_cards_succeed_are_declined_and_need_authentication(localstripe: str) -> None:
    assert _pay(CARD_SUCCEEDS) == "succeeded"
    assert _pay(CARD_DECLINED) == "declined: Your card was declined."
    assert _pay(CARD_NEEDS_AUTHENTICATION) == "requires_action"
    waiting = next(i for i in payment_intents() if i.status == "requires_action")
    assert authenticate_payment(waiting.id) == "succeeded"
