"""The client screen's sections: compact tables of what one profile call returned, and the
few words and cells they show (contacts with their mail categories, services, invoices,
tickets, orders).

Where a section is narrower than its columns (80 columns over SSH), columns give way in the
order each section's docstring states; what names a row and its status always stays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from rich.text import Text

from deskapp.services.client_profile import (
    ClientProfile,
    InvoiceBrief,
    OrderBrief,
    ServiceBrief,
    TicketBrief,
)
from deskapp.services.contacts import MAIL_CATEGORIES, ContactDetails
from screens.widgets.cells import label_cell, money_cell, when_cell
from screens.widgets.record_list import RecordList
from screens.widgets.record_table import RecordColumn
from screens.widgets.untrusted import untrusted

RecordT = TypeVar("RecordT")

SectionColumn = RecordColumn
"""A section's column: heading, cell of a record (always Text), width, alignment."""

MAIL_SHORT = {
    "General": "Gen",
    "Invoice": "Inv",
    "Support": "Sup",
    "Product": "Prd",
    "Domain": "Dom",
}
"""The mail categories in three letters, so all five fit a column."""


def mail_cell(contact: ContactDetails) -> Text:
    """The five categories in their usual order: subscribed ones named, the others a dot."""
    cell = Text(no_wrap=True)
    for position, (field, label) in enumerate(MAIL_CATEGORIES.items()):
        if position:
            cell.append(" ")
        if getattr(contact, field):
            cell.append(MAIL_SHORT[label])
        else:
            cell.append(" · ", style="dim")
    return cell


def billing_cell(contact: ContactDetails) -> Text:
    """ "billing" for the contact invoices are addressed to."""
    return Text("billing", style="bold") if contact.is_billing else Text("")


def date_cell(day: Any) -> Text:
    """A date as 2026-03-14; empty for none."""
    return Text(f"{day:%Y-%m-%d}" if day else "")


def support_time(minutes: int) -> Text:
    """Prepaid support time left: 3h 30m, 45m, or none."""
    if minutes <= 0:
        return Text("none", style="dim")
    hours, rest = divmod(minutes, 60)
    if not hours:
        return Text(f"{rest}m", style="bold")
    return Text(f"{hours}h {rest:02d}m" if rest else f"{hours}h", style="bold")


def address_line(profile: ClientProfile) -> Text:
    """Street, second line, postcode and city, region, country on one line (untrusted)."""
    town = " ".join(part for part in (profile.postcode, profile.city) if part)
    parts = [profile.address1, profile.address2, town, profile.region, profile.country]
    line = ", ".join(part.strip() for part in parts if part and part.strip())
    return untrusted(line, limit=90) if line else Text("no address", style="dim")


def count_phrase(shown: int, total: int | None) -> str:
    """What a section title says about its size: "none", "3", "50 of 61"."""
    if shown == 0 and not total:
        return "none"
    if total is not None and total > shown:
        return f"{shown:,} of {total:,}"
    return f"{shown:,}"


CONTACT_COLUMNS: Sequence[SectionColumn[ContactDetails]] = (
    SectionColumn("Name", lambda c: untrusted(c.name, limit=20), 20),
    SectionColumn("Email", lambda c: untrusted(c.email, limit=28), 28),
    SectionColumn("Phone", lambda c: untrusted(c.phone, limit=16), 16, drop_rank=3),
    SectionColumn("Position", lambda c: untrusted(c.position, limit=14), 14, drop_rank=1),
    SectionColumn("", billing_cell, 7, drop_rank=4),
    SectionColumn("Mail", mail_cell, 19, drop_rank=2),
)
"""The contacts, billing contact first; narrow, position, mail, phone and the billing mark give
way in that order."""

SERVICE_COLUMNS: Sequence[SectionColumn[ServiceBrief]] = (
    SectionColumn("Product", lambda s: untrusted(s.product, limit=12), 12),
    SectionColumn("Identifier", lambda s: untrusted(s.identifier, limit=13), 13, drop_rank=3),
    SectionColumn("Status", lambda s: label_cell(s.status), 9),
    SectionColumn("Price", lambda s: money_cell(s.price_cents), 8, True, drop_rank=2),
    SectionColumn("Next due", lambda s: date_cell(s.next_due_date), 10, drop_rank=1),
)
"""The services, active ones first; narrow, next due, price and identifier give way."""

TICKET_COLUMNS: Sequence[SectionColumn[TicketBrief]] = (
    SectionColumn("Number", lambda t: label_cell(t.label), 7),
    SectionColumn("Subject", lambda t: untrusted(t.subject, limit=17), 17),
    SectionColumn("Status", lambda t: label_cell(t.status), 14),
    SectionColumn("Priority", lambda t: label_cell(t.priority), 8, drop_rank=1),
)
"""The open tickets, latest activity first; narrow, the priority gives way."""

INVOICE_COLUMNS: Sequence[SectionColumn[InvoiceBrief]] = (
    SectionColumn("Invoice", lambda i: label_cell(i.number), 14),
    SectionColumn("Due", lambda i: date_cell(i.due_on), 10, drop_rank=2),
    SectionColumn("Status", lambda i: label_cell(i.status), 8),
    SectionColumn("Total", lambda i: money_cell(i.total_cents), 9, True, drop_rank=1),
    SectionColumn("To pay", lambda i: money_cell(i.amount_due_cents), 9, True, drop_rank=3),
)
"""The newest invoices; narrow, total, due date and amount to pay give way."""

ORDER_COLUMNS: Sequence[SectionColumn[OrderBrief]] = (
    SectionColumn("Number", lambda o: label_cell(o.label), 7),
    SectionColumn("Placed (UTC)", lambda o: when_cell(o.created_at), 16, drop_rank=1),
    SectionColumn("Payment", lambda o: label_cell(o.payment_status), 10),
    SectionColumn("Total", lambda o: money_cell(o.total_cents), 9, True, drop_rank=2),
)
"""The orders waiting for a decision, oldest first; narrow, placed and total give way."""


class SectionTable(RecordList[RecordT]):
    """A small row-cursor list of records already loaded (the profile bounds them).

    | Key(s) | Description |
    | :- | :- |
    | j / down | Next row. |
    | k / up | Previous row. |
    | enter | Choose the row (posts `SectionTable.Selected`). |
    """

    def __init__(self, columns: Sequence[SectionColumn[RecordT]], *, id: str) -> None:
        super().__init__(columns, id=id)
