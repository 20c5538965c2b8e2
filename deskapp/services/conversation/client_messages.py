"""What a client writes (mail import): a message on its ticket, which puts the ticket back in
front of the desk, unless it is an automatic answer or a mail already imported."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import ValidationError
from deskapp.models import (
    Client,
    Contact,
    Entity,
    Message,
    MessageKind,
    Ticket,
    TicketStatus,
)
from deskapp.services.bookkeeping import key
from deskapp.services.conversation.detail import missing_ticket, person_name
from deskapp.services.conversation.messages import ConversationMessage, store_files, touch_ticket


def record_client_message(
    ticket_id: uuid.UUID,
    body: str,
    *,
    contact_id: uuid.UUID | None = None,
    author_name: str = "",
    message_id: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    automatic: bool = False,
    sender_address: str = "",
    sender_unverified: bool = False,
) -> ConversationMessage | None:
    """What the client wrote (mail import), with its files (name, content type, bytes).

    None when `message_id` was imported already from `sender_address`. The ticket becomes
    Customer-Reply (a Completed one reopens), the client waits from now unless they already
    did, and its activity moves; an `automatic` message (an out-of-office reply) is only
    added: status, waiting and the queue's order stay as they were, and so for a
    `sender_unverified` one (the desk's mail server could not verify who sent it: it is
    marked, and reopens nothing).
    The body is kept as written (only NUL, which PostgreSQL cannot hold, becomes U+FFFD).
    """
    ticket_id = key(ticket_id, "ticket")
    text = body if isinstance(body, str) else ""
    text = text.replace("\x00", "\ufffd")
    files = list(attachments)
    if not text.strip() and not files:
        raise ValidationError("body", "The client's message is empty.")
    mail_id = (message_id or "").strip()[:300] or None
    name = (author_name or "").replace("\x00", "\ufffd").strip()[:200]
    now = clock.now()
    sender = sender_address.strip().lower()[:254]
    seen = (Message.message_id == mail_id) & (Message.sender_address == sender)
    with write_transaction():
        if mail_id and Message.select(Message.id).where(seen).exists():
            return None
        client_id = Ticket.select(Ticket.client).where(Ticket.id == ticket_id).scalar()
        if client_id is None:
            raise missing_ticket()
        if contact_id is not None:
            contact = (
                Contact.select(Contact.first_name, Contact.last_name, Contact.client)
                .where(Contact.id == contact_id)
                .first()
            )
            if contact is None or str(contact.client_id) != str(client_id):
                raise ValidationError(
                    "contact", "That contact does not belong to the ticket's client."
                )
            name = name or person_name(contact.first_name, contact.last_name)
        if not name:
            client = (
                Client.select(Client.first_name, Client.last_name, Client.company)
                .where(Client.id == client_id)
                .first()
            )
            name = (
                (person_name(client.first_name, client.last_name) or client.company)
                if client
                else ""
            )
        try:
            with write_transaction():
                message = Message.create(
                    ticket=ticket_id,
                    kind=MessageKind.CLIENT,
                    contact=contact_id,
                    author_name=name,
                    body=text,
                    message_id=mail_id,
                    sender_address=sender,
                    sender_unverified=sender_unverified,
                    created_at=now,
                )
        except peewee.IntegrityError:
            # Another import of the same Message-ID committed first: that one holds it.
            if mail_id and Message.select(Message.id).where(seen).exists():
                return None
            raise
        stored = store_files(ticket_id, message.id, files)
        if automatic or sender_unverified:
            Ticket.update(updated_at=now, version=Ticket.version + 1).where(
                Ticket.id == ticket_id
            ).execute()
        else:
            touch_ticket(ticket_id, now, status=TicketStatus.CUSTOMER_REPLY.value)
            Ticket.update(waiting_since=now).where(
                Ticket.id == ticket_id, Ticket.waiting_since.is_null()
            ).execute()
        feed.publish(Entity.TICKET, ticket_id, "client_message")
    return ConversationMessage(
        message.id, MessageKind.CLIENT.value, name or "Client", text, now, stored
    )
