"""The credit ledger: the newest credit entries of every client; Enter opens the client's.

On a narrow terminal (80 columns over SSH) the columns give way in this order: balance after,
description, date; the client's number and name, the kind and the amount always stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work

from deskapp.errors import NotFound
from deskapp.ids import format_number
from deskapp.services.changes import Entity
from deskapp.services.clients import find_client_by_number
from deskapp.services.ledger import LedgerEntry, list_entries
from screens.area import AreaScreen
from screens.client_ledger import ClientLedgerScreen
from screens.widgets.cells import label_cell, money_cell, when_cell
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.changes import Change

COLUMNS: Sequence[RecordColumn[LedgerEntry]] = (
    RecordColumn("Date (UTC)", lambda e: when_cell(e.created_at), 16, drop_rank=3),
    RecordColumn("Client", lambda e: label_cell(format_number("client", e.client_number)), 7),
    RecordColumn("Name", lambda e: untrusted(e.client_name, limit=16), 16),
    RecordColumn("Kind", lambda e: untrusted(e.kind), 18),
    RecordColumn("Amount", lambda e: money_cell(e.amount_cents), 11, align_right=True),
    RecordColumn(
        "Balance after", lambda e: money_cell(e.balance_after_cents), 13, True, drop_rank=1
    ),
    RecordColumn("Description", lambda e: untrusted(e.description, limit=21), 21, drop_rank=2),
)


def _ledger_page(last: LedgerEntry | None, limit: int) -> list[LedgerEntry]:
    return list_entries(last, limit)


class LedgerListScreen(AreaScreen):
    """Every movement of client credit, newest first."""

    AREA_TITLE = "Credit ledger"
    NOUN = "credit entries"
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.CLIENT})

    def shows_change(self, change: Change) -> bool:
        """Any desk moved a client's credit, or deleted or merged away a client (whose
        entries then move or go)."""
        return super().shows_change(change) and change.action in ("credit", "deleted")

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Date, client, kind, amount, balance after, description."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_entries()."""
        return _ledger_page

    @on(RecordTable.Selected, "#records")
    def _open_client_ledger(self) -> None:
        entry = self.records.highlighted_record
        if entry is not None:
            self._find_client(entry.client_number)

    @work(thread=True, exit_on_error=False, name="open the client's ledger")
    def _find_client(self, number: int) -> None:
        found = find_client_by_number(number)
        if found is None:
            raise NotFound("That client no longer exists; it may have been merged or deleted.")
        self.app.call_from_thread(lambda: self.app.push_screen(ClientLedgerScreen(found.id)))
