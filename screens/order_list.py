"""The order list: orders waiting for an admin, or all of them, newest first; one client's or
every client's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar

from deskapp.services.orders import OrderSummary, list_orders
from screens.area import AreaScreen
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
    return list_orders(view, last.number if last else None, limit, client_id)


class OrderListScreen(AreaScreen):
    """Orders by number, newest first; the pending ones wait for an admin.

    As the orders area it shows every client's; pushed with a `client_id` (the client screen's
    `o`), only that client's, titled with its number, and escape goes back to the client.
    """

    AREA_TITLE = "Orders"
    NOUN = "orders"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (("Pending", "pending"), ("All", "all"))
    FILTER_NOUNS: ClassVar[dict[str, str]] = {"pending": "pending orders"}

    def __init__(self, client_id: uuid.UUID | None = None, client_label: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        """Only this client's orders; None for every client's."""
        self.client_label = client_label
        """The client's number (C-1042) for the title, when the list is one client's."""
        if client_id is not None:
            # The header and the key list name the place by AREA_TITLE: say whose list it is.
            self.AREA_TITLE = (
                f"{self.AREA_TITLE} · {client_label}" if client_label else self.AREA_TITLE
            )

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, client, status, payment status, total, placed."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_orders() for the view chosen (and the client, if one)."""
        return partial(_order_page, filter_value, self.client_id)

    def action_back(self) -> None:
        """One client's list goes back to the client from the list; else as every area."""
        if self.client_id is not None and self.focused is self.records:
            self.app.pop_screen()
        else:
            super().action_back()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """One client's list can always go back (to the client)."""
        if action == "back" and self.client_id is not None:
            return True
        return super().check_action(action, parameters)
