"""The credit dialogs of the client ledger: add or adjust credit, reverse an entry, export.

Each is a LedgerDialog (screens.ledger_dialog); the invoice dialogs are in invoice_dialogs.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static

from deskapp.errors import ValidationError
from deskapp.money import Money
from deskapp.services import credit
from deskapp.services.credit import CreditMovement
from screens.ledger_dialog import LedgerDialog
from screens.widgets.cells import when_cell
from screens.widgets.untrusted import untrusted

__all__ = [
    "AddCreditDialog",
    "AdjustCreditDialog",
    "ExportLedgerDialog",
    "LedgerDialog",
    "LedgerExport",
    "ReverseEntryDialog",
]


class AddCreditDialog(LedgerDialog[CreditMovement]):
    """Add credit to a client, with a description saying why (goodwill, a prepayment)."""

    SUBMIT = "Add credit"

    def __init__(self, client_id: uuid.UUID, client_label: str) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose credit."""
        self.client_label = client_label
        """C-1042, for the title."""

    def heading(self) -> str:
        """Names the client."""
        return f"Add credit to {self.client_label}"

    def compose_fields(self) -> ComposeResult:
        """Description and amount."""
        yield self.label("Description (why the client gets it)")
        yield Input(placeholder="Goodwill for the outage on 12 March", id="description")
        yield self.field_error("description")
        yield self.label("Amount")
        yield Input(placeholder="25.00", id="amount", classes="amount")
        yield self.field_error("amount")

    def values(self) -> dict[str, Any]:
        """The typed description and amount, as typed."""
        return {
            "description": self.query_one("#description", Input).value,
            "amount": self.query_one("#amount", Input).value,
        }

    def call_service(self, values: Mapping[str, Any]) -> CreditMovement:
        """add_credit."""
        return credit.add_credit(
            self.actor, self.client_id, values["amount"], values["description"]
        )

    def summary(self, result: CreditMovement) -> str:
        """Added 25.00 credit to C-1042; the balance is 45.00."""
        return (
            f"Added {Money(result.amount_cents)} credit to {self.client_label}; "
            f"the balance is {Money(result.balance_after_cents)}."
        )


