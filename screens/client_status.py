"""Changing a client's status: Active, Inactive or Closed (what staff do instead of deleting).

Closed is an admin's (the rights table): for anyone else it shows dimmed, with the reason.

Closing a client whose services are still active, pending or suspended is refused by the
service with a sentence saying so; the dialog then offers to cancel those services and close
the client together, after a second question.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, RadioButton, RadioSet, Static

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.services import clients
from deskapp.services.client_profile import ClientProfile
from deskapp.services.rights import Right, allows, why_not
from deskapp.wording import counted
from screens.widgets.form_dialog import FORM_ERROR, FormDialog

__all__ = ["STATUS_MEANINGS", "CancelServicesAndCloseDialog", "ChangeStatusDialog"]

STATUS_MEANINGS = {
    "Active": "can log in and has services",
    "Inactive": "can log in, has no active services",
    "Closed": "cannot log in; no new orders or tickets",
}
"""What each status means for the client, as the dialog explains it."""
CLOSED = "Closed"
OPEN_SERVICES = ("Active", "Pending", "Suspended")
"""Service statuses that stop a client from being closed."""


def open_services(profile: ClientProfile) -> int:
    """How many of the services the profile lists are active, pending or suspended."""
    return sum(1 for service in profile.services if service.status in OPEN_SERVICES)


class ChangeStatusDialog(FormDialog[str]):
    """Choose Active, Inactive or Closed for a client; dismisses the new status."""

    QUESTION = "Change the status…"
    SUBMIT = "Change status"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose status."""
        self.profile: ClientProfile | None = None
        """The client as read when the dialog opened."""

    def compose_buttons(self) -> ComposeResult:
        """The offer to cancel its services and close (shown once the service refused to
        close), then the usual buttons."""
        offer = Button("Cancel its services and close…", variant="warning", id="cancel-services")
        offer.display = False
        yield offer
        yield from super().compose_buttons()

    def compose_fields(self) -> ComposeResult:
        """The current status, the three choices, the services note."""
        yield Static(id="current", classes="note")
        yield self.label("New status")
        closes = allows(self.actor, Right.CLOSE_CLIENT)
        with RadioSet(id="status"):
            for status, meaning in STATUS_MEANINGS.items():
                yield RadioButton(
                    Text.assemble((status, "bold"), f" — {meaning}"),
                    id=status,
                    disabled=status == CLOSED and not closes,
                )
        if not closes:
            yield Static(Text(why_not(self.actor, Right.CLOSE_CLIENT)), id="close-note")
        yield self.field_error("status")

    def load(self) -> ClientProfile:
        """The client's profile (status, version, services)."""
        return clients.get_client(self.client_id)

    def loaded(self, data: ClientProfile) -> None:
        """Show the current status and choose it."""
        self.profile = data
        self.set_heading(f"Change the status of {data.label} ({data.name})")
        count = open_services(data)
        services = f"; {counted(count, 'active, pending or suspended service')}" if count else ""
        self.query_one("#current", Static).update(Text(f"Now {data.status}{services}."))
        if data.status in STATUS_MEANINGS:
            self.query_one(f"#{data.status}", RadioButton).value = True
        self.query_one("#status", RadioSet).focus()

    @property
    def chosen(self) -> str | None:
        """The status ticked."""
        pressed = self.query_one("#status", RadioSet).pressed_button
        return pressed.id if pressed is not None else None

    def values(self) -> dict[str, Any]:
        """The new status; choosing the one it has is refused here."""
        assert self.profile is not None
        status = self.chosen
        if status is None:
            raise ValidationError("status", "Choose the new status.")
        if status == self.profile.status:
            raise ValidationError(
                "status", f"{self.profile.label} is {status} already; choose another status."
            )
        return {"status": status}

    def call_service(self, values: Mapping[str, Any]) -> ClientProfile:
        """change_status, without cancelling services."""
        assert self.profile is not None
        return clients.change_status(
            self.actor, self.client_id, self.profile.version, values["status"]
        )

    def adopt_version(self, version: int) -> None:
        """Someone changed the client meanwhile: saving again means replacing theirs."""
        if self.profile is not None:
            self.profile = replace(self.profile, version=version)

    def rejected(self, field: str, sentence: str) -> None:
        """Refused to close because of services: offer to cancel them and close."""
        offer = self.query_one("#cancel-services", Button)
        offer.display = (
            field == FORM_ERROR
            and self.chosen == CLOSED
            and self.profile is not None
            and open_services(self.profile) > 0
        )
        if offer.display:
            offer.focus()

    @on(RadioSet.Changed, "#status")
    def _hide_offer(self) -> None:
        self.query_one("#cancel-services", Button).display = False

    @on(Button.Pressed, "#cancel-services")
    def ask_to_cancel_services(self) -> None:
        """The second question: cancel the services and close, or not."""
        if self.profile is None:
            return
        profile = self.profile

        def answered(closed: ClientProfile | None) -> None:
            if closed is not None:
                self.dismiss(closed.status)

        self.app.push_screen(CancelServicesAndCloseDialog(profile), answered)

    def done(self, result: ClientProfile) -> None:
        """Say so and close with the new status."""
        self.say(f"{result.label} is {result.status} now.")
        self.dismiss(result.status)


class CancelServicesAndCloseDialog(FormDialog[ClientProfile]):
    """The second question before closing a client with services: cancel them all and close?
    Dismisses the closed client's profile."""

    SUBMIT = "Cancel services and close"
    SUBMIT_VARIANT = "error"
    CANCEL = "Keep them"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound)

    def __init__(self, profile: ClientProfile) -> None:
        super().__init__()
        self.profile = profile
        """The client as the status dialog read it (its version is passed on)."""
        self.count = open_services(profile)
        """How many services will be cancelled (of those the profile lists)."""

    def heading(self) -> str:
        """Names the client and the number of services."""
        services = "its service" if self.count == 1 else f"its {self.count} services"
        return f"Cancel {services} and close {self.profile.label}?"

    def compose_fields(self) -> ComposeResult:
        """What it means."""
        yield Static(
            Text(
                "Every active, pending or suspended service of the client is cancelled now "
                "and no longer invoiced; the client cannot log in and gets no new orders or "
                "tickets. Setting it Active again does not bring the services back."
            ),
            classes="note",
        )

    def call_service(self, values: Mapping[str, Any]) -> ClientProfile:
        """change_status to Closed, cancelling the services in the same transaction."""
        return clients.change_status(
            self.actor, self.profile.id, self.profile.version, CLOSED, cancel_services=True
        )

    def done(self, result: ClientProfile) -> None:
        """Say so and close with the closed client."""
        self.say(f"{result.label} is Closed now; its services are cancelled.")
        self.dismiss(result)
