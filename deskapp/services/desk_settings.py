"""Settings of the whole desk, stored in the database so every desk on it reads the same.

- the most credit an agent may add in one entry; above it an admin must add the credit
  (DESIGN.md, "Staff and rights");
- the billing lead time: how many days before a service period starts `billing run` invoices it;
- mail routes: which of a contact's five mail categories each kind of mail the desk sends goes to;
- the desk's sender (the From of its mail; empty: the [smtp] sender of the configuration).

A setting never written reads as its default. The setters check the right (MANAGE_SETTINGS),
write and audit in one transaction; rights imports this module, so they import it late.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from typing import TYPE_CHECKING

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import ValidationError
from deskapp.models import DeskSetting, Entity
from deskapp.money import Money
from deskapp.services import audit, validation

if TYPE_CHECKING:
    from deskapp.services.actors import Actor

AGENT_CREDIT_LIMIT = "agent_credit_limit_cents"
"""The setting's key: the most credit, in cents, an agent may add in one entry."""

DEFAULT_AGENT_CREDIT_LIMIT_CENTS = 5000
"""50.00, until an admin sets another limit."""


def credit_limit_cents() -> int:
    """The most credit an agent may add in one entry, in cents."""
    value = DeskSetting.select(DeskSetting.value).where(DeskSetting.key == AGENT_CREDIT_LIMIT)
    text = value.scalar()
    try:
        return int(text) if text is not None else DEFAULT_AGENT_CREDIT_LIMIT_CENTS
    except ValueError:
        return DEFAULT_AGENT_CREDIT_LIMIT_CENTS


def credit_limit() -> Money:
    """The agent credit limit per entry as Money, for screens to say."""
    return Money(credit_limit_cents())


def store_credit_limit(cents: int) -> None:
    """Write the limit (inside the caller's transaction; rights.set_credit_limit checks who)."""
    store(AGENT_CREDIT_LIMIT, str(cents))


BILLING_LEAD_DAYS = "billing_lead_days"
"""The setting's key: days before a service period starts that `billing run` invoices it."""
DEFAULT_BILLING_LEAD_DAYS = 7
"""billing_run.DEFAULT_LEAD_DAYS, until an admin sets another lead time."""
MAX_BILLING_LEAD_DAYS = 31
"""billing_plan.MAX_LEAD_DAYS: the longest lead time a run accepts."""

MAIL_KINDS: Mapping[str, str] = {
    "reply": "Ticket reply",
    "invoice": "Invoice",
    "order": "Order or product",
    "domain": "Domain",
    "notice": "General notice",
}
"""The kinds of mail the desk sends, by key, with what the settings screen calls them."""
CONTACT_CATEGORIES = ("General", "Invoice", "Support", "Product", "Domain")
"""The five mail categories a contact subscribes to (contacts.MAIL_CATEGORIES' labels)."""
DEFAULT_MAIL_ROUTES: Mapping[str, str] = {
    "reply": "Support",
    "invoice": "Invoice",
    "order": "Product",
    "domain": "Domain",
    "notice": "General",
}
"""Which category each kind of mail goes to until an admin routes it elsewhere."""
MAIL_ROUTE = "mail_route."
"""The prefix of a mail route's key: "mail_route.invoice"."""
DESK_SENDER = "desk_sender"
"""The setting's key: the From of the desk's mail."""
SENDER_LIMIT = 300
"""The longest sender, name and address together."""


def read(key: str) -> str | None:
    """A setting's stored text, or None when it was never written."""
    value = DeskSetting.select(DeskSetting.value).where(DeskSetting.key == key).scalar()
    return None if value is None else str(value)


def store(key: str, value: str) -> None:
    """Write a setting inside the caller's transaction."""
    updated = (
        DeskSetting.update(value=value, updated_at=clock.now())
        .where(DeskSetting.key == key)
        .execute()
    )
    if not updated:
        DeskSetting.create(key=key, value=value, updated_at=clock.now())


def billing_lead_days() -> int:
    """How many days before a service period starts `billing run` invoices it."""
    text = read(BILLING_LEAD_DAYS)
    try:
        days = int(text) if text is not None else DEFAULT_BILLING_LEAD_DAYS
    except ValueError:
        return DEFAULT_BILLING_LEAD_DAYS
    return days if 0 <= days <= MAX_BILLING_LEAD_DAYS else DEFAULT_BILLING_LEAD_DAYS


def checked_lead_days(days: object) -> int:
    """A lead time in days, 0 to MAX_BILLING_LEAD_DAYS, or ValidationError saying so."""
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if isinstance(days, bool) or not isinstance(days, int):
        raise ValidationError("lead_days", "The lead time must be a whole number of days.")
    if not 0 <= days <= MAX_BILLING_LEAD_DAYS:
        raise ValidationError(
            "lead_days", f"The lead time must be 0 to {MAX_BILLING_LEAD_DAYS} days, not {days}."
        )
    return days


