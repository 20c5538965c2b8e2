"""Tickets: the queue, newest activity first."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.ids import format_number
from deskapp.models import Client, Department, Staff, Ticket, TicketStatus

VIEWS = ("open", "completed", "all")
"""The queue views: open (anything not completed), completed, or every ticket."""

TicketPageKey = tuple[dt.datetime, uuid.UUID]
"""Where a page of the queue ends: the last row's (last_activity_at, id)."""


@dataclass(frozen=True)
class TicketSummary:
    """One row of the ticket queue."""

    id: uuid.UUID
    """The ticket's key."""
    number: int
    """The ticket number; shown as T-20311 (see `label`)."""
    subject: str
    """What the client wrote as the subject (untrusted text)."""
    client_number: int
    """The client's number."""
    client_name: str
    """The client's company, or their name for a private person."""
    department: str
    """The department the request belongs to."""
    status: str
    """Open, Answered, Customer-Reply, On Hold, In Progress or Completed."""
    priority: str
    """Low, Medium, High or Urgent."""
    assignee: str
    """The assigned staff member's name, or empty when nobody has it."""
    last_activity_at: dt.datetime
    """When the conversation last moved (UTC)."""
    waiting_since: dt.datetime | None
    """Since when the client waits for an answer; None when they are not waiting."""

    @property
    def label(self) -> str:
        """The ticket number as people say it: T-20311."""
        return format_number("ticket", self.number)

    @property
    def page_key(self) -> TicketPageKey:
        """Pass as `after` to list_tickets() for the next page."""
        return (self.last_activity_at, self.id)

    def waiting(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """How long the client has been waiting, at `now` (default: the clock's now)."""
        if self.waiting_since is None:
            return None
        return max((now or clock.now()) - self.waiting_since, dt.timedelta(0))


def list_tickets(
    view: str = "open",
    after: TicketPageKey | None = None,
    limit: int = 100,
    client_id: uuid.UUID | None = None,
) -> list[TicketSummary]:
    """A page of the queue, most recent activity first, starting after `after` (keyset paging).

    `view` is "open" (every status but Completed), "completed" or "all"; `client_id` keeps
    only that client's tickets (the client screen's `t`).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown ticket view {view!r}")
    query = (
        Ticket.select(
            Ticket.id,
            Ticket.number,
            Ticket.subject,
            Ticket.status,
            Ticket.priority,
            Ticket.last_activity_at,
            Ticket.waiting_since,
            Client.number.alias("client_number"),
            Client.first_name.alias("client_first_name"),
            Client.last_name.alias("client_last_name"),
            Client.company.alias("client_company"),
            Department.name.alias("department_name"),
            Staff.name.alias("assignee_name"),
        )
        .join(Client)
        .switch(Ticket)
        .join(Department)
        .switch(Ticket)
        .join(Staff, peewee.JOIN.LEFT_OUTER, on=(Ticket.assignee == Staff.id))
    )
    if client_id is not None:
        query = query.where(Ticket.client == client_id)
    if view == "open":
        query = query.where(Ticket.status != TicketStatus.COMPLETED)
    elif view == "completed":
        query = query.where(Ticket.status == TicketStatus.COMPLETED)
    if after is not None:
        at, key = after
        query = query.where(
            (Ticket.last_activity_at < at) | ((Ticket.last_activity_at == at) & (Ticket.id < key))
        )
    query = query.order_by(Ticket.last_activity_at.desc(), Ticket.id.desc()).limit(limit)
    return [_summary(row) for row in query.dicts()]


def _summary(row: dict[str, Any]) -> TicketSummary:
    person = f"{row['client_first_name']} {row['client_last_name']}".strip()
    return TicketSummary(
        id=row["id"],
        number=row["number"],
        subject=row["subject"],
        client_number=row["client_number"],
        client_name=row["client_company"] or person,
        department=row["department_name"],
        status=row["status"],
        priority=row["priority"],
        assignee=row["assignee_name"] or "",
        last_activity_at=row["last_activity_at"],
        waiting_since=row["waiting_since"],
    )
