"""One mail of the outbox, opened: where it stands, the full error, its headers, its text (inert)
and its ticket; send it now, or be told why not.

| Key(s) | Description |
| :- | :- |
| s | Send it now: a queued or failed mail is due at the next `deskapp mail send`. |
| t | Open the ticket the mail belongs to. |
| r | Load the mail again. |
| escape | Back to the outbox. |
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from deskapp.errors import Conflict, NotFound, PermissionDenied
from deskapp.services.changes import Change, Entity
from deskapp.services.outbox import OutboxMailDetail, OutboxStatus, open_outbox_mail, retry_mail
from screens.messages import FollowsChanges
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.desk_session import desk_session
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted

__all__ = ["OutboxMailScreen", "mail_head"]


def _binding(key: str, action: str, description: str, tooltip: str, show: bool = True) -> Binding:
    return Binding(key, action, description, show=show, tooltip=tooltip, id=f"mail.{action}")


def _when(at: dt.datetime | None) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC" if at else ""


def mail_head(detail: OutboxMailDetail) -> Text:
    """Status and tries, when it goes (or went), to, subject, ticket, Message-ID."""
    mail = detail.mail
    state = Text(mail.status, style="bold")
    tries = f"{mail.attempts} tr{'y' if mail.attempts == 1 else 'ies'}"
    state.append(f" · {tries}")
    if mail.status == OutboxStatus.QUEUED:
        state.append(f" · next try {_when(mail.next_attempt_at)}")
    elif mail.status == OutboxStatus.SENT:
        state.append(f" · sent {_when(mail.sent_at)}")
    lines = [
        Text.assemble(("Status   ", "bold"), state),
        Text.assemble(("To       ", "bold"), untrusted(mail.to_address, limit=254)),
        Text.assemble(("Subject  ", "bold"), untrusted(mail.subject, limit=300)),
        Text.assemble(
            ("Ticket   ", "bold"),
            f"{mail.ticket_label} (t opens it)" if mail.ticket_label else "none",
        ),
        Text.assemble(("Queued   ", "bold"), _when(mail.created_at)),
        Text.assemble(("Mail ID  ", "bold"), untrusted(detail.message_id, limit=300)),
    ]
    return Text("\n").join(lines)


class OutboxMailScreen(FollowsChanges, ReportsFailedWork, Screen[bool]):
    """One outbox mail; dismisses True when it was queued again here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("s", "resend", "Send now", "Queue the mail for the next send (says why not)."),
        _binding("t", "ticket", "Its ticket", "Open the ticket the mail belongs to."),
        _binding("r", "refresh", "Refresh", "Load the mail again.", False),
        _binding("escape", "back", "Back", "Back to the outbox."),
        *AREAS_NOT_IN_FOOTER,
    ]

    AUTO_FOCUS = "#mail-scroll"
    AREA_TITLE = "Outbox mail"
    """The place's name in the header and the key list."""

    class _Loaded(Message, bubble=False):
        def __init__(self, detail: OutboxMailDetail) -> None:
            super().__init__()
            self.detail = detail

    class _Answered(Message, bubble=False):
        def __init__(self, sentence: str, *, refused: bool) -> None:
            super().__init__()
            self.sentence = sentence
            self.refused = refused

    def __init__(self, mail_id: uuid.UUID) -> None:
        super().__init__()
        self.mail_id = mail_id
        """Which mail."""
        self.detail: OutboxMailDetail | None = None
        """What is shown, once loaded."""
        self.changed = False
        """Whether the mail was queued again here (the outbox reloads)."""

    def compose(self) -> ComposeResult:
        """Header, the mail (head, error, the answer to `s`, its text), footer."""
        yield DeskHeader()
        with VerticalScroll(id="mail-scroll"):
            yield Static(Text("Loading…"), id="mail-head")
            yield Static(id="mail-full-error")
            yield Static(id="mail-answer")
            yield Static(id="mail-text")
        yield DeskFooter()

    def on_mount(self) -> None:
        """Load the mail; follow what the sender and other desks do to it."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.reload()
        self.follow_changes()

    def shows_change(self, change: Change) -> bool:
        """This mail (sent, failed, queued again) by any desk or sender."""
        return change.entity == Entity.OUTBOX and change.entity_id == str(self.mail_id)

    @work(thread=True, exit_on_error=False, group="mail", name="load the mail")
    def reload(self) -> None:
        """Load the mail again (in a thread)."""
        self.post_message(self._Loaded(open_outbox_mail(self.mail_id)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A mail that could not be loaded says so (the app's notice says why)."""
        if event.worker.group == "mail" and event.state is WorkerState.ERROR:
            if self.detail is None:
                self.query_one("#mail-head", Static).update(
                    Text("The mail could not be loaded; press r to try again.")
                )

    @on(_Loaded)
    def _show_mail(self, message: _Loaded) -> None:
        detail = self.detail = message.detail
        label = f" · {detail.mail.ticket_label}" if detail.mail.ticket_label else ""
        self.query_one(DeskHeader).area = f"{self.AREA_TITLE}{label}"
        self.query_one("#mail-head", Static).update(mail_head(detail))
        error = self.query_one("#mail-full-error", Static)
        error.update(
            Text.assemble(
                ("Last error: ", "bold"), untrusted(detail.mail.last_error, multiline=True)
            )
            if detail.mail.last_error
            else Text("")
        )
        error.set_class(bool(detail.mail.last_error), "-shown")
        self.query_one("#mail-text", Static).update(untrusted(detail.body, multiline=True))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The ticket key only for mail of a ticket; the rest once the mail is loaded."""
        if action == "ticket":
            return True if self.detail is not None and self.detail.ticket_id else None
        if action == "resend":
            return self.detail is not None
        return True

    def action_resend(self) -> None:
        """Send it at the next `deskapp mail send` (the service says why not, if not)."""
        if self.detail is not None:
            self._resend()

    @work(thread=True, exit_on_error=False, group="mail-resend", name="send the mail again")
    def _resend(self) -> None:
        try:
            retry_mail(desk_session(self).actor, self.mail_id)
        except (Conflict, NotFound, PermissionDenied) as refused:
            self.post_message(self._Answered(f"Not sent again: {refused}", refused=True))
            return
        self.post_message(
            self._Answered("Queued: it goes out with the next `deskapp mail send`.", refused=False)
        )

    @on(_Answered)
    def _show_answer(self, message: _Answered) -> None:
        answer = self.query_one("#mail-answer", Static)
        answer.update(untrusted(message.sentence))
        answer.set_class(True, "-shown")
        answer.set_class(message.refused, "-refused")
        if not message.refused:
            self.changed = True
            self.reload()

    def action_ticket(self) -> None:
        """The ticket the mail belongs to."""
        from screens.ticket_list import open_ticket_screen

        if self.detail is not None and self.detail.ticket_id is not None:
            open_ticket_screen(self.app, self.detail.ticket_id)

    def action_refresh(self) -> None:
        """Load the mail again."""
        self.reload()

    def action_back(self) -> None:
        """Back to the outbox (saying whether the mail was queued again)."""
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        self.dismiss(self.changed)