class AdjustCreditDialog(LedgerDialog[CreditMovement]):
    """An admin's correction of a client's credit, up or down, with the required reason."""

    SUBMIT = "Adjust"

    def __init__(self, client_id: uuid.UUID, client_label: str, balance_cents: int) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose credit."""
        self.client_label = client_label
        """C-1042, for the title."""
        self.balance_cents = balance_cents
        """The balance when the dialog opened, shown as a reminder."""

    def heading(self) -> str:
        """Names the client and its balance."""
        return f"Adjust the credit of {self.client_label} (now {Money(self.balance_cents)})"

    def compose_fields(self) -> ComposeResult:
        """Amount (negative takes credit away) and reason."""
        yield self.label("Amount (negative to take credit away)")
        yield Input(placeholder="-10.00", id="amount", classes="amount")
        yield self.field_error("amount")
        yield self.label("Reason (required; the audit log keeps it)")
        yield Input(placeholder="Duplicate goodwill credit", id="reason")
        yield self.field_error("reason")

    def values(self) -> dict[str, Any]:
        """The typed amount and reason."""
        return {
            "amount": self.query_one("#amount", Input).value,
            "reason": self.query_one("#reason", Input).value,
        }

    def call_service(self, values: Mapping[str, Any]) -> CreditMovement:
        """adjust_credit (the service refuses agents)."""
        return credit.adjust_credit(self.actor, self.client_id, values["amount"], values["reason"])

    def summary(self, result: CreditMovement) -> str:
        """Adjusted the credit of C-1042 by -10.00; the balance is 35.00."""
        return (
            f"Adjusted the credit of {self.client_label} by {Money(result.amount_cents)}; "
            f"the balance is {Money(result.balance_after_cents)}."
        )


class ReverseEntryDialog(LedgerDialog[CreditMovement]):
    """Confirm cancelling out an entry with a Reversal entry (admins), with the required reason."""

    QUESTION = "Reverse this entry?"
    SUBMIT = "Reverse"
    SUBMIT_VARIANT = "error"

    def __init__(self, entry: CreditMovement) -> None:
        super().__init__()
        self.entry = entry
        """The entry to cancel out."""

    def compose_fields(self) -> ComposeResult:
        """What the entry was, and the reason."""
        entry = self.entry
        yield Static(
            Text.assemble(
                when_cell(entry.created_at),
                "  ",
                entry.kind,
                "  ",
                (str(Money(entry.amount_cents)), "bold"),
                "\n",
                untrusted(entry.description, limit=120),
            ),
            id="entry",
        )
        yield Static(
            Text(
                "A new Reversal entry of "
                f"{Money(-entry.amount_cents)} cancels it out; the entry itself stays."
            ),
            id="reversal-note",
        )
        yield self.label("Reason (required; the audit log keeps it)")
        yield Input(placeholder="Booked on the wrong client", id="reason")
        yield self.field_error("reason")

    def values(self) -> dict[str, Any]:
        """The reason."""
        return {"reason": self.query_one("#reason", Input).value}

    def call_service(self, values: Mapping[str, Any]) -> CreditMovement:
        """reverse_entry (the service refuses agents and entries already reversed)."""
        return credit.reverse_entry(self.actor, self.entry.id, values["reason"])

    def summary(self, result: CreditMovement) -> str:
        """Reversed the entry of 25.00; the balance is 20.00."""
        return (
            f"Reversed the entry of {Money(self.entry.amount_cents)}; "
            f"the balance is {Money(result.balance_after_cents)}."
        )


@dataclass(frozen=True)
class LedgerExport:
    """Where a ledger export went."""

    path: Path
    """The file written."""
    rows: int
    """How many entries it holds."""


class ExportLedgerDialog(LedgerDialog[LedgerExport]):
    """Ask where to write the client's ledger as CSV, then write it (oldest entry first)."""

    SUBMIT = "Export"

    def __init__(self, client_id: uuid.UUID, client_label: str, default_path: Path) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose ledger."""
        self.client_label = client_label
        """C-1042, for the title."""
        self.default_path = default_path
        """The path offered (in the home folder)."""
        self._replace: Path | None = None

    def heading(self) -> str:
        """Names the client."""
        return f"Export the credit ledger of {self.client_label} to CSV"

    def compose_fields(self) -> ComposeResult:
        """The file path."""
        yield self.label("File")
        yield Input(str(self.default_path), id="path")
        yield self.field_error("path")

    def values(self) -> dict[str, Any]:
        """The path, with ~ expanded; an existing file is replaced only when asked twice."""
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            raise ValidationError("path", "Type the path of the file to write.")
        path = Path(typed).expanduser()
        if path.is_dir():
            raise ValidationError("path", f"{path} is a folder; add a file name.")
        if not path.parent.is_dir():
            raise ValidationError("path", f"There is no folder {path.parent}.")
        if path.exists() and self._replace != path:
            self._replace = path
            raise ValidationError("path", f"{path} exists; press Export again to replace it.")
        return {"path": path}

    def call_service(self, values: Mapping[str, Any]) -> LedgerExport:
        """export_csv; a file the desk cannot write is a sentence under the path."""
        path: Path = values["path"]
        try:
            rows = credit.export_csv(self.client_id, path)
        except OSError as error:
            raise ValidationError("path", f"Could not write {path}: {error.strerror}.") from None
        return LedgerExport(path, rows)

    def summary(self, result: LedgerExport) -> str:
        """Wrote 12 entries of C-1042 to /home/kim/C-1042-ledger.csv."""
        return f"Wrote {result.rows} entries of {self.client_label} to {result.path}."
