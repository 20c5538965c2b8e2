"""Deleting a client: the most destructive action asks for the client's number to be typed.

Everything of the client goes except its payment transactions, which are income: they stay,
with the client's name on them. The service refuses anyone but an admin and checks the typed
number again; the Delete button stays off until the number is typed exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from deskapp.errors import DeskError, NotFound, PermissionDenied
from deskapp.money import Money
from deskapp.services import clients
from deskapp.services.client_merge import delete_client
from deskapp.services.client_profile import ClientProfile
from deskapp.services.rights import Right, allows
from screens.widgets.form_dialog import FormDialog

__all__ = ["DeleteClientDialog", "deleted_text"]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def deleted_text(profile: ClientProfile) -> Text:
    """What deleting the client removes, and what stays."""
    invoices = len(profile.recent_invoices)
    invoice_phrase = (
        "no invoices"
        if not invoices
        else f"its {_count(invoices, 'invoice', 'invoices')}"
        if invoices < 10
        else "all its invoices"
    )
    parts = [
        _count(len(profile.contacts), "contact", "contacts"),
        _count(profile.service_count, "service", "services"),
        f"every ticket ({profile.open_ticket_count} open)",
        f"every order ({profile.pending_order_count} pending)",
        invoice_phrase,
        f"the credit ledger ({Money(profile.credit_cents)} credit)",
    ]
    return Text.assemble(
        "Deleted with it: ",
        ", ".join(parts),
        ".\n",
        "Its payment transactions stay (income), keeping the client's name on them.\n",
        "Closing the client (its status) keeps the history instead.",
    )


class DeleteClientDialog(FormDialog[bool]):
    """Confirm deleting a client by typing its number (C-1042); admins only. Dismisses True once
    deleted."""

    SUBMIT = "Delete"
    SUBMIT_VARIANT = "error"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (PermissionDenied, NotFound)

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__()
        self.client_id = client_id
        """The client to delete."""
        self.profile: ClientProfile | None = None
        """The client, once loaded."""

    def heading(self) -> str:
        """Names the client once loaded."""
        return "Delete a client…"

    def compose_fields(self) -> ComposeResult:
        """The admin note, what goes and what stays, the number to type."""
        note = Static(Text("Only an admin can delete clients."), id="admin-note")
        note.display = not allows(self.actor, Right.DELETE_CLIENT)
        yield note
        yield Static(Text("Loading the client…"), id="deleted", classes="note")
        yield self.label("Type the client's number to confirm")
        yield Input(id="typed_number")
        yield self.field_error("typed_number")

    def load(self) -> ClientProfile:
        """The client: its number, name and what it has."""
        return clients.get_client(self.client_id)

    def loaded(self, data: ClientProfile) -> None:
        """Name the client, count what goes, ask for its number."""
        self.profile = data
        self.set_heading(f"Delete {data.label} ({data.name}) and everything of it?")
        self.query_one("#deleted", Static).update(deleted_text(data))
        typed = self.query_one("#typed_number", Input)
        self.query_one(".field-label", Static).update(Text(f"Type {data.label} to confirm"))
        typed.focus()

    @on(Input.Changed, "#typed_number")
    def _typed(self) -> None:
        self.refresh_submit()

    def submit_allowed(self) -> bool:
        """An admin who typed the client's number exactly."""
        if self.profile is None or not allows(self.actor, Right.DELETE_CLIENT):
            return False
        return self.query_one("#typed_number", Input).value == self.profile.label

    def values(self) -> dict[str, Any]:
        """The number as typed (the service checks it again)."""
        return {"typed_number": self.query_one("#typed_number", Input).value}

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """delete_client (admins only)."""
        delete_client(self.actor, self.client_id, values["typed_number"])
        return True

    def done(self, result: bool) -> None:
        """Say so and close with True."""
        if self.profile is not None:
            self.say(f"Deleted {self.profile.label} ({self.profile.name}).")
        self.dismiss(True)
