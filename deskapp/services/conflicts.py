"""Saving a record someone else saved meanwhile: refused, with who, when, and their version.

Every form that edits a Versioned row passes the version it read; the service's UPDATE ... WHERE
version = read changes nothing when someone else saved first, and the service raises
`ChangedMeanwhile` from `changed_meanwhile(...)`: the sentence names the person and the time
(the newest audit entry of the record), and the error carries the record's fields as they are
now, so the form can put their version beside the person's own, which it keeps. Nothing is
overwritten silently: saving again, having seen theirs, is a choice (the form then sends the
version it was shown).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from deskapp.errors import Conflict
from deskapp.models import AuditEntry, Versioned

__all__ = ["ChangedMeanwhile", "changed_meanwhile", "shown_value"]


class ChangedMeanwhile(Conflict):
    """Someone else saved the record after it was read; nothing of this save was written."""

    def __init__(
        self,
        sentence: str,
        *,
        who: str,
        when: dt.datetime,
        version: int,
        theirs: Mapping[str, str],
    ) -> None:
        super().__init__(sentence)
        self.who = who
        """Who saved it meanwhile ("Someone else" when the audit log does not say)."""
        self.when = when
        """When they saved it (UTC)."""
        self.version = version
        """The version it is at now: a save that means to replace theirs names this one."""
        self.theirs = dict(theirs)
        """The record's fields as they are now, by field name, as text."""


def shown_value(value: object) -> str:
    """A field's value as a form shows it ("" for none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changed_meanwhile(
    model: type[Versioned],
    row_id: uuid.UUID,
    *,
    entity: str,
    label: str,
    fields: Iterable[str],
    values: Mapping[str, Any] | None = None,
) -> ChangedMeanwhile:
    """The error for a save of `label` refused because the row moved on: reads the row as it is
    now and who saved it last (the audit log's `entity` entries). `values` maps a field to how
    the form shows it, where the column alone would not (prices, say)."""
    row = model.get_by_id(row_id)
    theirs = {name: shown_value(getattr(row, name)) for name in fields}
    theirs.update({name: shown_value(value) for name, value in (values or {}).items()})
    last = (
        AuditEntry.select(AuditEntry.staff_name, AuditEntry.created_at)
        .where((AuditEntry.entity == entity) & (AuditEntry.entity_id == str(row_id)))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .tuples()
        .first()
    )
    who = (last[0] if last and last[0] else "") or "Someone else"
    when = last[1] if last else row.updated_at
    sentence = (
        f"{who} changed {label} at {when:%Y-%m-%d %H:%M} UTC, after you opened it, so nothing "
        "of yours was saved. Their version is shown beside yours: save again to replace "
        "theirs with yours, or cancel to keep theirs."
    )
    return ChangedMeanwhile(sentence, who=who, when=when, version=int(row.version), theirs=theirs)
