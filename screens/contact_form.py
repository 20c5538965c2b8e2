"""A client's contacts: add or edit one (name, email, phone, position, address, the five email
categories, billing contact), or delete one.

The forms send exactly what was typed; the contacts service checks it and says why it refuses
(an email another contact of the client has; the billing contact cannot be deleted or unticked
until another is chosen).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Static, TextArea

from deskapp.errors import Conflict, DeskError, NotFound
from deskapp.services import contacts
from deskapp.services.actors import Actor
from deskapp.services.client_profile import ClientProfile, get_client
from deskapp.services.contacts import MAIL_CATEGORIES, ContactDetails, ContactForm
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput, InertTextArea

__all__ = ["CONTACT_TEXT_FIELDS", "ContactFormDialog", "DeleteContactDialog", "save_contact"]

CONTACT_TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "position", "address")
"""The contact form's text fields, by the service's names (each is also its widget's id)."""
CONTACT_FLAGS = (*MAIL_CATEGORIES, "is_billing")
"""The contact form's checkboxes: the five email categories and the billing contact."""

_ROWS: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("first_name", "First name", ""), ("last_name", "Last name", "")),
    (("email", "Email", "name@example.com"), ("phone", "Phone (optional)", "+44 20 7946 0958")),
    (("position", "Position (optional)", "Head of IT"),),
)
"""(field, label, placeholder) of the one-line fields, row by row."""


def save_contact(
    actor: Actor,
    client_id: uuid.UUID,
    contact_id: uuid.UUID | None,
    version: int,
    typed: Mapping[str, Any],
) -> ContactDetails:
    """What the form does with what was typed: add a contact to the client (contact_id None),
    else update the one read at `version`. Runs in a thread; the service validates everything."""
    form = ContactForm(
        **{name: typed.get(name, "") for name in CONTACT_TEXT_FIELDS},
        **{name: typed.get(name, False) for name in CONTACT_FLAGS},
    )
    if contact_id is None:
        return contacts.add_contact(actor, client_id, form)
    return contacts.update_contact(actor, contact_id, version, form)


class ContactFormDialog(FormDialog[uuid.UUID]):
    """Add a contact to a client (`contact_id` None) or edit one; dismisses the contact's id."""

    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound)

    def __init__(self, client_id: uuid.UUID, contact_id: uuid.UUID | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose contact."""
        self.contact_id = contact_id
        """The contact edited, or None for a new one."""
        self.version = 0
        """The version of the contact read; the update is refused if it changed since."""
        self.client_label = ""
        """C-1042, once loaded."""

    def submit_label(self) -> str:
        """Add contact, or Save."""
        return "Add contact" if self.contact_id is None else "Save"

    def heading(self) -> str:
        """Add or edit; the client is named once loaded."""
        return "Add a contact…" if self.contact_id is None else "Edit contact…"

    def compose_fields(self) -> ComposeResult:
        """Names, email, phone, position, address, the categories, the billing contact."""
        for row in _ROWS:
            with Horizontal(classes="form-row"):
                for name, label, placeholder in row:
                    widget = InertInput(placeholder=placeholder, id=name, compact=True)
                    yield self.field(label, widget)
        yield self.field(
            "Address (optional)",
            InertTextArea(id="address", soft_wrap=True, compact=True, tab_behavior="focus"),
        )
        defaults = ContactForm("", "", "")
        with Vertical(classes="field", id="categories"):
            yield self.label("Emails it receives")
            with Horizontal(id="category-boxes"):
                for name, label in MAIL_CATEGORIES.items():
                    yield Checkbox(label, getattr(defaults, name), id=name, compact=True)
            for name in MAIL_CATEGORIES:
                yield self.field_error(name)
        yield Checkbox(
            "Billing contact: invoices are addressed to this contact",
            id="is_billing",
            compact=True,
        )
        yield self.field_error("is_billing")

    def load(self) -> tuple[ClientProfile, ContactDetails | None]:
        """The client (for the heading) and the contact to edit."""
        client = get_client(self.client_id)
        contact = contacts.get_contact(self.contact_id) if self.contact_id else None
        return client, contact

    def loaded(self, data: tuple[ClientProfile, ContactDetails | None]) -> None:
        """Name the client; fill the fields from the contact when editing."""
        client, contact = data
        self.client_label = client.label
        if contact is None:
            self.set_heading(f"Add a contact to {client.label} ({client.name})")
        else:
            self.version = contact.version
            self.set_heading(f"Edit {contact.name}, contact of {client.label}")
            for name in CONTACT_TEXT_FIELDS:
                if name != "address":
                    self.query_one(f"#{name}", Input).value = getattr(contact, name)
            self.query_one("#address", TextArea).text = contact.address
            for name in CONTACT_FLAGS:
                self.query_one(f"#{name}", Checkbox).value = getattr(contact, name)
        self.query_one("#first_name", Input).focus()

    def values(self) -> dict[str, Any]:
        """Every field exactly as typed, every box as ticked."""
        typed: dict[str, Any] = {
            name: self.query_one(f"#{name}", Input).value
            for name in CONTACT_TEXT_FIELDS
            if name != "address"
        }
        typed["address"] = self.query_one("#address", TextArea).text
        for name in CONTACT_FLAGS:
            typed[name] = self.query_one(f"#{name}", Checkbox).value
        return typed

    def call_service(self, values: Mapping[str, Any]) -> ContactDetails:
        """add_contact or update_contact."""
        return save_contact(self.actor, self.client_id, self.contact_id, self.version, values)

    def summary(self, result: ContactDetails) -> str:
        """Added Ola Okafor to C-1042. / Saved Ola Okafor."""
        if self.contact_id is None:
            return f"Added the contact {result.name} to {self.client_label}."
        return f"Saved the contact {result.name}."

    def done(self, result: ContactDetails) -> None:
        """Say what was saved and close with the contact's id."""
        self.say(self.summary(result))
        self.dismiss(result.id)


class DeleteContactDialog(FormDialog[bool]):
    """Confirm deleting a contact; the billing contact is refused (the service says why).
    Dismisses True once deleted."""

    SUBMIT = "Delete"
    SUBMIT_VARIANT = "error"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (NotFound,)

    def __init__(self, contact_id: uuid.UUID, label: str) -> None:
        super().__init__()
        self.contact_id = contact_id
        """The contact to delete."""
        self.contact_label = label
        """How the caller names it ("Ola Okafor <ola@okafor.example>"; untrusted text)."""

    def heading(self) -> str:
        """Names the contact."""
        return f"Delete the contact {self.contact_label}?"

    def compose_fields(self) -> ComposeResult:
        """What deleting keeps."""
        yield Static(
            Text(
                "Tickets it raised stay with the client; it stops receiving mail and "
                "following tickets."
            ),
            classes="note",
        )

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """delete_contact."""
        contacts.delete_contact(self.actor, self.contact_id)
        return True

    def done(self, result: bool) -> None:
        """Say so and close with True."""
        self.say(f"Deleted the contact {self.contact_label}.")
        self.dismiss(True)
