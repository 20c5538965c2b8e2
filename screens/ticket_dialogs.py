"""The ticket's dialogs: the TicketDialog they share, and those that set the ticket's state.

Status, priority, assignee, tags and merging into another ticket; each is a FormDialog calling one
service. A service's refusal is shown in the dialog (under the field when it names one), and the
dialog stays open to correct it. The client's dialogs (subscribers, estimates, time) are in
ticket_client_dialogs.py, those about the conversation's text and files in conversation_dialogs.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from deskapp.errors import DeskError, ValidationError
from deskapp.services import ticket_actions
from deskapp.services.conversation import TicketDetail
from deskapp.services.tickets import QueueFilter, list_queue
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.form_dialog import FORM_ERROR, FormDialog
from screens.widgets.loaded_select import fill_select, loading_select
from screens.widgets.untrusted import untrusted

__all__ = [
    "AssignDialog",
    "MergeTicketDialog",
    "PriorityDialog",
    "StatusDialog",
    "TagsDialog",
    "TicketDialog",
]

STATUSES = ("Open", "Answered", "Customer-Reply", "On Hold", "In Progress", "Completed")
PRIORITIES = ("Low", "Medium", "High", "Urgent")
NOBODY = "nobody"
"""The assignee choice for no one."""


def _choices(names: Sequence[str], current: str, field: str) -> ChoiceBar:
    """A ChoiceBar of `names` with `current` chosen (quietly: nothing changed yet)."""
    bar = ChoiceBar([(name, name) for name in names], id=field)
    if current in names:
        bar.set_reactive(ChoiceBar.index, names.index(current))
    return bar


class TicketDialog(FormDialog[Any]):
    """A dialog about one ticket; says what it did and dismisses with the service's result
    (True when the service returns nothing), so the ticket screen reloads."""

    WORK_GROUP: ClassVar[str] = "ticket-dialog"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (DeskError,)

    def __init__(self, ticket: TicketDetail) -> None:
        super().__init__()
        self.ticket = ticket
        """The ticket as the screen last loaded it."""

    def done(self, result: Any) -> None:
        """Say what happened, then close with the result."""
        self.say(self.summary(result))
        self.dismiss(True if result is None else result)


class StatusDialog(TicketDialog):
    """Set the ticket's status."""

    SUBMIT = "Set status"

    def heading(self) -> str:
        """Names the ticket."""
        return f"Status of {self.ticket.label}"

    AUTO_FOCUS = "#status"

    def compose_fields(self) -> ComposeResult:
        """The six statuses, the current one chosen."""
        yield self.label("left / right choose; enter sets it")
        yield _choices(STATUSES, self.ticket.status, "status")
        yield self.field_error("status")

    def key_enter(self) -> None:
        """Enter on the choice sets it."""
        self.submit()

    def values(self) -> dict[str, Any]:
        """The chosen status."""
        return {"status": self.query_one("#status", ChoiceBar).value}

    def call_service(self, values: Mapping[str, Any]) -> None:
        """change_status."""
        ticket_actions.change_status(self.actor, self.ticket.id, values["status"])

    def summary(self, result: Any) -> str:
        """T-20311 is now On Hold."""
        return f"{self.ticket.label} is now {self.values()['status']}."


class PriorityDialog(StatusDialog):
    """Set the ticket's priority."""

    SUBMIT = "Set priority"

    def heading(self) -> str:
        """Names the ticket."""
        return f"Priority of {self.ticket.label}"

    AUTO_FOCUS = "#priority"

    def compose_fields(self) -> ComposeResult:
        """The four priorities, the current one chosen."""
        yield self.label("left / right choose; enter sets it")
        yield _choices(PRIORITIES, self.ticket.priority, "priority")
        yield self.field_error("priority")

    def values(self) -> dict[str, Any]:
        """The chosen priority."""
        return {"priority": self.query_one("#priority", ChoiceBar).value}

    def call_service(self, values: Mapping[str, Any]) -> None:
        """set_priority."""
        ticket_actions.set_priority(self.actor, self.ticket.id, values["priority"])

    def summary(self, result: Any) -> str:
        """T-20311 has priority High now."""
        return f"{self.ticket.label} has priority {self.values()['priority']} now."