def set_billing_lead_days(actor: Actor | None, days: int) -> int:
    """Change the billing lead time (admins only, audited); returns it."""
    from deskapp.services.rights import Right, acting

    days = checked_lead_days(days)
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        store_billing_lead_days(person, days)
    return days


def store_billing_lead_days(actor: Actor, days: int) -> bool:
    """Write the lead time and its audit entry inside the caller's transaction; False when it
    already was `days`."""
    before = billing_lead_days()
    if before == days:
        return False
    store(BILLING_LEAD_DAYS, str(days))
    _changed(actor, "settings.lead_days", f"Billing lead time: {before} → {days} days",
             {"days": before}, {"days": days})  # fmt: skip
    return True


def mail_routes() -> dict[str, str]:
    """Kind of mail -> the contact category it goes to, for every kind in MAIL_KINDS."""
    rows = DeskSetting.select(DeskSetting.key, DeskSetting.value).where(
        DeskSetting.key.startswith(MAIL_ROUTE)
    )
    stored = {row.key[len(MAIL_ROUTE) :]: row.value for row in rows}
    return {
        kind: stored[kind] if stored.get(kind) in CONTACT_CATEGORIES else default
        for kind, default in DEFAULT_MAIL_ROUTES.items()
    }


def checked_route(kind: object, category: object) -> tuple[str, str]:
    """A kind of mail and a contact category, or ValidationError naming what is unknown."""
    if not isinstance(kind, str) or kind not in MAIL_KINDS:
        raise ValidationError(
            "kind", f"“{str(kind)[:30]}” is not a kind of mail; use one of {', '.join(MAIL_KINDS)}."
        )
    if not isinstance(category, str) or category not in CONTACT_CATEGORIES:
        raise ValidationError(
            "category",
            f"{MAIL_KINDS[kind]} mail can go to {', '.join(CONTACT_CATEGORIES)}, "
            f"not “{str(category)[:30]}”.",
        )
    return kind, category


def set_mail_route(actor: Actor | None, kind: str, category: str) -> dict[str, str]:
    """Send `kind` of mail to the contacts that ticked `category` (admins only, audited);
    returns every route."""
    from deskapp.services.rights import Right, acting

    kind, category = checked_route(kind, category)
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        store_mail_route(person, kind, category)
    return mail_routes()


def store_mail_route(actor: Actor, kind: str, category: str) -> bool:
    """Write a checked route and its audit entry inside the caller's transaction; False when
    it already was so."""
    before = mail_routes()[kind]
    if before == category:
        return False
    store(MAIL_ROUTE + kind, category)
    _changed(actor, "settings.mail_route", f"{MAIL_KINDS[kind]} mail: {before} → {category}",
             {kind: before}, {kind: category})  # fmt: skip
    return True


def desk_sender() -> str:
    """The From of the desk's mail ("Support <support@example.net>"); empty when the desk
    uses the [smtp] sender of its configuration."""
    return read(DESK_SENDER) or ""


def checked_sender(address: object) -> str:
    """A sender, "Name <address>" or a bare address, on one line; empty clears it."""
    text = validation.text("sender", address, "The sender", limit=SENDER_LIMIT)
    if not text:
        return ""
    name, bare = email.utils.parseaddr(text)
    if not bare or "@" not in bare:
        raise ValidationError(
            "sender",
            f"“{text[:60]}” is not a sender; write it like Support <support@example.net>.",
        )
    validation.email("sender", bare, "The sender's address")
    return email.utils.formataddr((name, bare)) if name else bare


def set_desk_sender(actor: Actor | None, address: str) -> str:
    """Change the desk's sender (admins only, audited); empty goes back to the configured one.
    Returns it as stored."""
    from deskapp.services.rights import Right, acting

    sender = checked_sender(address)
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        store_desk_sender(person, sender)
    return sender


def store_desk_sender(actor: Actor, sender: str) -> bool:
    """Write a checked sender and its audit entry inside the caller's transaction; False when
    it already was so."""
    before = desk_sender()
    if before == sender:
        return False
    store(DESK_SENDER, sender)
    _changed(actor, "settings.sender", f"Desk sender: {before or '(configured)'} → "
             f"{sender or '(configured)'}", {"sender": before}, {"sender": sender})  # fmt: skip
    return True


def _changed(
    actor: Actor, action: str, summary: str, before: dict[str, object], after: dict[str, object]
) -> None:
    audit.record(actor, action, "desk_setting", action.rsplit(".", 1)[1], summary, before, after)
    feed.publish(Entity.SETTINGS, action.rsplit(".", 1)[1], "updated")
