"""The order's side of a card payment: following a PaymentIntent's state, shared by the charge
(deskapp.services.order_card) and Stripe's events (deskapp.services.stripe_events).

Every change here locks the client, then the order, as every money writer does, and leaves an
order whose payment was recorded (Successful) alone.
"""

from __future__ import annotations

import uuid

from deskapp import clock
from deskapp.db.transaction import write_transaction
from deskapp.models import Order, PaymentStatus
from deskapp.payments.gateway import PaymentIntentState
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import lock_order
from deskapp.services.order_place import mark_order_paid, mark_payment_unsettled

STRIPE_GATEWAY = "stripe"
"""The gateway name on card payment rows."""
FAILED_STATES = frozenset({"requires_payment_method", "canceled"})
"""Stripe's states of an intent that will not charge: the attempt failed."""
WAITING_NOTES = {
    "processing": "Stripe is processing the card payment; it settles on its own.",
    "requires_action": (
        "The card's bank asks the customer to confirm this payment; it completes once they do."
    ),
    "requires_confirmation": "The card payment is created but not confirmed yet; retry it.",
    "requires_capture": "The card payment is authorised but not captured yet.",
}
"""Why a payment is still Pending, for each state of an intent that may still charge."""


def apply_intent(actor: Actor | None, order_id: uuid.UUID, state: PaymentIntentState) -> str:
    """Make the order's payment status follow its intent's state; returns the outcome's status.

    Also used for Stripe's events; `state` must be the order's recorded intent or a success.
    """
    if state.status == "succeeded":
        mark_order_paid(
            actor,
            order_id,
            gateway=STRIPE_GATEWAY,
            method="card",
            reference=state.id,
            amount_cents=state.amount_cents,
            paid_at=clock.now(),
        )
        return PaymentStatus.SUCCESSFUL
    if state.status in FAILED_STATES:
        reason = state.reason or f"Stripe reports the payment as {state.status}."
        return payment_failed(order_id, state.id, reason)
    note = WAITING_NOTES.get(state.status, f"Stripe reports the payment as {state.status}.")
    return payment_waiting(order_id, state.id, note)


def payment_failed(order_id: uuid.UUID, intent_id: str, reason: str) -> str:
    """The attempt with `intent_id` failed: Failed with the reason, the intent cleared so the
    next attempt is a new one. Nothing changes when the order moved on to another intent."""
    with write_transaction():
        order = locked_order(order_id)
        if order.payment_status == PaymentStatus.SUCCESSFUL or order.payment_intent != intent_id:
            return str(order.payment_status)
        Order.update(payment_intent="").where(Order.id == order.id).execute()
        mark_payment_unsettled(order.id, PaymentStatus.FAILED, f"Declined: {reason}")
    return PaymentStatus.FAILED


def payment_waiting(order_id: uuid.UUID, intent_id: str, note: str) -> str:
    """The attempt with `intent_id` may still charge: Pending with why (written only when that
    changes, so a sync every few minutes leaves no trail of identical audit entries)."""
    with write_transaction():
        order = locked_order(order_id)
        if order.payment_status == PaymentStatus.SUCCESSFUL or order.payment_intent != intent_id:
            return str(order.payment_status)
        if order.payment_status != PaymentStatus.PENDING or order.payment_note != note:
            mark_payment_unsettled(order.id, PaymentStatus.PENDING, note)
    return PaymentStatus.PENDING


def note_problem(order_id: uuid.UUID, note: str) -> None:
    """Why the last call to Stripe did not settle the payment; the status stays as it was
    (Pending for an order not yet charged)."""
    with write_transaction():
        order = locked_order(order_id)
        if order.payment_status == PaymentStatus.SUCCESSFUL:
            return
        status = PaymentStatus(order.payment_status)
        if status != PaymentStatus.FAILED:
            status = PaymentStatus.PENDING
        mark_payment_unsettled(order.id, status, note)


def locked_order(order_id: uuid.UUID) -> Order:
    """The order's row, its client locked first as every money writer does (call inside
    write_transaction())."""
    return lock_order(order_id)[0]
