"""The invoice screen's parts, drawn from one InvoiceDocument: the facts at the top, the lines
and totals, payments, credit and refunds, credit notes, the status history.

Every part is rich Text or a rich Table of Text cells: what a client or staff member typed goes
through `untrusted` and never meets a markup parser.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from deskapp.money import Money
from deskapp.services.card_state import STRIPE_GATEWAY
from deskapp.services.invoice_document import CreditMove, InvoiceDocument
from screens.widgets.untrusted import untrusted

__all__ = [
    "card_refundable_cents",
    "facts_text",
    "history_part",
    "lines_part",
    "moves_part",
    "payments_part",
    "title_text",
]


def card_refundable_cents(doc: InvoiceDocument) -> int:
    """What of the invoice was paid by card through Stripe and has not gone back yet: a
    refund can go to the card only then."""
    return sum(
        payment.amount_cents - payment.refunded_cents
        for payment in doc.payments
        if payment.gateway == STRIPE_GATEWAY
    )


def _day(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day is not None else "–"


def _when(at: dt.datetime) -> Text:
    return Text(f"{at:%Y-%m-%d %H:%M}", no_wrap=True)


def _money(cents: int, style: str = "") -> Text:
    return Text(str(Money(cents)), style=style, justify="right", no_wrap=True)


def _who(name: str) -> Text:
    return untrusted(name, limit=24) if name else Text("desk", style="dim")


def title_text(doc: InvoiceDocument) -> Text:
    """INV-2026-00017  Unpaid  ·  C-1042 Northwind Hosting."""
    return Text.assemble(
        (doc.number, "bold"),
        "  ",
        (doc.status, "bold"),
        "  ·  ",
        (doc.client.label, "bold"),
        "  ",
        untrusted(doc.client.name, limit=50),
    )


def facts_text(doc: InvoiceDocument) -> Text:
    """Dates, order, to whom it is addressed, and the client's credit now."""
    facts = Text()
    facts.append("Issued ", "dim")
    facts.append(_day(doc.issued_on))
    facts.append("   Due ", "dim")
    facts.append(_day(doc.due_on))
    if doc.paid_on is not None:
        facts.append("   Paid ", "dim")
        facts.append(_day(doc.paid_on))
    if doc.order_label:
        facts.append("   Order ", "dim")
        facts.append(doc.order_label)
    facts.append("\nBill to ", "dim")
    who = ", ".join(
        part
        for part in (doc.client.bill_to_name, *doc.client.bill_to_address, doc.client.bill_to_email)
        if part
    )
    facts.append_text(untrusted(who or "–", limit=200))
    facts.append("\nClient credit now ", "dim")
    facts.append(str(Money(doc.client.credit_cents)))
    return facts


def _table(*columns: tuple[str, int | None, bool]) -> Table:
    """A plain table: (heading, width or None for the flexible one, right-aligned)."""
    table = Table(
        box=box.SIMPLE_HEAD,
        expand=True,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        header_style="dim",
    )
    for heading, width, right in columns:
        table.add_column(
            heading,
            width=width,
            ratio=None if width else 1,
            justify="right" if right else "left",
            no_wrap=bool(width),
            overflow="ellipsis",
        )
    return table


def _titled(title: str, count: int, body: RenderableType) -> Group:
    return Group(
        Text.assemble((title, "bold"), "  ", (str(count) if count else "none", "dim")), body
    )


def lines_part(doc: InvoiceDocument) -> Group:
    """The charges, then the totals down to the amount due."""
    table = _table(("Description", None, False), ("Qty", 4, True), ("Unit", 11, True))
    table.add_column("Amount", width=12, justify="right", no_wrap=True)
    for line in doc.lines:
        what = untrusted(line.description, limit=160)
        if line.period_start is not None:
            what.append(f"\n{_day(line.period_start)} to {_day(line.period_end)}", "dim")
        table.add_row(
            what, Text(str(line.quantity)), _money(line.unit_price_cents), _money(line.amount_cents)
        )
    if doc.lines:
        table.add_section()
    for label, cents, style in _totals(doc):
        table.add_row(
            Text(label, style=style or "dim", justify="right"), "", "", _money(cents, style)
        )
    return _titled("Lines", len(doc.lines), table)


def _totals(doc: InvoiceDocument) -> list[tuple[str, int, str]]:
    """(label, cents, style) from the total down to the amount due."""
    rows: list[tuple[str, int, str]] = [("Total", doc.total_cents, "")]
    if doc.credit_applied_cents:
        rows.append(("Credit applied", -doc.credit_applied_cents, ""))
    if doc.paid_cents:
        rows.append(("Payments", -doc.paid_cents, ""))
    if doc.overpaid_cents:
        rows.append(("Overpayment to credit", doc.overpaid_cents, ""))
    if doc.refunded_cents:
        rows.append(("Refunded", doc.refunded_cents, ""))
    rows.append(("Amount due", doc.amount_due_cents, "bold"))
    return rows


def payments_part(doc: InvoiceDocument) -> Group:
    """Money received towards it: when, how, the reference, who recorded it."""
    table = _table(
        ("When (UTC)", 16, False),
        ("Method", 13, False),
        ("Reference", None, False),
        ("By", 12, False),
        ("Amount", 11, True),
    )
    for payment in doc.payments:
        reference = untrusted(payment.reference, limit=60)
        if payment.refunded_cents:
            reference.append(f"  {Money(payment.refunded_cents)} back to the card", "italic")
        table.add_row(
            _when(payment.received_at),
            untrusted(payment.method or payment.gateway, limit=20),
            reference,
            _who(payment.staff_name),
            _money(payment.amount_cents),
        )
    return _titled("Payments", len(doc.payments), table)


def moves_part(title: str, moves: Sequence[CreditMove], number: str) -> Group:
    """Credit applied, refunds or credit notes: when, what, who, how much."""
    table = _table(
        ("When (UTC)", 16, False),
        ("Kind", 18, False),
        ("Description", None, False),
        ("By", 12, False),
        ("Amount", 11, True),
    )
    for move in moves:
        said = "" if move.description == f"Applied to {number}" else move.description
        table.add_row(
            _when(move.at),
            Text(move.kind),
            untrusted(said, limit=120),
            _who(move.staff_name),
            _money(move.amount_cents),
        )
    return _titled(title, len(moves), table)


def history_part(doc: InvoiceDocument) -> Group:
    """Each change of status: when, what, who, and the reason given."""
    table = _table(
        ("When (UTC)", 16, False),
        ("Event", 10, False),
        ("Who", 22, False),
        ("Reason", None, False),
    )
    for change in doc.history:
        table.add_row(
            _when(change.at),
            Text(change.event, style="bold" if change.event != "Issued" else ""),
            untrusted(change.who, limit=40),
            untrusted(change.reason, limit=200),
        )
    return _titled("Status history", len(doc.history), table)
