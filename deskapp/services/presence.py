"""Who is looking at what: so two admins do not decide the same order at once.

Each staff member has one Presence row (the thing they look at now): a desk upserts it as the
cursor lands on a record, and lists ask who else looked at their records within WINDOW. It is a
hint, never a lock: nothing is refused because someone else is looking.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from deskapp import clock
from deskapp.db.transaction import write_transaction
from deskapp.models import Entity, Presence, Staff, tuple_rows
from deskapp.services.actors import Actor

__all__ = ["WINDOW", "looking_at", "lookers"]

WINDOW = dt.timedelta(minutes=2)
"""How recent a look must be to count: a desk renews it while the record stays under the
cursor (screens renew well within this)."""


def looking_at(actor: Actor, entity: Entity, entity_id: uuid.UUID | str) -> None:
    """Record that `actor` looks at `entity_id` now (replacing what they looked at before)."""
    with write_transaction():
        Presence.insert(
            staff=actor.id, entity=str(entity), entity_id=str(entity_id), seen_at=clock.now()
        ).on_conflict(
            conflict_target=[Presence.staff],
            update={
                Presence.entity: str(entity),
                Presence.entity_id: str(entity_id),
                Presence.seen_at: clock.now(),
            },
        ).execute()


def lookers(
    entity: Entity, ids: Iterable[uuid.UUID | str], asker: Actor | None = None
) -> dict[str, str]:
    """Who else looked at each of `ids` within WINDOW: {id as text: "Ann Admin, Kim Adler"}.

    The asker is left out (they know they are looking); ids nobody looks at are left out.
    """
    wanted = {str(entity_id) for entity_id in ids}
    if not wanted:
        return {}
    query = (
        Presence.select(Presence.entity_id, Staff.name)
        .join(Staff)
        .where(
            (Presence.entity == str(entity))
            & Presence.entity_id.in_(sorted(wanted))
            & (Presence.seen_at >= clock.now() - WINDOW)
        )
        .order_by(Presence.entity_id, Staff.name)
    )
    if asker is not None:
        query = query.where(Presence.staff != asker.id)
    names: dict[str, list[str]] = {}
    for entity_id, name in tuple_rows(query):
        names.setdefault(entity_id, []).append(name)
    return {entity_id: ", ".join(found) for entity_id, found in names.items()}
