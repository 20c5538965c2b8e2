"""One client's credit: balance and chart, the entries with their running balance, the invoices.

| Key(s) | Description |
| :- | :- |
| a | Add credit with a description. |
| d | Adjust the credit, with a reason (admins). |
| v | Reverse the highlighted entry (admins). |
| p | Apply credit to an unpaid invoice. |
| m | Record a manual payment against an invoice. |
| e | Export the ledger to CSV. |
| enter | On an invoice: open it. |
| / | Filter the entries by kind. |
| j / k | Move in the list. |
| escape | Leave the filter, or go back. |

On a narrow terminal (80 columns over SSH) the entries' columns give way in this order: by,
balance after, date; kind, amount, description and the reversed mark stay. The invoices' issue
and due dates give way (in that order); number, status and amounts stay.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static

from deskapp import clock
from deskapp.money import Money
from deskapp.services import credit, invoices
from deskapp.services.changes import Entity
from deskapp.services.clients import find_client_by_number
from deskapp.services.credit import BalancePoint, CreditMovement
from deskapp.services.invoices import InvoiceSummary
from deskapp.services.rights import Right
from deskapp.wording import showing
from screens.admin_keys import ExplainsAdminKeys
from screens.credit_dialogs import (
    AddCreditDialog,
    AdjustCreditDialog,
    ExportLedgerDialog,
    ReverseEntryDialog,
)
from screens.invoice_dialogs import ApplyCreditDialog, ManualPaymentDialog
from screens.ledger_dialog import LedgerDialog
from screens.messages import FollowsChanges
from screens.widgets.balance_chart import CHART_DAYS, BalanceChart
from screens.widgets.cells import label_cell, money_cell
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.record_table import RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted, untrusted_message

if TYPE_CHECKING:
    from deskapp.services.changes import Change
    from screens.app import DeskApp

SHORT_KINDS = {
    "Credit added": "Added",
    "Applied to invoice": "Applied",
    "Refund to credit": "Refund",
    "Merge transfer": "Merge",
}
"""Filter labels that would not fit the bar at 120 columns; the others show as they are."""

KIND_FILTERS = (("All", ""), *((SHORT_KINDS.get(kind, kind), kind) for kind in credit.KINDS))
"""The kind filter: (label, kind), "" for every kind."""


def _staff_cell(entry: CreditMovement) -> Text:
    return untrusted(entry.staff_name, limit=12) if entry.staff_name else Text("desk", "dim")


ENTRY_COLUMNS: Sequence[RecordColumn[CreditMovement]] = (
    RecordColumn("Date", lambda e: label_cell(f"{e.created_at:%Y-%m-%d}"), 10, drop_rank=3),
    RecordColumn("Kind", lambda e: label_cell(e.kind), 18),
    RecordColumn("Amount", lambda e: money_cell(e.amount_cents), 11, align_right=True),
    RecordColumn(
        "Balance after", lambda e: money_cell(e.balance_after_cents), 13, True, drop_rank=2
    ),
    RecordColumn("Description", lambda e: untrusted(e.description, limit=30), 30),
    RecordColumn("By", _staff_cell, 12, drop_rank=1),
    RecordColumn("", lambda e: Text("reversed", "italic") if e.reversed else Text(""), 8),
)
"""The entries, newest first."""

INVOICE_COLUMNS: Sequence[RecordColumn[InvoiceSummary]] = (
    RecordColumn("Invoice", lambda i: label_cell(i.number), 14),
    RecordColumn("Issued", lambda i: label_cell(f"{i.issued_on:%Y-%m-%d}"), 10, drop_rank=1),
    RecordColumn("Due", lambda i: label_cell(f"{i.due_on:%Y-%m-%d}"), 10, drop_rank=2),
    RecordColumn("Status", lambda i: label_cell(i.status), 9),
    RecordColumn("Total", lambda i: money_cell(i.total_cents), 11, align_right=True),
    RecordColumn("Amount due", lambda i: money_cell(i.amount_due_cents), 11, align_right=True),
)
"""The client's invoices, newest first."""


@dataclass(frozen=True)
class LedgerHeading:
    """Who the ledger belongs to and where their credit stands (loaded in a thread)."""

    label: str
    """C-1042."""
    name: str
    """The client's name, with the company if there is one (untrusted text)."""
    status: str
    """Active, Inactive or Closed."""
    balance_cents: int
    """The credit now."""
    history: tuple[BalancePoint, ...]
    """The balance chart's points, oldest first."""
    today: dt.date
    """The day the chart ends."""