class AssignDialog(TicketDialog):
    """Give the ticket to a staff member, or to nobody."""

    SUBMIT = "Assign"
    LOADS_FIRST = True

    def heading(self) -> str:
        """Names the ticket."""
        return f"Who works on {self.ticket.label}?"

    def compose_fields(self) -> ComposeResult:
        """The staff, loaded first."""
        yield self.field("Staff member", loading_select("assignee"))

    def load(self) -> Any:
        """list_staff."""
        return ticket_actions.list_staff()

    def loaded(self, data: Any) -> None:
        """Nobody first, then the staff; the current assignee chosen."""
        options: list[tuple[Text, str]] = [(Text("Nobody"), NOBODY)]
        options += [
            (untrusted(f"{staff.name} ({staff.username})", limit=60), str(staff.id))
            for staff in data
        ]
        select = self.query_one("#assignee", Select)
        current = self.ticket.assignee_id
        value = str(current) if current else NOBODY
        fill_select(select, options, prompt="Choose a staff member", value=value)
        select.focus()

    def values(self) -> dict[str, Any]:
        """The chosen staff member's id, or None for nobody."""
        value = self.query_one("#assignee", Select).value
        if not isinstance(value, str):
            raise ValidationError("assignee", "Choose a staff member, or Nobody.")
        return {"staff_id": None if value == NOBODY else uuid.UUID(value)}

    def call_service(self, values: Mapping[str, Any]) -> None:
        """assign."""
        ticket_actions.assign(self.actor, self.ticket.id, values["staff_id"])

    def summary(self, result: Any) -> str:
        """Assigned T-20311."""
        return f"Assigned {self.ticket.label}."


class TagsDialog(TicketDialog):
    """Set the ticket's tags (comma-separated)."""

    SUBMIT = "Save tags"

    def heading(self) -> str:
        """Names the ticket."""
        return f"Tags of {self.ticket.label}"

    def compose_fields(self) -> ComposeResult:
        """One line of tags."""
        yield self.field(
            "Tags, separated by commas",
            Input(self.ticket.tags, placeholder="fibre, lisbon", id="tags"),
        )

    def values(self) -> dict[str, Any]:
        """The tags as typed (the service normalises them)."""
        return {"tags": self.query_one("#tags", Input).value}

    def __init__(self, ticket: TicketDetail) -> None:
        super().__init__(ticket)
        self.seen_tags: str | None = ticket.tags
        """The tags as shown: saving is refused if someone changed them since (None: save
        over whatever they are, having seen theirs)."""

    def adopt_version(self, version: int) -> None:
        """Someone changed the tags meanwhile (shown beside these): saving again replaces
        theirs."""
        self.seen_tags = None

    def call_service(self, values: Mapping[str, Any]) -> None:
        """set_tags, refused if the tags changed since they were shown."""
        ticket_actions.set_tags(self.actor, self.ticket.id, values["tags"], self.seen_tags)

    def summary(self, result: Any) -> str:
        """Saved the tags of T-20311."""
        return f"Saved the tags of {self.ticket.label}."


class MergeTicketDialog(TicketDialog):
    """Merge this ticket into another ticket of the same client (this one is completed)."""

    SUBMIT = "Merge"
    SUBMIT_VARIANT = "error"
    LOADS_FIRST = True

    def heading(self) -> str:
        """Names the ticket."""
        return f"Merge {self.ticket.label} into another ticket of {self.ticket.client_label}"

    def compose_fields(self) -> ComposeResult:
        """The client's other tickets; what a merge does."""
        yield self.field("Into ticket", loading_select("target"))
        yield Static(
            Text(
                f"The messages, files, subscribers, estimates and time of {self.ticket.label} "
                "move to the chosen ticket; this one is completed with a note saying where."
            ),
            classes="note",
        )

    def load(self) -> Any:
        """The client's other tickets, latest activity first."""
        found = list_queue(QueueFilter(view="all", client_id=self.ticket.client_id), limit=100)
        return [ticket for ticket in found if ticket.id != self.ticket.id]

    def loaded(self, data: Any) -> None:
        """One option per ticket: number, status, subject."""
        if not data:
            self.load_failed = True
            self.refresh_submit()
            self.show_error(FORM_ERROR, f"{self.ticket.client_label} has no other ticket.")
            return
        select = self.query_one("#target", Select)
        fill_select(
            select,
            [
                (
                    Text.assemble(f"{t.label}  {t.status:<14} ", untrusted(t.subject, limit=40)),
                    str(t.id),
                )
                for t in data
            ],
            prompt="Choose the ticket to merge into",
        )
        select.focus()

    def values(self) -> dict[str, Any]:
        """The ticket to keep."""
        value = self.query_one("#target", Select).value
        if not isinstance(value, str):
            raise ValidationError("target", "Choose the ticket to merge into.")
        return {"kept_id": uuid.UUID(value)}

    def call_service(self, values: Mapping[str, Any]) -> uuid.UUID:
        """merge_tickets; the result is the kept ticket, which the screen shows next."""
        ticket_actions.merge_tickets(self.actor, values["kept_id"], self.ticket.id)
        return values["kept_id"]

    def summary(self, result: Any) -> str:
        """Merged T-20311 into the chosen ticket."""
        return f"Merged {self.ticket.label} into the chosen ticket."
