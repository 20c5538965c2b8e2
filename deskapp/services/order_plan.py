"""What approving an order would do, worked out from its rows: the plan the preview shows and
approval carries out, so the two can never disagree.

An order is either a request (nothing paid; approval invoices it and starts its services) or
paid upfront (its services are Active from the payment date already; approval sets the actual
start and books a credit note for the days between, capped at what was paid net of refunds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from deskapp import clock
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    Invoice,
    InvoiceStatus,
    Order,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Product,
    Service,
    ServiceStatus,
    Staff,
)
from deskapp.money import Money
from deskapp.services.proration import UnusedDays, unused_days_credit

DAYS_AHEAD = 365
"""The furthest ahead an order may be approved to start."""


class ServiceStart(NamedTuple):
    """A service the approval makes Active, and from which date."""

    name: str
    """The product's name (with its cycle)."""
    start: dt.date
    """The date the service starts."""


@dataclass(frozen=True)
class ApprovalPreview:
    """What approving an order with a start date will do, shown before anyone presses a key."""

    order_label: str
    """O-5531."""
    start: dt.date
    """The start date this preview is for."""
    default_start: dt.date
    """The start date approval takes when none is given: today for a request, the payment
    date for a paid order."""
    services: tuple[ServiceStart, ...]
    """Which services become Active, from which date."""
    invoice_text: str
    """The invoice or payment involved, in one sentence (may quote the gateway's words:
    untrusted text)."""
    credit_note_cents: int
    """The credit note for unused days approval books (0 for none)."""
    credit_lines: tuple[str, ...]
    """The credit note's arithmetic, one line per service, then any cap."""
    problems: tuple[str, ...]
    """Why approval would be refused now, one sentence each (empty when it can go ahead)."""


@dataclass(frozen=True)
class Problem:
    """A reason approval is refused, with the field at fault ("start") or "" for the order."""

    field: str
    sentence: str


@dataclass(frozen=True)
class ApprovalPlan:
    """Everything approval would do to an order, read from its rows."""

    label: str
    paid: bool
    """Paid upfront (payment Successful): services already Active from the payment date."""
    paid_on: dt.date | None
    default_start: dt.date
    start: dt.date
    services: tuple[tuple[Service, str], ...]
    """The order's services still to start, with their product names."""
    credits: tuple[tuple[str, UnusedDays], ...]
    """Per recurring service of a paid order: its name and the unused days worked out."""
    paid_net_cents: int
    """What was paid for the order less what was refunded."""
    credit_note_cents: int
    credit_lines: tuple[str, ...]
    invoice: Invoice | None
    invoice_text: str
    support_minutes: int
    """Prepaid support minutes the order's bundles add (at payment, or on approval)."""
    problems: tuple[Problem, ...]


def plan_approval(order: Order, client: Client, start: dt.date | None) -> ApprovalPlan:
    """The plan for approving `order` of `client` to start on `start` (None: the default)."""
    label = format_number("order", order.number)
    paid = order.payment_status == PaymentStatus.SUCCESSFUL
    paid_on = (order.paid_at or order.created_at).date() if paid else None
    default_start = paid_on if paid_on is not None else clock.today()
    chosen = default_start if start is None else start
    services = order_services(order)
    paid_net = paid_net_cents(order)
    credits: list[tuple[str, UnusedDays]] = []
    problems = [] if order.status == OrderStatus.PENDING else [Problem("", decided(order))]
    problems += _payment_problems(order, label)
    problems += _start_problems(order, chosen, paid_on, label)
    if paid_on is not None and chosen >= paid_on:
        credits = [
            (name, unused_days_credit(service.price_cents, service.cycle, paid_on, chosen))
            for service, name in services
        ]
        credits = [(name, days) for name, days in credits if days.credit_cents > 0]
    owed = sum(days.credit_cents for _, days in credits)
    credit = min(owed, max(paid_net, 0))
    lines = [
        f"{name}: {days.arithmetic} ({days.unused_days} unused days)" for name, days in credits
    ]
    if credit < owed:
        lines.append(f"Capped at {Money(credit)}, what was paid net of refunds.")
    invoice = order_invoice(order)
    return ApprovalPlan(
        label=label,
        paid=paid,
        paid_on=paid_on,
        default_start=default_start,
        start=chosen,
        services=services,
        credits=tuple(credits),
        paid_net_cents=paid_net,
        credit_note_cents=credit,
        credit_lines=tuple(lines),
        invoice=invoice,
        invoice_text=_invoice_text(order, client, invoice, paid_on, paid_net),
        support_minutes=order_support_minutes(order),
        problems=tuple(problems),
    )


def preview(plan: ApprovalPlan) -> ApprovalPreview:
    """The preview screens show for a plan."""
    return ApprovalPreview(
        order_label=plan.label,
        start=plan.start,
        default_start=plan.default_start,
        services=tuple(ServiceStart(name, plan.start) for _, name in plan.services),
        invoice_text=plan.invoice_text,
        credit_note_cents=plan.credit_note_cents,
        credit_lines=plan.credit_lines,
        problems=tuple(problem.sentence for problem in plan.problems),
    )


