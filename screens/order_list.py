"""The order list: orders waiting for an admin, or all of them, newest first; one client's or
every client's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar

from deskapp.services.orders import OrderSummary, list_orders
from screens.area import AreaScreen
from screens.order_cart import TakesNewOrders
from screens.widgets.cells import label_cell, money_cell, when_cell
from screens.widgets.record_table import PageFetcher, RecordColumn
from screens.widgets.untrusted import untrusted

COLUMNS: Sequence[RecordColumn[OrderSummary]] = (
    RecordColumn("Number", lambda o: label_cell(o.label), 8),
    RecordColumn("Client", lambda o: untrusted(o.client_name, limit=32), 32),
    RecordColumn("Status", lambda o: untrusted(o.status), 10),
    RecordColumn("Payment", lambda o: untrusted(o.payment_status), 10),
    RecordColumn("Total", lambda o: money_cell(o.total_cents), 12, align_right=True),
    RecordColumn("Placed (UTC)", lambda o: when_cell(o.placed_at), 16),
)


def _order_page(
    view: str, client_id: uuid.UUID | None, last: OrderSummary | None, limit: int
) -> list[OrderSummary]:
    return list_orders(view, last, limit, client_id)


class OrderListScreen(AreaScreen, TakesNewOrders):
    """Orders by number, newest first; the pending ones wait for an admin.

    As the orders area it shows every client's; pushed with a `client_id` (the client screen's
    `o`), only that client's, titled with its number, and escape goes back to the client.
    """

    AREA_TITLE = "Orders"
    NOUN = "orders"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (("Pending", "pending"), ("All", "all"))
    FILTER_NOUNS: ClassVar[dict[str, str]] = {"pending": "pending orders"}

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, client, status, payment status, total, placed."""
        return COLUMNS

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """New order is the mixin's to decide (AreaScreen comes first: Textual styles a screen
        by its first base's chain of types; its check_action ends the chain)."""
        if action == "new_order":
            return TakesNewOrders.check_action(self, action, parameters)
        return super().check_action(action, parameters)

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_orders() for the view chosen (and the client, if one)."""
        return partial(_order_page, filter_value, self.client_id)
