"""Asked before a reply goes out when the client wrote meanwhile: "2 new messages since you
started writing", with those messages, so nobody answers a question the client has since
changed.

| Key(s) | Description |
| :- | :- |
| ctrl+s | Send the reply as written. |
| escape | Go back to writing (the messages count as read). |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from deskapp.services.conversation import ConversationMessage
from screens.widgets.untrusted import untrusted

__all__ = ["NewMessagesDialog", "new_messages_title"]

SHOWN_CHARACTERS = 2_000
"""How much of each new message the question shows (the conversation has the rest)."""


def new_messages_title(count: int) -> str:
    """ "1 new message since you started writing", "2 new messages ..."."""
    return f"{count} new message{'' if count == 1 else 's'} since you started writing"


class NewMessagesDialog(ModalScreen[bool]):
    """The client's new messages; dismisses True to send anyway, False to go on writing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send anyway", tooltip="Send the reply as it is written."),
        Binding("escape", "keep_writing", "Keep writing", tooltip="Go back to the reply."),
    ]

    def __init__(self, messages: Sequence[ConversationMessage]) -> None:
        super().__init__()
        self.messages = tuple(messages)
        """The client's messages that came after the writing began, oldest first."""

    def compose(self) -> ComposeResult:
        """The count, the messages, and the two answers."""
        with Vertical(id="new-messages-panel"):
            yield Static(Text(new_messages_title(len(self.messages))), id="new-messages-title")
            with VerticalScroll(id="new-messages-list"):
                for message in self.messages:
                    yield Static(_message_text(message), classes="new-message")
            with Horizontal(id="new-messages-buttons"):
                yield Button("Keep writing", id="keep-writing", variant="primary")
                yield Button("Send anyway (ctrl+s)", id="send-anyway", variant="warning")

    def on_mount(self) -> None:
        """Going back to writing is the safe default."""
        self.query_one("#keep-writing", Button).focus()

    def action_send(self) -> None:
        """Send the reply as written."""
        self.dismiss(True)

    def action_keep_writing(self) -> None:
        """Back to the reply."""
        self.dismiss(False)

    @on(Button.Pressed, "#send-anyway")
    def _send_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep-writing")
    def _keep_pressed(self) -> None:
        self.dismiss(False)


def _message_text(message: ConversationMessage) -> Text:
    head = Text.assemble(
        untrusted(message.author, limit=60, style="bold"),
        (f"  {message.created_at:%Y-%m-%d %H:%M}", "dim"),
    )
    return Text.assemble(
        head, "\n", untrusted(message.body, multiline=True, limit=SHOWN_CHARACTERS)
    )
