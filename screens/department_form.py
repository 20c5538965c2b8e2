"""Add or edit a department: its name, the mailbox whose mail opens tickets in it, the signature
under its replies, and the fields a ticket in it asks for (screens.widgets.field_rows).

The departments service checks everything (a unique name, field keys, kinds, choices) and its
sentence shows under the part at fault; someone else's save meanwhile shows their version beside
what was typed (screens.widgets.their_version).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, TextArea

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied
from deskapp.services.departments import DepartmentView, get_department_view, save_department
from screens.widgets.field_rows import FieldRows
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput, InertTextArea
from screens.widgets.refusal_room import MakesRoomForRefusals

__all__ = ["DepartmentFormDialog", "fields_summary"]


def fields_summary(department: DepartmentView) -> str:
    """The fields as their version shows them: "Invoice number (text, required), …"."""
    return ", ".join(
        f"{field.label} ({field.kind}{', required' if field.required else ''})"
        for field in department.fields
    )


class DepartmentFormDialog(MakesRoomForRefusals, FormDialog[DepartmentView]):
    """Add a department (`department_id` None) or edit one; dismisses the saved department."""

    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)

    def __init__(self, department_id: uuid.UUID | None = None) -> None:
        super().__init__()
        self.department_id = department_id
        """The department edited, or None for a new one."""
        self.version: int | None = None
        """The version read; saving is refused if someone changed the department since."""
        self.sort_order = 0
        """Its place in the desk's order of departments (kept as it was)."""

    def loads_first(self) -> bool:
        """Editing reads the department first."""
        return self.department_id is not None

    def heading(self) -> str:
        """Add, or edit (the department is named once loaded)."""
        return "Add a department" if self.department_id is None else "Edit department…"

    def submit_label(self) -> str:
        """Add department, or Save."""
        return "Add department" if self.department_id is None else "Save"

    def compose_fields(self) -> ComposeResult:
        """Name and mailbox; the signature; the fields a ticket asks for."""
        self.field_labels.update(
            {"name": "Name", "email": "Mailbox", "signature": "Signature", "fields": "Fields"}
        )
        with VerticalScroll(id="form-body", classes="form-body"):
            with Horizontal(classes="form-row"):
                name = InertInput(id="name", placeholder="Support", compact=True, max_length=80)
                yield Vertical(self.label("Name"), name, classes="field name")
                email = InertInput(
                    id="email", placeholder="support@example.com", compact=True, max_length=254
                )
                yield Vertical(self.label("Mailbox (mail to it opens tickets here)"), email)
            yield self.field_error("name")
            yield self.field_error("email")
            yield self.label("Signature (under every reply from this department)")
            yield InertTextArea(id="signature", soft_wrap=True, compact=True, tab_behavior="focus")
            yield self.field_error("signature")
            yield self.label("Fields a ticket in it asks for (ctrl+↑/↓ moves, ctrl+d removes)")
            yield FieldRows(id="fields")
            yield self.field_error("fields")
            yield Button("+ Add field", id="add-field", compact=True)

    def on_mount(self) -> None:
        """A new department starts with its name focused (editing loads first)."""
        super().on_mount()
        if self.department_id is None:
            self.query_one("#name", Input).focus()

    @on(Button.Pressed, "#add-field")
    def _add_field(self, event: Button.Pressed) -> None:
        event.stop()
        self.query_one("#fields", FieldRows).add_row()

    def load(self) -> DepartmentView:
        """The department to edit."""
        assert self.department_id is not None
        return get_department_view(self.department_id)

    def loaded(self, data: DepartmentView) -> None:
        """Fill the form from the department."""
        self.version = data.version
        self.sort_order = data.sort_order
        self.set_heading(f"Edit the {data.name} department")
        self.query_one("#name", Input).value = data.name
        self.query_one("#email", Input).value = data.email
        self.query_one("#signature", TextArea).text = data.signature
        self.query_one("#fields", FieldRows).show_fields(data.fields)
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any]:
        """What was typed."""
        return {
            "name": self.query_one("#name", Input).value,
            "email": self.query_one("#email", Input).value,
            "signature": self.query_one("#signature", TextArea).text,
            "fields": self.query_one("#fields", FieldRows).fields,
        }

    def call_service(self, values: Mapping[str, Any]) -> DepartmentView:
        """save_department, as the signed-in admin."""
        return save_department(
            self.actor,
            **values,
            sort_order=self.sort_order,
            department_id=self.department_id,
            version=self.version,
        )

    def done(self, result: DepartmentView) -> None:
        """Say what was saved and close with the department."""
        verb = "Added" if self.department_id is None else "Saved"
        count = len(result.fields)
        asks = (
            f"asks for {count} field{'s' if count != 1 else ''}" if count else "asks for no field"
        )
        self.say(f"{verb} the {result.name} department; it {asks}.")
        self.dismiss(result)
