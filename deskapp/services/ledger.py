"""The credit ledger across clients: the newest movements first."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from deskapp.models import Client, CreditEntry, dict_rows

EntryPageKey = tuple[dt.datetime, uuid.UUID]
"""Where a page of the ledger ends: the last row's (created_at, id)."""


@dataclass(frozen=True)
class LedgerEntry:
    """One movement of a client's credit, as the ledger list shows it."""

    id: uuid.UUID
    """The entry's key."""
    created_at: dt.datetime
    """When it was booked (UTC)."""
    client_number: int
    """The client's number."""
    client_name: str
    """The client's company, or their name for a private person."""
    kind: str
    """Credit added, Adjustment, Applied to invoice, Credit note, Refund to credit, ..."""
    amount_cents: int
    """The movement in cents: positive adds credit, negative uses it."""
    balance_after_cents: int
    """The client's credit balance right after this entry."""
    description: str
    """Why, as staff wrote it (untrusted text)."""

    @property
    def page_key(self) -> EntryPageKey:
        """Its place in the ledger's newest-first order: (created_at, id)."""
        return (self.created_at, self.id)


def list_entries(after: LedgerEntry | None = None, limit: int = 100) -> list[LedgerEntry]:
    """A page of credit entries of every client, newest first, after the entry `after`
    (keyset paging)."""
    query = CreditEntry.select(
        CreditEntry.id,
        CreditEntry.created_at,
        CreditEntry.kind,
        CreditEntry.amount_cents,
        CreditEntry.balance_after_cents,
        CreditEntry.description,
        Client.number.alias("client_number"),
        Client.first_name.alias("client_first_name"),
        Client.last_name.alias("client_last_name"),
        Client.company.alias("client_company"),
    ).join(Client)
    if after is not None:
        at, key = after.page_key
        query = query.where(
            (CreditEntry.created_at < at)
            | ((CreditEntry.created_at == at) & (CreditEntry.id < key))
        )
    query = query.order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc()).limit(limit)
    return [_entry(row) for row in dict_rows(query)]


def _entry(row: dict[str, Any]) -> LedgerEntry:
    person = f"{row['client_first_name']} {row['client_last_name']}".strip()
    return LedgerEntry(
        id=row["id"],
        created_at=row["created_at"],
        client_number=row["client_number"],
        client_name=row["client_company"] or person,
        kind=row["kind"],
        amount_cents=row["amount_cents"],
        balance_after_cents=row["balance_after_cents"],
        description=row["description"],
    )
