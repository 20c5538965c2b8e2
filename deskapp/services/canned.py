"""Canned replies: the desk's reusable answers, filled in for one ticket.

A canned reply's text names fields in braces — {client_name} {first_name} {ticket_number}
{subject} {department} {staff_name} {start_date} — filled with str.format_map. A field nobody
knows (or one without a value, like {start_date} on a ticket without an order) stays exactly as
written, for the staff member to fill by hand; stray braces never make filling fail.
"""

from __future__ import annotations

import re
import string
import uuid
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    CannedReply,
    Client,
    Contact,
    Department,
    Entity,
    Order,
    Staff,
    Ticket,
    dict_rows,
)
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key
from deskapp.services.conflicts import changed_meanwhile
from deskapp.services.rights import Right, acting

FIELDS = (
    "client_name",
    "first_name",
    "ticket_number",
    "subject",
    "department",
    "staff_name",
    "start_date",
)
"""The fields a canned reply may name."""
START_DATE_FORMAT = "%d %B %Y"
"""How {start_date} reads: 14 March 2026."""
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TITLE_LIMIT = 120
"""The longest title (the column's size)."""
BODY_LIMIT = 20_000
"""The longest canned reply."""


@dataclass(frozen=True)
class CannedChoice:
    """A canned reply in the picker."""

    id: uuid.UUID
    """Its key: pass it to fill_canned_reply."""
    title: str
    """What the picker shows."""
    department: str
    """The department it is for, or empty for a general one."""


def list_canned_replies(department_id: uuid.UUID | None = None) -> list[CannedChoice]:
    """The department's canned replies and the general ones, by title (every one when
    `department_id` is None)."""
    query = CannedReply.select(
        CannedReply.id, CannedReply.title, Department.name.alias("department_name")
    ).join(Department, peewee.JOIN.LEFT_OUTER, on=(CannedReply.department == Department.id))
    if department_id is not None:
        query = query.where(
            (CannedReply.department == department_id) | CannedReply.department.is_null()
        )
    rows = dict_rows(query.order_by(CannedReply.title, CannedReply.id))
    return [
        CannedChoice(id=row["id"], title=row["title"], department=row["department_name"] or "")
        for row in rows
    ]


