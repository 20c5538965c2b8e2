"""The desk's mail settings: the sender of its mail, and which contacts each kind of mail goes
to (one of the five categories a contact ticks). Each department's signature is on its own form.

An admin changes them; an agent reads them, every choice dimmed, with the sentence saying why.
Saving is one call (deskapp.services.desk_setup): every part or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static

from deskapp.errors import DeskError, NotFound, PermissionDenied
from deskapp.services.desk_settings import CONTACT_CATEGORIES, MAIL_KINDS
from deskapp.services.desk_setup import MailSettings, mail_settings, save_mail_settings
from screens.settings_access import may_change_settings, why_read_only
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput

__all__ = ["MailSettingsDialog", "route_id"]


def route_id(kind: str) -> str:
    """The id of the choice where `kind` of mail goes: route-invoice."""
    return f"route-{kind}"


class MailSettingsDialog(FormDialog[MailSettings]):
    """The sender and the five routes; dismisses the settings saved."""

    QUESTION = "Mail settings"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (NotFound, PermissionDenied)

    @property
    def changes_settings(self) -> bool:
        """Whether the signed-in staff member may change them (else the form is read-only)."""
        return may_change_settings(self.actor)

    def compose_fields(self) -> ComposeResult:
        """The sender; one choice of category per kind of mail; where signatures are."""
        self.field_labels["sender"] = "Sender"
        sender = InertInput(
            placeholder="(the configured sender)",
            id="sender",
            compact=True,
            max_length=300,
        )
        yield self.field("Sender (the From of the desk's mail; empty: the configured one)", sender)
        yield self.label("Each kind of mail goes to the contacts that ticked")
        categories = [(Text(category), category) for category in CONTACT_CATEGORIES]
        for kind, name in MAIL_KINDS.items():
            with Horizontal(classes="route-row"):
                yield Static(Text(name), classes="route-kind")
                yield Select(
                    categories,
                    allow_blank=False,
                    value=CONTACT_CATEGORIES[0],
                    id=route_id(kind),
                    compact=True,
                )
        yield self.field_error("kind")
        yield self.field_error("category")
        note = (
            "Without a contact in that category, mail goes to the billing contact, else the client."
        )
        yield Static(
            Text(f"{note} Each department's signature is on its own form."), classes="note"
        )
        if not self.changes_settings:
            yield Static(Text(why_read_only(self.actor)), id="read-only", classes="read-only")

    def load(self) -> MailSettings:
        """The settings as they are."""
        return mail_settings()

    def loaded(self, data: MailSettings) -> None:
        """Fill the form; an agent's stays read-only."""
        self.query_one("#sender", Input).value = data.sender
        for kind, category in data.routes.items():
            self.query_one(f"#{route_id(kind)}", Select).value = category
        if not self.changes_settings:
            for part in self.query("Input, Select"):
                part.disabled = True
            self.query_one("#cancel").focus()
        else:
            self.query_one("#sender", Input).focus()

    def submit_allowed(self) -> bool:
        """Only an admin saves."""
        return self.changes_settings

    def values(self) -> dict[str, Any]:
        """The sender and every route chosen."""
        return {
            "sender": self.query_one("#sender", Input).value,
            "routes": {
                kind: str(self.query_one(f"#{route_id(kind)}", Select).value) for kind in MAIL_KINDS
            },
        }

    def call_service(self, values: Mapping[str, Any]) -> MailSettings:
        """save_mail_settings, as the signed-in admin."""
        return save_mail_settings(self.actor, **values)

    def done(self, result: MailSettings) -> None:
        """Say so and close with the settings."""
        sender = result.sender or "the configured sender"
        self.say(f"Saved the mail settings; the desk's mail comes from {sender}.")
        self.dismiss(result)
