"""What staff do to a ticket besides writing: status, assignee, priority, tags, merging two
tickets, subscribers, estimates the client decides on, and time drawn from prepaid support.

Each action is one transaction that locks the ticket's row first (SELECT … FOR UPDATE on
PostgreSQL; on SQLite an IMMEDIATE transaction holds the write lock from the start), bumps the
ticket's version, and publishes the change to the feed. Merges, estimate decisions and logged
time (prepaid hours are money) are audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TypeVar

import peewee

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Attachment,
    Client,
    Contact,
    Entity,
    Estimate,
    EstimateStatus,
    Message,
    MessageKind,
    Staff,
    Subscriber,
    Ticket,
    TicketStatus,
    TimeEntry,
)
from deskapp.money import MAX_CENTS, Money
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key, lock_client
from deskapp.services.tickets import PRIORITIES, STATUSES
from deskapp.services.transaction import write_transaction

TAGS_LIMIT = 300
"""The longest tag list (the column's size)."""
DESCRIPTION_LIMIT = 2_000
"""The longest estimate description."""
MAX_MINUTES = 100_000
"""More minutes than anyone logs or estimates at once (about 70 days)."""
NOTE_LIMIT = 2_000
"""The longest note on a time entry."""

_Row = TypeVar("_Row", bound=peewee.Model)
"""A model a locked query reads."""


@dataclass(frozen=True)
class StaffChoice:
    """A staff member a ticket can be assigned to."""

    id: uuid.UUID
    """The staff row's key."""
    name: str
    """Their display name."""
    username: str
    """What they sign in with."""


@dataclass(frozen=True)
class EstimateInfo:
    """Work proposed on a ticket and what the client decided."""

    id: uuid.UUID
    """The estimate's key."""
    description: str
    """What would be done."""
    amount_cents: int
    """What it would cost, in cents."""
    minutes: int
    """How long it would take."""
    status: str
    """Proposed, Approved or Declined."""
    staff_name: str
    """Who proposed it (empty when that staff member is gone)."""
    created_at: dt.datetime
    """When it was proposed (UTC)."""
    decided_at: dt.datetime | None
    """When the client's decision was recorded; None while proposed."""


@dataclass(frozen=True)
class TimeEntryInfo:
    """Time spent on a ticket."""

    id: uuid.UUID
    """The entry's key."""
    minutes: int
    """How long."""
    note: str
    """What was done."""
    staff_name: str
    """Who logged it."""
    created_at: dt.datetime
    """When it was logged (UTC)."""


def change_status(actor: Actor, ticket_id: uuid.UUID, status: str) -> None:
    """Set the ticket's status; Completed also ends the client's wait."""
    status = validation.choice("status", status, "Status", STATUSES)
    with write_transaction():
        ticket = _lock_ticket(ticket_id)
        changes: dict[str, object] = {"status": status}
        if status == TicketStatus.COMPLETED:
            changes["waiting_since"] = None
        _save(ticket, changes)


def assign(actor: Actor, ticket_id: uuid.UUID, staff_id: uuid.UUID | None) -> None:
    """Give the ticket to a staff member, or to nobody (None)."""
    with write_transaction():
        ticket = _lock_ticket(ticket_id)
        if staff_id is not None:
            staff = Staff.get_or_none(Staff.id == key(staff_id, "staff member"))
            if staff is None:
                raise ValidationError("assignee", "There is no such staff member to assign it to.")
            if not staff.active:
                raise ValidationError("assignee", f"{staff.name} no longer works the desk.")
        _save(ticket, {"assignee": staff_id})


def set_priority(actor: Actor, ticket_id: uuid.UUID, priority: str) -> None:
    """Set Low, Medium, High or Urgent."""
    priority = validation.choice("priority", priority, "Priority", PRIORITIES)
    with write_transaction():
        _save(_lock_ticket(ticket_id), {"priority": priority})


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


def set_tags(actor: Actor, ticket_id: uuid.UUID, tags: str) -> None:
    """Replace the ticket's tags, comma-separated ("vps, outage"); stored normalised."""
    value = normalise_tags(tags)
    with write_transaction():
        _save(_lock_ticket(ticket_id), {"tags": value})


def merge_tickets(actor: Actor, kept_id: uuid.UUID, merged_id: uuid.UUID) -> None:
    """Move everything of the merged ticket (messages, attachments, subscribers, estimates,
    time) to the kept one, which must be the same client's; the merged one is Completed with a
    note saying where it went. Audited."""
    kept_key, merged_key = key(kept_id, "ticket"), key(merged_id, "ticket")
    if kept_key == merged_key:
        raise ValidationError("ticket", "A ticket cannot be merged into itself; pick another.")
    with write_transaction():
        # Both rows locked, always in key order, so two merges never wait on each other.
        locked = {k: _lock_ticket(k) for k in sorted((kept_key, merged_key))}
        kept, merged = locked[kept_key], locked[merged_key]
        kept_label, merged_label = _label(kept), _label(merged)
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
        _save(kept, {"last_activity_at": activity, "waiting_since": waiting})
        _save(merged, {"status": TicketStatus.COMPLETED, "waiting_since": None})
        _note(merged, actor, f"Merged into {kept_label}.", now)
        _note(kept, actor, f"{merged_label} was merged into this ticket.", now)
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


def _note(ticket: Ticket, actor: Actor, body: str, at: dt.datetime) -> None:
    Message.create(
        ticket=ticket.id,
        kind=MessageKind.NOTE,
        staff=actor.id,
        author_name=actor.name,
        body=body,
        created_at=at,
    )


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
    with write_transaction():
        ticket = _lock_ticket(ticket_id)
        contact = Contact.get_or_none(Contact.id == key(contact_id, "contact"))
        if contact is None or contact.client_id != ticket.client_id:
            raise ValidationError(
                "contact", f"That contact is not one of the contacts of {_label(ticket)}'s client."
            )
        name = f"{contact.first_name} {contact.last_name}".strip()
        if contact.id == ticket.contact_id:
            raise ValidationError(
                "contact", f"{name} raised {_label(ticket)}; they hear about it already."
            )
        already = Subscriber.select().where(
            Subscriber.ticket == ticket.id, Subscriber.contact == contact.id
        )
        if already.exists():
            raise Conflict(f"{name} already follows {_label(ticket)}.")
        Subscriber.create(ticket=ticket.id, contact=contact.id)
        _save(ticket, {})


def remove_subscriber(actor: Actor, ticket_id: uuid.UUID, contact_id: uuid.UUID) -> None:
    """Stop a contact following the ticket."""
    with write_transaction():
        ticket = _lock_ticket(ticket_id)
        removed = (
            Subscriber.delete()
            .where(Subscriber.ticket == ticket.id, Subscriber.contact == key(contact_id, "contact"))
            .execute()
        )
        if not removed:
            raise NotFound(f"That contact does not follow {_label(ticket)}.")
        _save(ticket, {})


def propose_estimate(
    actor: Actor, ticket_id: uuid.UUID, description: str, amount_cents: int, minutes: int
) -> EstimateInfo:
    """Propose work to the client: what, for how much, how long. Audited."""
    description = validation.text(
        "description",
        description,
        "The description",
        limit=DESCRIPTION_LIMIT,
        required=True,
        multiline=True,
    )
    amount = _whole("amount_cents", amount_cents, "The amount", MAX_CENTS - 1)
    minutes = _whole("minutes", minutes, "The time", MAX_MINUTES)
    if amount == 0 and minutes == 0:
        raise ValidationError("amount_cents", "An estimate needs an amount, a time, or both.")
    with write_transaction():
        ticket = _lock_ticket(ticket_id)
        estimate = Estimate.create(
            ticket=ticket.id,
            description=description,
            amount_cents=amount,
            minutes=minutes,
            status=EstimateStatus.PROPOSED,
            staff=actor.id,
            created_at=clock.now(),
            updated_at=clock.now(),
        )
        audit.record(
            actor,
            "estimate.propose",
            "estimate",
            estimate.id,
            f"Estimate on {_label(ticket)}",
            after={"amount_cents": amount, "minutes": minutes, "description": description},
        )
        _save(ticket, {})
    return _estimate_info(estimate.id)


def decide_estimate(actor: Actor, estimate_id: uuid.UUID, approved: bool) -> EstimateInfo:
    """Record the client's answer to a proposed estimate (staff record it on the client's
    behalf). Decided once: a decided estimate gives Conflict. Audited."""
    if not isinstance(approved, bool):
        raise ValidationError("approved", "Say whether the client approved the estimate.")
    estimate_key = key(estimate_id, "estimate")
    with write_transaction():
        ticket_key = Estimate.select(Estimate.ticket).where(Estimate.id == estimate_key).scalar()
        if ticket_key is None:
            raise NotFound("That estimate no longer exists.")
        ticket = _lock_ticket(ticket_key)  # the ticket first, as every ticket action locks
        estimate = _locked(Estimate.select().where(Estimate.id == estimate_key)).first()
        if estimate is None or estimate.ticket_id != ticket.id:
            raise Conflict("That estimate moved to another ticket just now; open it again.")
        if estimate.status != EstimateStatus.PROPOSED:
            when = f"{estimate.decided_at:%Y-%m-%d %H:%M}" if estimate.decided_at else "before"
            raise Conflict(
                f"That estimate was already {estimate.status.lower()} ({when} UTC); a decision "
                "cannot be changed. Propose a new estimate instead."
            )
        status = EstimateStatus.APPROVED if approved else EstimateStatus.DECLINED
        now = clock.now()
        Estimate.update(
            status=status, decided_at=now, updated_at=now, version=Estimate.version + 1
        ).where(Estimate.id == estimate.id).execute()
        word = "approved" if approved else "declined"
        amount = Money(estimate.amount_cents)
        _note(ticket, actor, f"Estimate {word} on the client's behalf ({amount}).", now)
        audit.record(
            actor,
            "estimate.approve" if approved else "estimate.decline",
            "estimate",
            estimate.id,
            f"Estimate on {_label(ticket)} {word} for the client",
            {"status": estimate.status},
            {"status": status, "amount_cents": estimate.amount_cents},
        )
        _save(ticket, {})
    return _estimate_info(estimate.id)


def log_time(actor: Actor, ticket_id: uuid.UUID, minutes: int, note: str = "") -> TimeEntryInfo:
    """Log time spent on the ticket, drawn from the client's prepaid support minutes in the
    same transaction (the client's row locked, so two desks cannot overdraw). Audited."""
    minutes = _whole("minutes", minutes, "The time", MAX_MINUTES)
    if minutes == 0:
        raise ValidationError("minutes", "Log at least one minute.")
    note = validation.text("note", note, "The note", limit=NOTE_LIMIT, multiline=True)
    with write_transaction():
        client_key = Ticket.select(Ticket.client).where(Ticket.id == key(ticket_id, "ticket"))
        client_key = client_key.scalar()
        if client_key is None:
            raise NotFound("That ticket no longer exists; it may have been deleted.")
        client = lock_client(client_key)  # the client first, as every money movement locks
        assert client is not None
        ticket = _lock_ticket(ticket_id)
        if ticket.client_id != client.id:
            raise Conflict(f"{_label(ticket)} moved to another client just now; open it again.")
        left = client.support_minutes
        if minutes > left:
            raise ValidationError(
                "minutes",
                f"{format_number('client', client.number)} has {_hours(left)} of prepaid "
                f"support left; {_hours(minutes)} is more than that.",
            )
        Client.update(support_minutes=Client.support_minutes - minutes).where(
            Client.id == client.id
        ).execute()
        entry = TimeEntry.create(
            ticket=ticket.id, staff=actor.id, minutes=minutes, note=note, created_at=clock.now()
        )
        audit.record(
            actor,
            "ticket.time",
            "client",
            client.id,
            f"{_hours(minutes)} on {_label(ticket)}",
            {"support_minutes": left},
            {"support_minutes": left - minutes, "ticket": _label(ticket), "note": note},
        )
        _save(ticket, {})
        feed.publish(Entity.CLIENT, client.id, "updated")
    return _time_info(entry.id)


def estimates_of(ticket_id: uuid.UUID) -> list[EstimateInfo]:
    """A ticket's estimates, oldest first."""
    query = _estimates().where(Estimate.ticket == key(ticket_id, "ticket"))
    query = query.order_by(Estimate.created_at, Estimate.id).objects()
    return [_estimate_from(row) for row in query]


def time_entries_of(ticket_id: uuid.UUID) -> list[TimeEntryInfo]:
    """The time logged on a ticket, oldest first."""
    query = _time_entries().where(TimeEntry.ticket == key(ticket_id, "ticket"))
    query = query.order_by(TimeEntry.created_at, TimeEntry.id).objects()
    return [_time_from(row) for row in query]


def _estimates() -> peewee.ModelSelect[Estimate]:
    return Estimate.select(Estimate, Staff.name.alias("staff_name")).join(
        Staff, peewee.JOIN.LEFT_OUTER, on=(Estimate.staff == Staff.id)
    )


def _estimate_from(row: Estimate) -> EstimateInfo:
    return EstimateInfo(
        id=row.id,
        description=row.description,
        amount_cents=row.amount_cents,
        minutes=row.minutes,
        status=row.status,
        staff_name=getattr(row, "staff_name", None) or "",
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def _estimate_info(estimate_id: uuid.UUID) -> EstimateInfo:
    return _estimate_from(_estimates().where(Estimate.id == estimate_id).objects().get())


def _time_entries() -> peewee.ModelSelect[TimeEntry]:
    return TimeEntry.select(TimeEntry, Staff.name.alias("staff_name")).join(
        Staff, peewee.JOIN.LEFT_OUTER, on=(TimeEntry.staff == Staff.id)
    )


def _time_from(row: TimeEntry) -> TimeEntryInfo:
    return TimeEntryInfo(
        id=row.id,
        minutes=row.minutes,
        note=row.note,
        staff_name=getattr(row, "staff_name", None) or "",
        created_at=row.created_at,
    )


def _time_info(entry_id: uuid.UUID) -> TimeEntryInfo:
    return _time_from(_time_entries().where(TimeEntry.id == entry_id).objects().get())


def _locked(query: peewee.ModelSelect[_Row]) -> peewee.ModelSelect[_Row]:
    """The query's rows locked until the transaction ends on PostgreSQL (SQLite's IMMEDIATE
    transaction already holds the whole file)."""
    return query.for_update() if is_postgres() else query


def _lock_ticket(ticket_id: object) -> Ticket:
    """The ticket's row, locked until the transaction ends (inside write_transaction())."""
    ticket = _locked(Ticket.select().where(Ticket.id == key(ticket_id, "ticket"))).first()
    if ticket is None:
        raise NotFound("That ticket no longer exists; it may have been merged or deleted.")
    return ticket


def _save(ticket: Ticket, changes: dict[str, object]) -> None:
    """Write `changes` (maybe none) with the next version, and tell the other desks."""
    now = clock.now()
    updated = (
        Ticket.update(**changes, version=Ticket.version + 1, updated_at=now)
        .where(Ticket.id == ticket.id, Ticket.version == ticket.version)
        .execute()
    )
    if not updated:
        raise Conflict(f"Someone else changed {_label(ticket)} first; open it again.")
    ticket.version += 1
    feed.publish(Entity.TICKET, ticket.id, "updated")


def _label(ticket: Ticket) -> str:
    return format_number("ticket", ticket.number)


def _whole(field: str, value: object, label: str, most: int) -> int:
    """A whole number from 0 to `most` (bool and float refused: no float holds money here)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, f"{label} must be a whole number.")
    if value < 0:
        raise ValidationError(field, f"{label} cannot be negative.")
    if value > most:
        raise ValidationError(field, f"{label} is too large; the most is {most:,}.")
    return value


def _hours(minutes: int) -> str:
    """90 -> "1 h 30 min"."""
    return f"{minutes // 60} h {minutes % 60} min"
