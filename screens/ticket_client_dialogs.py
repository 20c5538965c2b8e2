"""The ticket's dialogs about its client: who of the client's contacts follows the ticket,
estimates the client approves or declines, and time drawn from the client's prepaid support.

Each is a TicketDialog (ticket_dialogs.py) calling one service; a refusal stays in the dialog.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, Select, Static

from deskapp.errors import ValidationError
from deskapp.money import Money
from deskapp.services import ticket_actions
from deskapp.services.contacts import list_contacts
from deskapp.services.conversation import TicketDetail
from deskapp.text import is_number
from screens.client_sections import support_time
from screens.ticket_dialogs import TicketDialog
from screens.widgets.loaded_select import fill_select, loading_select
from screens.widgets.untrusted import untrusted

__all__ = [
    "DecideEstimateDialog",
    "LogTimeDialog",
    "ProposeEstimateDialog",
    "SubscribersDialog",
    "parse_minutes",
]

_DURATION = re.compile(r"^(?:(?P<h>\d+(?:[.,]\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")


def parse_minutes(text: str, field: str = "minutes") -> int:
    """Minutes from what a person types: "45", "45m", "1h 30m", "1.5h", "1:30"."""
    typed = text.strip().lower()
    minutes: float | None = None
    if is_number(typed):
        minutes = int(typed)
    elif re.fullmatch(r"\d+:[0-5]\d", typed):
        hours, rest = typed.split(":")
        minutes = int(hours) * 60 + int(rest)
    elif typed and (match := _DURATION.match(typed)):
        minutes = float((match["h"] or "0").replace(",", ".")) * 60 + int(match["m"] or 0)
    if minutes is None or minutes != int(minutes) or minutes <= 0:
        raise ValidationError(field, "Type the time like 45, 45m, 1h 30m or 1:30.")
    return int(minutes)


class SubscribersDialog(TicketDialog):
    """Subscribe another contact of the client to the ticket, or unsubscribe one."""

    SUBMIT = "Subscribe"
    LOADS_FIRST = True

    def heading(self) -> str:
        """Names the ticket."""
        return f"Who follows {self.ticket.label}?"

    def compose_fields(self) -> ComposeResult:
        """The current subscribers and the client's contacts."""
        yield Static(self._subscribed(), id="subscribed", classes="note")
        yield self.field("Contact", loading_select("contact"))

    def _subscribed(self) -> Text:
        if not self.ticket.subscribers:
            return Text("Nobody else follows this ticket.")
        line = Text("Following: ")
        for index, subscriber in enumerate(self.ticket.subscribers):
            if index:
                line.append(", ")
            line.append_text(untrusted(subscriber.name, limit=40))
        return line

    def load(self) -> Any:
        """The client's contacts."""
        return list_contacts(self.ticket.client_id)

    def loaded(self, data: Any) -> None:
        """Each contact, marked when subscribed or the ticket's own."""
        subscribed = {subscriber.contact_id for subscriber in self.ticket.subscribers}
        options = []
        for contact in data:
            label = untrusted(f"{contact.name} <{contact.email}>", limit=60)
            if contact.id in subscribed:
                label.append("  (following)", style="bold")
            elif contact.id == self.ticket.contact_id:
                label.append("  (the ticket's contact)", style="dim")
            options.append((label, str(contact.id)))
        select = self.query_one("#contact", Select)
        fill_select(select, options, prompt="Choose a contact")
        select.focus()

    @on(Select.Changed, "#contact")
    def _chosen(self) -> None:
        self.query_one("#submit", Button).label = (
            "Unsubscribe" if self._chosen_subscribed() else "Subscribe"
        )

    def _chosen_subscribed(self) -> bool:
        value = self.query_one("#contact", Select).value
        return any(str(s.contact_id) == value for s in self.ticket.subscribers)

    def values(self) -> dict[str, Any]:
        """The chosen contact and whether it is to be unsubscribed."""
        value = self.query_one("#contact", Select).value
        if not isinstance(value, str):
            raise ValidationError("contact", "Choose a contact.")
        return {"contact_id": uuid.UUID(value), "remove": self._chosen_subscribed()}

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """add_subscriber or remove_subscriber."""
        if values["remove"]:
            ticket_actions.remove_subscriber(self.actor, self.ticket.id, values["contact_id"])
        else:
            ticket_actions.add_subscriber(self.actor, self.ticket.id, values["contact_id"])
        return bool(values["remove"])

    def summary(self, result: Any) -> str:
        """Unsubscribed / subscribed the contact."""
        return f"{'Unsubscribed' if result else 'Subscribed'} the contact on {self.ticket.label}."


