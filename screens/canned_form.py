"""Add or edit a canned reply: its title, the department it is offered in (or all of them), its
text with the fields it may use listed beside it, and a preview filled against a real ticket.

The preview follows the text as it is typed, for the ticket whose number is in the preview line
(the newest open ticket to begin with); the canned service fills it exactly as a reply would be
filled. Saving refuses fields no ticket fills, naming them, under the text.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Select, Static, TextArea

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied
from deskapp.services.canned import (
    FIELDS,
    CannedReplyView,
    get_canned_reply_view,
    preview_canned_reply,
    save_canned_reply,
)
from deskapp.services.departments import DepartmentView, list_department_views
from deskapp.services.tickets import QueueFilter, TicketSummary, list_queue
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput, InertTextArea
from screens.widgets.refusal_room import MakesRoomForRefusals
from screens.widgets.untrusted import untrusted

__all__ = ["ALL_DEPARTMENTS", "CannedReplyFormDialog", "find_ticket"]

ALL_DEPARTMENTS = "all"
"""The department choice of a reply offered in every department."""
PREVIEW_DELAY = 0.3
"""Seconds of quiet typing before the preview is filled again."""


@dataclass(frozen=True)
class CannedFormData:
    """What the form reads before it can be used."""

    departments: tuple[DepartmentView, ...]
    """Every department, for the choice."""
    reply: CannedReplyView | None
    """The reply edited (None for a new one)."""
    ticket: TicketSummary | None
    """The ticket the preview is filled for: the newest open one (None on an empty desk)."""


def find_ticket(number: str) -> TicketSummary | None:
    """The ticket numbered `number` (T-20311 or 20311), in any view; None without one; the
    newest open ticket when `number` is empty."""
    if not number.strip():
        newest = list_queue(QueueFilter(view="open", sort="activity"), None, 1)
        return newest[0] if newest else None
    found = list_queue(QueueFilter(view="all", search=number.strip()), None, 1)
    return found[0] if found and found[0].label.lower().endswith(number.strip().lower()) else None


class CannedReplyFormDialog(MakesRoomForRefusals, FormDialog[CannedReplyView]):
    """Add a canned reply (`reply_id` None) or edit one; dismisses the saved reply."""

    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)

    class _Previewed(Message, bubble=False):
        def __init__(self, ticket: TicketSummary | None, text: str, typed: str) -> None:
            super().__init__()
            self.ticket = ticket
            self.text = text
            self.typed = typed

    def __init__(self, reply_id: uuid.UUID | None = None) -> None:
        super().__init__()
        self.reply_id = reply_id
        """The reply edited, or None for a new one."""
        self.version: int | None = None
        """The version read; saving is refused if someone changed the reply since."""
        self.ticket: TicketSummary | None = None
        """The ticket the preview is filled for."""
        self._preview_timer: Timer | None = None

    def heading(self) -> str:
        """Add, or edit (the reply is named once loaded)."""
        return "Add a canned reply" if self.reply_id is None else "Edit canned reply…"

    def submit_label(self) -> str:
        """Add reply, or Save."""
        return "Add reply" if self.reply_id is None else "Save"

    def compose_fields(self) -> ComposeResult:
        """Title and department; the text with the fields beside it; the preview."""
        self.field_labels.update({"title": "Title", "body": "Text"})
        with VerticalScroll(id="form-body", classes="form-body"):
            with Horizontal(classes="form-row"):
                title = InertInput(id="title", compact=True, max_length=120)
                yield Vertical(self.label("Title"), title, classes="field")
                department = Select[str](
                    [(Text("All departments"), ALL_DEPARTMENTS)],
                    allow_blank=False,
                    value=ALL_DEPARTMENTS,
                    id="department",
                    compact=True,
                )
                yield Vertical(self.label("Offered in"), department, classes="field department")
            yield self.field_error("title")
            yield self.field_error("department")
            with Horizontal(classes="body-row"):
                body = InertTextArea(id="body", soft_wrap=True, compact=True, tab_behavior="focus")
                yield Vertical(self.label("Text"), body, classes="field body")
                fields = Text("\n".join("{" + name + "}" for name in FIELDS), style="dim")
                yield Vertical(
                    self.label("Fields it may use"),
                    Static(fields, id="field-names"),
                    classes="fields-aside",
                )
            yield self.field_error("body")
            with Horizontal(classes="preview-row"):
                yield Static(Text("Preview on ticket"), classes="field-label")
                yield InertInput(placeholder="T-20311", id="ticket", compact=True, max_length=20)
                yield Static(id="ticket-line")
            with VerticalScroll(id="preview"):
                yield Static(Text("…", style="dim"), id="preview-text")

    def load(self) -> CannedFormData:
        """The departments, the reply to edit, and the newest open ticket."""
        departments = tuple(list_department_views())
        reply = get_canned_reply_view(self.reply_id) if self.reply_id is not None else None
        return CannedFormData(departments, reply, find_ticket(""))

    def loaded(self, data: CannedFormData) -> None:
        """Fill the choice of departments and the form; preview on the newest open ticket."""
        choice = self.query_one("#department", Select)
        choice.set_options(
            [(Text("All departments"), ALL_DEPARTMENTS)]
            + [(untrusted(d.name, limit=30), d.id.hex) for d in data.departments]
        )
        reply = data.reply
        if reply is not None:
            self.version = reply.version
            self.set_heading(f"Edit the canned reply “{reply.title}”")
            self.query_one("#title", Input).value = reply.title
            self.query_one("#body", TextArea).text = reply.body
            if reply.department_id is not None:
                choice.value = reply.department_id.hex
        if data.ticket is not None:
            self.query_one("#ticket", Input).value = data.ticket.label
        self._show_ticket(data.ticket)
        self.query_one("#title", Input).focus()
        self._preview_soon(0)

    @on(TextArea.Changed, "#body")
    @on(Input.Changed, "#ticket")
    def _typed(self) -> None:
        self._preview_soon(PREVIEW_DELAY)

    def _preview_soon(self, delay: float) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(delay, self._preview) if delay else None
        if not delay:
            self._preview()

    def _preview(self) -> None:
        self._preview_timer = None
        typed = self.query_one("#ticket", Input).value
        self._fill_preview(self.query_one("#body", TextArea).text, typed, self.ticket)

    @work(thread=True, exit_on_error=False, exclusive=True, group="canned-preview")
    def _fill_preview(self, body: str, typed: str, known: TicketSummary | None) -> None:
        """Find the ticket typed (unless it is the one shown) and fill the text for it."""
        ticket = known if known is not None and known.label == typed.strip().upper() else None
        if ticket is None:
            ticket = find_ticket(typed) if typed.strip() else None
        text = preview_canned_reply(body, ticket.id, self.actor) if ticket is not None else ""
        self.post_message(self._Previewed(ticket, text, typed))

    @on(_Previewed)
    def _previewed(self, message: _Previewed) -> None:
        if message.typed != self.query_one("#ticket", Input).value:
            return  # typed on meanwhile: the next preview is on its way
        self.ticket = message.ticket
        self._show_ticket(message.ticket)
        shown = self.query_one("#preview-text", Static)
        if message.ticket is None:
            shown.update(Text("Type a ticket's number to see the text filled for it.", "dim"))
        elif not message.text.strip():
            shown.update(Text("(The text is empty.)", "dim"))
        else:
            shown.update(untrusted(message.text, multiline=True))

    def _show_ticket(self, ticket: TicketSummary | None) -> None:
        line = self.query_one("#ticket-line", Static)
        if ticket is None:
            typed = self.query_one("#ticket", Input).value.strip()
            line.update(Text(f"No ticket {typed}." if typed else "No open ticket.", "dim"))
            return
        line.update(
            Text.assemble(untrusted(ticket.client_name, limit=20), " · ")
            + untrusted(ticket.subject, limit=30, style="dim")
        )

    def values(self) -> dict[str, Any]:
        """What was typed; "All departments" is no department."""
        chosen = self.query_one("#department", Select).value
        department = uuid.UUID(chosen) if isinstance(chosen, str) and chosen != "all" else None
        return {
            "title": self.query_one("#title", Input).value,
            "body": self.query_one("#body", TextArea).text,
            "department_id": department,
        }

    def call_service(self, values: Mapping[str, Any]) -> CannedReplyView:
        """save_canned_reply, as the signed-in admin."""
        return save_canned_reply(self.actor, **values, reply_id=self.reply_id, version=self.version)

    def done(self, result: CannedReplyView) -> None:
        """Say what was saved and close with the reply."""
        verb = "Added" if self.reply_id is None else "Saved"
        where = f"for {result.department}" if result.department else "for every department"
        self.say(f"{verb} the canned reply “{result.title}” ({where}).")
        self.dismiss(result)
