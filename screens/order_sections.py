"""What the order screen shows of an order, section by section: its head (number, client,
placed, ticket), its state, the items, the payment (the gateway's note as inert text), the
services and the decision. Labels down the left; long values wrap under their own column.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from deskapp.ids import format_number
from deskapp.money import Money
from deskapp.services.orders import OrderDetail
from screens.order_list import payment_label
from screens.widgets.untrusted import untrusted

__all__ = [
    "about_text",
    "decision_text",
    "items_text",
    "payment_section",
    "services_text",
    "state_text",
]

LABEL_WIDTH = 10
"""The width of the labels down the left of each section."""
DECIDED = {"Active": "Approved", "Rejected": "Rejected", "Cancelled": "Cancelled"}
"""How the decision line says what became of the order."""


def _grid(rows: list[tuple[str, Text]]) -> Table:
    """Labelled lines whose values wrap under their own column."""
    table = Table.grid(expand=True)
    table.add_column(width=LABEL_WIDTH, no_wrap=True, style="dim")
    table.add_column(ratio=1)
    for label, value in rows:
        table.add_row(label, value)
    return table


def _line(text: Text, label: str, value: Text) -> None:
    if text:
        text.append("\n")
    text.append(f"{label:<{LABEL_WIDTH}}", style="dim")
    text.append_text(value)


def about_text(order: OrderDetail) -> Text:
    """Number and client; when placed; the ticket."""
    text = Text.assemble(
        (order.label, "bold"),
        "  ",
        (format_number("client", order.client_number), "bold"),
        " ",
        untrusted(order.client_name, limit=50),
        (f"  ({order.client_status})", "dim"),
    )
    _line(text, "Placed", Text(f"{order.placed_at:%Y-%m-%d %H:%M} UTC"))
    ticket = (
        Text(f"{format_number('ticket', order.ticket_number)}  (t opens it)")
        if order.ticket_number is not None
        else Text("none")
    )
    _line(text, "Ticket", ticket)
    return text


def state_text(order: OrderDetail) -> Text:
    """Status, payment, total, start."""
    text = Text()
    _line(text, "Status", Text(order.status, style="bold"))
    _line(text, "Payment", Text(payment_label(order.payment_method, order.payment_status)))
    _line(text, "Total", Text(str(Money(order.total_cents)), style="bold"))
    start = f"{order.start_date:%Y-%m-%d}" if order.start_date else "not yet"
    _line(text, "Start", Text(start))
    return text


def items_text(order: OrderDetail) -> Text:
    """What was ordered, a line each."""
    text = Text("Items", style="bold")
    for item in order.items:
        text.append("\n")
        quantity = f"{item.quantity} × " if item.quantity != 1 else ""
        text.append_text(
            Text.assemble(
                (f"{item.code:<14}", "dim"),
                quantity,
                untrusted(item.name, limit=40),
                f"  {item.cycle}  ",
                (str(Money(item.total_cents)), "bold"),
            )
        )
    return text


def payment_section(order: OrderDetail, card: tuple[bool, str]) -> Group:
    """How it is paid, the gateway's last word (inert), the payments, the invoice."""
    rows: list[tuple[str, Text]] = [
        ("Status", Text(payment_label(order.payment_method, order.payment_status)))
    ]
    if order.paid_at:
        rows.append(("Paid at", Text(f"{order.paid_at:%Y-%m-%d %H:%M} UTC")))
    if order.payment_note:
        rows.append(("Gateway", untrusted(order.payment_note, limit=300)))
    waiting = order.payment_status in ("Pending", "Failed")
    if order.payment_method == "card" and waiting and not card[0] and card[1]:
        rows.append(("Card", untrusted(card[1], limit=300)))
    for payment in order.payments:
        refunded = f", {Money(payment.refunded_cents)} refunded" if payment.refunded_cents else ""
        rows.append(
            (
                "Paid",
                Text.assemble(
                    (str(Money(payment.amount_cents)), "bold"),
                    f" on {payment.created_at:%Y-%m-%d} by ",
                    untrusted(payment.method or payment.gateway, limit=30),
                    " ",
                    untrusted(payment.reference, limit=40),
                    refunded,
                ),
            )
        )
    if order.invoice_number:
        due = f", {Money(order.invoice_due_cents or 0)} due" if order.invoice_due_cents else ""
        rows.append(("Invoice", Text(f"{order.invoice_number} {order.invoice_status}{due}")))
    else:
        rows.append(("Invoice", Text("not issued yet")))
    return Group(Text("Payment", style="bold"), _grid(rows))


def services_text(order: OrderDetail) -> Text:
    """The services the order makes, with their dates."""
    text = Text("Services", style="bold")
    if not order.services:
        text.append("\nnone (nothing recurring in the order)", style="dim")
    for service in order.services:
        text.append("\n")
        text.append_text(untrusted(service.name, limit=40))
        text.append(f"  {service.status}")
        if service.start_date:
            text.append(f"  from {service.start_date:%Y-%m-%d}")
        if service.next_due_date:
            text.append(f"  next due {service.next_due_date:%Y-%m-%d}", style="dim")
    return text


def decision_text(order: OrderDetail) -> Text:
    """Who decided, when, and what they said."""
    text = Text("Decision", style="bold")
    if order.decided_at is None:
        text.append("\nwaiting for an admin", style="dim")
        return text
    text.append("\n")
    text.append_text(
        Text.assemble(
            f"{DECIDED.get(order.status, order.status)} by ",
            untrusted(order.decided_by_name or "the desk", limit=40),
            f" at {order.decided_at:%Y-%m-%d %H:%M} UTC",
        )
    )
    if order.decision_note:
        text.append("\n")
        text.append_text(untrusted(order.decision_note, limit=300))
    return text
