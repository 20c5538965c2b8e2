"""The payment gateway protocol and the Stripe gateway (the real SDK, imported lazily).

The Stripe API base is configurable (`[stripe] api_base`, DESKAPP_STRIPE_API_BASE) so tests and
demos talk to a local localstripe on 127.0.0.1 instead of Stripe itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from deskapp.config import Settings

CHECK_TIMEOUT_SECONDS = 3.0
"""How long `check()` waits for the gateway to answer."""


@dataclass(frozen=True)
class GatewayCheck:
    """What `deskapp doctor` says about a gateway."""

    status: Literal["ok", "warning", "failed"]
    """"warning" means not configured: the desk works, the gateway is not used."""
    detail: str
    """One sentence for the person reading doctor's output (never the key itself)."""


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
    ) -> None:
        self.secret_key = secret_key
        """The secret key (sk_...), or None where none is configured."""
        self.api_base = api_base.rstrip("/") if api_base else None
        """Where the API answers; None for Stripe's own."""
        self.key_source = key_source
        """Where the key came from ("keyring" or an environment variable), for doctor."""
        self.timeout = timeout
        """Seconds to wait for an answer."""

    def client(self) -> Any:
        """A StripeClient for this configuration (imports stripe: about 0.3 s the first time)."""
        import stripe

        if not self.secret_key:
            from deskapp.errors import PaymentError

            raise PaymentError(
                "No Stripe secret key is configured; set it with "
                "`deskapp secrets set stripe-secret-key`."
            )
        return stripe.StripeClient(
            self.secret_key,
            base_addresses={"api": self.api_base} if self.api_base else None,
            http_client=stripe.RequestsClient(timeout=self.timeout),
            max_network_retries=0,
        )

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


def stripe_gateway(settings: Settings) -> StripeGateway:
    """The Stripe gateway as configured: key from the secrets, api base from the settings."""
    from deskapp.secrets import lookup_secret

    key, source = lookup_secret("stripe-secret-key")
    return StripeGateway(key, api_base=settings.stripe_api_base, key_source=source)
