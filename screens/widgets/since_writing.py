"""The composer's check before a reply goes out: what did the client write since it was begun?

The composer takes a mark (deskapp.services.conversation.writing_mark) when a reply is opened;
before sending, `client_wrote_since` asks what came after it, and if anything did, the screen
is asked first (`NewMessagesFirst`: it shows them and answers with `send_anyway` or
`keep_writing`). Notes never ask: the client does not read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.containers import Vertical
from textual.message import Message

if TYPE_CHECKING:
    from deskapp.services.conversation import ConversationMessage, WritingMark

__all__ = ["AsksAboutNewMessages"]


class AsksAboutNewMessages(Vertical):
    """The composer's part that remembers where the conversation stood when a reply began."""

    class NewMessagesFirst(Message):
        """The client wrote since the reply was begun: the screen shows `messages` and asks;
        then `send_anyway()` or `keep_writing()`."""

        def __init__(
            self, composer: AsksAboutNewMessages, messages: Sequence[ConversationMessage]
        ) -> None:
            super().__init__()
            self.composer = composer
            """The composer."""
            self.messages = tuple(messages)
            """The client's new messages, oldest first."""

    class _Marked(Message, bubble=False):
        def __init__(self, mark: WritingMark) -> None:
            super().__init__()
            self.mark = mark

    class _NewMessages(Message, bubble=False):
        def __init__(self, messages: list[ConversationMessage]) -> None:
            super().__init__()
            self.messages = messages

    ticket_id: uuid.UUID
    mark: WritingMark | None = None
    """Where the conversation stood when this reply was begun (None: not taken yet)."""

    def take_mark(self) -> None:
        """Remember (in a thread) where the conversation stands, unless this reply has a mark."""
        if self.mark is not None and self.mark.ticket_id == self.ticket_id:
            return
        self.run_worker(
            partial(self._take_mark, self.ticket_id),
            thread=True,
            exit_on_error=False,
            group="composer-mark",
        )

    def _take_mark(self, ticket_id: uuid.UUID) -> None:
        from deskapp.services.conversation import writing_mark

        self.post_message(self._Marked(writing_mark(ticket_id)))

    @on(_Marked)
    def _marked(self, message: _Marked) -> None:
        if message.mark.ticket_id == self.ticket_id:
            self.mark = message.mark

    def client_wrote_since(self, mark: WritingMark | None) -> bool:
        """Runs in the send's thread: whether the client wrote after `mark` (then the screen is
        being asked, and the send stops here)."""
        from deskapp.services.conversation import client_messages_since

        new = client_messages_since(mark) if mark is not None else []
        if new:
            self.post_message(self._NewMessages(new))
        return bool(new)

    @on(_NewMessages)
    def _new_messages(self, message: _NewMessages) -> None:
        self.sent_stopped()
        self.post_message(self.NewMessagesFirst(self, message.messages))

    def sent_stopped(self) -> None:
        """The send stopped to ask (the composer lets the text be edited again)."""

    def send_anyway(self) -> None:
        """Send the reply although the client wrote meanwhile (the person saw it)."""
        self.mark = None
        self.action_send(asked=True)

    def action_send(self, *, asked: bool = False) -> None:
        """Send what is written (the composer's ctrl+s; `asked`: without asking again)."""

    def keep_writing(self, seen: Sequence[ConversationMessage]) -> None:
        """Back to writing; the messages `seen` count as read from now on."""
        if self.mark is not None and seen:
            self.mark = replace(self.mark, newest_client_message=seen[-1].page_key)
        self.focus_text()

    def focus_text(self) -> None:
        """Put the cursor back in the text (the composer knows where)."""
