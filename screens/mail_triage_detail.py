"""One mail waiting for triage, shown inert (it is text from a stranger), and what to do with it.

| Key(s) | Description |
| :- | :- |
| a | Attach it to an existing client (look the client up); it becomes their ticket. |
| c | Create the client from it (the form filled with the From name and address). |
| d | Discard it as spam (asks first). |
| r | Load it again. |
| escape | Back to the list. |
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker

from deskapp import clock
from deskapp.errors import NotFound
from deskapp.services.changes import Change, Entity
from deskapp.services.mail_triage import (
    UnassignedMailDetails,
    UnassignedMailRow,
    get_unassigned_mail,
)
from screens.messages import FollowsChanges
from screens.widgets.cells import duration_cell
from screens.widgets.conversation_view import UNVERIFIED_LABEL
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted

__all__ = ["UnassignedMailDetailScreen"]


class UnassignedMailDetailScreen(FollowsChanges, ReportsFailedWork, Screen[bool]):
    """The mail's From, department, age, subject, files and text; dismisses True once it was
    attached, made a client's or discarded (the list reloads)."""

    AREA_TITLE = "Unassigned mail"
    """The place's name in the header and the key list."""
    COMPONENT_CLASSES: ClassVar[set[str]] = {"triage--unverified"}
    """How the unverified sender's mark looks (styles/mail_triage.tcss)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a", "attach", "Attach", tooltip="Attach this mail to a client: it opens a ticket."
        ),
        Binding(
            "c",
            "create_client",
            "New client from it",
            tooltip="Add the sender as a client (name and address filled in) with this ticket.",
        ),
        Binding("d", "discard", "Discard", tooltip="Throw this mail away as spam (asks first)."),
        Binding("r", "refresh", "Refresh", show=False, tooltip="Load the mail again."),
        Binding("escape", "back", "Back", tooltip="Back to the mail waiting for triage."),
        *AREAS_NOT_IN_FOOTER,
    ]

    class _Loaded(Message, bubble=False):
        def __init__(self, details: UnassignedMailDetails) -> None:
            super().__init__()
            self.details = details

    def __init__(self, mail: UnassignedMailRow) -> None:
        super().__init__()
        self.mail = mail
        """The mail as the list showed it."""
        self.details: UnassignedMailDetails | None = None
        """The whole mail, once loaded."""

    def compose(self) -> ComposeResult:
        """Header, the mail's envelope, its text (scrolls), footer."""
        yield DeskHeader()
        yield Static(self._envelope(), id="envelope")
        with VerticalScroll(id="mail-text"):
            yield Static(Text("Loading…"), id="mail-body")
        yield DeskFooter()

    def on_mount(self) -> None:
        """Title the header, load the mail, follow what others decide about it."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.action_refresh()
        self.follow_changes()

    def shows_change(self, change: Change) -> bool:
        """This mail attached or discarded at another desk."""
        return change.entity == Entity.UNASSIGNED_MAIL and change.entity_id == str(self.mail.id)

    @work(thread=True, exit_on_error=False, group="triage-mail", name="load the mail")
    def action_refresh(self) -> None:
        """Load the mail (in a thread)."""
        self.post_message(self._Loaded(get_unassigned_mail(self.mail.id)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Someone else attached or discarded the mail meanwhile: back to the list (the app's
        notice says so)."""
        gone = isinstance(event.worker.error, NotFound) and self.app.screen is self
        if event.worker.group == "triage-mail" and gone:
            self.dismiss(True)

    @on(_Loaded)
    def _show(self, message: _Loaded) -> None:
        self.details = message.details
        self.mail = message.details.row
        self.query_one("#envelope", Static).update(self._envelope())
        self.query_one("#mail-body", Static).update(untrusted(message.details.body, multiline=True))

    def _envelope(self) -> Text:
        """From (marked when unverified), where it goes, how long it waits, subject, files."""
        mail = self.mail
        text = Text()
        _line(text, "From", untrusted(mail.sender, limit=64), first=True)
        if mail.unverified:
            text.append("  ")
            text.append(UNVERIFIED_LABEL, style=self.get_component_rich_style("triage--unverified"))
        waited = duration_cell(clock.now() - mail.received_at).plain
        _line(text, "Waiting", Text(f"{waited} (received {mail.received_at:%d %b %H:%M} UTC)"))
        if self.details is not None:
            department = self.details.department or "the default department"
            _line(text, "Goes to", untrusted(department, limit=40))
        _line(text, "Subject", untrusted(mail.subject, limit=140))
        if self.details is not None and self.details.filenames:
            _line(text, "Files", untrusted(", ".join(self.details.filenames), limit=140))
        return text

    def action_attach(self) -> None:
        """Look up the client, then file the mail as their ticket."""
        from screens.mail_triage_dialogs import AttachMailDialog

        self.app.push_screen(AttachMailDialog(self.mail), self._decided)

    def action_create_client(self) -> None:
        """The client form filled from the mail; saving also files the mail as their ticket."""
        from screens.mail_triage_dialogs import ClientFromMailScreen

        self.app.push_screen(ClientFromMailScreen(self.mail), self._decided)

    def action_discard(self) -> None:
        """Ask, then throw the mail away."""
        from screens.mail_triage_dialogs import DiscardMailDialog

        self.app.push_screen(DiscardMailDialog(self.mail), self._decided)

    def _decided(self, done: object) -> None:
        if done:
            self.dismiss(True)

    def action_back(self) -> None:
        """Back to the list."""
        self.dismiss(False)


def _line(text: Text, label: str, value: Text, *, first: bool = False) -> None:
    """Append "Label:   value" as a line of the envelope."""
    if not first:
        text.append("\n")
    text.append(f"{label + ':':<9}", style="bold")
    text.append_text(value)
