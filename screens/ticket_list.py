"""The ticket queue: tickets by last activity, open, completed or all; one client's or every."""

from __future__ import annotations

import uuid
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


def _ticket_page(
    view: str, client_id: uuid.UUID | None, last: TicketSummary | None, limit: int
) -> list[TicketSummary]:
    return list_tickets(view, last.page_key if last else None, limit, client_id)


class TicketListScreen(AreaScreen):
    """The queue, most recent activity first.

    As the tickets area it shows every client's; pushed with a `client_id` (the client screen's
    `t`), only that client's, titled with its number, and escape goes back to the client.
    """

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

    def __init__(self, client_id: uuid.UUID | None = None, client_label: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        """Only this client's tickets; None for the whole queue."""
        self.client_label = client_label
        """The client's number (C-1042) for the title, when the list is one client's."""
        if client_id is not None:
            # The header and the key list name the place by AREA_TITLE: say whose list it is.
            self.AREA_TITLE = (
                f"{self.AREA_TITLE} · {client_label}" if client_label else self.AREA_TITLE
            )

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, subject, client, department, status, priority, assignee, waiting time."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_tickets() for the view chosen (and the client, if one)."""
        return partial(_ticket_page, filter_value, self.client_id)

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
