"""Settings of the whole desk, stored in the database so every desk on it reads the same.

The one setting today is the most credit an agent may add in one entry; above it an admin must
add the credit (DESIGN.md, "Staff and rights").
"""

from __future__ import annotations

from deskapp import clock
from deskapp.models import DeskSetting
from deskapp.money import Money

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
    updated = (
        DeskSetting.update(value=str(cents), updated_at=clock.now())
        .where(DeskSetting.key == AGENT_CREDIT_LIMIT)
        .execute()
    )
    if not updated:
        DeskSetting.create(key=AGENT_CREDIT_LIMIT, value=str(cents), updated_at=clock.now())
