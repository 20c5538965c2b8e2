"""Card payments for orders through Stripe: charge, reconcile, sync and refund.

The invariant: an order is never charged twice. The Idempotency-Key alone cannot promise it
(localstripe ignores it; Stripe keeps keys only for a day), so a PaymentIntent is created
unconfirmed, which charges nothing, and its id is recorded on the order and committed; only then
is it confirmed. Whatever happens next (a timeout, a crash, a second desk pressing the same key),
the next attempt finds the recorded intent and reads or confirms that one. Only an intent Stripe
says failed (declined, canceled, requires_payment_method) is cleared from the order, and the next
attempt makes a new intent with the next attempt number.

Stripe's states become the order's payment status: succeeded is Successful (the payment recorded
through order_place.mark_order_paid), processing and requires_action are Pending, a decline is
Failed with Stripe's reason kept as the payment note (untrusted text). Stripe unreachable leaves
the order Pending with the reason and raises StripeUnreachable: retrying is always safe.
Stripe's webhook events are applied in deskapp.services.stripe_events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import ConfigError, Conflict, NotFound, PaymentError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Entity,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from deskapp.money import Money
from deskapp.payments.gateway import (
    PAYMENT_TIMEOUT_SECONDS,
    CardDeclined,
    StripeGateway,
    StripeUnreachable,
    stripe_gateway,
)
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import client_label, key, lock_client
from deskapp.services.card_state import (
    apply_intent,
    locked_order,
    note_problem,
    payment_failed,
)
from deskapp.services.rights import Right, check
from deskapp.services.stripe_events import handle_webhook
from deskapp.services.stripe_refunds import refund_card_payment

if TYPE_CHECKING:
    from deskapp.config import Settings

__all__ = [
    "PaymentOutcome",
    "SyncResult",
    "card_payments_available",
    "charge_order",
    "handle_webhook",
    "payment_gateway",
    "reconcile_order",
    "refund_card_payment",
    "sync_pending_payments",
]

NO_KEY = (
    "No Stripe secret key is configured; card payments are off "
    "(set it with `deskapp secrets set stripe-secret-key`)."
)
"""Why card payments are off, in one line."""


@dataclass(frozen=True)
class PaymentOutcome:
    """Where an order's card payment stands after the desk spoke to Stripe."""

    order_label: str
    """O-5531."""
    status: str
    """The order's payment status: Successful, Pending or Failed."""
    message: str
    """One line for a notice or the command line (a decline's reason is untrusted text)."""


@dataclass(frozen=True)
class SyncResult:
    """What `sync_pending_payments` found."""

    checked: int
    """Pending card payments asked about."""
    paid: int
    """Of those, now Successful."""
    failed: int
    """Of those, now Failed."""
    waiting: int
    """Of those, still Pending."""
    problems: tuple[str, ...]
    """One sentence per order that could not be checked (Stripe unreachable stops the run)."""

    @property
    def message(self) -> str:
        """One line for the command line."""
        if not self.checked and not self.problems:
            return "No card payments are pending."
        line = (
            f"Checked {self.checked} pending card payment{'s' if self.checked != 1 else ''}: "
            f"{self.paid} paid, {self.failed} failed, {self.waiting} still pending."
        )
        return " ".join((line, *self.problems))


def card_payments_available(settings: Settings) -> tuple[bool, str]:
    """Whether card payments can be taken (a Stripe key is configured), and if not, why."""
    from deskapp.secrets import lookup_secret

    try:
        secret, _ = lookup_secret("stripe-secret-key")
    except ConfigError as error:
        return False, str(error)
    return (True, "") if secret else (False, NO_KEY)


def payment_gateway(settings: Settings) -> StripeGateway:
    """The Stripe gateway configured for payments (waits longer than doctor's quick check)."""
    return stripe_gateway(settings, timeout=PAYMENT_TIMEOUT_SECONDS)


