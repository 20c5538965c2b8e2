"""Orders: the list of what clients asked for, newest first."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from deskapp.ids import format_number
from deskapp.models import Client, Order, OrderStatus, dict_rows

VIEWS = ("pending", "all")
"""The order views: those waiting for an admin, or every order."""


@dataclass(frozen=True)
class OrderSummary:
    """One row of the order list."""

    id: uuid.UUID
    """The order's key."""
    number: int
    """The order number; shown as O-5531 (see `label`)."""
    client_number: int
    """The client's number."""
    client_name: str
    """The client's company, or their name for a private person."""
    status: str
    """Pending, Active, Rejected or Cancelled."""
    payment_status: str
    """None (a request), Successful, Pending or Failed (paid upfront through the gateway)."""
    total_cents: int
    """The order total in cents."""
    placed_at: dt.datetime
    """When the client placed it (UTC)."""

    @property
    def label(self) -> str:
        """The order number as people say it: O-5531."""
        return format_number("order", self.number)


def list_orders(
    view: str = "pending",
    after: OrderSummary | None = None,
    limit: int = 100,
    client_id: uuid.UUID | None = None,
) -> list[OrderSummary]:
    """A page of orders, newest number first, after the order `after` (keyset paging).

    `view` is "pending" (waiting for an admin) or "all"; `client_id` keeps only that client's
    orders (the client screen's `o`).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown order view {view!r}")
    query = Order.select(
        Order.id,
        Order.number,
        Order.status,
        Order.payment_status,
        Order.total_cents,
        Order.created_at,
        Client.number.alias("client_number"),
        Client.first_name.alias("client_first_name"),
        Client.last_name.alias("client_last_name"),
        Client.company.alias("client_company"),
    ).join(Client)
    if client_id is not None:
        query = query.where(Order.client == client_id)
    if view == "pending":
        query = query.where(Order.status == OrderStatus.PENDING)
    if after is not None:
        query = query.where(Order.number < after.number)
    query = query.order_by(Order.number.desc()).limit(limit)
    return [_summary(row) for row in dict_rows(query)]


def _summary(row: dict[str, Any]) -> OrderSummary:
    person = f"{row['client_first_name']} {row['client_last_name']}".strip()
    return OrderSummary(
        id=row["id"],
        number=row["number"],
        client_number=row["client_number"],
        client_name=row["client_company"] or person,
        status=row["status"],
        payment_status=row["payment_status"],
        total_cents=row["total_cents"],
        placed_at=row["created_at"],
    )
