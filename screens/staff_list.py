"""The desk's staff: everyone who may sign in, with their role; admins add and change them.

Opened from the command palette ("Staff"), by admins only: an agent choosing it is told why
(see `show_staff`). The service checks the role again with every change, read from the
database, so someone demoted while the screen is open is refused with a sentence.

| Key(s) | Description |
| :- | :- |
| n | Add a staff member. |
| o | Change the highlighted person's role (agent or admin). |
| p | Set a new password for the highlighted person. |
| d | Disable the highlighted person: no more sign-in or work (asks). |
| e | Enable the highlighted disabled person again (asks). |
| / | Everyone, or only those who can sign in. |
| r | Load the list again. |
| escape | Back where you came from. |

The columns fit 80 terminal columns; none gives way: username, name, role and status all stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from deskapp.services.changes import Entity
from deskapp.services.rights import Right
from deskapp.services.staff import StaffMember, list_staff
from screens.admin_keys import ExplainsAdminKeys
from screens.area import AreaScreen
from screens.staff_access import ONLY_ADMINS, may_manage_staff
from screens.staff_form import AddStaffDialog, ChangeRoleDialog, SetActiveDialog, SetPasswordDialog
from screens.widgets.cells import when_cell
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted, untrusted_message

__all__ = ["ONLY_ADMINS", "StaffScreen", "show_staff"]

ADMIN_ACTIONS = frozenset(
    {"add_staff", "change_role", "set_password", "disable_staff", "enable_staff"}
)
"""The screen's actions that change someone (all of them admins')."""


def status_cell(member: StaffMember) -> Text:
    """active, or disabled (dim)."""
    return Text("active") if member.active else Text("disabled", style="dim")


def role_cell(member: StaffMember) -> Text:
    """agent, or admin (bold: the people who can change everything)."""
    return Text(member.role, style="bold" if member.role == "admin" else "")


COLUMNS: Sequence[RecordColumn[StaffMember]] = (
    RecordColumn("Username", lambda m: untrusted(m.username, limit=12), 12),
    RecordColumn("Name", lambda m: untrusted(m.name, limit=18), 18),
    RecordColumn("Role", role_cell, 5),
    RecordColumn("Status", status_cell, 8),
    RecordColumn("Email", lambda m: untrusted(m.email, limit=24), 24),
)
"""Narrow enough for an 80-column terminal."""


def _staff_page(include_disabled: bool, last: StaffMember | None, limit: int) -> list[StaffMember]:
    return list_staff(include_disabled=include_disabled, after=last, limit=limit)


class StaffScreen(ExplainsAdminKeys, AreaScreen):
    """Everyone by username; the highlighted person's sign-in details under the list."""

    AREA_TITLE = "Staff"
    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = dict.fromkeys(ADMIN_ACTIONS, Right.MANAGE_STAFF)
    NOUN = "staff members"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (("Everyone", "all"), ("Active", "active"))
    FILTER_NOUNS: ClassVar[dict[str, str]] = {"active": "active staff members"}
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.STAFF})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add_staff", "Add", tooltip="Add a staff member (admins)."),
        Binding(
            "o",
            "change_role",
            "Role",
            tooltip="Make the highlighted person an agent or an admin (admins).",
        ),
        Binding(
            "p",
            "set_password",
            "Password",
            tooltip="Set a new password for the highlighted person (admins).",
        ),
        Binding(
            "d",
            "disable_staff",
            "Disable",
            tooltip="Stop the highlighted person signing in or acting (admins; asks).",
        ),
        Binding(
            "e",
            "enable_staff",
            "Enable",
            tooltip="Let the highlighted disabled person sign in again (admins; asks).",
        ),
    ]

    def compose(self) -> ComposeResult:
        """The area's layout, with the highlighted person's details under the list."""
        for widget in super().compose():
            if isinstance(widget, Static) and widget.id == "count":
                yield Static(id="staff-details")
            yield widget

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Username, name, role, status, email."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_staff(), disabled people too under "Everyone"."""
        return partial(_staff_page, filter_value != "active")

    @property
    def is_admin(self) -> bool:
        """Whether the signed-in person may manage staff (the service checks again)."""
        return may_manage_staff(self.desk_app.signed_in_actor)

    @property
    def highlighted_member(self) -> StaffMember | None:
        """The person under the cursor."""
        tables = self.query("#records")
        return tables.first(RecordTable).highlighted_record if tables else None

    @on(RecordTable.Highlighted, "#records")
    @on(RecordTable.Loaded, "#records")
    def _show_highlighted(self) -> None:
        member = self.highlighted_member
        details = self.query_one("#staff-details", Static)
        details.update(details_text(member) if member is not None else Text(""))
        self.refresh_bindings()

    def refresh_for_changes(self) -> None:
        """Load again at once: the list is short."""
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Every change is an admin's (dimmed otherwise); all but Add need a highlighted
        person; Disable shows for an active one, Enable for a disabled one; Back always goes
        back."""
        if action in ADMIN_ACTIONS:
            if not self.is_admin:
                return None
            if action == "add_staff":
                return True
            member = self.highlighted_member
            if member is None:
                return None
            if action in ("disable_staff", "enable_staff"):
                return member.active == (action == "disable_staff")
            return True
        if action == "back":
            return True
        return super().check_action(action, parameters)

    def action_add_staff(self) -> None:
        """The new-staff form."""
        if self.is_admin:
            self.app.push_screen(AddStaffDialog(), self._changed)

    def action_change_role(self) -> None:
        """Choose agent or admin for the highlighted person."""
        member = self.highlighted_member
        if self.is_admin and member is not None:
            self.app.push_screen(ChangeRoleDialog(member), self._changed)

    def action_set_password(self) -> None:
        """A new password for the highlighted person, typed twice."""
        member = self.highlighted_member
        if self.is_admin and member is not None:
            self.app.push_screen(SetPasswordDialog(member), self._changed)

    def action_disable_staff(self) -> None:
        """Ask, then disable the highlighted person."""
        member = self.highlighted_member
        if self.is_admin and member is not None and member.active:
            self.app.push_screen(SetActiveDialog(member), self._changed)

    def action_enable_staff(self) -> None:
        """Ask, then enable the highlighted disabled person again."""
        member = self.highlighted_member
        if self.is_admin and member is not None and not member.active:
            self.app.push_screen(SetActiveDialog(member), self._changed)

    def _changed(self, result: object) -> None:
        if result is not None:
            self.action_refresh()

    def action_back(self) -> None:
        """From the filter to the list; from the list back where the staff list was opened."""
        if self.focused is not self.records:
            self.records.focus()
        else:
            self.app.pop_screen()


def details_text(member: StaffMember) -> Text:
    """How the person signs in, and since when they are on the desk."""
    text = Text.assemble((member.username, "bold"), "  ")
    text.append_text(untrusted(member.name, limit=40))
    text.append(f"  added {when_cell(member.created_at).plain}", "dim")
    text.append("\n")
    if not member.active:
        text.append("Disabled: cannot sign in or act until an admin enables them again.")
    elif member.has_password:
        text.append("Signs in with a password (or an SSH key, where the desk is served so).")
    else:
        text.append("No password: signs in only by SSH key; p sets a password.")
    return text


def show_staff(app: App[Any]) -> None:
    """The staff list over the current screen, for an admin; an agent is told why not."""
    if not may_manage_staff(getattr(app, "signed_in_actor", None)):
        app.notify(untrusted_message(ONLY_ADMINS), severity="warning", markup=False)
        return
    app.push_screen(StaffScreen())
