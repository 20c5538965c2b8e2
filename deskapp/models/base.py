"""What every table shares: a UUIDv7 key, creation time, and the one database proxy."""

from __future__ import annotations

import peewee

from deskapp import clock
from deskapp.db import db
from deskapp.ids import uuid7


class BaseModel(peewee.Model):
    """A row with a time-ordered UUID key, bound to the process's database."""

    id = peewee.UUIDField(primary_key=True, default=uuid7)
    created_at = peewee.DateTimeField(default=clock.now, index=False)

    class Meta:
        database = db
        legacy_table_names = False


class Versioned(BaseModel):
    """A row two people may edit at once: updates must name the version they read."""

    version = peewee.IntegerField(default=1)
    updated_at = peewee.DateTimeField(default=clock.now)


def money_field(**kwargs: object) -> peewee.BigIntegerField:
    """An amount in integer cents (never a float)."""
    return peewee.BigIntegerField(default=0, **kwargs)  # type: ignore[arg-type]
