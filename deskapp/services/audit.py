"""The audit log: every money movement and destructive action says who, when, before, after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from deskapp.db import db
from deskapp.db.transaction import write_transaction
from deskapp.models import AuditEntry
from deskapp.services.actors import Actor

_JOB: ContextVar[str] = ContextVar("deskapp_job", default="")
"""The command-line job running in this context ("billing run"), if any."""


@contextmanager
def as_job(job: str) -> Iterator[None]:
    """Run a command-line job: what it does with no person acting is audited as "system: <job>"
    (rights.system_actor names the same actor), never anonymously."""
    token = _JOB.set(job)
    try:
        yield
    finally:
        _JOB.reset(token)


def system_name() -> str:
    """Who the audit names when no person acts: the running job's system actor, or "system"."""
    job = _JOB.get()
    return f"system: {job}" if job else "system"


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
        staff_name=actor.name if actor else system_name(),
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        summary=summary,
        before=json.dumps(before, default=str, sort_keys=True) if before is not None else "",
        after=json.dumps(after, default=str, sort_keys=True) if after is not None else "",
    )
