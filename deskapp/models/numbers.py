"""The counters behind the human numbers (C-1042, T-20311, INV-2026-00017)."""

from __future__ import annotations

import peewee

from deskapp.models.base import BaseModel


class NumberSequence(BaseModel):
    """Hands out the next human number of a kind inside the caller's transaction (no gaps)."""

    name = peewee.CharField(max_length=40, unique=True)
    next_value = peewee.BigIntegerField(default=1)
