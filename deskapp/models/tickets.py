"""Departments, tickets and their conversations, and the outbox of mail they send."""

from __future__ import annotations

import uuid
from enum import StrEnum

import peewee

from deskapp import clock
from deskapp.models.base import BaseModel, Versioned, money_field
from deskapp.models.billing import Order, Service
from deskapp.models.clients import Client, Contact
from deskapp.models.staff import Staff


class TicketStatus(StrEnum):
    OPEN = "Open"
    ANSWERED = "Answered"
    CUSTOMER_REPLY = "Customer-Reply"
    ON_HOLD = "On Hold"
    IN_PROGRESS = "In Progress"
    COMPLETED = "Completed"


OPEN_TICKETS = f"status <> '{TicketStatus.COMPLETED.value}'"
"""SQL for an open ticket (any status but Completed). The partial indexes of migration 0004 and
the queue's queries must spell it the same way: a planner uses a partial index only for a query
that states its condition."""
WAITING_TICKETS = "waiting_since IS NOT NULL"
"""SQL for a ticket whose client waits for an answer (migration 0004's partial index and the
queue's queries)."""


class Priority(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    URGENT = "Urgent"


class MessageKind(StrEnum):
    """Client messages and staff replies are seen by the client; notes only by staff."""

    CLIENT = "client"
    REPLY = "reply"
    NOTE = "note"


class EstimateStatus(StrEnum):
    PROPOSED = "Proposed"
    APPROVED = "Approved"
    DECLINED = "Declined"


class OutboxStatus(StrEnum):
    """Where a mail of the outbox stands; the sender's rule ("never twice") is in
    deskapp.mail.sending."""

    QUEUED = "queued"
    """Waiting to be sent (at next_attempt_at)."""
    SENDING = "sending"
    """Claimed by a sender that is talking to the mail server right now."""
    SENT = "sent"
    """The mail server accepted it."""
    FAILED = "failed"
    """Refused for good, or given up after the last attempt; staff may retry it."""
    UNCERTAIN = "uncertain"
    """A sender died while sending it: it may or may not have gone out; staff resend or discard."""
    DISCARDED = "discarded"
    """Staff decided it is not to be sent."""


class Department(Versioned):
    """The nature of a request; `extra_fields` is a JSON list of what it asks for."""

    name = peewee.CharField(max_length=80, unique=True)
    email = peewee.CharField(max_length=254, default="")
    extra_fields = peewee.TextField(default="[]")
    sort_order = peewee.IntegerField(default=0)
    signature = peewee.TextField(default="")


class Ticket(Versioned):
    """A request from a client and the conversation about it."""

    number = peewee.BigIntegerField(unique=True)
    client = peewee.ForeignKeyField(Client, backref="tickets", on_delete="CASCADE")
    client_id: uuid.UUID
    contact = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    contact_id: uuid.UUID | None
    department = peewee.ForeignKeyField(Department, on_delete="RESTRICT")
    department_id: uuid.UUID
    order = peewee.ForeignKeyField(Order, null=True, backref="tickets", on_delete="SET NULL")
    order_id: uuid.UUID | None
    service = peewee.ForeignKeyField(Service, null=True, on_delete="SET NULL")
    service_id: uuid.UUID | None
    subject = peewee.CharField(max_length=300)
    priority = peewee.CharField(max_length=16, default=Priority.MEDIUM)
    status = peewee.CharField(max_length=16, default=TicketStatus.OPEN)
    assignee = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    assignee_id: uuid.UUID | None
    tags = peewee.CharField(max_length=300, default="")
    extra = peewee.TextField(default="{}")
    last_activity_at = peewee.DateTimeField(default=clock.now)
    waiting_since = peewee.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("status", "last_activity_at"), False),
            (("assignee", "status", "last_activity_at"), False),
            (("department", "status", "last_activity_at"), False),
            (("client", "status"), False),
        )


class Message(BaseModel):
    """One entry in a conversation: a client message, a staff reply, or an internal note."""

    ticket = peewee.ForeignKeyField(Ticket, backref="messages", on_delete="CASCADE")
    ticket_id: uuid.UUID
    kind = peewee.CharField(max_length=8)
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_id: uuid.UUID | None
    contact = peewee.ForeignKeyField(Contact, null=True, on_delete="SET NULL")
    contact_id: uuid.UUID | None
    author_name = peewee.CharField(max_length=200, default="")
    body = peewee.TextField()
    message_id = peewee.CharField(max_length=300, null=True)
    sender_address = peewee.CharField(max_length=254, default="")
    """Who sent an imported mail (its From address, lower case); "" for the desk's own."""
    sender_unverified = peewee.BooleanField(default=False)
    """Whether the desk's mail server could not verify that sender (shown in red)."""

    class Meta:
        indexes = (
            (("ticket", "created_at"), False),
            (("message_id", "sender_address"), True),
        )


class Attachment(BaseModel):
    """A file stored with its ticket, so every desk sees it."""

    ticket = peewee.ForeignKeyField(Ticket, backref="attachments", on_delete="CASCADE")
    ticket_id: uuid.UUID
    message = peewee.ForeignKeyField(Message, null=True, backref="attachments", on_delete="CASCADE")
    message_id: uuid.UUID | None
    filename = peewee.CharField(max_length=255)
    content_type = peewee.CharField(max_length=100, default="application/octet-stream")
    size = peewee.BigIntegerField()
    content = peewee.BlobField()


class Subscriber(BaseModel):
    """Another contact of the client who follows a ticket."""

    ticket = peewee.ForeignKeyField(Ticket, backref="subscribers", on_delete="CASCADE")
    ticket_id: uuid.UUID
    contact = peewee.ForeignKeyField(Contact, on_delete="CASCADE")
    contact_id: uuid.UUID

    class Meta:
        indexes = ((("ticket", "contact"), True),)


class Estimate(Versioned):
    """Work proposed by staff that the client approves or declines."""

    ticket = peewee.ForeignKeyField(Ticket, backref="estimates", on_delete="CASCADE")
    ticket_id: uuid.UUID
    description = peewee.TextField()
    amount_cents = money_field()
    minutes = peewee.IntegerField(default=0)
    status = peewee.CharField(max_length=16, default=EstimateStatus.PROPOSED)
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_id: uuid.UUID | None
    decided_at = peewee.DateTimeField(null=True)


class TimeEntry(BaseModel):
    """Time spent on a ticket, drawn from the client's prepaid support hours."""

    ticket = peewee.ForeignKeyField(Ticket, backref="time_entries", on_delete="CASCADE")
    ticket_id: uuid.UUID
    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_id: uuid.UUID | None
    minutes = peewee.IntegerField()
    note = peewee.TextField(default="")


class CannedReply(Versioned):
    """A reusable reply; {client_name}, {ticket_number} and friends are filled in."""

    title = peewee.CharField(max_length=120, unique=True)
    body = peewee.TextField()
    department = peewee.ForeignKeyField(Department, null=True, on_delete="SET NULL")
    department_id: uuid.UUID | None


class OutboxMail(BaseModel):
    """A mail waiting to be sent; `message_id` makes a resend after a crash a no-op."""

    ticket = peewee.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    ticket_id: uuid.UUID | None
    to_address = peewee.CharField(max_length=254)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
    message_id = peewee.CharField(max_length=300, unique=True)
    status = peewee.CharField(max_length=12, default=OutboxStatus.QUEUED, index=True)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(default=clock.now)
    sent_at = peewee.DateTimeField(null=True)
    last_error = peewee.TextField(default="")

    class Meta:
        table_name = "outbox_mail"
