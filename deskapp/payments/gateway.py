"""The payment gateway protocol and the Stripe gateway (the real SDK, imported lazily).

The Stripe API base is configurable (`[stripe] api_base`, DESKAPP_STRIPE_API_BASE) so tests and
demos talk to a local localstripe on 127.0.0.1 instead of Stripe itself.

The payment calls answer with plain records (PaymentIntentState, RefundMade) and raise
PaymentError subclasses with a sentence (CardDeclined, StripeUnreachable), so the services never
touch the SDK's objects or exceptions. The secret key is never put in a message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from deskapp.errors import PaymentError

if TYPE_CHECKING:
    from deskapp.config import Settings

CHECK_TIMEOUT_SECONDS = 3.0
"""How long `check()` waits for the gateway to answer."""
PAYMENT_TIMEOUT_SECONDS = 20.0
"""How long a payment call waits; a payment that times out stays Pending and is safe to retry."""
WEBHOOK_TOLERANCE_SECONDS = 300
"""How old a signed event may be (Stripe's default): an older replay is refused."""
CURRENCY = "eur"
"""The installation's currency as Stripe names it (the desk keeps amounts in its minor unit)."""


@dataclass(frozen=True)
class GatewayCheck:
    """What `deskapp doctor` says about a gateway."""

    status: Literal["ok", "warning", "failed"]
    """"warning" means not configured: the desk works, the gateway is not used."""
    detail: str
    """One sentence for the person reading doctor's output (never the key itself)."""


@dataclass(frozen=True)
class PaymentIntentState:
    """A Stripe PaymentIntent as the desk needs it."""

    id: str
    """pi_...: the reference the desk records."""
    status: str
    """Stripe's word: succeeded, processing, requires_action, requires_confirmation,
    requires_payment_method, requires_capture or canceled."""
    amount_cents: int
    """What it charges, in the currency's minor unit."""
    reason: str
    """Stripe's last payment error (a decline's reason), "" when there is none. Untrusted text."""
    order_id: str
    """The desk order it was made for (its metadata), "" when not one of ours."""


@dataclass(frozen=True)
class RefundMade:
    """A refund Stripe accepted."""

    id: str
    """re_...: Stripe's refund id."""
    amount_cents: int
    """What went back to the card."""
    status: str
    """Stripe's word: succeeded, pending, failed, canceled."""


class CardDeclined(PaymentError):
    """The card was declined; str() says so with Stripe's reason."""

    def __init__(self, reason: str, intent_id: str = "") -> None:
        super().__init__(f"The card was declined: {reason}")
        self.reason = reason
        """Stripe's reason, as Stripe wrote it (untrusted text)."""
        self.intent_id = intent_id
        """The PaymentIntent that was declined, where Stripe said."""


class StripeUnreachable(PaymentError):
    """Stripe did not answer (refused, timed out, connection lost): the outcome is unknown."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Stripe could not be reached ({reason}); nothing is lost and it is safe to try again."
        )
        self.reason = reason
        """What went wrong on the way, in a few words."""


class WebhookRefused(PaymentError):
    """A webhook request that is not a genuine Stripe event (bad signature, not an event)."""


@runtime_checkable
class Gateway(Protocol):
    """A way to take money. Implementations say whether they are usable with `check()`."""

    name: str
    """How payment rows and screens name the gateway ("stripe", "manual")."""

    def check(self) -> GatewayCheck:
        """Whether the gateway is configured and answers; never raises for a bad setup."""
        ...


class StripeGateway:
    """Stripe, through the stripe SDK's StripeClient."""

    name = "stripe"

    def __init__(
        self,
        secret_key: str | None,
        *,
        api_base: str | None = None,
        key_source: str = "",
        timeout: float = CHECK_TIMEOUT_SECONDS,
        currency: str = CURRENCY,
    ) -> None:
        self.secret_key = secret_key
        """The secret key (sk_...), or None where none is configured."""
        self.api_base = api_base.rstrip("/") if api_base else None
        """Where the API answers; None for Stripe's own."""
        self.key_source = key_source
        """Where the key came from ("keyring" or an environment variable), for doctor."""
        self.timeout = timeout
        """Seconds to wait for an answer."""
        self.currency = currency
        """The currency payments are taken in."""
        self._client: Any = None
        self._confirm_params: dict[str, Any] = {"off_session": True}

    def client(self) -> Any:
        """A StripeClient for this configuration (imports stripe the first time)."""
        import stripe

        if self._client is not None:
            return self._client
        if not self.secret_key:
            raise PaymentError(
                "No Stripe secret key is configured; set it with "
                "`deskapp secrets set stripe-secret-key`."
            )
        self._client = stripe.StripeClient(
            self.secret_key,
            base_addresses={"api": self.api_base} if self.api_base else None,
            http_client=stripe.RequestsClient(timeout=self.timeout),
            max_network_retries=0,
        )
        return self._client

    def check(self) -> GatewayCheck:
        """Is a key configured, and (where an api base is configured) does the API answer?

        Without a configured api base only the key is checked: doctor does not call Stripe
        itself, which may be unreachable from where the desk runs.
        """
        if not self.secret_key:
            return GatewayCheck(
                "warning",
                "Stripe is not configured (no stripe-secret-key in the keyring or "
                "DESKAPP_STRIPE_SECRET_KEY); card payments are off.",
            )
        source = f" from {self.key_source}" if self.key_source else ""
        if not self.api_base:
            return GatewayCheck(
                "ok", f"Stripe secret key set{source}; Stripe's own API was not contacted."
            )
        import stripe

        try:
            self.client().v1.customers.list({"limit": 1})
        except stripe.AuthenticationError:
            return GatewayCheck("failed", f"Stripe at {self.api_base} refused the secret key.")
        except stripe.APIConnectionError:
            return GatewayCheck(
                "failed",
                f"Stripe at {self.api_base} could not be reached (waited {self.timeout:g} s).",
            )
        except stripe.StripeError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else "an error"
            return GatewayCheck("failed", f"Stripe at {self.api_base} answered with {reason}")
        return GatewayCheck("ok", f"Stripe at {self.api_base} answers; secret key set{source}.")

    def create_customer(self, *, name: str, email: str, client_id: str) -> str:
        """A new Stripe customer for a desk client; returns its id (cus_...)."""
        params = {"name": name, "metadata": {"client": client_id}}
        if email:
            params["email"] = email
        with self._calling("create the customer"):
            customer = self.client().v1.customers.create(
                params, {"idempotency_key": f"client-{client_id}-customer"}
            )
        return str(customer.id)

    def default_card(self, customer_id: str) -> str | None:
        """The customer's default payment method (pm_...), or None when there is none."""
        with self._calling("read the customer"):
            customer = self.client().v1.customers.retrieve(customer_id)
        settings = _field(customer, "invoice_settings") or {}
        method = _field(settings, "default_payment_method")
        if method is not None and not isinstance(method, str):
            method = _field(method, "id")
        return str(method) if method else None

    def create_payment_intent(
        self,
        *,
        amount_cents: int,
        customer_id: str,
        payment_method: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> PaymentIntentState:
        """A PaymentIntent for the customer's card, not yet confirmed (nothing is charged)."""
        params = {
            "amount": amount_cents,
            "currency": self.currency,
            "customer": customer_id,
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "metadata": dict(metadata),
        }
        with self._calling("create the payment"):
            intent = self.client().v1.payment_intents.create(
                params, {"idempotency_key": idempotency_key}
            )
        return intent_state(intent)

    def confirm_payment_intent(self, intent_id: str) -> PaymentIntentState:
        """Confirm a PaymentIntent off-session (the customer is not here): this charges.

        CardDeclined for a decline. localstripe does not know confirm's off_session parameter
        (it answers "Unexpected off_session" before doing anything); there the confirm is
        repeated without it. Stripe itself never answers that, so it always gets off_session.
        """
        import stripe

        with self._calling("confirm the payment"):
            try:
                intent = self.client().v1.payment_intents.confirm(intent_id, self._confirm_params)
            except stripe.InvalidRequestError as error:
                if not self._confirm_params or "Unexpected off_session" not in str(error):
                    raise
                self._confirm_params = {}
                intent = self.client().v1.payment_intents.confirm(intent_id)
        return intent_state(intent)

    def payment_intent(self, intent_id: str) -> PaymentIntentState:
        """A PaymentIntent as Stripe has it now."""
        with self._calling("read the payment"):
            intent = self.client().v1.payment_intents.retrieve(intent_id)
        return intent_state(intent)

    def cancel_payment_intent(self, intent_id: str) -> PaymentIntentState:
        """Cancel a PaymentIntent that was never confirmed (one a concurrent attempt made)."""
        with self._calling("cancel the payment"):
            intent = self.client().v1.payment_intents.cancel(intent_id)
        return intent_state(intent)

    def refund_payment(
        self, intent_id: str, amount_cents: int, *, reason: str, idempotency_key: str
    ) -> RefundMade:
        """Refund `amount_cents` of a succeeded PaymentIntent to the card (the Refund API)."""
        params = {
            "payment_intent": intent_id,
            "amount": amount_cents,
            "metadata": {"reason": reason[:500]},
        }
        with self._calling("refund the payment"):
            refund = self.client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
        return RefundMade(str(refund.id), int(refund.amount), str(_field(refund, "status") or ""))

    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        """Turn the SDK's errors into PaymentErrors with a sentence (never the key)."""
        import stripe

        try:
            yield
        except stripe.CardError as error:
            intent = _field(getattr(error, "error", None), "payment_intent")
            intent_id = intent if isinstance(intent, str) else _field(intent, "id") or ""
            raise CardDeclined(_message(error), str(intent_id)) from None
        except stripe.APIConnectionError as error:
            raise StripeUnreachable(_connection_reason(error, self.timeout)) from None
        except stripe.AuthenticationError:
            raise PaymentError(
                f"Stripe refused the secret key when asked to {what}; check stripe-secret-key."
            ) from None
        except stripe.StripeError as error:
            raise PaymentError(f"Stripe refused to {what}: {_message(error)}") from None


def _field(record: Any, name: str) -> Any:
    """A field of a StripeObject or a plain dict (webhook payloads), None where absent."""
    if record is None:
        return None
    if isinstance(record, Mapping):
        return record.get(name)
    try:
        return record[name]
    except (KeyError, TypeError):
        return getattr(record, name, None)


def _message(error: Exception) -> str:
    text = getattr(error, "user_message", None) or str(error)
    line = " ".join(str(text).split())
    return line[:300] or type(error).__name__


def _connection_reason(error: Exception, timeout: float) -> str:
    text = str(error).lower()
    if "timed out" in text or "timeout" in text:
        return f"no answer within {timeout:g} s"
    if "refused" in text:
        return "connection refused"
    return "the connection failed"


def intent_state(intent: Any) -> PaymentIntentState:
    """The record for a PaymentIntent object or the dict of one in a webhook event."""
    error = _field(intent, "last_payment_error")
    reason = _field(error, "message") or ""
    metadata = _field(intent, "metadata") or {}
    return PaymentIntentState(
        id=str(_field(intent, "id")),
        status=str(_field(intent, "status") or ""),
        amount_cents=int(_field(intent, "amount") or 0),
        reason=" ".join(str(reason).split())[:300],
        order_id=str(_field(metadata, "order") or ""),
    )


def verify_webhook(
    payload: bytes, signature: str, secret: str, *, tolerance: int = WEBHOOK_TOLERANCE_SECONDS
) -> dict[str, Any]:
    """The event Stripe signed (stripe.Webhook.construct_event checks the Stripe-Signature
    header's HMAC and age), as a plain dict; WebhookRefused with a sentence otherwise."""
    import json

    import stripe

    try:
        stripe.Webhook.construct_event(payload, signature, secret, tolerance)
    except stripe.SignatureVerificationError:
        raise WebhookRefused(
            "The event's Stripe-Signature does not match the webhook secret (or is too old); "
            "it was refused."
        ) from None
    except ValueError:
        raise WebhookRefused(
            "The request is not a Stripe event (not JSON); it was refused."
        ) from None
    event = json.loads(payload)
    data = event.get("data") if isinstance(event, dict) else None
    if not isinstance(data, dict) or not isinstance(event.get("id"), str):
        raise WebhookRefused("The request is not a Stripe event (no id or data); it was refused.")
    return dict(event)


def stripe_gateway(settings: Settings, *, timeout: float = CHECK_TIMEOUT_SECONDS) -> StripeGateway:
    """The Stripe gateway as configured: key from the secrets, api base from the settings.

    Payments pass `timeout=PAYMENT_TIMEOUT_SECONDS`; doctor's quick check keeps the short one.
    """
    from deskapp.secrets import lookup_secret

    key, source = lookup_secret("stripe-secret-key")
    return StripeGateway(key, api_base=settings.stripe_api_base, key_source=source, timeout=timeout)
