"""What staff do to a ticket besides writing: status, assignee, priority, tags, merging two
tickets, subscribers; and (from deskapp.services.ticket_work, re-exported here) estimates the
client decides on and time drawn from prepaid support.

Each action is one transaction that locks the ticket's row first, bumps the ticket's version,
and publishes the change to the feed (deskapp.services.ticket_write). Status, assignee,
priority and tag changes are audited with the value before and after (the ticket's history,
deskapp.services.conversation.history); so are merges, estimate decisions and logged time
(prepaid hours are money).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import peewee

from deskapp import clock
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import (
    Attachment,
    Contact,
    Estimate,
    Message,
    MessageKind,
    Staff,
    Subscriber,
    Ticket,
    TicketStatus,
    TimeEntry,
)
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key
from deskapp.services.conflicts import changed_meanwhile
from deskapp.services.rights import Right, acting
from deskapp.services.ticket_work import (
    EstimateInfo,
    TimeEntryInfo,
    decide_estimate,
    estimates_of,
    log_time,
    propose_estimate,
    time_entries_of,
)
from deskapp.services.ticket_write import (
    add_note,
    lock_ticket,
    record_change,
    save_ticket,
    ticket_label,
)
from deskapp.services.tickets import PRIORITIES, STATUSES

TAGS_LIMIT = 300
"""The longest tag list (the column's size)."""

__all__ = [
    "TAGS_LIMIT",
    "EstimateInfo",
    "StaffChoice",
    "TimeEntryInfo",
    "add_subscriber",
    "assign",
    "change_status",
    "decide_estimate",
    "estimates_of",
    "list_staff",
    "log_time",
    "merge_tickets",
    "normalise_tags",
    "propose_estimate",
    "remove_subscriber",
    "set_priority",
    "set_tags",
    "time_entries_of",
]


@dataclass(frozen=True)
class StaffChoice:
    """A staff member a ticket can be assigned to."""

    id: uuid.UUID
    """The staff row's key."""
    name: str
    """Their display name."""
    username: str
    """What they sign in with."""


def change_status(actor: Actor, ticket_id: uuid.UUID, status: str) -> None:
    """Set the ticket's status; Completed also ends the client's wait."""
    status = validation.choice("status", status, "Status", STATUSES)
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
        before = ticket.status
        changes: dict[str, object] = {"status": status}
        if status == TicketStatus.COMPLETED:
            changes["waiting_since"] = None
        save_ticket(ticket, changes)
        record_change(actor, ticket, "status", before, status)


def assign(actor: Actor, ticket_id: uuid.UUID, staff_id: uuid.UUID | None) -> None:
    """Give the ticket to a staff member, or to nobody (None)."""
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
        name = ""
        if staff_id is not None:
            staff_id = key(staff_id, "staff member")
            staff = Staff.get_or_none(Staff.id == staff_id)
            if staff is None:
                raise ValidationError("assignee", "There is no such staff member to assign it to.")
            if not staff.active:
                raise ValidationError("assignee", f"{staff.name} no longer works the desk.")
            name = staff.name
        before = _staff_name(ticket.assignee_id)
        changed = ticket.assignee_id != staff_id
        save_ticket(ticket, {"assignee": staff_id})
        if changed:
            record_change(actor, ticket, "assignee", before, name)


def set_priority(actor: Actor, ticket_id: uuid.UUID, priority: str) -> None:
    """Set Low, Medium, High or Urgent."""
    priority = validation.choice("priority", priority, "Priority", PRIORITIES)
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
        before = ticket.priority
        save_ticket(ticket, {"priority": priority})
        record_change(actor, ticket, "priority", before, priority)


def _staff_name(staff_id: uuid.UUID | None) -> str:
    if staff_id is None:
        return ""
    found = Staff.select(Staff.name).where(Staff.id == staff_id).scalar()
    return str(found or "")


def normalise_tags(tags: str) -> str:
    """ "VPS,  Outage, vps" -> "vps, outage": lower-case, trimmed, each once, in order given."""
    text = validation.text("tags", tags, "Tags", limit=10 * TAGS_LIMIT)
    unique = dict.fromkeys(part.strip().lower() for part in text.split(","))
    result = ", ".join(tag for tag in unique if tag)
    if len(result) > TAGS_LIMIT:
        raise ValidationError(
            "tags", f"The tags come to {len(result):,} characters; the most is {TAGS_LIMIT}."
        )
    return result


def set_tags(actor: Actor, ticket_id: uuid.UUID, tags: str, seen: str | None = None) -> None:
    """Replace the ticket's tags, comma-separated ("vps, outage"); stored normalised.

    `seen`: the tags as the form showed them; ChangedMeanwhile when someone changed them since
    (the ticket's version moves with every message, so the tags themselves are compared)."""
    value = normalise_tags(tags)
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
        if seen is not None and ticket.tags != seen:
            raise changed_meanwhile(
                Ticket, ticket.id, entity="ticket", label=ticket_label(ticket), fields=["tags"]
            )
        before = ticket.tags
        save_ticket(ticket, {"tags": value})
        label = ticket_label(ticket)
        audit.record(
            actor,
            "ticket.tags",
            "ticket",
            ticket.id,
            f"{label} tags",
            {"tags": before},
            {"tags": value},
        )


def merge_tickets(actor: Actor, kept_id: uuid.UUID, merged_id: uuid.UUID) -> None:
    """Move everything of the merged ticket (messages, attachments, subscribers, estimates,
    time) to the kept one, which must be the same client's; the merged one is Completed with a
    note saying where it went. Audited."""
    kept_key, merged_key = key(kept_id, "ticket"), key(merged_id, "ticket")
    if kept_key == merged_key:
        raise ValidationError("ticket", "A ticket cannot be merged into itself; pick another.")
    with acting(actor, Right.WORK_TICKETS) as actor:
        # Both rows locked, always in key order, so two merges never wait on each other.
        locked = {k: lock_ticket(k) for k in sorted((kept_key, merged_key))}
        kept, merged = locked[kept_key], locked[merged_key]
        kept_label, merged_label = ticket_label(kept), ticket_label(merged)
        if kept.client_id != merged.client_id:
            raise Conflict(
                f"{merged_label} and {kept_label} belong to different clients; only tickets of "
                "the same client can be merged."
            )
        moved = {
            "messages": Message.update(ticket=kept.id).where(Message.ticket == merged.id).execute(),
            "attachments": Attachment.update(ticket=kept.id)
            .where(Attachment.ticket == merged.id)
            .execute(),
            "estimates": Estimate.update(ticket=kept.id, version=Estimate.version + 1)
            .where(Estimate.ticket == merged.id)
            .execute(),
            "time_entries": TimeEntry.update(ticket=kept.id)
            .where(TimeEntry.ticket == merged.id)
            .execute(),
            "subscribers": _move_subscribers(kept, merged),
        }
        if merged.contact_id and merged.contact_id != kept.contact_id:
            _subscribe(kept, merged.contact_id)  # the other ticket's contact keeps hearing
        now = clock.now()
        activity = max(kept.last_activity_at, merged.last_activity_at)
        newest_at = _first_time(Message.ticket == kept.id, newest=True)
        if newest_at is not None:
            activity = max(activity, newest_at)
        waiting = None if kept.status == TicketStatus.COMPLETED else _waiting_since(kept.id)
        save_ticket(kept, {"last_activity_at": activity, "waiting_since": waiting})
        save_ticket(merged, {"status": TicketStatus.COMPLETED, "waiting_since": None})
        record_change(actor, merged, "status", merged.status, TicketStatus.COMPLETED)
        add_note(merged, actor, f"Merged into {kept_label}.", now)
        add_note(kept, actor, f"{merged_label} was merged into this ticket.", now)
        audit.record(
            actor,
            "ticket.merge",
            "ticket",
            kept.id,
            f"{merged_label} merged into {kept_label}",
            {"kept": kept_label, "merged": merged_label, "merged_status": merged.status},
            {"moved": moved},
        )


def _move_subscribers(kept: Ticket, merged: Ticket) -> int:
    """Move the merged ticket's subscribers that the kept one lacks; drop the others."""
    have = {row.contact_id for row in Subscriber.select().where(Subscriber.ticket == kept.id)}
    moved = 0
    for row in Subscriber.select().where(Subscriber.ticket == merged.id):
        if row.contact_id in have or row.contact_id == kept.contact_id:
            row.delete_instance()
        else:
            Subscriber.update(ticket=kept.id).where(Subscriber.id == row.id).execute()
            have.add(row.contact_id)
            moved += 1
    return moved


def _subscribe(ticket: Ticket, contact_id: uuid.UUID) -> None:
    Subscriber.insert(ticket=ticket.id, contact=contact_id).on_conflict_ignore().execute()


def _waiting_since(ticket_id: uuid.UUID) -> dt.datetime | None:
    """Since when the client waits: their first message after the last staff reply."""
    in_ticket = Message.ticket == ticket_id
    last_reply = _first_time(in_ticket & (Message.kind == MessageKind.REPLY), newest=True)
    condition = in_ticket & (Message.kind == MessageKind.CLIENT)
    if last_reply is not None:
        condition &= Message.created_at > last_reply
    return _first_time(condition, newest=False)


def _first_time(condition: peewee.Expression, *, newest: bool) -> dt.datetime | None:
    """The newest (or oldest) message time where `condition` holds, through the index
    message(ticket, created_at)."""
    order = Message.created_at.desc() if newest else Message.created_at
    row = Message.select(Message.created_at).where(condition).order_by(order).first()
    return row.created_at if row else None


def list_staff() -> list[StaffChoice]:
    """The staff a ticket can be assigned to (active ones), by name."""
    rows = (
        Staff.select(Staff.id, Staff.name, Staff.username)
        .where(Staff.active == True)  # noqa: E712
        .order_by(Staff.name, Staff.username)
    )
    return [StaffChoice(row.id, row.name, row.username) for row in rows]


def add_subscriber(actor: Actor, ticket_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    """Let another contact of the ticket's client follow it (they get staff replies)."""
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
        contact = Contact.get_or_none(Contact.id == key(contact_id, "contact"))
        if contact is None or contact.client_id != ticket.client_id:
            raise ValidationError(
                "contact",
                f"That contact is not one of the contacts of {ticket_label(ticket)}'s client.",
            )
        name = f"{contact.first_name} {contact.last_name}".strip()
        if contact.id == ticket.contact_id:
            raise ValidationError(
                "contact", f"{name} raised {ticket_label(ticket)}; they hear about it already."
            )
        already = Subscriber.select().where(
            Subscriber.ticket == ticket.id, Subscriber.contact == contact.id
        )
        if already.exists():
            raise Conflict(f"{name} already follows {ticket_label(ticket)}.")
        Subscriber.create(ticket=ticket.id, contact=contact.id)
        save_ticket(ticket, {})


def remove_subscriber(actor: Actor, ticket_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    """Stop a contact following the ticket."""
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
        removed = (
            Subscriber.delete()
            .where(Subscriber.ticket == ticket.id, Subscriber.contact == key(contact_id, "contact"))
            .execute()
        )
        if not removed:
            raise NotFound(f"That contact does not follow {ticket_label(ticket)}.")
        save_ticket(ticket, {})
