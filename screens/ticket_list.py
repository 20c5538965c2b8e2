"""The ticket queue: tickets by last activity, open, completed or all."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, ClassVar

from deskapp import clock
from deskapp.services.tickets import TicketSummary, list_tickets
from screens.area import AreaScreen
from screens.widgets.cells import duration_cell, label_cell
from screens.widgets.record_table import PageFetcher, RecordColumn
from screens.widgets.untrusted import untrusted

COLUMNS: Sequence[RecordColumn[TicketSummary]] = (
    RecordColumn("Number", lambda t: label_cell(t.label), 8),
    RecordColumn("Subject", lambda t: untrusted(t.subject, limit=25), 25),
    RecordColumn("Client", lambda t: untrusted(t.client_name, limit=16), 16),
    RecordColumn("Department", lambda t: untrusted(t.department, limit=10), 10),
    RecordColumn("Status", lambda t: untrusted(t.status), 14),
    RecordColumn("Priority", lambda t: untrusted(t.priority), 8),
    RecordColumn("Assignee", lambda t: untrusted(t.assignee, limit=10), 10),
    RecordColumn("Waiting", lambda t: duration_cell(t.waiting(clock.now())), 8, align_right=True),
)


def _ticket_page(view: str, last: TicketSummary | None, limit: int) -> list[TicketSummary]:
    return list_tickets(view, last.page_key if last else None, limit)


class TicketListScreen(AreaScreen):
    """The queue, most recent activity first."""

    AREA_TITLE = "Tickets"
    NOUN = "tickets"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (
        ("Open", "open"),
        ("Completed", "completed"),
        ("All", "all"),
    )
    FILTER_NOUNS: ClassVar[dict[str, str]] = {
        "open": "open tickets",
        "completed": "completed tickets",
    }

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, subject, client, department, status, priority, assignee, waiting time."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_tickets() for the view chosen."""
        return partial(_ticket_page, filter_value)
