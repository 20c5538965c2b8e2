"""Opening a desk: the database at the right schema, the mode, and who is signed in."""

from __future__ import annotations

from dataclasses import dataclass

from deskapp import migrations
from deskapp.db import DatabaseInfo, describe, open_database
from deskapp.errors import NotFound
from deskapp.models import Role, Staff
from deskapp.services.actors import Actor, actor_from


@dataclass(frozen=True)
class DeskSession:
    """What the app shell shows in its header and passes to every service call."""

    mode: str
    """"local" (SQLite file), "shared" (PostgreSQL) or "replica" (local copy of a shared desk)."""
    database: DatabaseInfo
    """Which database is open, without its password."""
    actor: Actor
    """The signed-in staff member."""


LOCAL_ADMIN = "admin"
"""The staff member a brand-new desk creates for its first user."""


def open_desk(
    url: str, *, staff: str | None = None, password: str | None = None, create: bool = True
) -> DeskSession:
    """Open the database, bring an empty one to the current schema, and pick the staff member.

    A database made by an older deskapp must be upgraded with `deskapp db upgrade` first; a newer
    one is refused. Raises ConfigError or NotFound with one sentence.
    """
    info = describe(url)
    open_database(url, password=password)
    migrations.ensure_current(create=create)
    actor = _sign_in(staff)
    mode = "shared" if info.backend == "postgresql" else "local"
    return DeskSession(mode=mode, database=info, actor=actor)


def _sign_in(username: str | None) -> Actor:
    """The named staff member, else the first admin; a desk with no staff yet gets its admin."""
    active = Staff.select().where(Staff.active == True)  # noqa: E712 - peewee expression
    if username:
        found = active.where(Staff.username == username).first()
        if found is None:
            raise NotFound(f"There is no active staff member called “{username}”.")
        return actor_from(found)
    first = active.where(Staff.role == Role.ADMIN).order_by(Staff.created_at).first()
    first = first or active.order_by(Staff.created_at).first()
    if first is not None:
        return actor_from(first)
    return actor_from(Staff.create(username=LOCAL_ADMIN, name="Desk admin", role=Role.ADMIN))
