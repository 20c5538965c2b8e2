"""Orders: the approval queue (pending, oldest first) and every order (newest first).

Both views page by order number (keyset paging) on the (status, number) index, so the queue's
first page costs the same with a hundred orders or a hundred thousand. The page's items are
read in one more query for the whole page. One order in full is
deskapp.services.order_detail's (re-exported here).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from deskapp import clock
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Order,
    OrderItem,
    OrderStatus,
    Product,
    dict_rows,
    tuple_rows,
)
from deskapp.services.order_detail import (
    OrderDetail,
    OrderItemView,
    OrderPaymentView,
    OrderServiceView,
    find_order,
    get_order,
    order_of_ticket,
)

__all__ = [
    "VIEWS",
    "OrderDetail",
    "OrderItemView",
    "OrderPaymentView",
    "OrderServiceView",
    "OrderSummary",
    "find_order",
    "get_order",
    "list_orders",
    "order_of_ticket",
]

VIEWS = ("pending", "all")
"""The order views: those waiting for an admin (oldest first), or every order (newest first)."""


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
    items: str = ""
    """What was ordered: "Fibre 1000, 2 × VoIP Line"."""
    payment_method: str = ""
    """"" (a request), "card" or "manual"."""
    lookers: str = ""
    """Who else has the order open right now ("Ann Admin, Sam"), or "": list_orders leaves it
    empty; the queue fills it from deskapp.services.presence, which knows who is asking."""

    @property
    def label(self) -> str:
        """The order number as people say it: O-5531."""
        return format_number("order", self.number)

    @property
    def age_days(self) -> int:
        """Whole days since it was placed (the queue turns amber after one, red after three)."""
        return max((clock.now() - self.placed_at).days, 0)


def list_orders(
    view: str = "pending",
    after: OrderSummary | None = None,
    limit: int = 100,
    client_id: uuid.UUID | None = None,
) -> list[OrderSummary]:
    """A page of orders after the order `after` (keyset paging by number).

    "pending" is the approval queue, oldest first (whoever waited longest is served first);
    "all" is every order, newest first. `client_id` keeps only that client's orders (the
    client screen's `o`).
    """
    if view not in VIEWS:
        raise ValueError(f"unknown order view {view!r}")
    query = Order.select(
        Order.id,
        Order.number,
        Order.status,
        Order.payment_status,
        Order.payment_method,
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
            query = query.where(Order.number > after.number)
        query = query.order_by(Order.number)
    else:
        if after is not None:
            query = query.where(Order.number < after.number)
        query = query.order_by(Order.number.desc())
    rows = list(dict_rows(query.limit(max(1, min(int(limit), 500)))))
    ids = [row["id"] for row in rows]
    items = _items_of(ids)
    return [_summary(row, items.get(row["id"], "")) for row in rows]


def _items_of(order_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """ "Fibre 1000, 2 × VoIP Line" for each order of the page."""
    if not order_ids:
        return {}
    query = (
        OrderItem.select(OrderItem.order, OrderItem.quantity, Product.name)
        .join(Product)
        .where(OrderItem.order.in_(order_ids))
        .order_by(OrderItem.order, OrderItem.created_at, OrderItem.id)
    )
    named: dict[uuid.UUID, list[str]] = {}
    for order_id, quantity, name in tuple_rows(query):
        named.setdefault(order_id, []).append(name if quantity == 1 else f"{quantity} × {name}")
    return {order_id: ", ".join(names) for order_id, names in named.items()}


def _summary(row: dict[str, Any], items: str) -> OrderSummary:
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
        items=items,
        payment_method=row["payment_method"],
    )
