"""The queue's narrowing as the ticket list shows it: whose tickets and the sort (the values its
keys cycle), the one line that says the narrowing, and the pages list_queue() gives for it.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text

from deskapp.services.changes import Entity
from deskapp.services.presence import present_on
from deskapp.services.tickets import QueueFilter, TicketSummary, list_queue
from screens.widgets.untrusted import untrusted

__all__ = ["ASSIGNEES", "SORTS", "QueuePages", "narrowing_text"]

ASSIGNEES = {"any": "Anyone's", "mine": "Mine", "unassigned": "Unassigned"}
"""QueueFilter.assignee values in the order `m` cycles them, as the narrowing line says them."""
SORTS = {
    "activity": "sorted by last activity",
    "age": "sorted by age",
    "waiting": "sorted by waiting",
}
"""QueueFilter.sort values in the order `s` cycles them, and how the narrowing line says them."""


class QueuePages:
    """`fetch(last, limit)` for the list: pages of list_queue() for one filter (keyset paging),
    with who else is viewing or replying to each ticket."""

    def __init__(self, queue_filter: QueueFilter) -> None:
        self.filter = queue_filter
        """What the pages hold."""

    def __eq__(self, other: object) -> bool:
        """Pages of the same filter are the same pages (a reload of the same list)."""
        return isinstance(other, QueuePages) and other.filter == self.filter

    __hash__ = None  # type: ignore[assignment]

    def __call__(self, last: TicketSummary | None, limit: int) -> list[TicketSummary]:
        """Runs in a thread: the page after `last` (None: the first page)."""
        page = list_queue(self.filter, after=last, limit=limit)
        on = present_on(Entity.TICKET, [t.id for t in page], self.filter.staff_id)
        return [replace(t, present=on[str(t.id)]) if str(t.id) in on else t for t in page]


def narrowing_text(queue_filter: QueueFilter, department: str) -> Text:
    """The one line above the list: "Mine · Billing · High · sorted by waiting"."""
    parts = [
        Text(ASSIGNEES.get(queue_filter.assignee, queue_filter.assignee)),
        untrusted(department, limit=30) if department else Text("every department"),
        Text(queue_filter.priority or "any priority"),
        Text(SORTS.get(queue_filter.sort, queue_filter.sort)),
    ]
    if queue_filter.search.strip():
        parts.append(Text.assemble("matching “", untrusted(queue_filter.search, limit=40), "”"))
    return Text(" · ").join(parts)
