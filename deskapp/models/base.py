"""What every table shares: a UUIDv7 key, creation time, and the one database proxy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import peewee

from deskapp import clock
from deskapp.db import db
from deskapp.ids import uuid7


class BaseModel(peewee.Model):
    """A row with a time-ordered UUID key, bound to the process's database.

    A foreign key `client` also reads as `client_id`, the key alone without a query; the
    models declare those `*_id` names (annotations only) so the type checker knows them.
    """

    id = peewee.UUIDField(primary_key=True, default=uuid7)
    created_at = peewee.DateTimeField(default=clock.now, index=False)

    class Meta:
        database = db
        legacy_table_names = False


class Versioned(BaseModel):
    """A row two people may edit at once: updates must name the version they read."""

    version = peewee.IntegerField(default=1)
    updated_at = peewee.DateTimeField(default=clock.now)


def money_field() -> peewee.BigIntegerField[int]:
    """An amount in integer cents (never a float)."""
    return peewee.BigIntegerField(default=0)


def dict_rows(query: peewee.BaseQuery) -> Iterator[dict[str, Any]]:
    """The rows of `query` as dicts of column (or alias) to value.

    Peewee's stubs type `.dicts()` as the query itself, whose rows would be model instances;
    this names what the rows really are, in one place."""
    return cast("Iterator[dict[str, Any]]", iter(query.dicts()))


def tuple_rows(query: peewee.BaseQuery) -> Iterator[tuple[Any, ...]]:
    """The rows of `query` as tuples, in the order its columns were selected (see dict_rows)."""
    return cast("Iterator[tuple[Any, ...]]", iter(query.tuples()))
