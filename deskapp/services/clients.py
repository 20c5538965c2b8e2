"""Clients: the list, lookup, profile and changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from deskapp.ids import format_number
from deskapp.models import Client, ClientStatus


@dataclass(frozen=True)
class ClientSummary:
    """One row of the client list."""

    id: uuid.UUID
    """The client's key."""
    number: int
    """The client number; shown as C-1042 (see `label`)."""
    name: str
    """First and last name."""
    company: str
    """The company, or empty for a private person."""
    email: str
    """The client's own email."""
    status: str
    """Active, Inactive or Closed."""
    credit_cents: int
    """The cached credit balance."""

    @property
    def label(self) -> str:
        """The client number as people say it: C-1042."""
        return format_number("client", self.number)


STATUSES = tuple(status.value for status in ClientStatus)
"""The statuses a list can be filtered by (None means all)."""


def _summary(row: Client) -> ClientSummary:
    return ClientSummary(
        id=row.id,
        number=row.number,
        name=f"{row.first_name} {row.last_name}".strip(),
        company=row.company,
        email=row.email,
        status=row.status,
        credit_cents=row.credit_cents,
    )


def list_clients(
    status: str | None = None, after_number: int | None = None, limit: int = 100
) -> list[ClientSummary]:
    """A page of clients in number order, starting after `after_number` (keyset paging)."""
    query = Client.select(
        Client.id,
        Client.number,
        Client.first_name,
        Client.last_name,
        Client.company,
        Client.email,
        Client.status,
        Client.credit_cents,
    )
    if status:
        query = query.where(Client.status == status)
    if after_number is not None:
        query = query.where(Client.number > after_number)
    return [_summary(row) for row in query.order_by(Client.number).limit(limit)]