def charge_order(actor: Actor | None, order_id: object, gateway: StripeGateway) -> PaymentOutcome:
    """Charge a card order to the card Stripe holds for its client (see the module's invariant).

    A retry of an order whose intent is recorded reads or confirms that intent. PaymentError with
    a sentence for no card on file and for Stripe unreachable (the order stays Pending). A
    person (not the desk itself, None) must hold Right.RECORD_PAYMENT, checked before Stripe is
    asked anything (the payment's record then needs no second check).
    """
    if actor is not None:
        check(actor, Right.RECORD_PAYMENT)
    order = _card_order(order_id)
    label = format_number("order", order.number)
    if order.payment_status == PaymentStatus.SUCCESSFUL:
        return PaymentOutcome(label, PaymentStatus.SUCCESSFUL, f"{label} is already paid.")
    if order.payment_intent:
        return _settle(actor, order.id, gateway, order.payment_intent, confirm=False)
    with _noted_on(order.id):
        customer = _customer_of(order.client_id, gateway)
        card = gateway.default_card(customer)
        if not card:
            client = Client.get_by_id(order.client_id)
            raise PaymentError(
                f"{client_label(client)} has no card on file with Stripe; add one in Stripe, "
                "then retry the payment."
            )
        intent_id, ours = _record_new_intent(order, customer, card, gateway)
    if intent_id is None:
        return PaymentOutcome(label, PaymentStatus.SUCCESSFUL, f"{label} is already paid.")
    return _settle(actor, order.id, gateway, intent_id, confirm=ours)


def reconcile_order(
    actor: Actor | None, order_id: object, gateway: StripeGateway
) -> PaymentOutcome:
    """Bring one order's card payment up to date (the order screen's key): its recorded intent
    read (and confirmed if the desk created it but could not confirm it), or, with no attempt
    under way, the card charged again. The same steps as charge_order, named for the screen."""
    return charge_order(actor, order_id, gateway)


def sync_pending_payments(gateway: StripeGateway, limit: int = 500) -> SyncResult:
    """Reconcile every Pending card payment with a recorded intent, oldest order first (cron).

    Orders whose charge never reached Stripe are left for a person to retry. Stripe unreachable
    stops the run with one problem sentence; nothing is lost.
    """
    pending = list(
        Order.select(Order.id, Order.number, Order.payment_intent)
        .where(
            (Order.payment_method == PaymentMethod.CARD)
            & (Order.payment_status == PaymentStatus.PENDING)
            & (Order.payment_intent != "")
            & (Order.status == OrderStatus.PENDING)
        )
        .order_by(Order.number)
        .limit(limit)
    )
    counts = {PaymentStatus.SUCCESSFUL: 0, PaymentStatus.FAILED: 0, PaymentStatus.PENDING: 0}
    problems: list[str] = []
    for order in pending:
        try:
            outcome = _settle(None, order.id, gateway, order.payment_intent, confirm=False)
        except StripeUnreachable as error:
            problems.append(str(error))
            break
        except (PaymentError, Conflict, NotFound) as error:
            problems.append(f"{format_number('order', order.number)}: {error}")
            continue
        counts[PaymentStatus(outcome.status)] += 1
    return SyncResult(
        checked=sum(counts.values()),
        paid=counts[PaymentStatus.SUCCESSFUL],
        failed=counts[PaymentStatus.FAILED],
        waiting=counts[PaymentStatus.PENDING],
        problems=tuple(problems),
    )


def _settle(
    actor: Actor | None,
    order_id: uuid.UUID,
    gateway: StripeGateway,
    intent_id: str,
    *,
    confirm: bool,
) -> PaymentOutcome:
    """Confirm (or read, and confirm if still unconfirmed) the order's recorded intent, then
    make the order follow it."""
    with _noted_on(order_id):
        try:
            state = None if confirm else gateway.payment_intent(intent_id)
            if state is None or state.status == "requires_confirmation":
                state = gateway.confirm_payment_intent(intent_id)
        except CardDeclined as declined:
            status = payment_failed(order_id, intent_id, declined.reason)
            return _outcome(order_id, status)
    status = apply_intent(actor, order_id, state)
    return _outcome(order_id, status)


