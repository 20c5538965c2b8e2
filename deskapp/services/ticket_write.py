"""How every ticket action writes: it locks the ticket's row first (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock), saves it with the
next version, and tells the other desks through the change feed. A change of its status,
assignee, priority or tags is audited here too, whichever action made it (a status dialog, a
reply that sets the status, a merge): the ticket's history reads those entries."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import peewee

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.errors import Conflict, NotFound
from deskapp.ids import format_number
from deskapp.models import (
    Entity,
    Message,
    MessageKind,
    Ticket,
)
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key

_Row = TypeVar("_Row", bound=peewee.Model)
"""A model a locked query reads."""


def locked(query: peewee.ModelSelect[_Row]) -> peewee.ModelSelect[_Row]:
    """The query's rows locked until the transaction ends on PostgreSQL (SQLite's IMMEDIATE
    transaction already holds the whole file)."""
    return query.for_update() if is_postgres() else query


def lock_ticket(ticket_id: object) -> Ticket:
    """The ticket's row, locked until the transaction ends (inside write_transaction())."""
    ticket = locked(Ticket.select().where(Ticket.id == key(ticket_id, "ticket"))).first()
    if ticket is None:
        raise NotFound("That ticket no longer exists; it may have been merged or deleted.")
    return ticket


def save_ticket(ticket: Ticket, changes: dict[str, object]) -> None:
    """Write `changes` (maybe none) with the next version, and tell the other desks."""
    now = clock.now()
    updated = (
        Ticket.update(**changes, version=Ticket.version + 1, updated_at=now)
        .where(Ticket.id == ticket.id, Ticket.version == ticket.version)
        .execute()
    )
    if not updated:
        raise Conflict(f"Someone else changed {ticket_label(ticket)} first; open it again.")
    ticket.version += 1
    feed.publish(Entity.TICKET, ticket.id, "updated")


def ticket_label(ticket: Ticket) -> str:
    """T-20311."""
    return format_number("ticket", ticket.number)


def add_note(ticket: Ticket, actor: Actor, body: str, at: dt.datetime) -> None:
    """An internal note by `actor` on the ticket: what an action did, for the staff to read."""
    Message.create(
        ticket=ticket.id,
        kind=MessageKind.NOTE,
        staff=actor.id,
        author_name=actor.name,
        body=body,
        created_at=at,
    )


def record_change(actor: Actor, ticket: Ticket, field: str, before: str, after: str) -> None:
    """Audit a change of one field (the ticket's history), unless it changed nothing."""
    if before == after:
        return
    audit.record(
        actor,
        f"ticket.{field}",
        "ticket",
        ticket.id,
        f"{ticket_label(ticket)} {field}",
        {field: before},
        {field: after},
    )
