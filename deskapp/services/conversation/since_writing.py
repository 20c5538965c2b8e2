"""What the client wrote while a reply was being written: the composer takes a mark when the
writing starts, and before sending asks what came in after it, so that nobody answers a
question the client has since changed ("2 new messages since you started writing").

A mark is the newest client message's place in the conversation, (created_at, id): messages
page by that key, so "after the mark" holds whatever the clock did.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from deskapp.models import Message, MessageKind
from deskapp.services.bookkeeping import key
from deskapp.services.conversation.messages import (
    PAGE_MAX,
    ConversationMessage,
    MessagePageKey,
    list_messages,
)

__all__ = ["WritingMark", "client_messages_since", "writing_mark"]


@dataclass(frozen=True)
class WritingMark:
    """Where the conversation stood when a reply was begun."""

    ticket_id: uuid.UUID
    """The ticket written to."""
    newest_client_message: MessagePageKey | None
    """The newest client message then, (created_at, id); None when the client had written
    nothing yet."""


def writing_mark(ticket_id: uuid.UUID) -> WritingMark:
    """The mark for a reply begun now on `ticket_id`."""
    ticket_id = key(ticket_id, "ticket")
    row = (
        Message.select(Message.created_at, Message.id)
        .where((Message.ticket == ticket_id) & (Message.kind == MessageKind.CLIENT))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .tuples()
        .first()
    )
    return WritingMark(ticket_id, (row[0], row[1]) if row else None)


def client_messages_since(mark: WritingMark) -> list[ConversationMessage]:
    """The client's messages on the mark's ticket that came after it, oldest first (those
    among the newest PAGE_MAX messages: more would not fit a question anyway)."""
    newest = list_messages(mark.ticket_id, limit=PAGE_MAX)
    seen = mark.newest_client_message
    return [
        message
        for message in newest
        if message.kind == MessageKind.CLIENT and (seen is None or message.page_key > seen)
    ]
