"""What staff decide about a mail waiting for triage: attach it to a client, create the client
from it (the client form, filled from the mail), or discard it. Each is one service call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from deskapp.errors import Conflict, DeskError, NotFound, ValidationError
from deskapp.services.clients import ClientSummary
from deskapp.services.mail_triage import (
    UnassignedMailRow,
    attach_unassigned_mail,
    create_client_from_mail,
    discard_unassigned_mail,
    split_name,
)
from deskapp.services.tickets import TicketSummary
from screens.client_form import CLIENT_FIELDS, ClientFormScreen
from screens.widgets.client_lookup import ClientLookup
from screens.widgets.form_dialog import FormDialog
from screens.widgets.untrusted import untrusted

__all__ = ["AttachMailDialog", "ClientFromMailScreen", "DiscardMailDialog"]

LOOKUP_LIMIT = 5
"""How many clients the lookup offers; a longer list means the query needs another word."""


def _about(mail: UnassignedMailRow) -> Static:
    """Which mail the dialog is about: From and Subject, inert."""
    return Static(
        Text.assemble(
            ("From: ", "bold"),
            untrusted(mail.sender, limit=60),
            "\n",
            ("Subject: ", "bold"),
            untrusted(mail.subject, limit=60),
        ),
        id="mail-summary",
    )


def _client_line(client: ClientSummary) -> Text:
    """A client the lookup found: number, name, company, email."""
    who = client.name + (f", {client.company}" if client.company else "")
    return Text.assemble(
        (client.label, "bold"),
        " ",
        untrusted(who, limit=40),
        "  ",
        untrusted(client.email, limit=30),
    )


class AttachMailDialog(FormDialog[TicketSummary]):
    """Pick the client the mail is from; it becomes their ticket. Dismisses the ticket."""

    QUESTION = "Attach this mail to a client"
    SUBMIT = "Attach"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound)

    def __init__(self, mail: UnassignedMailRow) -> None:
        super().__init__()
        self.mail = mail
        """The waiting mail."""
        self.client: ClientSummary | None = None
        """The client picked in the lookup."""

    def compose_fields(self) -> ComposeResult:
        """The mail, the client lookup, the client chosen."""
        yield _about(self.mail)
        yield self.label("Client (number, email or name)")
        yield ClientLookup(
            "client",
            describe=_client_line,
            limit=LOOKUP_LIMIT,
            placeholder="C-1042, an email or a name",
        )
        yield Static(Text("No client chosen yet.", style="dim"), id="client-chosen")
        yield self.field_error("client")

    def on_mount(self) -> None:
        """Start in the lookup."""
        self.query_one(ClientLookup).box.focus()

    @on(ClientLookup.Chosen)
    def _chosen(self, message: ClientLookup.Chosen) -> None:
        self.client = message.client
        message.lookup.show_chosen(message.client.label)
        chosen = self.query_one("#client-chosen", Static)
        chosen.update(Text.assemble("For ", _client_line(message.client)))
        self.query_one("#submit").focus()

    @on(ClientLookup.Dropped)
    def _dropped(self) -> None:
        self.client = None
        self.query_one("#client-chosen", Static).update(Text("No client chosen yet.", style="dim"))

    def values(self) -> dict[str, Any]:
        """The client picked; the form says so when none is."""
        if self.client is None:
            raise ValidationError("client", "Pick the client this mail is from first.")
        return {"client_id": self.client.id}

    def call_service(self, values: Mapping[str, Any]) -> TicketSummary:
        """attach_unassigned_mail, as the signed-in staff member."""
        return attach_unassigned_mail(self.actor, self.mail.id, values["client_id"])

    def done(self, result: TicketSummary) -> None:
        """Say which ticket it became and close."""
        client = self.client.label if self.client else "the client"
        self.say(f"Opened {result.label} for {client} from the mail of {self.mail.from_address}.")
        self.dismiss(result)


class ClientFromMailScreen(ClientFormScreen):
    """The client form filled with the mail's From name (split) and address; saving adds the
    client and files the mail as their first ticket, together."""

    def __init__(self, mail: UnassignedMailRow) -> None:
        super().__init__()
        self.mail = mail
        """The waiting mail the client is created from."""
        self.opened = ""
        """The ticket the mail became (T-20312), once saved."""

    def heading(self) -> str:
        """Whose mail the client comes from."""
        return f"Add a client from the mail of {self.mail.from_address}"

    def on_mount(self) -> None:
        """Fill in the From name and address (ClientFormScreen's own mount runs too)."""
        first, last = split_name(self.mail.from_name, self.mail.from_address)
        self.query_one("#first_name", Input).value = first
        self.query_one("#last_name", Input).value = last
        self.query_one("#email", Input).value = self.mail.from_address
        self.query_one("#first_name", Input).focus()

    def call_service(self, values: Mapping[str, Any]) -> Any:
        """create_client_from_mail: the client and the ticket in one transaction."""
        typed = {name: values.get(name, "") for name in CLIENT_FIELDS}
        return create_client_from_mail(
            self.actor, self.mail.id, typed, queue_welcome=bool(values["queue_welcome"])
        )

    def done(self, result: Any) -> None:
        """Say what was added and close with the client's id."""
        client, ticket = result
        mail = "; a welcome email is queued" if self.values().get("queue_welcome") else ""
        self.opened = ticket.label
        self.say(f"Added {client.label} ({client.name}) and opened {ticket.label}{mail}.")
        self.dismiss(client.id)


class DiscardMailDialog(FormDialog[bool]):
    """Throw the waiting mail away as spam, after saying what that means; dismisses True."""

    QUESTION = "Discard this mail as spam?"
    SUBMIT = "Discard"
    SUBMIT_VARIANT = "error"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (NotFound,)

    def __init__(self, mail: UnassignedMailRow) -> None:
        super().__init__()
        self.mail = mail
        """The waiting mail."""

    def compose_fields(self) -> ComposeResult:
        """Which mail, and that it is kept nowhere."""
        yield _about(self.mail)
        yield Static(
            Text("It is deleted for good: no ticket, no copy; the audit log notes who did it."),
            id="mail-consequence",
        )

    def on_mount(self) -> None:
        """Focus the button that decides."""
        self.query_one("#submit").focus()

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """discard_unassigned_mail, as the signed-in staff member."""
        discard_unassigned_mail(self.actor, self.mail.id)
        return True

    def done(self, result: bool) -> None:
        """Say what happened and close."""
        self.say(f"Discarded the mail from {self.mail.from_address}.")
        self.dismiss(True)