def decided(order: Order) -> str:
    """Why an order that is no longer Pending cannot be decided again: by whom and when."""
    label = format_number("order", order.number)
    done = "approved" if order.status == OrderStatus.ACTIVE else str(order.status).lower()
    name = (
        Staff.select(Staff.name).where(Staff.id == order.decided_by_id).scalar()
        if order.decided_by_id is not None
        else None
    )
    by = f" by {name}" if name else ""
    at = f" at {order.decided_at:%Y-%m-%d %H:%M} (UTC)" if order.decided_at is not None else ""
    return f"{label} was already {done}{by}{at}."


def order_services(order: Order) -> tuple[tuple[Service, str], ...]:
    """The order's services that are not cancelled, with their product names, in order."""
    rows = (
        Service.select(Service, Product.name)
        .join(Product)
        .where((Service.order == order.id) & (Service.status != ServiceStatus.CANCELLED))
        .order_by(Service.created_at, Service.id)
    )
    return tuple((row, f"{row.product.name} ({row.cycle})") for row in rows)


def order_invoice(order: Order) -> Invoice | None:
    """The order's invoice that is not cancelled, if it has one."""
    return (
        Invoice.select()
        .where((Invoice.order == order.id) & (Invoice.status != InvoiceStatus.CANCELLED))
        .order_by(Invoice.id.desc())
        .first()
    )


def paid_net_cents(order: Order) -> int:
    """What was paid for the order, less what was refunded."""
    payments = PaymentTransaction.select().where(PaymentTransaction.order == order.id)
    return sum(row.amount_cents - row.refunded_cents for row in payments)


def order_support_minutes(order: Order) -> int:
    """The prepaid support minutes the order's support-hour bundles add (as mark_order_paid
    counts them: each item's product minutes × quantity)."""
    items = (
        OrderItem.select(OrderItem.quantity, Product.support_minutes)
        .join(Product)
        .where(OrderItem.order == order.id)
    )
    return sum(max(item.product.support_minutes, 0) * item.quantity for item in items)


def _payment_problems(order: Order, label: str) -> list[Problem]:
    status = order.payment_status
    if status in (PaymentStatus.SUCCESSFUL, PaymentStatus.NONE):
        return []
    note = f" ({order.payment_note})" if order.payment_note else ""
    if order.payment_method == PaymentMethod.CARD and status == PaymentStatus.PENDING:
        return [
            Problem(
                "",
                f"{label}'s card payment is still Pending{note}: reconcile it (p on the order, "
                "or deskapp payments sync) and approve it once paid, or reject the order.",
            )
        ]
    if status == PaymentStatus.FAILED:
        return [
            Problem(
                "",
                f"{label}'s payment failed{note}: retry the card payment (p on the order) "
                "or reject the order.",
            )
        ]
    return [Problem("", f"{label}'s payment is {status}{note}; it must be paid first.")]


def _start_problems(
    order: Order, start: dt.date, paid_on: dt.date | None, label: str
) -> list[Problem]:
    problems = []
    if paid_on is not None and start < paid_on:
        problems.append(
            Problem(
                "start",
                f"The start date {start.isoformat()} is before {label} was paid on "
                f"{paid_on.isoformat()}; choose that day or later.",
            )
        )
    placed_on = order.created_at.date()
    if paid_on is None and start < placed_on:
        problems.append(
            Problem(
                "start",
                f"The start date {start.isoformat()} is before {label} was placed on "
                f"{placed_on.isoformat()}; choose that day or later.",
            )
        )
    latest = clock.today() + dt.timedelta(days=DAYS_AHEAD)
    if start > latest:
        problems.append(
            Problem(
                "start",
                f"The start date {start.isoformat()} is more than a year ahead (the latest is "
                f"{latest.isoformat()}); approve the order nearer the time.",
            )
        )
    return problems


def _invoice_text(
    order: Order,
    client: Client,
    invoice: Invoice | None,
    paid_on: dt.date | None,
    paid_net: int,
) -> str:
    total = Money(order.total_cents)
    if paid_on is not None:
        how = _payment_method_text(order)
        on = f" on {invoice.number} ({invoice.status})" if invoice is not None else ""
        return f"Paid {Money(paid_net)} {how} on {paid_on.isoformat()}{on}."
    if order.payment_status != PaymentStatus.NONE:
        return f"Payment {order.payment_status.lower()} for {total}; nothing is invoiced yet."
    if invoice is not None:
        return f"Invoiced already on {invoice.number} ({invoice.status})."
    text = f"An invoice for {total} is issued on approval"
    if client.credit_cents > 0:
        applied = Money(min(client.credit_cents, order.total_cents))
        text += f"; {applied} of the client's credit pays towards it"
    return text + "."


def _payment_method_text(order: Order) -> str:
    latest = (
        PaymentTransaction.select(PaymentTransaction.gateway, PaymentTransaction.method)
        .where(PaymentTransaction.order == order.id)
        .order_by(PaymentTransaction.id.desc())
        .first()
    )
    if order.payment_method == PaymentMethod.CARD:
        return "by card"
    if latest is not None and latest.method:
        return f"by {latest.method.lower()}"
    return "upfront"
