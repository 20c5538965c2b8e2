"""Opening a ticket: the departments a request can go to, and the new ticket with its first
message, whether staff open it on the client's behalf or the client's mail does.

A department asks for its own extra fields (Billing: the invoice number; Outage: the affected
service). Their values are stored in Ticket.extra as JSON keyed by field name; a field the
department does not have is refused, a required one missing is named by its label.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Contact,
    Department,
    Entity,
    Message,
    MessageKind,
    Staff,
    Ticket,
    TicketStatus,
)
from deskapp.services import validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key
from deskapp.services.clients import ensure_client_open
from deskapp.services.numbers import next_number
from deskapp.services.rights import Right, acting_or_client
from deskapp.services.tickets import PRIORITIES, TicketSummary, ticket_summary

SUBJECT_LIMIT = 300
"""The longest subject (the column's size)."""
BODY_LIMIT = 200_000
"""The longest first message kept (a long pasted log fits; a mail bomb does not)."""
EXTRA_VALUE_LIMIT = 200
"""The longest value of a department's extra field."""
FIELD_KINDS = ("text", "number", "date", "choice")
"""What a department's extra field holds: free text, a number, a date (YYYY-MM-DD), or one of
the field's choices."""
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class ExtraField:
    """A field a department asks for when a ticket is opened in it."""

    name: str
    """The key in Ticket.extra ("invoice_number")."""
    label: str
    """What the form calls it ("Invoice number")."""
    required: bool
    """Whether a ticket opened by staff must give it."""
    kind: str = "text"
    """One of FIELD_KINDS; stored fields without one are text."""
    choices: tuple[str, ...] = ()
    """The values a "choice" field allows, in the order the form offers them."""

    def as_json(self) -> dict[str, Any]:
        """The field as stored in Department.extra_fields (kind and choices only when used)."""
        stored: dict[str, Any] = {"name": self.name, "label": self.label}
        stored["required"] = self.required
        if self.kind != "text":
            stored["kind"] = self.kind
        if self.choices:
            stored["choices"] = list(self.choices)
        return stored


@dataclass(frozen=True)
class DepartmentInfo:
    """A department a ticket can belong to."""

    id: uuid.UUID
    """The department's key."""
    name: str
    """Support, Billing, Outage, …"""
    email: str
    """The mailbox whose mail opens tickets in it (may be empty)."""
    extra_fields: tuple[ExtraField, ...]
    """What it asks for, in the order the form shows them."""


def list_departments() -> list[DepartmentInfo]:
    """Every department, in the desk's order (sort_order, then name)."""
    rows = Department.select().order_by(Department.sort_order, Department.name)
    return [_department_info(row) for row in rows]


def _department_info(row: Department) -> DepartmentInfo:
    return DepartmentInfo(row.id, row.name, row.email, extra_fields_of(row.extra_fields))


def extra_fields_of(stored: str) -> tuple[ExtraField, ...]:
    """The fields described by a department's `extra_fields` JSON; malformed entries are
    skipped (a hand-edited row must not stop tickets from opening)."""
    try:
        items = json.loads(stored or "[]")
    except ValueError:
        return ()
    fields = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]:
            label = item.get("label") if isinstance(item.get("label"), str) else item["name"]
            kind = str(item["kind"]) if item.get("kind") in FIELD_KINDS else "text"
            given = item.get("choices")
            choices = (
                tuple(c for c in given if isinstance(c, str)) if isinstance(given, list) else ()
            )
            fields.append(
                ExtraField(
                    item["name"], label or item["name"], bool(item.get("required")), kind, choices
                )
            )
    return tuple(fields)


def extra_fields_json(fields: tuple[ExtraField, ...]) -> str:
    """`fields` as Department.extra_fields stores them (read back by extra_fields_of)."""
    return json.dumps([field.as_json() for field in fields], ensure_ascii=False)


def check_value(field: ExtraField, value: str) -> str:
    """A non-empty value of `field` checked against its kind; ValidationError saying how to
    write it."""
    if field.kind == "number" and not _NUMBER.fullmatch(value):
        raise ValidationError(field.name, f"{field.label} must be a number, like 42 or 12.5.")
    if field.kind == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                field.name, f"{field.label} must be a date written YYYY-MM-DD, like 2026-03-14."
            ) from None
    if field.kind == "choice" and value not in field.choices:
        raise ValidationError(
            field.name, f"{field.label} must be one of {', '.join(field.choices)}."
        )
    return value


