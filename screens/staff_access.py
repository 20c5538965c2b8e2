"""Who the screens offer the staff list to: admins. The one place the screens ask, kept apart
from the staff list so the command palette can ask without loading it (or the password hasher).

The staff service checks again with every change, reading the person's role from the
database; this only decides what the screens show and dim.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskapp.services.actors import Actor

__all__ = ["ONLY_ADMINS", "may_manage_staff"]

ONLY_ADMINS = "Only an admin can manage staff; ask an admin to do it."
"""Why an agent cannot open the staff list or use its keys (the service's own sentence)."""


def may_manage_staff(actor: Actor | None) -> bool:
    """Whether the screens offer `actor` the staff list and its keys (the rights table's
    answer, as the staff service checks it)."""
    from deskapp.services.rights import Right, allows

    return allows(actor, Right.MANAGE_STAFF)
