"""Stripe's webhook events, each applied once.

An event is applied only when its Stripe-Signature matches the webhook secret, and only once:
the PaymentEvent row (keyed by Stripe's event id) is written in the same transaction as what the
event changes, so a delivery repeated, or two deliveries at once, change nothing the second
time. The desk acts on payment_intent.succeeded (the payment recorded, as the charge does),
payment_intent.payment_failed (Failed with the reason, for the order's current attempt) and
charge.refunded (the refund recorded on the payment); other events are recorded and ignored.
"""

from __future__ import annotations

import uuid
from typing import Any

import peewee

from deskapp import clock
from deskapp.db.transaction import write_transaction
from deskapp.errors import ConfigError, DeskError
from deskapp.ids import format_number
from deskapp.models import Order, PaymentEvent, PaymentStatus, PaymentTransaction
from deskapp.money import Money
from deskapp.payments.gateway import PaymentIntentState, intent_state, verify_webhook
from deskapp.services.card_state import STRIPE_GATEWAY, apply_intent, payment_failed
from deskapp.services.stripe_refunds import record_refund

NO_SECRET = (
    "No Stripe webhook secret is configured; set it with "
    "`deskapp secrets set stripe-webhook-secret` (or DESKAPP_STRIPE_WEBHOOK_SECRET)."
)
"""Why the webhook cannot take events."""
OUTCOME_LIMIT = 500
"""The longest outcome kept on an applied event."""


def handle_webhook(payload: bytes, signature: str, secret: str) -> str:
    """Verify one webhook request and apply its event once; returns what happened, one line.

    WebhookRefused (a PaymentError) for a bad signature or a request that is not an event;
    ConfigError when no secret is configured.
    """
    if not secret:
        raise ConfigError(NO_SECRET)
    event = verify_webhook(payload, signature, secret)
    event_id = str(event["id"])[:255]
    kind = str(event.get("type", ""))[:80]
    obj = event["data"].get("object") or {}
    already = f"Event {event_id} ({kind}) was already applied."
    try:
        with write_transaction():
            if PaymentEvent.get_or_none(PaymentEvent.id == event_id) is not None:
                return already
            outcome = _apply(kind, obj if isinstance(obj, dict) else {})
            PaymentEvent.create(
                id=event_id, created_at=clock.now(), type=kind, outcome=outcome[:OUTCOME_LIMIT]
            )
    except peewee.IntegrityError:
        return already
    return outcome


def _apply(kind: str, obj: dict[str, Any]) -> str:
    """Apply one event inside the caller's transaction; a refusal (say, a payment for an order
    rejected meanwhile) is the outcome, so Stripe stops resending what cannot be applied."""
    try:
        if kind == "payment_intent.succeeded":
            return _succeeded(intent_state(obj))
        if kind == "payment_intent.payment_failed":
            return _failed(intent_state(obj))
        if kind == "charge.refunded":
            return _refunded(obj)
    except DeskError as error:
        return f"Not applied: {error}"
    return f"The desk does not act on {kind or 'events without a type'}."


def _succeeded(state: PaymentIntentState) -> str:
    order = _order_of(state)
    if order is None:
        return f"{state.id} is not the payment of an order at this desk."
    label = format_number("order", order.number)
    if order.payment_status == PaymentStatus.SUCCESSFUL:
        return f"{label} was already recorded as paid."
    apply_intent(None, order.id, state)
    return f"{label} is paid by card: {Money(state.amount_cents)} ({state.id})."


def _failed(state: PaymentIntentState) -> str:
    order = _order_of(state)
    if order is None:
        return f"{state.id} is not the payment of an order at this desk."
    label = format_number("order", order.number)
    reason = state.reason or "Stripe reports the payment failed."
    if payment_failed(order.id, state.id, reason) != PaymentStatus.FAILED:
        return f"{label} has moved on from {state.id}; nothing changed."
    return f"{label} payment failed: {reason}"


def _refunded(charge: dict[str, Any]) -> str:
    intent_id = charge.get("payment_intent")
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id")
    payment = PaymentTransaction.get_or_none(
        (PaymentTransaction.gateway == STRIPE_GATEWAY)
        & (PaymentTransaction.reference == str(intent_id or ""))
    )
    if payment is None or not intent_id:
        return f"Charge {charge.get('id')} is not a card payment recorded at this desk."
    refunded = charge.get("amount_refunded")
    if not isinstance(refunded, int) or isinstance(refunded, bool):
        return f"Charge {charge.get('id')} has no amount refunded."
    added = record_refund(None, payment.id, refunded, str(charge.get("id", "")), "in Stripe")
    if not added:
        return f"The refund of {intent_id} was already recorded."
    return (
        f"{Money(added)} of {intent_id} refunded in Stripe, recorded on the payment; mark its "
        "invoice refunded at the desk if the order's money is all back."
    )


def _order_of(state: PaymentIntentState) -> Order | None:
    """The order an intent was made for: by its metadata, else by the recorded intent."""
    try:
        order_key = uuid.UUID(state.order_id) if state.order_id else None
    except ValueError:
        order_key = None
    if order_key is not None:
        order = Order.get_or_none(Order.id == order_key)
        if order is not None:
            return order
    return Order.get_or_none(Order.payment_intent == state.id) if state.id else None
