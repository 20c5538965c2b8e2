"""The settings dialogs' saves on both backends: mail (sender and routes) and billing (lead time
and agent credit limit) are each one transaction, all or nothing, admins only, audited."""

from __future__ import annotations

import pytest
from ledger_helpers import staff

from deskapp.errors import PermissionDenied, ValidationError
from deskapp.models import AuditEntry, Role
from deskapp.services import desk_settings
from deskapp.services.desk_setup import (
    billing_settings,
    mail_settings,
    save_billing_settings,
    save_mail_settings,
)


def test_an_admin_saves_the_sender_and_routes_and_only_changes_are_audited(desk: str) -> None:
    admin = staff(Role.ADMIN, "root")
    assert mail_settings().routes == dict(desk_settings.DEFAULT_MAIL_ROUTES)
    saved = save_mail_settings(
        admin,
        sender="Support <support@example.net>",
        routes={**desk_settings.DEFAULT_MAIL_ROUTES, "order": "General"},
    )
    assert saved.sender == "Support <support@example.net>"
    assert saved.routes["order"] == "General"
    assert saved.routes["invoice"] == "Invoice"
    actions = sorted(entry.action for entry in AuditEntry.select())
    assert actions == ["settings.mail_route", "settings.sender"]


def test_a_bad_route_saves_nothing_not_even_the_sender(desk: str) -> None:
    admin = staff(Role.ADMIN, "root")
    with pytest.raises(ValidationError, match="can go to General, Invoice"):
        save_mail_settings(
            admin, sender="desk@example.net", routes={"invoice": "Billing department"}
        )
    assert mail_settings().sender == ""


def test_billing_settings_save_together_or_not_at_all(desk: str) -> None:
    admin = staff(Role.ADMIN, "root")
    saved = save_billing_settings(admin, lead_days="10", credit_limit="75.00")
    assert (saved.lead_days, saved.credit_limit_cents) == (10, 7500)
    with pytest.raises(ValidationError, match="0 to 31 days"):
        save_billing_settings(admin, lead_days=40, credit_limit="99")
    with pytest.raises(ValidationError) as refused:
        save_billing_settings(admin, lead_days=3, credit_limit="-1")
    assert refused.value.field == "credit_limit"
    assert billing_settings() == saved


def test_an_agent_is_refused_and_nothing_changes(desk: str) -> None:
    agent = staff(Role.AGENT, "sam")
    with pytest.raises(PermissionDenied, match="Only an admin can change the desk's settings"):
        save_billing_settings(agent, lead_days=3, credit_limit="10")
    with pytest.raises(PermissionDenied):
        save_mail_settings(agent, sender="x@example.net", routes={})
    assert billing_settings().lead_days == desk_settings.DEFAULT_BILLING_LEAD_DAYS
    assert mail_settings().sender == ""
