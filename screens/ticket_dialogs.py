"""The small dialogs of the ticket screen and its composer: each a FormDialog calling one service.

Status, assignee, priority, tags, subscribers, estimates (propose; approve or decline for the
client), time, merge and saving an attachment act on the ticket; the canned-reply picker and the
file to attach feed the composer. A service's refusal is shown in the dialog (under the field
when it names one), and the dialog stays open to correct it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from deskapp.errors import DeskError, ValidationError
from deskapp.money import Money
from deskapp.services import attachments, canned, ticket_actions
from deskapp.services.contacts import list_contacts
from deskapp.services.conversation import TicketDetail
from deskapp.services.tickets import QueueFilter, list_queue
from screens.client_sections import support_time
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.conversation_view import size_text
from screens.widgets.form_dialog import FORM_ERROR, FormDialog
from screens.widgets.untrusted import untrusted

__all__ = [
    "AssignDialog",
    "AttachFileDialog",
    "CannedReplyDialog",
    "DecideEstimateDialog",
    "LogTimeDialog",
    "MergeTicketDialog",
    "PriorityDialog",
    "ProposeEstimateDialog",
    "SaveAttachmentDialog",
    "StatusDialog",
    "SubscribersDialog",
    "TagsDialog",
    "TicketDialog",
    "parse_minutes",
]

STATUSES = ("Open", "Answered", "Customer-Reply", "On Hold", "In Progress", "Completed")
PRIORITIES = ("Low", "Medium", "High", "Urgent")
NOBODY = "nobody"
"""The assignee choice for no one."""
_DURATION = re.compile(r"^(?:(?P<h>\d+(?:[.,]\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")


def parse_minutes(text: str, field: str = "minutes") -> int:
    """Minutes from what a person types: "45", "45m", "1h 30m", "1.5h", "1:30"."""
    typed = text.strip().lower()
    minutes: float | None = None
    if typed.isdigit():
        minutes = int(typed)
    elif re.fullmatch(r"\d+:[0-5]\d", typed):
        hours, rest = typed.split(":")
        minutes = int(hours) * 60 + int(rest)
    elif typed and (match := _DURATION.match(typed)):
        minutes = float((match["h"] or "0").replace(",", ".")) * 60 + int(match["m"] or 0)
    if minutes is None or minutes != int(minutes) or minutes <= 0:
        raise ValidationError(field, "Type the time like 45, 45m, 1h 30m or 1:30.")
    return int(minutes)


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
        yield self.field("Staff member", Select[str]([], prompt="Loading…", id="assignee"))

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
        select.set_options(options)
        current = self.ticket.assignee_id
        select.value = str(current) if current else NOBODY
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

    def call_service(self, values: Mapping[str, Any]) -> None:
        """set_tags."""
        ticket_actions.set_tags(self.actor, self.ticket.id, values["tags"])

    def summary(self, result: Any) -> str:
        """Saved the tags of T-20311."""
        return f"Saved the tags of {self.ticket.label}."


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
        yield self.field("Contact", Select[str]([], prompt="Loading…", id="contact"))

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
        select.set_options(options)
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

    def compose_buttons(self) -> ComposeResult:
        """Approve, Cancel, Decline."""
        yield from super().compose_buttons()
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
        yield self.field("Into ticket", Select[str]([], prompt="Loading…", id="target"))
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
        select.set_options(
            [
                (
                    Text.assemble(f"{t.label}  {t.status:<14} ", untrusted(t.subject, limit=40)),
                    str(t.id),
                )
                for t in data
            ]
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


class SaveAttachmentDialog(TicketDialog):
    """Save one of the ticket's files to a folder or file on this computer."""

    SUBMIT = "Save"

    def __init__(self, ticket: TicketDetail, default_folder: Path) -> None:
        super().__init__(ticket)
        self.default_folder = default_folder
        """The folder offered."""
        self._replace: Path | None = None

    def heading(self) -> str:
        """Names the ticket."""
        return f"Save a file of {self.ticket.label}"

    def compose_fields(self) -> ComposeResult:
        """Which file, where to."""
        options = [
            (
                Text.assemble(untrusted(a.filename, limit=50), (f"  {size_text(a.size)}", "dim")),
                str(a.id),
            )
            for a in self.ticket.attachments
        ]
        newest = options[-1][1] if options else Select.BLANK
        yield self.field(
            "File",
            Select[str](options, prompt="The ticket has no files", value=newest, id="file"),
        )
        yield self.field(
            "Save to (a folder keeps the file's name)", Input(str(self.default_folder), id="path")
        )

    def values(self) -> dict[str, Any]:
        """The file and the path; replacing an existing file needs a second press."""
        value = self.query_one("#file", Select).value
        if not isinstance(value, str):
            raise ValidationError("file", "Choose the file to save.")
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            raise ValidationError("path", "Type the folder or file to save to.")
        path = Path(typed).expanduser()
        chosen = next(a for a in self.ticket.attachments if str(a.id) == value)
        target = path / attachments.safe_filename(chosen.filename) if path.is_dir() else path
        if target.is_file() and self._replace != target:
            self._replace = target
            raise ValidationError("path", f"{target} exists; press Save again to replace it.")
        return {"id": chosen.id, "path": path, "overwrite": self._replace == target}

    def call_service(self, values: Mapping[str, Any]) -> Path:
        """save_attachment."""
        return attachments.save_attachment(
            values["id"], values["path"], overwrite=values["overwrite"]
        )

    def summary(self, result: Any) -> str:
        """Saved the file to /home/kim/x.pdf."""
        return f"Saved the file to {result}."


