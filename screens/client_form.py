"""Add a client, or edit one's profile: names, company, email, phone, address, country, notes.

The form sends exactly what was typed; the service checks it (screens.widgets.form_dialog shows
its sentence under the field). An edit passes the version it read, so a change someone else
made meanwhile is a Conflict shown on the form, never overwritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.suggester import SuggestFromList
from textual.widgets import Checkbox, Input, TextArea

from deskapp.errors import Conflict, DeskError, NotFound
from deskapp.services import clients
from deskapp.services.actors import Actor
from deskapp.services.client_form import ClientForm
from deskapp.services.clients import ClientProfile
from deskapp.services.validation import COUNTRY_CODES
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput, InertTextArea

__all__ = ["CLIENT_FIELDS", "ClientFormScreen", "save_client"]

CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "email",
    "phone",
    "country",
    "address1",
    "address2",
    "city",
    "region",
    "postcode",
    "notes",
)
"""The form's fields, by the service's names (each is also its widget's id)."""

_ROWS: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("first_name", "First name", ""), ("last_name", "Last name", "")),
    (("company", "Company (empty for a person)", ""), ("email", "Email", "name@example.com")),
    (("phone", "Phone", "+44 20 7946 0958"), ("country", "Country (GB, DE, US…)", "GB")),
    (("address1", "Address", ""), ("address2", "Address line 2", "")),
    (("city", "City", ""), ("region", "Region", ""), ("postcode", "Postcode", "")),
)
"""(field, label, placeholder) of the one-line fields, row by row."""

_COUNTRIES = SuggestFromList(sorted(COUNTRY_CODES), case_sensitive=False)


def save_client(
    actor: Actor,
    client_id: uuid.UUID | None,
    version: int,
    typed: Mapping[str, Any],
    queue_welcome: bool = False,
) -> ClientProfile:
    """What the form does with what was typed: add a client (client_id None), else update the
    profile read at `version`. Runs in a thread; the service validates everything."""
    form = ClientForm(**{name: typed.get(name, "") for name in CLIENT_FIELDS})
    if client_id is None:
        return clients.create_client(actor, form, queue_welcome=queue_welcome)
    return clients.update_client(actor, client_id, version, form)


class ClientFormScreen(FormDialog[uuid.UUID]):
    """Add a client (`client_id` None) or edit one; dismisses the saved client's id."""

    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound)
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (30, "-tall")]
    """Under 30 lines (80x24 over SSH) the form closes up its rows so the buttons stay on screen
    (styles/client_form.tcss)."""

    def __init__(self, client_id: uuid.UUID | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        """The client edited, or None for a new one."""
        self.version = 0
        """The version of the profile read; the update is refused if it changed since."""

    def loads_first(self) -> bool:
        """An edit reads the profile first."""
        return self.client_id is not None

    def submit_label(self) -> str:
        """Add client, or Save."""
        return "Add client" if self.client_id is None else "Save"

    def heading(self) -> str:
        """Add a client, or the client being edited once loaded."""
        return "Add a client" if self.client_id is None else "Edit client…"

    def compose_fields(self) -> ComposeResult:
        """The one-line fields in rows, the notes, and the welcome mail on create."""
        for row in _ROWS:
            with Horizontal(classes="form-row"):
                for name, label, placeholder in row:
                    suggester = _COUNTRIES if name == "country" else None
                    widget = InertInput(
                        placeholder=placeholder, id=name, compact=True, suggester=suggester
                    )
                    yield self.field(label, widget)
        yield self.field(
            "Notes (staff only)",
            InertTextArea(id="notes", soft_wrap=True, compact=True, tab_behavior="focus"),
        )
        if self.client_id is None:
            yield Checkbox("Queue a welcome email to the client", id="welcome", compact=True)

    def load(self) -> ClientProfile:
        """The profile to edit."""
        assert self.client_id is not None
        return clients.get_client(self.client_id)

    def loaded(self, data: ClientProfile) -> None:
        """Fill the fields from the profile and remember its version."""
        self.version = data.version
        self.set_heading(f"Edit {data.label} ({data.name})")
        for name in CLIENT_FIELDS:
            if name != "notes":
                self.query_one(f"#{name}", Input).value = getattr(data, name)
        self.query_one("#notes", TextArea).text = data.notes
        self.query_one("#first_name", Input).focus()

    def values(self) -> dict[str, Any]:
        """Every field exactly as typed, and whether to queue the welcome mail."""
        typed: dict[str, Any] = {
            name: self.query_one(f"#{name}", Input).value
            for name in CLIENT_FIELDS
            if name != "notes"
        }
        typed["notes"] = self.query_one("#notes", TextArea).text
        welcome = self.query("#welcome")
        typed["queue_welcome"] = bool(welcome) and welcome.first(Checkbox).value
        return typed

    def call_service(self, values: Mapping[str, Any]) -> ClientProfile:
        """create_client or update_client."""
        return save_client(
            self.actor, self.client_id, self.version, values, values["queue_welcome"]
        )

    def summary(self, result: ClientProfile) -> str:
        """Added C-1043 (Mina Okafor). / Saved C-1042 (Mina Okafor)."""
        if self.client_id is not None:
            return f"Saved {result.label} ({result.name})."
        mail = "; a welcome email is queued" if self.values().get("queue_welcome") else ""
        return f"Added {result.label} ({result.name}){mail}."

    def done(self, result: ClientProfile) -> None:
        """Say what was saved and close with the client's id."""
        self.say(self.summary(result))
        self.dismiss(result.id)
