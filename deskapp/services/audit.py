"""The audit log: every money movement and destructive action says who, when, before, after."""

from __future__ import annotations

import json
from typing import Any

from deskapp.models import AuditEntry
from deskapp.services.actors import Actor


def record(
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write an audit entry inside the caller's transaction."""
    AuditEntry.create(
        staff=actor.id if actor else None,
        staff_name=actor.name if actor else "system",
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        summary=summary,
        before=json.dumps(before, default=str, sort_keys=True) if before is not None else "",
        after=json.dumps(after, default=str, sort_keys=True) if after is not None else "",
    )
