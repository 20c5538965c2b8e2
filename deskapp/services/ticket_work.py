"""Work on a ticket that the client pays for: estimates the client decides on, and time drawn
from the client's prepaid support hours (the client's row locked first: prepaid hours are
money). Every one is audited."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Entity,
    Estimate,
    EstimateStatus,
    Staff,
    Ticket,
    TimeEntry,
)
from deskapp.money import MAX_CENTS, Money
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key, lock_client
from deskapp.services.rights import Right, acting
from deskapp.services.ticket_write import add_note, lock_ticket, locked, save_ticket, ticket_label

DESCRIPTION_LIMIT = 2_000
"""The longest estimate description."""
MAX_MINUTES = 100_000
"""More minutes than anyone logs or estimates at once (about 70 days)."""
NOTE_LIMIT = 2_000
"""The longest note on a time entry."""


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
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket = lock_ticket(ticket_id)
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
            f"Estimate on {ticket_label(ticket)}",
            after={"amount_cents": amount, "minutes": minutes, "description": description},
        )
        save_ticket(ticket, {})
    return _estimate_info(estimate.id)


def decide_estimate(actor: Actor, estimate_id: uuid.UUID, approved: bool) -> EstimateInfo:
    """Record the client's answer to a proposed estimate (staff record it on the client's
    behalf). Decided once: a decided estimate gives Conflict. Audited."""
    if not isinstance(approved, bool):
        raise ValidationError("approved", "Say whether the client approved the estimate.")
    estimate_key = key(estimate_id, "estimate")
    with acting(actor, Right.WORK_TICKETS) as actor:
        ticket_key = Estimate.select(Estimate.ticket).where(Estimate.id == estimate_key).scalar()
        if ticket_key is None:
            raise NotFound("That estimate no longer exists.")
        ticket = lock_ticket(ticket_key)  # the ticket first, as every ticket action locks
        estimate = locked(Estimate.select().where(Estimate.id == estimate_key)).first()
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
        add_note(ticket, actor, f"Estimate {word} on the client's behalf ({amount}).", now)
        audit.record(
            actor,
            "estimate.approve" if approved else "estimate.decline",
            "estimate",
            estimate.id,
            f"Estimate on {ticket_label(ticket)} {word} for the client",
            {"status": estimate.status},
            {"status": status, "amount_cents": estimate.amount_cents},
        )
        save_ticket(ticket, {})
    return _estimate_info(estimate.id)


def log_time(actor: Actor, ticket_id: uuid.UUID, minutes: int, note: str = "") -> TimeEntryInfo:
    """Log time spent on the ticket, drawn from the client's prepaid support minutes in the
    same transaction (the client's row locked, so two desks cannot overdraw). Audited."""
    minutes = _whole("minutes", minutes, "The time", MAX_MINUTES)
    if minutes == 0:
        raise ValidationError("minutes", "Log at least one minute.")
    note = validation.text("note", note, "The note", limit=NOTE_LIMIT, multiline=True)
    with acting(actor, Right.WORK_TICKETS) as actor:
        client_key = Ticket.select(Ticket.client).where(Ticket.id == key(ticket_id, "ticket"))
        client_key = client_key.scalar()
        if client_key is None:
            raise NotFound("That ticket no longer exists; it may have been deleted.")
        client = lock_client(client_key)  # the client first, as every money movement locks
        assert client is not None
        ticket = lock_ticket(ticket_id)
        if ticket.client_id != client.id:
            raise Conflict(
                f"{ticket_label(ticket)} moved to another client just now; open it again."
            )
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
            f"{_hours(minutes)} on {ticket_label(ticket)}",
            {"support_minutes": left},
            {"support_minutes": left - minutes, "ticket": ticket_label(ticket), "note": note},
        )
        save_ticket(ticket, {})
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