class _Verbatim:
    """An unknown field: formats back to how it was written, "{name.attr[key]:spec}"."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __getattr__(self, name: str) -> _Verbatim:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Verbatim(f"{self.text}.{name}")

    def __getitem__(self, key: object) -> _Verbatim:
        return _Verbatim(f"{self.text}[{key}]")

    def __format__(self, spec: str) -> str:
        return "{" + self.text + (f":{spec}" if spec else "") + "}"

    def __str__(self) -> str:
        return "{" + self.text + "}"

    __repr__ = __str__


class _Fields(dict[str, Any]):
    """The values to fill; any other name is left as written."""

    def __missing__(self, key: str) -> _Verbatim:
        return _Verbatim(key)


def fill_template(text: str, values: dict[str, str]) -> str:
    """`text` with {name} replaced by values[name]; unknown fields and odd braces stay as they
    are. Never raises: text that str.format cannot parse ("{", "{0}", "{x!z}") gets only its
    plain {known_name} fields replaced."""
    try:
        return text.format_map(_Fields(values))
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, LookupError):
        return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def canned_values(ticket_id: uuid.UUID, actor: Actor) -> dict[str, str]:
    """The values of the fields for one ticket and staff member (start_date only when the
    ticket's order has one)."""
    row = (
        Ticket.select(
            Ticket.number,
            Ticket.subject,
            Client.first_name.alias("client_first"),
            Client.last_name.alias("client_last"),
            Client.company.alias("client_company"),
            Contact.first_name.alias("contact_first"),
            Department.name.alias("department_name"),
            Order.start_date.alias("start_date"),
        )
        .join(Client, on=(Ticket.client == Client.id))
        .switch(Ticket)
        .join(Department, on=(Ticket.department == Department.id))
        .switch(Ticket)
        .join(Contact, peewee.JOIN.LEFT_OUTER, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(Order, peewee.JOIN.LEFT_OUTER, on=(Ticket.order == Order.id))
        .where(Ticket.id == ticket_id)
        .dicts()
        .first()
    )
    if row is None:
        raise NotFound("That ticket no longer exists; it may have been merged or deleted.")
    person = f"{row['client_first'] or ''} {row['client_last'] or ''}".strip()
    staff_name = Staff.select(Staff.name).where(Staff.id == actor.id).scalar() or actor.name
    values = {
        "client_name": row["client_company"] or person,
        "first_name": row["contact_first"] or row["client_first"] or "",
        "ticket_number": format_number("ticket", row["number"]),
        "subject": row["subject"],
        "department": row["department_name"],
        "staff_name": staff_name,
    }
    start = row["start_date"]
    if start is not None:
        values["start_date"] = (
            start.strftime(START_DATE_FORMAT) if hasattr(start, "strftime") else str(start)
        )
    return values


def fill_canned_reply(canned_id: uuid.UUID, ticket_id: uuid.UUID, actor: Actor) -> str:
    """The canned reply's text filled in for the ticket and the staff member."""
    body = CannedReply.select(CannedReply.body).where(CannedReply.id == canned_id).scalar()
    if body is None:
        raise NotFound("That canned reply no longer exists.")
    return fill_template(body, canned_values(ticket_id, actor))


@dataclass(frozen=True)
class CannedReplyView:
    """A canned reply as the admin screens show and edit it."""

    id: uuid.UUID
    """Its key."""
    title: str
    """What the picker shows; unique on the desk."""
    body: str
    """The text, with {fields} filled in when used."""
    department_id: uuid.UUID | None
    """The department it is offered in, or None for every department."""
    department: str
    """That department's name, or empty for a general one."""
    version: int
    """The version read: pass it back to save_canned_reply to detect someone else's change."""


def _view_query() -> peewee.ModelSelect[CannedReply]:
    return CannedReply.select(
        CannedReply.id,
        CannedReply.title,
        CannedReply.body,
        CannedReply.department,
        CannedReply.version,
        Department.name.alias("department_name"),
    ).join(Department, peewee.JOIN.LEFT_OUTER, on=(CannedReply.department == Department.id))


def _view(row: dict[str, Any]) -> CannedReplyView:
    return CannedReplyView(
        id=row["id"],
        title=row["title"],
        body=row["body"],
        department_id=row["department"],
        department=row["department_name"] or "",
        version=row["version"],
    )


def list_canned_reply_views() -> list[CannedReplyView]:
    """Every canned reply with its text, by title."""
    return [_view(row) for row in dict_rows(_view_query().order_by(CannedReply.title))]


def get_canned_reply_view(reply_id: uuid.UUID) -> CannedReplyView:
    """One canned reply; NotFound when it is gone."""
    query = _view_query().where(CannedReply.id == key(reply_id, "canned reply"))
    row = next(dict_rows(query), None)
    if row is None:
        raise NotFound("That canned reply no longer exists.")
    return _view(row)


def named_fields(body: str) -> list[str]:
    """The fields `body` names, in order, once each ("{client_name}" -> "client_name")."""
    try:
        parsed = [field for _, field, _, _ in string.Formatter().parse(body) if field]
        names = [re.split(r"[.\[]", field, maxsplit=1)[0] for field in parsed]
    except ValueError:  # stray braces: only the plain {name} fields fill_template fills
        names = _FIELD.findall(body)
    return list(dict.fromkeys(names))


def unknown_fields(body: str) -> list[str]:
    """The fields `body` names that no ticket fills (not in FIELDS)."""
    return [name for name in named_fields(body) if name not in FIELDS]


def checked_reply(title: str, body: str) -> tuple[str, str]:
    """A canned reply's title and text checked, with a sentence naming the field at fault."""
    title = validation.text("title", title, "Title", limit=TITLE_LIMIT, required=True)
    body = validation.text("body", body, "The text", limit=BODY_LIMIT, multiline=True)
    if not body.strip():
        raise ValidationError("body", "The text is empty; write the reply.")
    unknown = unknown_fields(body)
    if unknown:
        named = ", ".join("{" + name[:40] + "}" for name in unknown[:5])
        known = " ".join("{" + name + "}" for name in FIELDS)
        raise ValidationError(
            "body",
            f"The desk cannot fill {named}; the fields a reply may use are {known}.",
        )
    return title, body


def save_canned_reply(
    actor: Actor | None,
    *,
    title: str,
    body: str,
    department_id: uuid.UUID | None,
    reply_id: uuid.UUID | None = None,
    version: int | None = None,
) -> CannedReplyView:
    """Add a canned reply (no `reply_id`) or change one read at `version` (Conflict when someone
    changed it since). Refuses fields not in FIELDS, naming them. Admins only; audited."""
    title, body = checked_reply(title, body)
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        reply_id = write_canned_reply(person, title, body, department_id, reply_id, version)
    return get_canned_reply_view(reply_id)


def write_canned_reply(
    actor: Actor,
    title: str,
    body: str,
    department_id: uuid.UUID | None,
    reply_id: uuid.UUID | None,
    version: int | None,
) -> uuid.UUID:
    """Insert or update a checked canned reply inside the caller's transaction."""
    if department_id is not None:
        department_id = key(department_id, "department")
        if not Department.select().where(Department.id == department_id).exists():
            raise ValidationError("department", "That department no longer exists; pick another.")
    taken = CannedReply.select().where(peewee.fn.LOWER(CannedReply.title) == title.lower())
    if reply_id is not None:
        taken = taken.where(CannedReply.id != key(reply_id, "canned reply"))
    if taken.exists():
        raise ValidationError("title", f"There is already a canned reply called “{title}”.")
    values = {"title": title, "body": body, "department": department_id}
    if reply_id is None:
        row = _unique(title, lambda: CannedReply.create(**values))
        audit.record(
            actor, "canned_reply.created", "canned_reply", row.id, f"Canned reply {title} added",
            None, values,
        )  # fmt: skip
        feed.publish(Entity.CANNED_REPLY, row.id, "created")
        return row.id
    current = CannedReply.get_or_none(CannedReply.id == reply_id)
    if current is None:
        raise NotFound("That canned reply no longer exists; it may have been deleted.")
    seen = current.version if version is None else version
    changed = _unique(
        title,
        lambda: (
            CannedReply.update(**values, version=CannedReply.version + 1, updated_at=clock.now())
            .where(CannedReply.id == current.id, CannedReply.version == seen)
            .execute()
        ),
    )
    if not changed:
        raise changed_meanwhile(
            CannedReply, current.id, entity="canned_reply", label=current.title,
            fields=("title", "body"),
        )  # fmt: skip
    before = {"title": current.title, "body": current.body, "department": current.department_id}
    audit.record(
        actor, "canned_reply.updated", "canned_reply", current.id,
        f"Canned reply {current.title} edited", before, values,
    )  # fmt: skip
    feed.publish(Entity.CANNED_REPLY, current.id, "updated")
    return current.id


def delete_canned_reply(actor: Actor | None, reply_id: uuid.UUID) -> None:
    """Delete a canned reply (admins only, audited); drafts already filled from it keep their
    text."""
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        row = CannedReply.get_or_none(CannedReply.id == key(reply_id, "canned reply"))
        if row is None:
            raise NotFound("That canned reply no longer exists; it may have been deleted.")
        row.delete_instance()
        audit.record(
            person, "canned_reply.deleted", "canned_reply", row.id,
            f"Canned reply {row.title} deleted",
            {"title": row.title, "body": row.body, "department": row.department_id}, None,
        )  # fmt: skip
        feed.publish(Entity.CANNED_REPLY, row.id, "deleted")


def preview_canned_reply(body: str, ticket_id: uuid.UUID, actor: Actor) -> str:
    """`body` (saved or not) as it would read on the ticket, filled for `actor`."""
    return fill_template(body, canned_values(key(ticket_id, "ticket"), actor))


def _unique(title: str, write: Any) -> Any:
    try:
        with write_transaction():
            return write()
    except peewee.IntegrityError as error:
        raise Conflict(f"There is already a canned reply called “{title}”.") from error
