"""Settings of the whole desk, shared by every person on it (not one person's preferences)."""

from __future__ import annotations

import peewee

from deskapp import clock
from deskapp.db import db


class DeskSetting(peewee.Model):
    """One setting by name, its value as text (the service that owns it parses it)."""

    key = peewee.CharField(max_length=60, primary_key=True)
    value = peewee.TextField()
    updated_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        database = db
        table_name = "desk_setting"
