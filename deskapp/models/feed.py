"""The audit log, the change feed, presence and the mail outbox."""

from __future__ import annotations

import peewee

from deskapp import clock
from deskapp.models.base import BaseModel
from deskapp.models.staff import Staff
from deskapp.models.tickets import Ticket


class AuditEntry(BaseModel):
    """Who did what, when, with the row before and after (JSON)."""

    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_name = peewee.CharField(max_length=120, default="")
    action = peewee.CharField(max_length=60)
    entity = peewee.CharField(max_length=40)
    entity_id = peewee.CharField(max_length=40)
    summary = peewee.TextField(default="")
    before = peewee.TextField(default="")
    after = peewee.TextField(default="")

    class Meta:
        indexes = ((("entity", "entity_id"), False),)


class ChangeEvent(peewee.Model):
    """One change, in commit order: other desks refresh what they show of the entity."""

    id = peewee.BigAutoField()
    entity = peewee.CharField(max_length=40)
    entity_id = peewee.CharField(max_length=40)
    action = peewee.CharField(max_length=20)
    at = peewee.DateTimeField(default=clock.now)

    class Meta:
        database = BaseModel._meta.database
        table_name = "change_event"


class Presence(BaseModel):
    """Which staff member looks at what, so two people don't answer one ticket."""

    staff = peewee.ForeignKeyField(Staff, on_delete="CASCADE", unique=True)
    entity = peewee.CharField(max_length=40, default="")
    entity_id = peewee.CharField(max_length=40, default="")
    seen_at = peewee.DateTimeField(default=clock.now)


class OutboxMail(BaseModel):
    """A mail waiting to be sent; `message_id` makes a resend after a crash a no-op."""

    ticket = peewee.ForeignKeyField(Ticket, null=True, on_delete="SET NULL")
    to_address = peewee.CharField(max_length=254)
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
    message_id = peewee.CharField(max_length=300, unique=True)
    status = peewee.CharField(max_length=12, default="queued", index=True)
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = peewee.DateTimeField(default=clock.now)
    sent_at = peewee.DateTimeField(null=True)
    last_error = peewee.TextField(default="")

    class Meta:
        table_name = "outbox_mail"
