"""The desk's departments as an admin sets them up: name, the mailbox whose mail opens tickets
in it, the signature its replies end with, and the fields it asks for when a ticket is opened.

The read side is ticket_open's (`ExtraField`, `extra_fields_of`): what is saved here is what the
ticket form asks for next. A department in use (tickets, canned replies) is never deleted, and
Orders, where every order's ticket goes, keeps its name.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import CannedReply, Department, Entity, Ticket, tuple_rows
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key
from deskapp.services.conflicts import changed_meanwhile
from deskapp.services.order_place import ORDERS_DEPARTMENT
from deskapp.services.rights import Right, acting
from deskapp.services.ticket_open import (
    FIELD_KINDS,
    ExtraField,
    extra_fields_json,
    extra_fields_of,
)

__all__ = [
    "FIELD_KINDS",
    "DepartmentView",
    "ExtraField",
    "delete_department",
    "get_department_view",
    "list_department_views",
    "save_department",
]

NAME_LIMIT = 80
"""The longest department name (the column's size)."""
SIGNATURE_LIMIT = 2000
"""The longest signature."""
FIELD_LIMIT = 20
"""The most fields one department asks for."""
LABEL_LIMIT = 80
"""The longest field label or choice."""
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class DepartmentView:
    """A department as the admin screens show and edit it."""

    id: uuid.UUID
    """The department's key."""
    name: str
    """Support, Billing, Orders, …"""
    email: str
    """The mailbox whose mail opens tickets in it (may be empty)."""
    signature: str
    """What replies from it end with (may be empty)."""
    fields: tuple[ExtraField, ...]
    """What it asks for when a ticket is opened, in the form's order."""
    sort_order: int
    """Where it stands in lists (lower first, then by name)."""
    version: int
    """The version read: pass it back to save_department to detect someone else's change."""
    ticket_count: int
    """How many tickets are filed in it (a department in use cannot be deleted)."""


def list_department_views() -> list[DepartmentView]:
    """Every department, in the desk's order (sort_order, then name)."""
    rows = Department.select().order_by(Department.sort_order, Department.name)
    return [_view(row, counts) for counts in [_ticket_counts()] for row in rows]


def get_department_view(department_id: uuid.UUID) -> DepartmentView:
    """One department; NotFound when it is gone."""
    row = Department.get_or_none(Department.id == key(department_id, "department"))
    if row is None:
        raise NotFound("That department no longer exists.")
    return _view(row, _ticket_counts(row.id))


def save_department(
    actor: Actor | None,
    *,
    name: str,
    email: str,
    signature: str,
    fields: Iterable[ExtraField],
    sort_order: int = 0,
    department_id: uuid.UUID | None = None,
    version: int | None = None,
) -> DepartmentView:
    """Add a department (no `department_id`) or change one read at `version` (Conflict when
    someone changed it since; None: whatever version it is at). Admins only; audited."""
    values = validated(name=name, email=email, signature=signature, sort_order=sort_order)
    checked = checked_fields(fields)
    values["extra_fields"] = extra_fields_json(checked)
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        department_id = write_department(person, values, department_id, version)
    return get_department_view(department_id)


def validated(*, name: str, email: str, signature: str, sort_order: int) -> dict[str, Any]:
    """A department's own values checked, with a sentence naming the field at fault."""
    if isinstance(sort_order, bool) or not isinstance(sort_order, int):
        raise ValidationError("sort_order", "The position must be a whole number.")
    return {
        "name": validation.text("name", name, "Name", limit=NAME_LIMIT, required=True),
        "email": validation.email("email", email, "Mailbox", required=False).lower(),
        "signature": validation.text(
            "signature", signature, "Signature", limit=SIGNATURE_LIMIT, multiline=True
        ).strip("\n"),
        "sort_order": sort_order,
    }


def checked_fields(fields: Iterable[ExtraField]) -> tuple[ExtraField, ...]:
    """The fields a department asks for, checked: names are unique identifiers (lower case,
    digits, underscores), kinds known, a choice field has its choices."""
    checked: list[ExtraField] = []
    seen: set[str] = set()
    for position, field in enumerate(fields, 1):
        if not isinstance(field, ExtraField):
            raise ValidationError("fields", f"Field {position} is not a field.")
        name = validation.text("fields", field.name, f"Field {position}'s name", limit=40)
        if not _FIELD_NAME.fullmatch(name):
            raise ValidationError(
                "fields",
                f"Field {position}'s name “{name[:40]}” must be lower-case letters, digits and "
                "underscores, starting with a letter, like invoice_number.",
            )
        if name in seen:
            raise ValidationError("fields", f"Two fields are called “{name}”; rename one.")
        seen.add(name)
        label = validation.text(
            "fields", field.label or name, f"The label of {name}", limit=LABEL_LIMIT
        )
        if field.kind not in FIELD_KINDS:
            raise ValidationError(
                "fields",
                f"{label} has the kind “{str(field.kind)[:20]}”; use one of "
                f"{', '.join(FIELD_KINDS)}.",
            )
        choices = _choices(label, field) if field.kind == "choice" else ()
        checked.append(ExtraField(name, label, bool(field.required), field.kind, choices))
    if len(checked) > FIELD_LIMIT:
        raise ValidationError("fields", f"A department asks for at most {FIELD_LIMIT} fields.")
    return tuple(checked)


def _choices(label: str, field: ExtraField) -> tuple[str, ...]:
    choices = tuple(
        validation.text("fields", choice, f"A choice of {label}", limit=LABEL_LIMIT)
        for choice in field.choices
    )
    choices = tuple(choice for choice in choices if choice)
    if not choices:
        raise ValidationError("fields", f"{label} is a choice; give the choices it offers.")
    if len(set(choices)) != len(choices):
        raise ValidationError("fields", f"{label} offers the same choice twice.")
    return choices


def write_department(
    actor: Actor,
    values: dict[str, Any],
    department_id: uuid.UUID | None,
    version: int | None,
) -> uuid.UUID:
    """Insert or update a checked department inside the caller's transaction; returns its key."""
    _name_is_free(values["name"], department_id)
    if department_id is None:
        row = _unique(values["name"], lambda: Department.create(**values))
        audit.record(
            actor, "department.created", "department", row.id, f"Department {row.name} added",
            None, values,
        )  # fmt: skip
        feed.publish(Entity.DEPARTMENT, row.id, "created")
        return row.id
    current = Department.get_or_none(Department.id == key(department_id, "department"))
    if current is None:
        raise NotFound("That department no longer exists; it may have been deleted.")
    if current.name == ORDERS_DEPARTMENT and values["name"] != ORDERS_DEPARTMENT:
        raise ValidationError(
            "name", f"{ORDERS_DEPARTMENT} is where every order's ticket goes; it keeps its name."
        )
    seen = current.version if version is None else version
    changed = _unique(
        values["name"],
        lambda: (
            Department.update(**values, version=Department.version + 1, updated_at=clock.now())
            .where(Department.id == current.id, Department.version == seen)
            .execute()
        ),
    )
    if not changed:
        raise changed_meanwhile(
            Department, current.id, entity="department", label=current.name, fields=values
        )
    before = {name: getattr(current, name) for name in values}
    audit.record(
        actor, "department.updated", "department", current.id,
        f"Department {current.name} edited", before, values,
    )  # fmt: skip
    feed.publish(Entity.DEPARTMENT, current.id, "updated")
    return current.id


def delete_department(actor: Actor | None, department_id: uuid.UUID) -> None:
    """Delete a department nothing uses (admins only, audited); refused with a sentence when
    tickets or canned replies are filed in it, or it is Orders."""
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        row = Department.get_or_none(Department.id == key(department_id, "department"))
        if row is None:
            raise NotFound("That department no longer exists; it may have been deleted.")
        if row.name == ORDERS_DEPARTMENT:
            raise Conflict(f"{ORDERS_DEPARTMENT} is where every order's ticket goes; keep it.")
        tickets = Ticket.select().where(Ticket.department == row.id).count()
        if tickets:
            raise Conflict(
                f"{row.name} has {_count(tickets, 'ticket')}; move them to another department "
                "first, or keep it."
            )
        replies = CannedReply.select().where(CannedReply.department == row.id).count()
        if replies:
            raise Conflict(
                f"{_count(replies, 'canned reply', 'canned replies')} belong to {row.name}; "
                "move or delete them first."
            )
        row.delete_instance()
        audit.record(
            person, "department.deleted", "department", row.id, f"Department {row.name} deleted",
            {"name": row.name, "email": row.email, "extra_fields": row.extra_fields}, None,
        )  # fmt: skip
        feed.publish(Entity.DEPARTMENT, row.id, "deleted")


def _name_is_free(name: str, department_id: uuid.UUID | None) -> None:
    query = Department.select().where(peewee.fn.LOWER(Department.name) == name.lower())
    if department_id is not None:
        query = query.where(Department.id != department_id)
    if query.exists():
        raise ValidationError("name", f"There is already a department called “{name}”.")


def _ticket_counts(department_id: uuid.UUID | None = None) -> dict[uuid.UUID, int]:
    query = Ticket.select(Ticket.department, peewee.fn.COUNT(Ticket.id)).group_by(Ticket.department)
    if department_id is not None:
        query = query.where(Ticket.department == department_id)
    return {row[0]: int(row[1]) for row in tuple_rows(query)}


def _view(row: Department, counts: dict[uuid.UUID, int]) -> DepartmentView:
    return DepartmentView(
        id=row.id,
        name=row.name,
        email=row.email,
        signature=row.signature,
        fields=extra_fields_of(row.extra_fields),
        sort_order=row.sort_order,
        version=row.version,
        ticket_count=counts.get(row.id, 0),
    )


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _unique(name: str, write: Callable[[], Any]) -> Any:
    """Run a write in a savepoint: a name taken by another desk at the same moment becomes a
    sentence instead of a crash, and leaves the transaction usable."""
    try:
        with write_transaction():
            return write()
    except peewee.IntegrityError as error:
        raise Conflict(f"There is already a department called “{name}”.") from error
