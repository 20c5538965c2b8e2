"""The audit log, the change feed and presence (the outbox of ticket mail is in tickets)."""

from __future__ import annotations

import peewee

from deskapp import clock
from deskapp.models.base import BaseModel
from deskapp.models.staff import Staff


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
