"""A ticket's history: who changed its status, assignee, priority and tags, and when (`h` on
the ticket screen), oldest first, so the conversation's quiet changes are not only in the audit
table.

| Key(s) | Description |
| :- | :- |
| escape | Close the history. |
| ? | List these keys. |
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from deskapp.services.conversation import TicketEvent, ticket_history
from screens.widgets.desk_footer import DeskFooter
from screens.widgets.untrusted import untrusted

__all__ = ["TicketHistoryDialog", "event_text"]

EMPTY = {"Assignee": "nobody", "Tags": "no tags"}
"""How an empty value reads, per field (status and priority are never empty)."""


def event_text(event: TicketEvent) -> Text:
    """One change as a line: "2026-03-14 09:30  Sam Reyes  Status: Open → In Progress"."""
    blank = EMPTY.get(event.what, "none")
    return Text.assemble(
        (f"{event.at:%Y-%m-%d %H:%M}  ", "dim"),
        untrusted(event.who, limit=40, style="bold"),
        f"  {event.what}: ",
        untrusted(event.before or blank, limit=60),
        " → ",
        untrusted(event.after or blank, limit=60),
    )


class TicketHistoryDialog(ModalScreen[None]):
    """The changes of one ticket, read in a thread when the dialog opens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Close the history."),
        # The app's keys stop at a dialog; the key list is still one key away.
        Binding("question_mark", "app.show_keys", "Keys", tooltip="List the keys of this dialog."),
    ]

    class _Loaded(Message, bubble=False):
        def __init__(self, events: Sequence[TicketEvent]) -> None:
            super().__init__()
            self.events = tuple(events)

    def __init__(self, ticket_id: uuid.UUID, label: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        """Whose history."""
        self.label = label
        """The ticket's number as people say it (T-20311)."""

    def compose(self) -> ComposeResult:
        """The title, the changes (loading at first), a close button, and the footer's keys."""
        with Vertical(id="history-panel"):
            yield Static(Text(f"History of {self.label}"), id="history-title")
            with VerticalScroll(id="history-list"):
                yield Static(Text("Loading…"), id="history-lines")
            with Horizontal(id="history-buttons"):
                yield Button("Close", id="history-close", variant="primary")
        yield DeskFooter()

    def on_mount(self) -> None:
        """Read the history."""
        self.query_one("#history-close", Button).focus()
        self._load()

    @work(thread=True, exit_on_error=False, name="load the ticket's history")
    def _load(self) -> None:
        self.post_message(self._Loaded(ticket_history(self.ticket_id)))

    @on(_Loaded)
    def _show(self, message: _Loaded) -> None:
        lines = [event_text(event) for event in message.events]
        shown = (
            Text("\n").join(lines)
            if lines
            else Text("No status, assignee, priority or tag changes yet.")
        )
        self.query_one("#history-lines", Static).update(shown)

    def action_close(self) -> None:
        """Close the history."""
        self.dismiss(None)

    @on(Button.Pressed, "#history-close")
    def _close_pressed(self) -> None:
        self.dismiss(None)