def _outcome(order_id: uuid.UUID, status: str) -> PaymentOutcome:
    order = Order.get_by_id(order_id)
    label = format_number("order", order.number)
    if status == PaymentStatus.SUCCESSFUL:
        message = f"{label} is paid by card: {Money(order.total_cents)}."
    elif status == PaymentStatus.FAILED:
        message = f"{label}: {order.payment_note} Retry with another card, or take it by hand."
    else:
        message = f"{label} is waiting: {order.payment_note}"
    return PaymentOutcome(label, str(order.payment_status), message)


def _card_order(order_id: object) -> Order:
    order = Order.get_or_none(Order.id == key(order_id, "order"))
    if order is None:
        raise NotFound("That order no longer exists.")
    label = format_number("order", order.number)
    if order.payment_method != PaymentMethod.CARD:
        raise Conflict(f"{label} is not paid by card; there is no card payment to take.")
    if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
        raise Conflict(f"{label} is {order.status.lower()}; it is not charged.")
    if order.total_cents <= 0:
        raise Conflict(f"{label} costs nothing; there is no card payment to take.")
    return order


def _customer_of(client_id: uuid.UUID, gateway: StripeGateway) -> str:
    """The client's Stripe customer, created the first time and its id kept on the client."""
    client = Client.get_by_id(client_id)
    if client.stripe_customer_id:
        return str(client.stripe_customer_id)
    name = f"{client.first_name} {client.last_name}".strip()
    made = gateway.create_customer(
        name=f"{client.company} ({name})" if client.company else name,
        email=client.email,
        client_id=str(client.id),
    )
    with write_transaction():
        locked = lock_client(client_id)
        assert locked is not None
        if locked.stripe_customer_id:
            return str(locked.stripe_customer_id)
        Client.update(stripe_customer_id=made).where(Client.id == client_id).execute()
        audit.record(
            None,
            "client.stripe_customer",
            "client",
            client_id,
            f"{client_label(locked)} is Stripe customer {made}",
            after={"stripe_customer_id": made},
        )
        feed.publish(Entity.CLIENT, client_id, "updated")
    return made


def _record_new_intent(
    order: Order, customer: str, card: str, gateway: StripeGateway
) -> tuple[str | None, bool]:
    """Create the next attempt's intent (unconfirmed) and record it on the order. Returns the
    intent to settle and whether it is ours (to confirm) or one another desk recorded first
    (ours is cancelled; theirs is read, and confirmed only if still unconfirmed); no intent when
    the order was paid meanwhile."""
    attempt = order.payment_attempt + 1
    label = format_number("order", order.number)
    intent = gateway.create_payment_intent(
        amount_cents=order.total_cents,
        customer_id=customer,
        payment_method=card,
        idempotency_key=f"order-{order.id}-attempt-{attempt}",
        metadata={"order": str(order.id), "order_number": label, "attempt": str(attempt)},
    )
    with write_transaction():
        locked = locked_order(order.id)
        recorded = locked.payment_intent
        paid = locked.payment_status == PaymentStatus.SUCCESSFUL
        if not recorded and not paid:
            Order.update(
                payment_intent=intent.id,
                payment_attempt=max(locked.payment_attempt, attempt),
                payment_status=PaymentStatus.PENDING,
                payment_note=f"Card payment attempt {attempt} is being confirmed with Stripe.",
                version=Order.version + 1,
                updated_at=clock.now(),
            ).where(Order.id == order.id).execute()
            audit.record(
                None,
                "order.payment_started",
                "order",
                order.id,
                f"{label} card payment attempt {attempt}: {Money(order.total_cents)} ({intent.id})",
                after={"payment_intent": intent.id, "attempt": attempt},
            )
            feed.publish(Entity.ORDER, order.id, "updated")
    if recorded or paid:
        gateway.cancel_payment_intent(intent.id)
        return recorded or None, False
    return intent.id, True


@contextmanager
def _noted_on(order_id: uuid.UUID) -> Iterator[None]:
    """Keep a failed call's reason on the order (its status unchanged) and let the error go on.

    A decline is not noted here: it is the attempt's outcome, recorded as Failed."""
    try:
        yield
    except PaymentError as error:
        if not isinstance(error, CardDeclined):
            when = clock.now().strftime("%Y-%m-%d %H:%M")
            note_problem(order_id, f"{error} ({when})")
        raise
