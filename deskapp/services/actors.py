"""Who is acting: every service call names the staff member (rights.py checks what they may do)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from deskapp.models import Role, Staff

SYSTEM_ROLE = "system"
"""The role of a command-line job's named actor (rights.system_actor): not a person."""


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member, as services need them."""

    id: uuid.UUID | None
    """The staff row's key; None for a command-line job's system actor."""
    username: str
    """What they sign in with."""
    name: str
    """Their display name."""
    role: str
    """"agent" or "admin" ("system" for a command-line job)."""

    @property
    def is_admin(self) -> bool:
        """Admins approve orders, adjust credit, merge and delete clients, manage staff."""
        return self.role == Role.ADMIN


def actor_from(staff: Staff) -> Actor:
    """The Actor for a staff row."""
    return Actor(staff.id, staff.username, staff.name, staff.role)
