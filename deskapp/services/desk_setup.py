"""The desk's mail and billing settings as the settings dialogs read and save them: each
dialog's save is one call, one transaction, all of it or nothing.

The settings themselves, their defaults and their checks are deskapp.services.desk_settings';
this module only groups them the way an admin edits them (the sender with the mail routes, the
billing lead time with the agent credit limit), so a refused part leaves every part unsaved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deskapp.errors import ValidationError
from deskapp.money import Money
from deskapp.services import desk_settings
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import cents
from deskapp.services.rights import Right, acting, set_agent_credit_limit

__all__ = [
    "BillingSettings",
    "MailSettings",
    "billing_settings",
    "mail_settings",
    "save_billing_settings",
    "save_mail_settings",
]


@dataclass(frozen=True)
class MailSettings:
    """Where the desk's mail comes from and which contacts each kind goes to."""

    sender: str
    """The From of the desk's mail; empty: the [smtp] sender of the configuration."""
    routes: Mapping[str, str]
    """Kind of mail (desk_settings.MAIL_KINDS) -> the contact category it goes to."""


@dataclass(frozen=True)
class BillingSettings:
    """How early invoices are issued and how much credit an agent may add."""

    lead_days: int
    """Days before a service period starts that `billing run` invoices it."""
    credit_limit_cents: int
    """The most credit an agent may add in one entry, in cents."""


def mail_settings() -> MailSettings:
    """The sender and every kind of mail's route, as they are now."""
    return MailSettings(desk_settings.desk_sender(), desk_settings.mail_routes())


def billing_settings() -> BillingSettings:
    """The billing lead time and the agent credit limit, as they are now."""
    return BillingSettings(desk_settings.billing_lead_days(), desk_settings.credit_limit_cents())


def save_mail_settings(
    actor: Actor | None, *, sender: str, routes: Mapping[str, str]
) -> MailSettings:
    """Change the sender and the routes (admins only); only what changed is written and
    audited, in one transaction. A kind of mail not given keeps its route."""
    checked_sender = desk_settings.checked_sender(sender)
    checked = [desk_settings.checked_route(kind, category) for kind, category in routes.items()]
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        desk_settings.store_desk_sender(person, checked_sender)
        now = desk_settings.mail_routes()
        for kind, category in checked:
            if now[kind] != category:
                desk_settings.store_mail_route(person, kind, category)
    return mail_settings()


def save_billing_settings(
    actor: Actor | None, *, lead_days: int | str, credit_limit: Money | int | str
) -> BillingSettings:
    """Change the billing lead time and the agent credit limit (admins only); only what
    changed is written and audited, in one transaction."""
    days = desk_settings.checked_lead_days(lead_days)
    limit = cents(credit_limit, "credit_limit")
    if limit < 0:
        raise ValidationError("credit_limit", "The limit cannot be below 0.00.")
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        if days != desk_settings.billing_lead_days():
            desk_settings.store_billing_lead_days(person, days)
        if limit != desk_settings.credit_limit_cents():
            set_agent_credit_limit(person, limit)
    return billing_settings()
