"""A ticket's conversation: the header and side panel, paged messages, replies, notes, client
messages, and the mail a reply queues.

A staff reply is seen by the client: it becomes one OutboxMail row per recipient in the same
transaction (the mail sender delivers them). A note is for staff only and never
produces mail. A client's message (from mail import) puts the ticket back in front of the desk.
Bodies, names and file names are untrusted text, stored as written; screens make them inert.
"""

from __future__ import annotations

from deskapp.services.attachments import AttachmentInfo
from deskapp.services.conversation.client_messages import record_client_message
from deskapp.services.conversation.detail import (
    SubscriberInfo,
    TicketDetail,
    find_ticket,
    get_ticket,
)
from deskapp.services.conversation.history import TicketEvent, ticket_history
from deskapp.services.conversation.messages import (
    BODY_MAX,
    ConversationMessage,
    MessagePageKey,
    list_messages,
    post_note,
    post_reply,
)
from deskapp.services.conversation.reply_mail import reply_recipients
from deskapp.services.conversation.since_writing import (
    WritingMark,
    client_messages_since,
    writing_mark,
)

__all__ = [
    "AttachmentInfo",
    "BODY_MAX",
    "ConversationMessage",
    "MessagePageKey",
    "SubscriberInfo",
    "TicketDetail",
    "TicketEvent",
    "WritingMark",
    "client_messages_since",
    "find_ticket",
    "get_ticket",
    "list_messages",
    "post_note",
    "post_reply",
    "record_client_message",
    "reply_recipients",
    "ticket_history",
    "writing_mark",
]