class CannedReplyDialog(FormDialog[str]):
    """Pick a canned reply of the ticket's department (or a general one); returns its text
    filled in for the ticket."""

    QUESTION = "Insert a canned reply"
    SUBMIT = "Insert"
    LOADS_FIRST = True
    WORK_GROUP: ClassVar[str] = "ticket-dialog"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (DeskError,)

    def __init__(self, ticket_id: uuid.UUID, department_id: uuid.UUID | None) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        """The ticket the reply is filled in for."""
        self.department_id = department_id
        """Whose canned replies are offered (with the general ones)."""

    def compose_fields(self) -> ComposeResult:
        """The replies, by title."""
        yield OptionList(id="canned")
        yield self.field_error("canned")

    def load(self) -> Any:
        """list_canned_replies."""
        return canned.list_canned_replies(self.department_id)

    def loaded(self, data: Sequence[Any]) -> None:
        """One option per reply: title and department."""
        options = self.query_one("#canned", OptionList)
        options.add_options(
            Option(
                Text.assemble(
                    untrusted(choice.title, limit=50),
                    (f"  {untrusted(choice.department or 'general', limit=20).plain}", "dim"),
                ),
                id=str(choice.id),
            )
            for choice in data
        )
        if data:
            options.highlighted = 0
        else:
            self.show_error("canned", "There are no canned replies yet.")
        options.focus()

    @on(OptionList.OptionSelected, "#canned")
    def _picked(self) -> None:
        self.submit()

    def values(self) -> dict[str, Any]:
        """The highlighted reply."""
        options = self.query_one("#canned", OptionList)
        if options.highlighted is None:
            raise ValidationError("canned", "Choose a canned reply.")
        return {"id": uuid.UUID(options.get_option_at_index(options.highlighted).id or "")}

    def call_service(self, values: Mapping[str, Any]) -> str:
        """fill_canned_reply."""
        return canned.fill_canned_reply(values["id"], self.ticket_id, self.actor)


class AttachFileDialog(FormDialog[Path]):
    """Ask for a file to send with the reply or note (it is read when the message is sent)."""

    QUESTION = "Attach a file"
    SUBMIT = "Attach"
    WORK_GROUP: ClassVar[str] = "ticket-dialog"

    def compose_fields(self) -> ComposeResult:
        """The path."""
        limit = size_text(attachments.MAX_ATTACHMENT_BYTES)
        yield self.field(
            f"File (at most {limit})", Input(placeholder="~/Downloads/speedtest.png", id="path")
        )

    def values(self) -> dict[str, Any]:
        """The typed path, ~ expanded."""
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            raise ValidationError("path", "Type the path of the file to attach.")
        return {"path": Path(typed).expanduser()}

    def call_service(self, values: Mapping[str, Any]) -> Path:
        """Check the file can be sent (read_attachment_file: exists, a file, readable, small
        enough); it is read again when the message is sent."""
        attachments.read_attachment_file(values["path"])
        return Path(values["path"])
