"""The desk's billing settings: how many days before a service period `billing run` invoices
it, and the most credit an agent may add in one entry.

An admin changes them; an agent reads them, dimmed, with the sentence saying why. Saving is one
call (deskapp.services.desk_setup): both or neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from deskapp.errors import DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.money import Money
from deskapp.services.desk_settings import MAX_BILLING_LEAD_DAYS
from deskapp.services.desk_setup import BillingSettings, billing_settings, save_billing_settings
from screens.settings_access import may_change_settings, why_read_only
from screens.widgets.form_dialog import FormDialog

__all__ = ["BillingSettingsDialog"]


class BillingSettingsDialog(FormDialog[BillingSettings]):
    """The lead time and the agent credit limit; dismisses the settings saved."""

    QUESTION = "Billing settings"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (NotFound, PermissionDenied)

    @property
    def changes_settings(self) -> bool:
        """Whether the signed-in staff member may change them (else the form is read-only)."""
        return may_change_settings(self.actor)

    def compose_fields(self) -> ComposeResult:
        """The lead days and the credit limit, side by side, each with what it means."""
        self.field_labels.update({"lead_days": "Lead time", "credit_limit": "Agent credit limit"})
        with Horizontal(classes="form-row"):
            days = Input(id="lead_days", type="integer", compact=True, max_length=3)
            yield Vertical(
                self.label(f"Lead time (days, 0 to {MAX_BILLING_LEAD_DAYS})"),
                days,
                classes="field",
            )
            limit = Input(id="credit_limit", compact=True, max_length=12)
            yield Vertical(self.label("Agent credit limit per entry"), limit, classes="field")
        yield self.field_error("lead_days")
        yield self.field_error("credit_limit")
        yield Static(
            Text(
                "billing run invoices a service this many days before its next period starts "
                "(unless told otherwise with --lead-days). Agents add credit up to the limit "
                "in one entry; above it, an admin adds it."
            ),
            classes="note",
        )
        if not self.changes_settings:
            yield Static(Text(why_read_only(self.actor)), id="read-only", classes="read-only")

    def load(self) -> BillingSettings:
        """The settings as they are."""
        return billing_settings()

    def loaded(self, data: BillingSettings) -> None:
        """Fill the form; an agent's stays read-only."""
        self.query_one("#lead_days", Input).value = str(data.lead_days)
        self.query_one("#credit_limit", Input).value = str(Money(data.credit_limit_cents))
        if not self.changes_settings:
            for part in self.query(Input):
                part.disabled = True
            self.query_one("#cancel").focus()
        else:
            self.query_one("#lead_days", Input).focus()

    def submit_allowed(self) -> bool:
        """Only an admin saves."""
        return self.changes_settings

    def values(self) -> dict[str, Any]:
        """The days and the limit as typed (the limit read as an amount)."""
        typed = self.query_one("#credit_limit", Input).value
        try:
            limit = Money.parse(typed, "credit_limit")
        except ValidationError as error:
            raise ValidationError("credit_limit", f"The agent credit limit: {error}") from error
        return {"lead_days": self.query_one("#lead_days", Input).value, "credit_limit": limit}

    def call_service(self, values: Mapping[str, Any]) -> BillingSettings:
        """save_billing_settings, as the signed-in admin."""
        return save_billing_settings(self.actor, **values)

    def done(self, result: BillingSettings) -> None:
        """Say so and close with the settings."""
        self.say(
            f"Saved: invoices go out {result.lead_days} days ahead; agents add at most "
            f"{Money(result.credit_limit_cents)} credit per entry."
        )
        self.dismiss(result)