def open_ticket(
    actor: Actor | None,
    client_id: uuid.UUID,
    department_id: uuid.UUID,
    subject: str,
    body: str,
    *,
    contact_id: uuid.UUID | None = None,
    priority: str = "Medium",
    extra: Mapping[str, str] | None = None,
    assignee_id: uuid.UUID | None = None,
    check_extra: bool = True,
    message_id: str | None = None,
    author_name: str = "",
    sender_address: str = "",
    sender_unverified: bool = False,
) -> TicketSummary:
    """Open a ticket with the client's request as its first message (kind "client"), status
    Open, the client waiting since now, and the next ticket number.

    `actor` None means the client wrote it (mail import); with an actor, staff open it on the
    client's behalf, and must hold Right.WORK_TICKETS (read in the same transaction).
    `check_extra` False skips the department's required fields (mail cannot fill them in).
    `message_id` is the mail's Message-ID, so the same mail from the same `sender_address` is
    not imported twice; `sender_unverified` marks a sender the desk's mail server could not
    verify.
    ValidationError names the field at fault; a Closed client gets Conflict (ensure_client_open).
    """
    subject = validation.text("subject", subject, "Subject", limit=SUBJECT_LIMIT, required=True)
    body = validation.text("body", body, "The message", limit=BODY_LIMIT, multiline=True)
    if not body.strip():
        raise ValidationError("body", "The message is empty; write what the client asks for.")
    priority = validation.choice("priority", priority, "Priority", PRIORITIES)
    author = validation.text("author_name", author_name, "Author", limit=200)
    now = clock.now()
    with acting_or_client(actor, Right.WORK_TICKETS):
        client = ensure_client_open(key(client_id, "client"))
        department = Department.get_or_none(Department.id == key(department_id, "department"))
        if department is None:
            raise NotFound("That department no longer exists; pick another one.")
        values = _extra_values(department, extra or {}, check_extra)
        contact = _contact(client, contact_id)
        if assignee_id is not None:
            _active_staff(assignee_id)
        sender_address = sender_address.strip().lower()[:254]
        if (
            message_id
            and Message.select()
            .where(Message.message_id == message_id, Message.sender_address == sender_address)
            .exists()
        ):
            raise Conflict("That mail was already imported; it is not opened twice.")
        number = next_number("ticket")
        ticket = Ticket.create(
            number=number,
            client=client.id,
            contact=contact.id if contact else None,
            department=department.id,
            subject=subject,
            priority=priority,
            status=TicketStatus.OPEN,
            assignee=assignee_id,
            extra=json.dumps(values, sort_keys=True),
            created_at=now,
            updated_at=now,
            last_activity_at=now,
            waiting_since=now,
        )
        Message.create(
            ticket=ticket.id,
            kind=MessageKind.CLIENT,
            contact=contact.id if contact else None,
            author_name=author or _name_of(contact, client),
            body=body,
            message_id=message_id or None,
            sender_address=sender_address,
            sender_unverified=sender_unverified,
            created_at=now,
        )
        feed.publish(Entity.TICKET, ticket.id, "created")
    summary = ticket_summary(ticket.id)
    assert summary is not None
    return summary


def _contact(client: Client, contact_id: uuid.UUID | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.get_or_none(Contact.id == key(contact_id, "contact"))
    if contact is None or contact.client_id != client.id:
        raise ValidationError(
            "contact",
            f"That contact is not one of {format_number('client', client.number)}'s contacts.",
        )
    return contact


def _active_staff(staff_id: uuid.UUID) -> Staff:
    staff = Staff.get_or_none(Staff.id == key(staff_id, "staff member"))
    if staff is None:
        raise ValidationError("assignee", "There is no such staff member to assign it to.")
    if not staff.active:
        raise ValidationError("assignee", f"{staff.name} no longer works the desk.")
    return staff


def _name_of(contact: Contact | None, client: Client) -> str:
    if contact is not None:
        return f"{contact.first_name} {contact.last_name}".strip()
    return client.company or f"{client.first_name} {client.last_name}".strip()


def _extra_values(
    department: Department, given: Mapping[str, Any], check_required: bool
) -> dict[str, str]:
    """The department's extra fields as given: unknown names refused, required ones (when
    `check_required`) present, empty optional ones left out."""
    fields = {field.name: field for field in extra_fields_of(department.extra_fields)}
    if not isinstance(given, Mapping):
        raise ValidationError("extra", "The department's fields must be given by name.")
    for name in given:
        if name not in fields:
            shown = str(name)[:40]
            raise ValidationError(str(name), f"{department.name} has no field called “{shown}”.")
    values = {}
    for name, field in fields.items():
        value = validation.text(name, given.get(name), field.label, limit=EXTRA_VALUE_LIMIT)
        if value:
            values[name] = check_value(field, value)
        elif field.required and check_required:
            raise ValidationError(name, f"{department.name} needs the {_lower_first(field.label)}.")
    return values


def _lower_first(label: str) -> str:
    """ "Invoice number" -> "invoice number" (an acronym like "VAT ID" stays as it is)."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]