class ProposeEstimateDialog(TicketDialog):
    """Propose work with its price and time, for the client to approve or decline."""

    SUBMIT = "Propose"

    def heading(self) -> str:
        """Names the ticket."""
        return f"Propose an estimate on {self.ticket.label}"

    def compose_fields(self) -> ComposeResult:
        """What, how much, how long."""
        yield self.field("What the work is", Input(placeholder="Replace the ONT", id="description"))
        yield self.field("Price", Input(placeholder="120.00", id="amount", classes="short"))
        yield self.field("Time", Input(placeholder="1h 30m", id="minutes", classes="short"))

    def values(self) -> dict[str, Any]:
        """The description, the price in cents and the minutes."""
        return {
            "description": self.query_one("#description", Input).value,
            "amount_cents": Money.parse(self.query_one("#amount", Input).value).cents,
            "minutes": parse_minutes(self.query_one("#minutes", Input).value),
        }

    def call_service(self, values: Mapping[str, Any]) -> Any:
        """propose_estimate."""
        return ticket_actions.propose_estimate(
            self.actor,
            self.ticket.id,
            values["description"],
            values["amount_cents"],
            values["minutes"],
        )

    def summary(self, result: Any) -> str:
        """Proposed 120.00 on T-20311."""
        return f"Proposed {Money(result.amount_cents)} on {self.ticket.label}."


class DecideEstimateDialog(TicketDialog):
    """Record the client's answer to a proposed estimate: approved or declined."""

    SUBMIT = "Approve"
    SUBMIT_VARIANT = "success"

    def __init__(self, ticket: TicketDetail) -> None:
        super().__init__(ticket)
        self._approved = True

    def heading(self) -> str:
        """Names the ticket."""
        return f"The client's answer to an estimate on {self.ticket.label}"

    def _proposed(self) -> list[Any]:
        return [e for e in self.ticket.estimates if e.status == "Proposed"]

    def compose_fields(self) -> ComposeResult:
        """The proposed estimates."""
        options = [
            (
                untrusted(f"{Money(e.amount_cents)} · {e.minutes} min · {e.description}", limit=70),
                str(e.id),
            )
            for e in self._proposed()
        ]
        select = Select[str](
            options,
            prompt="No estimate waits for an answer",
            value=options[0][1] if options else Select.BLANK,
            id="estimate",
        )
        yield self.field("Estimate", select)

    def compose_decisions(self) -> ComposeResult:
        """Decline, beside Approve (Cancel comes last)."""
        yield Button("Decline", variant="error", id="decline")

    @on(Button.Pressed, "#decline")
    def decline(self) -> None:
        """Record a decline (the submit button records an approval)."""
        self._approved = False
        try:
            self.submit()
        finally:
            self._approved = True

    def values(self) -> dict[str, Any]:
        """The chosen estimate and the answer."""
        value = self.query_one("#estimate", Select).value
        if not isinstance(value, str):
            raise ValidationError("estimate", "Choose the estimate the client answered.")
        return {"estimate_id": uuid.UUID(value), "approved": self._approved}

    def call_service(self, values: Mapping[str, Any]) -> Any:
        """decide_estimate."""
        return ticket_actions.decide_estimate(self.actor, values["estimate_id"], values["approved"])

    def summary(self, result: Any) -> str:
        """The estimate of 120.00 is Approved."""
        return f"The estimate of {Money(result.amount_cents)} is {result.status}."


class LogTimeDialog(TicketDialog):
    """Log time spent on the ticket, drawn from the client's prepaid support."""

    SUBMIT = "Log time"

    def heading(self) -> str:
        """Names the ticket and what prepaid time is left."""
        left = support_time(self.ticket.support_minutes_left).plain
        return f"Log time on {self.ticket.label} (prepaid support left: {left})"

    def compose_fields(self) -> ComposeResult:
        """Time and a note."""
        yield self.field("Time", Input(placeholder="45m or 1h 30m", id="minutes", classes="short"))
        yield self.field("Note (optional)", Input(placeholder="Line test", id="note"))

    def values(self) -> dict[str, Any]:
        """The minutes and the note."""
        return {
            "minutes": parse_minutes(self.query_one("#minutes", Input).value),
            "note": self.query_one("#note", Input).value,
        }

    def call_service(self, values: Mapping[str, Any]) -> Any:
        """log_time (refuses more than the client has left)."""
        return ticket_actions.log_time(
            self.actor, self.ticket.id, values["minutes"], values["note"]
        )

    def summary(self, result: Any) -> str:
        """Logged 45 min on T-20311."""
        return f"Logged {result.minutes} min on {self.ticket.label}."
