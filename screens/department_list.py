"""The desk's departments: the nature of a request, its mailbox, and the fields it asks for.

Everyone reads the list (an agent's keys dimmed, with why); admins add, edit and delete. The
highlighted department's fields and signature show under the list. Opened from the command
palette ("Departments").

| Key(s) | Description |
| :- | :- |
| n | Add a department (admins). |
| e / enter | Edit the highlighted department (admins). |
| x | Delete the highlighted department, if nothing uses it (admins; asks). |
| r | Load the list again. |
| escape | Back where you came from. |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied
from deskapp.services.changes import Entity
from deskapp.services.departments import (
    DepartmentView,
    delete_department,
    list_department_views,
)
from screens.department_form import DepartmentFormDialog
from screens.settings_list import SettingsListScreen, whole_list
from screens.widgets.form_dialog import FormDialog
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

__all__ = ["DeleteDepartmentDialog", "DepartmentsScreen"]


def _count(value: int) -> Text:
    return Text(f"{value:,}", justify="right")


COLUMNS: Sequence[RecordColumn[DepartmentView]] = (
    RecordColumn("Name", lambda d: untrusted(d.name, limit=22), 22),
    RecordColumn("Mailbox", lambda d: untrusted(d.email, limit=32), 32),
    RecordColumn("Fields", lambda d: _count(len(d.fields)), 6, align_right=True),
    RecordColumn("Tickets", lambda d: _count(d.ticket_count), 8, align_right=True),
)
"""Narrow enough for an 80-column terminal."""


def department_details(department: DepartmentView) -> Text:
    """What a ticket in it asks for, and the first line of its signature."""
    text = Text("Asks for: ", style="bold")
    if department.fields:
        for index, field in enumerate(department.fields):
            if index:
                text.append(", ")
            text.append_text(untrusted(field.label, limit=30))
            what = field.kind + ("" if not field.required else ", required")
            text.append(f" ({what})", style="dim")
    else:
        text.append("nothing beyond a subject and the request.", style="dim")
    text.append("\n")
    text.append("Signature: ", style="bold")
    first = department.signature.strip().splitlines()[0] if department.signature.strip() else ""
    if first:
        text.append_text(untrusted(first, limit=60))
        if "\n" in department.signature.strip():
            text.append(" …", style="dim")
    else:
        text.append("none.", style="dim")
    return text


class DepartmentsScreen(SettingsListScreen):
    """Every department in the desk's order; the highlighted one's fields and signature below."""

    AREA_TITLE = "Departments"
    NOUN = "departments"
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.DEPARTMENT})
    ADMIN_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"new_department", "edit_department", "delete_department"}
    )
    NEEDS_RECORD: ClassVar[frozenset[str]] = frozenset({"edit_department", "delete_department"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_department", "New", tooltip="Add a department (admins)."),
        Binding(
            "e", "edit_department", "Edit", tooltip="Edit the highlighted department (admins)."
        ),
        Binding(
            "x",
            "delete_department",
            "Delete",
            tooltip="Delete the highlighted department if nothing uses it (admins; asks).",
        ),
    ]

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Name, mailbox, how many fields, how many tickets."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Every department (a desk has a handful)."""
        return whole_list(list_department_views)

    def details(self, record: Any) -> Text:
        """Its fields and signature."""
        return department_details(record)

    @on(RecordTable.Selected, "#records")
    def _selected(self) -> None:
        if self.check_action("edit_department", ()):
            self.action_edit_department()

    def action_new_department(self) -> None:
        """The department form, empty."""
        if self.changes_settings:
            self.app.push_screen(DepartmentFormDialog(), self._changed)

    def action_edit_department(self) -> None:
        """The department form for the highlighted department."""
        department = self.highlighted
        if self.changes_settings and department is not None:
            self.app.push_screen(DepartmentFormDialog(department.id), self._changed)

    def action_delete_department(self) -> None:
        """Ask, then delete the highlighted department (the service refuses one in use)."""
        department = self.highlighted
        if self.changes_settings and department is not None:
            self.app.push_screen(DeleteDepartmentDialog(department), self._changed)


class DeleteDepartmentDialog(FormDialog[bool]):
    """Confirm deleting a department; one that tickets or canned replies use is refused with
    the service's sentence. Dismisses True once deleted."""

    SUBMIT = "Delete"
    SUBMIT_VARIANT = "error"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)

    def __init__(self, department: DepartmentView) -> None:
        super().__init__()
        self.department = department
        """The department to delete."""

    def heading(self) -> str:
        """Names the department."""
        return f"Delete the {self.department.name} department?"

    def compose_fields(self) -> ComposeResult:
        """What deleting does, and what stops it."""
        yield Static(
            Text(
                "Only a department no ticket and no canned reply uses can be deleted; "
                "its fields and signature go with it."
            ),
            classes="note",
        )

    def on_mount(self) -> None:
        """The focus on the button that decides."""
        super().on_mount()
        self.query_one("#submit").focus()

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """delete_department."""
        delete_department(self.actor, self.department.id)
        return True

    def done(self, result: bool) -> None:
        """Say so and close with True."""
        self.say(f"Deleted the {self.department.name} department.")
        self.dismiss(True)
