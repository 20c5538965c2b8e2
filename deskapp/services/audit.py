"""The audit log: every money movement and destructive action says who, when, before, after."""

from __future__ import annotations

import json
from typing import Any

from deskapp.db import db
from deskapp.db.transaction import write_transaction
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
    """Write an audit entry inside the caller's transaction (outside one, in its own, so the
    entry joins the audit chain at once)."""
    if db.transaction_depth() == 0:
        with write_transaction():
            record(actor, action, entity, entity_id, summary, before, after)
        return
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
