"""The people who work the desk."""

from __future__ import annotations

from enum import StrEnum

import peewee

from deskapp.models.base import Versioned


class Role(StrEnum):
    """Agents work tickets; admins also approve orders, adjust credit, merge and delete."""

    AGENT = "agent"
    ADMIN = "admin"


class Staff(Versioned):
    """A staff member who signs in to the desk (argon2-hashed password in shared mode)."""

    username = peewee.CharField(max_length=64, unique=True)
    name = peewee.CharField(max_length=120)
    email = peewee.CharField(max_length=254, default="")
    role = peewee.CharField(max_length=16, default=Role.AGENT)
    password_hash = peewee.CharField(max_length=255, default="")
    active = peewee.BooleanField(default=True)
    signature = peewee.TextField(default="")