def load_heading(client_id: uuid.UUID) -> LedgerHeading:
    """Runs in a thread: the client's number, name, balance and balance history."""
    page = credit.ledger_page(client_id, limit=1)
    found = find_client_by_number(page.client_number)
    name = ""
    status = ""
    if found is not None:
        name = f"{found.company} ({found.name})" if found.company else found.name
        status = found.status
    history = credit.balance_history(client_id, CHART_DAYS + 1)
    today = clock.today()
    return LedgerHeading(page.client_label, name, status, page.balance_cents, tuple(history), today)


class ClientLedgerScreen(ExplainsAdminKeys, FollowsChanges, ReportsFailedWork, Screen[None]):
    """A client's credit ledger and invoices, and the money actions on them."""

    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {
        "adjust_credit": Right.ADJUST_CREDIT,
        "reverse_entry": Right.REVERSE_ENTRY,
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_credit", "Add credit", tooltip="Add credit with a description."),
        Binding("d", "adjust_credit", "Adjust", tooltip="Correct the credit up or down (admins)."),
        Binding(
            "v", "reverse_entry", "Reverse", tooltip="Cancel out the highlighted entry (admins)."
        ),
        Binding("p", "apply_credit", "Apply", tooltip="Pay an unpaid invoice from the credit."),
        Binding("m", "record_payment", "Payment", tooltip="Record a transfer, cash or cheque."),
        Binding("e", "export_csv", "Export", tooltip="Write the whole ledger to a CSV file."),
        Binding("slash", "focus_filter", "Filter", tooltip="Show only entries of one kind."),
        Binding("r", "refresh", "Refresh", show=False, tooltip="Load the ledger again."),
        Binding("escape", "back", "Back", tooltip="Leave the filter, or go back to the list."),
        *AREAS_NOT_IN_FOOTER,
    ]

    AUTO_FOCUS = "#entries"
    AREA_TITLE = "Client credit"
    """The place's name in the header and the key list."""

    class Changed(Message):
        """Money moved on this ledger (or it was exported): say so and show it."""

        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence
            """What happened, for the notification."""

    class _HeadingLoaded(Message, bubble=False):
        def __init__(self, heading: LedgerHeading) -> None:
            super().__init__()
            self.heading = heading

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose ledger."""
        self.heading: LedgerHeading | None = None
        """The client and balance, once loaded."""

    def compose(self) -> ComposeResult:
        """Header, client and chart, kind filter, entries, invoices, footer."""
        yield DeskHeader()
        with Horizontal(id="client-bar"):
            with Vertical(id="client-info"):
                yield Static(Text("Loading…"), id="client-name")
                yield Static(id="client-status")
                yield Static(id="balance")
            yield BalanceChart(id="chart")
        with Horizontal(id="filters"):
            yield Label(Text("Show"), id="filter-label")
            yield ChoiceBar(KIND_FILTERS, id="kind")
        yield RecordTable(ENTRY_COLUMNS, record_key=lambda e: e.id, id="entries")
        yield Static(Text("Loading…"), id="entries-count")
        yield Static(Text("Invoices"), id="invoices-title")
        yield RecordTable(INVOICE_COLUMNS, record_key=lambda i: i.id, page_size=20, id="invoices")
        yield DeskFooter()

    @property
    def desk_app(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    @property
    def entries(self) -> RecordTable[CreditMovement]:
        """The ledger entries list."""
        return self.query_one("#entries", RecordTable)

    @property
    def invoices(self) -> RecordTable[InvoiceSummary]:
        """The invoices list."""
        return self.query_one("#invoices", RecordTable)

    @property
    def client_label(self) -> str:
        """C-1042 once known ("the client" before)."""
        return self.heading.label if self.heading else "the client"

    @property
    def kind(self) -> str | None:
        """The kind the entries are filtered by, None for all."""
        return self.query_one("#kind", ChoiceBar).value or None

    def on_mount(self) -> None:
        """Fill the header and load everything; follow what others change of the client."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.reload()
        self.follow_changes()

    def shows_change(self, change: Change) -> bool:
        """The client's changes (credit moved, an invoice paid or issued change it too)."""
        return change.entity == Entity.CLIENT and change.entity_id == str(self.client_id)

    def reload(self, *, keep_cursor: bool = False) -> None:
        """Load the heading, the entries (under the filter) and the invoices again; with
        `keep_cursor`, each list's cursor stays on its record."""
        self._load_heading()
        self.query_one("#entries-count", Static).update(Text("Loading…"))
        self.entries.reload(partial(self._entry_page, self.kind), keep_cursor=keep_cursor)
        self.invoices.reload(self._invoice_page, keep_cursor=keep_cursor)

    def refresh_for_changes(self) -> None:
        """Another desk (or this one, a moment ago) moved this client's money: load again,
        leaving the cursors where the reader put them."""
        self.reload(keep_cursor=True)

    def _entry_page(self, kind: str | None, last: CreditMovement | None, limit: int) -> Any:
        page = credit.ledger_page(self.client_id, kind, last, limit)
        return page.entries

    def _invoice_page(self, last: InvoiceSummary | None, limit: int) -> list[InvoiceSummary]:
        return invoices.invoices_for_client(self.client_id, None, last, limit)

    @work(thread=True, exit_on_error=False, group="ledger-heading", name="load the client")
    def _load_heading(self) -> None:
        self.post_message(self._HeadingLoaded(load_heading(self.client_id)))

    @on(_HeadingLoaded)
    def _show_heading(self, message: _HeadingLoaded) -> None:
        heading = self.heading = message.heading
        self.query_one(DeskHeader).area = f"{self.AREA_TITLE} · {heading.label}"
        self.query_one("#client-name", Static).update(
            Text.assemble((heading.label, "bold"), "  ", untrusted(heading.name, limit=60))
        )
        self.query_one("#client-status", Static).update(Text(heading.status))
        self.query_one("#balance", Static).update(
            Text.assemble("Credit balance  ", (str(Money(heading.balance_cents)), "bold"))
        )
        self.query_one(BalanceChart).show(heading.history, heading.today)
        self.refresh_bindings()

    @on(ChoiceBar.Changed, "#kind")
    def _kind_changed(self, event: ChoiceBar.Changed) -> None:
        self.query_one("#entries-count", Static).update(Text("Loading…"))
        self.entries.reload(partial(self._entry_page, event.value or None))

    @on(RecordTable.Loaded, "#entries")
    def _show_count(self, event: RecordTable.Loaded) -> None:
        noun = f"“{self.kind}” entries" if self.kind else "entries"
        line = showing(event.shown, event.complete, noun)
        line += "." if event.complete else "; more load as you scroll."
        self.query_one("#entries-count", Static).update(Text(line))
        self.refresh_bindings()

    @on(RecordTable.Highlighted, "#entries")
    def _entry_highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Admin actions show dimmed for agents (who are told why when they press them);
        Reverse needs an entry that can be reversed."""
        if self.refused_because(action):
            return None
        if action == "reverse_entry":
            entry = self.entries.highlighted_record
            return True if entry is not None and entry.can_reverse else None
        return True

    def _ask(self, dialog: LedgerDialog[Any]) -> None:
        def done(result: object) -> None:
            if result is not None:
                self.post_message(self.Changed(dialog.summary(result)))

        self.app.push_screen(dialog, done)

    @on(Changed)
    def _ledger_changed(self, message: Changed) -> None:
        self.notify(untrusted_message(message.sentence), markup=False)
        self.reload()

    def _invoice_to_start_on(self) -> uuid.UUID | None:
        invoice = self.invoices.highlighted_record
        if self.focused is self.invoices and invoice is not None:
            return invoice.id
        return None

    @on(RecordTable.Selected, "#invoices")
    def _invoice_chosen(self) -> None:
        from screens.invoice_detail import InvoiceScreen

        invoice = self.invoices.highlighted_record
        if invoice is not None:
            self.app.push_screen(InvoiceScreen(invoice.id))

    def action_add_credit(self) -> None:
        """Ask for a description and amount, and add that credit."""
        self._ask(AddCreditDialog(self.client_id, self.client_label))

    def action_adjust_credit(self) -> None:
        """Ask an admin for the amount and reason of an adjustment."""
        balance = self.heading.balance_cents if self.heading else 0
        self._ask(AdjustCreditDialog(self.client_id, self.client_label, balance))

    def action_reverse_entry(self) -> None:
        """Ask to reverse the highlighted entry."""
        entry = self.entries.highlighted_record
        if entry is not None:
            self._ask(ReverseEntryDialog(entry))

    def action_apply_credit(self) -> None:
        """Ask which unpaid invoice the credit goes to, and how much."""
        balance = self.heading.balance_cents if self.heading else 0
        start = self._invoice_to_start_on()
        self._ask(ApplyCreditDialog(self.client_id, self.client_label, balance, start))

    def action_record_payment(self) -> None:
        """Ask for a payment received by hand and the invoice it pays."""
        start = self._invoice_to_start_on()
        self._ask(ManualPaymentDialog(self.client_id, self.client_label, start))

    def action_export_csv(self) -> None:
        """Ask where to write the ledger as CSV (the home folder by default)."""
        name = f"{self.heading.label}-ledger.csv" if self.heading else "client-ledger.csv"
        self._ask(ExportLedgerDialog(self.client_id, self.client_label, Path.home() / name))

    def action_focus_filter(self) -> None:
        """Focus the kind filter."""
        self.query_one("#kind", ChoiceBar).focus()

    def action_refresh(self) -> None:
        """Load the ledger again."""
        self.reload()

    def action_back(self) -> None:
        """From the filter or the invoices back to the entries; from the entries, leave."""
        if self.focused is not self.entries:
            self.entries.focus()
        else:
            self.app.pop_screen()
