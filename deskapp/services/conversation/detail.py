"""A ticket's header and side panel: its client, contact, department, assignee, counts,
subscribers, estimates and files, read in four queries; and a ticket found by its number."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import peewee

from deskapp import clock
from deskapp.errors import NotFound
from deskapp.ids import format_number, parse_number
from deskapp.models import (
    Attachment,
    Client,
    Contact,
    Department,
    Estimate,
    Message,
    Order,
    Staff,
    Subscriber,
    Ticket,
    TimeEntry,
    dict_rows,
)
from deskapp.services.attachments import (
    AttachmentInfo,
    attachment_infos,
)
from deskapp.services.bookkeeping import key
from deskapp.services.ticket_work import EstimateInfo


@dataclass(frozen=True)
class SubscriberInfo:
    """Another contact of the client who follows the ticket."""

    contact_id: uuid.UUID
    """The contact's key."""
    name: str
    """First and last name (untrusted text)."""
    email: str
    """Their address."""
    mail_support: bool
    """Whether they receive Support mail, so the replies of this ticket."""


@dataclass(frozen=True)
class TicketDetail:
    """Everything the conversation screen's header and side panel show of a ticket."""

    id: uuid.UUID
    """The ticket's key."""
    number: int
    """Its number."""
    label: str
    """The number as people say it: T-20311."""
    subject: str
    """The subject (untrusted text)."""
    client_id: uuid.UUID
    """The client's key."""
    client_number: int
    """The client's number."""
    client_label: str
    """C-1042."""
    client_name: str
    """The company, or the person's name (untrusted text)."""
    client_status: str
    """Active, Inactive or Closed (a Closed client can still be answered)."""
    contact_id: uuid.UUID | None
    """The contact who raised it, if any."""
    contact_name: str
    """Their name, or empty."""
    contact_email: str
    """Their address (or the client's own when there is no contact)."""
    department_id: uuid.UUID
    """The department's key."""
    department: str
    """The department's name."""
    extra: tuple[tuple[str, str], ...]
    """(label, value) of the department's extra fields in its order, then any others."""
    status: str
    """Open, Answered, Customer-Reply, On Hold, In Progress or Completed."""
    priority: str
    """Low, Medium, High or Urgent."""
    assignee_id: uuid.UUID | None
    """Who has it, if anyone."""
    assignee: str
    """Their name, or empty."""
    tags: str
    """"a, b" (lower-case)."""
    created_at: dt.datetime
    """When it was opened (UTC)."""
    last_activity_at: dt.datetime
    """When the conversation last moved (UTC)."""
    waiting_since: dt.datetime | None
    """Since when the client waits for an answer; None when they do not."""
    version: int
    """Changes with every write to the ticket."""
    message_count: int
    """Messages in the conversation (notes included)."""
    support_minutes_left: int
    """The client's prepaid support time left."""
    time_logged_minutes: int
    """Time logged on this ticket."""
    subscribers: tuple[SubscriberInfo, ...]
    """Other contacts following it."""
    estimates: tuple[EstimateInfo, ...]
    """Work proposed, oldest first."""
    attachments: tuple[AttachmentInfo, ...]
    """Every file of the ticket, oldest first."""
    order_id: uuid.UUID | None = None
    """The order the ticket is about, if any."""
    order_label: str = ""
    """O-5531, or empty."""

    def waiting(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long the client has been waiting at `now` (default: the clock's now)."""
        if self.waiting_since is None:
            return None
        return max((now or clock.now()) - self.waiting_since, dt.timedelta(0))


def person_name(first: str | None, last: str | None) -> str:
    """First and last name, either of which may be missing."""
    return f"{first or ''} {last or ''}".strip()


def missing_ticket() -> NotFound:
    """The refusal for a ticket that is gone."""
    return NotFound("That ticket no longer exists; it may have been merged or deleted.")


def get_ticket(ticket_id: uuid.UUID) -> TicketDetail:
    """The ticket with its client, contact, department, assignee, counts, subscribers, estimates
    and attachments (four queries); NotFound when it is gone."""
    ticket_id = key(ticket_id, "ticket")
    message_count = (
        Message.select(peewee.fn.COUNT(Message.id)).where(Message.ticket == Ticket.id)
    ).alias("message_count")
    minutes = (
        TimeEntry.select(peewee.fn.COALESCE(peewee.fn.SUM(TimeEntry.minutes), 0)).where(
            TimeEntry.ticket == Ticket.id
        )
    ).alias("time_logged")
    row = (
        Ticket.select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.tags,
            Ticket.extra,
            Ticket.created_at,
            Ticket.last_activity_at,
            Ticket.waiting_since,
            Ticket.version,
            Ticket.client,
            Ticket.contact,
            Ticket.department,
            Ticket.assignee,
            Ticket.order,
            Client.number.alias("client_number"),
            Client.first_name.alias("client_first"),
            Client.last_name.alias("client_last"),
            Client.company.alias("client_company"),
            Client.email.alias("client_email"),
            Client.status.alias("client_status"),
            Client.support_minutes.alias("support_minutes"),
            Contact.first_name.alias("contact_first"),
            Contact.last_name.alias("contact_last"),
            Contact.email.alias("contact_email"),
            Department.name.alias("department_name"),
            Department.extra_fields.alias("extra_fields"),
            Staff.name.alias("assignee_name"),
            Order.number.alias("order_number"),
            message_count,
            minutes,
        )
        .join(Client, on=(Ticket.client == Client.id))
        .switch(Ticket)
        .join(Department, on=(Ticket.department == Department.id))
        .switch(Ticket)
        .join(Contact, peewee.JOIN.LEFT_OUTER, on=(Ticket.contact == Contact.id))
        .switch(Ticket)
        .join(Staff, peewee.JOIN.LEFT_OUTER, on=(Ticket.assignee == Staff.id))
        .switch(Ticket)
        .join(Order, peewee.JOIN.LEFT_OUTER, on=(Ticket.order == Order.id))
        .where(Ticket.id == ticket_id)
        .dicts()
        .first()
    )
    if row is None:
        raise missing_ticket()
    subscribers = tuple(
        SubscriberInfo(
            contact_id=sub["contact_id"],
            name=person_name(sub["first_name"], sub["last_name"]),
            email=sub["email"],
            mail_support=bool(sub["mail_support"]),
        )
        for sub in dict_rows(
            Subscriber.select(
                Contact.id.alias("contact_id"),
                Contact.first_name,
                Contact.last_name,
                Contact.email,
                Contact.mail_support,
            )
            .join(Contact, on=(Subscriber.contact == Contact.id))
            .where(Subscriber.ticket == ticket_id)
            .order_by(Subscriber.created_at, Subscriber.id)
        )
    )
    estimates = tuple(
        EstimateInfo(
            id=est["id"],
            description=est["description"],
            amount_cents=est["amount_cents"],
            minutes=est["minutes"],
            status=est["status"],
            staff_name=est["staff_name"] or "",
            created_at=est["created_at"],
            decided_at=est["decided_at"],
        )
        for est in dict_rows(
            Estimate.select(
                Estimate.id,
                Estimate.description,
                Estimate.amount_cents,
                Estimate.minutes,
                Estimate.status,
                Estimate.created_at,
                Estimate.decided_at,
                Staff.name.alias("staff_name"),
            )
            .join(Staff, peewee.JOIN.LEFT_OUTER, on=(Estimate.staff == Staff.id))
            .where(Estimate.ticket == ticket_id)
            .order_by(Estimate.created_at, Estimate.id)
        )
    )
    attachments = tuple(attachment_infos(Attachment.ticket == ticket_id))
    contact_name = person_name(row["contact_first"], row["contact_last"])
    client_person = person_name(row["client_first"], row["client_last"])
    return TicketDetail(
        id=row["id"],
        number=row["number"],
        label=format_number("ticket", row["number"]),
        subject=row["subject"],
        client_id=row["client"],
        client_number=row["client_number"],
        client_label=format_number("client", row["client_number"]),
        client_name=row["client_company"] or client_person,
        client_status=row["client_status"],
        contact_id=row["contact"],
        contact_name=contact_name,
        contact_email=row["contact_email"] or row["client_email"] or "",
        department_id=row["department"],
        department=row["department_name"],
        extra=_extra(row["extra_fields"], row["extra"]),
        status=row["status"],
        priority=row["priority"],
        assignee_id=row["assignee"],
        assignee=row["assignee_name"] or "",
        tags=row["tags"],
        created_at=row["created_at"],
        last_activity_at=row["last_activity_at"],
        waiting_since=row["waiting_since"],
        version=row["version"],
        message_count=int(row["message_count"] or 0),
        support_minutes_left=int(row["support_minutes"] or 0),
        time_logged_minutes=int(row["time_logged"] or 0),
        subscribers=subscribers,
        estimates=estimates,
        attachments=attachments,
        order_id=row["order"],
        order_label=(
            format_number("order", row["order_number"]) if row["order_number"] is not None else ""
        ),
    )


def _extra(fields_json: str, values_json: str) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs: the department's fields in its order, then values of no field."""
    try:
        fields = json.loads(fields_json or "[]")
    except ValueError:
        fields = []
    try:
        values = json.loads(values_json or "{}")
    except ValueError:
        values = {}
    if not isinstance(values, dict):
        values = {}
    if not isinstance(fields, list):
        fields = []
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for field in fields:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str):
            continue
        name = field["name"]
        seen.add(name)
        value = values.get(name)
        if value is None or value == "":
            continue
        pairs.append((str(field.get("label") or name), str(value)))
    for name in sorted(set(values) - seen, key=str):
        value = values[name]
        if value is not None and value != "":
            pairs.append((str(name).replace("_", " ").capitalize(), str(value)))
    return tuple(pairs)


def find_ticket(label_or_number: str) -> TicketDetail:
    """The ticket "T-20311" (or "20311", "t20311"); NotFound with a sentence otherwise."""
    text = label_or_number if isinstance(label_or_number, str) else ""
    number = parse_number("ticket", text)
    if number is None:
        shown = text.strip()[:40]
        raise NotFound(f"“{shown}” is not a ticket number; type it like T-20311.")
    ticket_id = Ticket.select(Ticket.id).where(Ticket.number == number).scalar()
    if ticket_id is None:
        raise NotFound(f"There is no ticket {format_number('ticket', number)}.")
    if isinstance(ticket_id, str):
        ticket_id = uuid.UUID(ticket_id)
    return get_ticket(ticket_id)
