"""Mail waiting for triage: sent from an address nobody at the desk has (m0011)."""

from __future__ import annotations

import uuid

import peewee

from deskapp import clock
from deskapp.models.base import BaseModel
from deskapp.models.tickets import Department


class UnassignedMail(BaseModel):
    """One mail from an unknown sender, parsed, until staff attach it to a client or discard it."""

    received_at = peewee.DateTimeField(default=clock.now)
    from_name = peewee.CharField(max_length=200, default="")
    from_address = peewee.CharField(max_length=254)
    """Lower case, as the mail's From had it."""
    subject = peewee.CharField(max_length=300)
    body = peewee.TextField()
    message_id = peewee.CharField(max_length=300)
    department = peewee.ForeignKeyField(Department, null=True, on_delete="SET NULL")
    """The department whose address the mail was sent to (To, then Cc); None: the default."""
    department_id: uuid.UUID | None
    sender_unverified = peewee.BooleanField(default=False)

    class Meta:
        table_name = "unassigned_mail"
        indexes = (
            (("message_id", "from_address"), True),
            (("received_at", "id"), False),
        )


class UnassignedFile(BaseModel):
    """A file attached to a mail waiting for triage; it moves to the ticket with the mail."""

    mail = peewee.ForeignKeyField(UnassignedMail, backref="files", on_delete="CASCADE")
    mail_id: uuid.UUID
    filename = peewee.CharField(max_length=255)
    content_type = peewee.CharField(max_length=100, default="application/octet-stream")
    content = peewee.BlobField()

    class Meta:
        table_name = "unassigned_file"
