"""The staff list's dialogs: add a person, change a role, set a password, disable or enable.

Each calls one function of deskapp.services.staff as the signed-in admin; the service checks
the username, the password rules and the admin's right, and its sentence shows under the field
at fault. A password is typed twice, masked, and never shown, kept or logged by the desk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.services.staff import (
    StaffMember,
    add_staff,
    set_active,
    set_password,
    set_role,
)
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput

__all__ = ["AddStaffDialog", "ChangeRoleDialog", "SetActiveDialog", "SetPasswordDialog"]

ROLES = (("agent", "Agent"), ("admin", "Admin"))
"""The roles a person can have, as the choice names them."""
ROLES_NOTE = (
    "Agents work tickets and clients and add credit up to the desk's limit; admins do "
    "everything, including money, orders and staff."
)
"""What each role may do (DESIGN.md's rights table, in a sentence)."""
REFUSALS_SHOWN: tuple[type[DeskError], ...] = (Conflict, NotFound, PermissionDenied)
"""The service's refusals every staff dialog shows on its own error line."""


def role_choice(value: str) -> Select[str]:
    """The role as a choice of agent or admin."""
    return Select(
        [(Text(label), role) for role, label in ROLES],
        allow_blank=False,
        value=value,
        id="role",
        compact=True,
    )


def password_fields(dialog: FormDialog[Any]) -> ComposeResult:
    """The password and its repetition, masked, side by side; their error lines under them."""
    with Horizontal(classes="form-row"):
        first = Input(id="password", password=True, compact=True, max_length=1024)
        yield short_field(dialog, "Password (10+ characters)", first)
        again = Input(id="password_again", password=True, compact=True, max_length=1024)
        yield short_field(dialog, "The same again", again)
    yield dialog.field_error("password")
    yield dialog.field_error("password_again")


def short_field(dialog: FormDialog[Any], label: str, widget: Widget) -> Vertical:
    """A labelled field of a row; its error line goes under the whole row."""
    return Vertical(dialog.label(label), widget, classes="field")


def typed_password(dialog: FormDialog[Any], *, required: bool) -> str | None:
    """The password typed twice; ValidationError when the two differ (or none was typed and
    one is required). None when both are empty and none is required."""
    first = dialog.query_one("#password", Input).value
    again = dialog.query_one("#password_again", Input).value
    if not first and not again:
        if required:
            raise ValidationError("password", "Type the new password, twice.")
        return None
    if first != again:
        raise ValidationError("password_again", "The two passwords differ; type them again.")
    return first


class AddStaffDialog(FormDialog[StaffMember]):
    """A new staff member: username, role, name, email and (unless they sign in only by SSH
    key) a password; dismisses the person added."""

    QUESTION = "Add a staff member"
    SUBMIT = "Add"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = REFUSALS_SHOWN

    def compose_fields(self) -> ComposeResult:
        """Username and role; name and email; the password twice."""
        with Horizontal(classes="form-row"):
            username = InertInput(id="username", compact=True, max_length=32)
            yield short_field(self, "Username", username)
            yield short_field(self, "Role", role_choice("agent"))
        yield self.field_error("username")
        yield self.field_error("role")
        with Horizontal(classes="form-row"):
            yield short_field(self, "Name", InertInput(id="name", compact=True, max_length=120))
            email = InertInput(id="email", compact=True, max_length=254)
            yield short_field(self, "Email", email)
        yield self.field_error("name")
        yield self.field_error("email")
        yield from password_fields(self)
        yield Static(
            Text(
                f"{ROLES_NOTE} Leave the password empty for someone who signs in only by SSH key."
            ),
            classes="note",
        )

    def values(self) -> dict[str, Any]:
        """What was typed (the passwords must match)."""
        return {
            "username": self.query_one("#username", Input).value,
            "role": str(self.query_one("#role", Select).value),
            "name": self.query_one("#name", Input).value,
            "email": self.query_one("#email", Input).value,
            "password": typed_password(self, required=False),
        }

    def call_service(self, values: Mapping[str, Any]) -> StaffMember:
        """add_staff, as the signed-in admin."""
        return add_staff(
            self.actor,
            values["username"],
            values["role"],
            name=values["name"],
            email=values["email"],
            password=values["password"],
        )

    def done(self, result: StaffMember) -> None:
        """Say so and close with the person."""
        self.say(f"Added {result.username} ({result.name}) as an {result.role}.")
        self.dismiss(result)


class _OnePerson(FormDialog[StaffMember]):
    """A dialog about one staff member, named in its heading."""

    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = REFUSALS_SHOWN

    def __init__(self, member: StaffMember) -> None:
        super().__init__()
        self.member = member
        """Whom the dialog changes."""


class ChangeRoleDialog(_OnePerson):
    """Agent or admin for one person; dismisses them as changed."""

    SUBMIT = "Change role"

    def heading(self) -> str:
        """Names the person."""
        return f"The role of {self.member.username} ({self.member.name})"

    def compose_fields(self) -> ComposeResult:
        """The role, what each may do; the service keeps at least one active admin."""
        yield self.field("Role", role_choice(self.member.role))
        yield Static(
            Text(
                f"{ROLES_NOTE} The change holds at once, on every desk; the desk keeps one "
                "active admin."
            ),
            classes="note",
        )

    def on_mount(self) -> None:
        """The focus on the choice."""
        self.query_one("#role").focus()

    def values(self) -> dict[str, Any]:
        """The role chosen."""
        return {"role": str(self.query_one("#role", Select).value)}

    def call_service(self, values: Mapping[str, Any]) -> StaffMember:
        """set_role, as the signed-in admin."""
        return set_role(self.actor, self.member.username, values["role"])

    def done(self, result: StaffMember) -> None:
        """Say so and close with the person."""
        self.say(f"{result.username} is now an {result.role}.")
        self.dismiss(result)


class SetPasswordDialog(_OnePerson):
    """A new password for one person, typed twice; dismisses them."""

    SUBMIT = "Set password"

    def heading(self) -> str:
        """Names the person."""
        return f"A new password for {self.member.username} ({self.member.name})"

    def compose_fields(self) -> ComposeResult:
        """The password twice; tell them yourself, the desk sends nothing."""
        yield from password_fields(self)
        yield Static(
            Text("The old password stops working at once. Tell them the new one yourself."),
            classes="note",
        )

    def on_mount(self) -> None:
        """The focus on the first password field."""
        self.query_one("#password").focus()

    def values(self) -> dict[str, Any]:
        """The password (the two must match)."""
        return {"password": typed_password(self, required=True)}

    def call_service(self, values: Mapping[str, Any]) -> StaffMember:
        """set_password, as the signed-in admin."""
        return set_password(self.actor, self.member.username, values["password"])

    def done(self, result: StaffMember) -> None:
        """Say so (never the password) and close with the person."""
        self.say(f"Set a new password for {result.username}.")
        self.dismiss(result)


class SetActiveDialog(_OnePerson):
    """Disable an active person (they can no longer sign in or act), or enable a disabled one
    again; dismisses them as changed."""

    def heading(self) -> str:
        """Disable or enable, naming the person."""
        verb = "Disable" if self.member.active else "Enable"
        return f"{verb} {self.member.username} ({self.member.name})?"

    def submit_label(self) -> str:
        """Disable or Enable."""
        return "Disable" if self.member.active else "Enable"

    def compose_buttons(self) -> ComposeResult:
        """Disabling is shown as the destructive choice it is."""
        variant = "error" if self.member.active else "primary"
        yield Button(self.submit_label(), variant=variant, id="submit")
        yield Button(self.CANCEL, id="cancel")

    def compose_fields(self) -> ComposeResult:
        """What it does."""
        if self.member.active:
            what = (
                "They can no longer sign in, and anything they try on a desk still open is "
                "refused at once. Their work stays as it is; you can enable them again."
            )
        else:
            what = "They can sign in again, with the role they had."
        yield Static(Text(what), classes="note")

    def on_mount(self) -> None:
        """The focus on the button that decides."""
        self.query_one("#submit").focus()

    def call_service(self, values: Mapping[str, Any]) -> StaffMember:
        """set_active, as the signed-in admin."""
        return set_active(self.actor, self.member.username, not self.member.active)

    def done(self, result: StaffMember) -> None:
        """Say so and close with the person."""
        verb = "Enabled" if result.active else "Disabled"
        self.say(f"{verb} {result.username}.")
        self.dismiss(result)
