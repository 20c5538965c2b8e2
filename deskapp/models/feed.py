"""The audit log, the change feed (its table is deskapp.db.feed's) and presence."""

from __future__ import annotations

import uuid
from enum import StrEnum

import peewee

from deskapp import clock
from deskapp.db.feed import ChangeEvent as ChangeEvent  # the feed owns its table
from deskapp.models.base import BaseModel
from deskapp.models.staff import Staff


class Entity(StrEnum):
    """What a change in the feed is about: the `entity` of every ChangeEvent.

    Services publish with these and screens follow them (through deskapp.services.changes), so
    the two sides cannot drift apart by a typo."""

    CLIENT = "client"
    CONTACT = "contact"
    TICKET = "ticket"
    INVOICE = "invoice"
    PAYMENT = "payment"
    SERVICE = "service"
    OUTBOX = "outbox"
    ORDER = "order"
    PRODUCT = "product"
    STAFF = "staff"
    DEPARTMENT = "department"
    CANNED_REPLY = "canned_reply"
    SETTINGS = "settings"


class AuditEntry(BaseModel):
    """Who did what, when, with the row before and after (JSON)."""

    staff = peewee.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    staff_id: uuid.UUID | None
    staff_name = peewee.CharField(max_length=120, default="")
    action = peewee.CharField(max_length=60)
    entity = peewee.CharField(max_length=40)
    entity_id = peewee.CharField(max_length=40)
    summary = peewee.TextField(default="")
    before = peewee.TextField(default="")
    after = peewee.TextField(default="")
    chain_seq = peewee.BigIntegerField(null=True, unique=True)
    """Its place in the audit log's hash chain; None until its transaction commits."""
    chain_hash = peewee.CharField(max_length=64, null=True, index=True)
    """SHA-256 of the entry before it and of its own content (deskapp.db.chain)."""

    class Meta:
        indexes = ((("entity", "entity_id"), False),)


class Presence(BaseModel):
    """Which staff member looks at what, so two people don't answer one ticket."""

    staff = peewee.ForeignKeyField(Staff, on_delete="CASCADE", unique=True)
    staff_id: uuid.UUID
    entity = peewee.CharField(max_length=40, default="")
    entity_id = peewee.CharField(max_length=40, default="")
    seen_at = peewee.DateTimeField(default=clock.now)
