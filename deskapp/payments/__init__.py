"""Taking payments: the Gateway protocol, Stripe through its real SDK, and manual payments."""

from deskapp.payments.gateway import Gateway, GatewayCheck, StripeGateway, stripe_gateway

__all__ = ["Gateway", "GatewayCheck", "StripeGateway", "stripe_gateway"]
