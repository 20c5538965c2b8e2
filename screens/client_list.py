"""The client list: every client by number, filtered by status."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar

from deskapp.services.clients import ClientSummary, list_clients
from screens.area import AreaScreen
from screens.widgets.cells import label_cell, money_cell
from screens.widgets.record_table import PageFetcher, RecordColumn
from screens.widgets.untrusted import untrusted

COLUMNS: Sequence[RecordColumn[ClientSummary]] = (
    RecordColumn("Number", lambda c: label_cell(c.label), 8),
    RecordColumn("Name", lambda c: untrusted(c.name, limit=24), 24),
    RecordColumn("Company", lambda c: untrusted(c.company, limit=24), 24),
    RecordColumn("Email", lambda c: untrusted(c.email, limit=28), 28),
    RecordColumn("Status", lambda c: untrusted(c.status), 8),
    RecordColumn("Credit", lambda c: money_cell(c.credit_cents), 11, align_right=True),
)


def _client_page(status: str | None, last: ClientSummary | None, limit: int) -> list[ClientSummary]:
    return list_clients(status, last.number if last else None, limit)


class ClientListScreen(AreaScreen):
    """Every client in number order; Active, Inactive, Closed or all of them."""

    AREA_TITLE = "Clients"
    NOUN = "clients"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (
        ("All", "all"),
        ("Active", "Active"),
        ("Inactive", "Inactive"),
        ("Closed", "Closed"),
    )
    FILTER_NOUNS: ClassVar[dict[str, str]] = {
        "Active": "active clients",
        "Inactive": "inactive clients",
        "Closed": "closed clients",
    }

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, name, company, email, status, credit."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_clients() for the status chosen (all: no status)."""
        return partial(_client_page, None if filter_value == "all" else filter_value)
