"""Canned replies: the desk's reusable answers, filled in for one ticket.

A canned reply's text names fields in braces — {client_name} {first_name} {ticket_number}
{subject} {department} {staff_name} {start_date} — filled with str.format_map. A field nobody
knows (or one without a value, like {start_date} on a ticket without an order) stays exactly as
written, for the staff member to fill by hand; stray braces never make filling fail.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp.errors import NotFound
from deskapp.ids import format_number
from deskapp.models import (
    CannedReply,
    Client,
    Contact,
    Department,
    Order,
    Staff,
    Ticket,
    dict_rows,
)
from deskapp.services.actors import Actor

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
