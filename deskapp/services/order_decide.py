"""An admin's decision on a pending order: approve it with its actual start date, or reject it
with a reason (and, for a paid order, a refund to the card or to credit).

A decision is taken once. The client's row is locked first (as every money movement locks),
then the order's; the second of two admins deciding at once waits, then finds the order decided
and is told by whom and when. Everything approval books — services, invoice, the credit note
for unused days, support hours, the reply that tells the client and closes the order's ticket,
the audit entry — commits together or not at all. Only a card refund talks to the gateway, and
it does so after the rejection is committed, never while holding the client's lock.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, PaymentError, ValidationError
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    CreditKind,
    Entity,
    InvoiceStatus,
    Order,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Service,
    ServiceStatus,
    Ticket,
    TicketStatus,
)
from deskapp.models.billing import CYCLE_MONTHS, Cycle
from deskapp.money import Money
from deskapp.payments.gateway import StripeGateway
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.billing_run import add_months
from deskapp.services.bookkeeping import append_entry, key, lock_order
from deskapp.services.conversation.messages import post_reply
from deskapp.services.invoices import (
    issue_invoice_for_order,
    record_gateway_refund,
    refund_invoice,
)
from deskapp.services.order_card import refund_card_payment
from deskapp.services.order_plan import (
    ApprovalPlan,
    ApprovalPreview,
    ServiceStart,
    decided,
    order_invoice,
    order_services,
    order_support_minutes,
    paid_net_cents,
    plan_approval,
    preview,
)
from deskapp.services.rights import Right, acting
from deskapp.services.validation import text

__all__ = [
    "ApprovalPreview",
    "OrderDecision",
    "ServiceStart",
    "approve_order",
    "preview_approval",
    "reject_order",
]

REFUNDS = ("card", "credit")
"""How a paid order's money goes back when it is rejected."""


@dataclass(frozen=True)
class OrderDecision:
    """What an approval or rejection did."""

    order_label: str
    """O-5531."""
    status: str
    """The order's status now: Active or Rejected."""
    start: dt.date | None
    """The start date its services were approved with (None when rejected)."""
    credit_note_cents: int
    """The credit note for unused days booked to the client's credit (0 for none)."""
    refund: str
    """How a rejected paid order was refunded: "card", "credit", or "" for no refund."""
    message: str
    """One line for a notice or the command line."""


def preview_approval(order_id: object, start: dt.date | None = None) -> ApprovalPreview:
    """What approving the order to start on `start` (None: the default) would do, and why it
    would be refused (`problems`)."""
    order = Order.get_or_none(Order.id == key(order_id, "order"))
    if order is None:
        raise NotFound("That order no longer exists.")
    client = Client.get_by_id(order.client_id)
    return preview(plan_approval(order, client, start))


def approve_order(actor: Actor, order_id: object, start: dt.date | None = None) -> OrderDecision:
    """Approve a pending order with its actual start date (admins only)."""
    with acting(actor, Right.DECIDE_ORDERS) as actor:
        order, client = lock_order(order_id)
        if order.status != OrderStatus.PENDING:
            raise Conflict(decided(order))
        plan = plan_approval(order, client, start)
        for problem in plan.problems:
            if problem.field:
                raise ValidationError(problem.field, problem.sentence)
            raise Conflict(problem.sentence)
        before = _state(order)
        now = clock.now()
        _start_services(plan)
        invoice_number = plan.invoice.number if plan.invoice is not None else ""
        if not plan.paid:
            if plan.invoice is None:
                invoice_number = issue_invoice_for_order(actor, order.id).number
            _change_minutes(client, plan.support_minutes)
        if plan.credit_note_cents:
            description = f"Unused days of {plan.label} (paid {plan.paid_on}, started "
            description += f"{plan.start}): " + "; ".join(plan.credit_lines)
            append_entry(actor, client, CreditKind.CREDIT_NOTE, plan.credit_note_cents, description)
        _decide(order, actor, OrderStatus.ACTIVE, now, start=plan.start)
        message = _approval_message(plan, invoice_number)
        _tell_client(actor, order, _approval_reply(plan, invoice_number), mail_kind="order")
        audit.record(
            actor,
            "order.approved",
            "order",
            order.id,
            message,
            before,
            {
                **_state(order),
                "credit_note_cents": plan.credit_note_cents,
                "credit_lines": list(plan.credit_lines),
                "invoice": invoice_number,
                "support_minutes_added": 0 if plan.paid else plan.support_minutes,
            },
        )
        feed.publish(Entity.ORDER, order.id, "updated")
    return OrderDecision(
        plan.label, OrderStatus.ACTIVE, plan.start, plan.credit_note_cents, "", message
    )


def reject_order(
    actor: Actor,
    order_id: object,
    reason: str,
    refund: str | None = None,
    gateway: StripeGateway | None = None,
) -> OrderDecision:
    """Reject a pending order with a reason (admins only). A paid order needs `refund`: "card"
    (card-paid orders; through `gateway`) or "credit" (its invoice refunded to credit).

    A card refund that fails leaves the order rejected with its money not yet returned; calling
    this again with refund "card" retries the refund.
    """
    why = text("reason", reason, "The reason", limit=500, required=True).rstrip(".")
    how = (refund or "").strip().lower()
    if how and how not in REFUNDS:
        raise ValidationError("refund", "The refund goes to the card or to credit.")
    if how == "card" and gateway is None:
        raise PaymentError(
            "Card payments are off, so the card cannot be refunded; refund to credit."
        )
    with acting(actor, Right.DECIDE_ORDERS) as actor:
        order, client = lock_order(order_id)
        label = format_number("order", order.number)
        if not (how == "card" and _card_refund_unfinished(order)):
            _reject_locked(actor, order, client, why, how)
        if how == "credit":
            _refund_to_credit(actor, order, client, why)
    if how == "card" and gateway is not None:
        return _refund_card(actor, order.id, label, why, gateway)
    message = f"{label} rejected" + (", its payment refunded to credit." if how else ".")
    return OrderDecision(label, OrderStatus.REJECTED, None, 0, how, message)


def _reject_locked(actor: Actor, order: Order, client: Client, why: str, how: str) -> None:
    label = format_number("order", order.number)
    if order.status != OrderStatus.PENDING:
        raise Conflict(decided(order))
    if order.payment_status == PaymentStatus.PENDING and order.payment_intent:
        raise Conflict(
            f"{label} has a card payment under way at Stripe; reconcile it first (p on the "
            "order), then reject it once the payment failed, or with a refund once paid."
        )
    paid = order.payment_status == PaymentStatus.SUCCESSFUL and paid_net_cents(order) > 0
    if paid and not how:
        raise ValidationError(
            "refund",
            f"{label} was paid {Money(paid_net_cents(order))}; choose a refund to the card "
            "or to credit.",
        )
    if how and not paid:
        raise ValidationError("refund", f"{label} has no payment to refund; reject it without.")
    if how == "card" and order.payment_method != PaymentMethod.CARD:
        raise ValidationError("refund", f"{label} was not paid by card; refund it to credit.")
    before = _state(order)
    for service, _ in order_services(order):
        _save_service(service, status=ServiceStatus.CANCELLED)
    taken = _change_minutes(client, -order_support_minutes(order)) if paid else 0
    _decide(order, actor, OrderStatus.REJECTED, clock.now(), note=why)
    if how != "card":
        refunded = " Your payment is refunded to your account credit." if how else ""
        _tell_client(actor, order, f"Your order {label} was not approved: {why}.{refunded}")
    audit.record(
        actor,
        "order.rejected",
        "order",
        order.id,
        f"{label} rejected: {why}",
        before,
        {**_state(order), "refund": how, "support_minutes_taken": -taken},
    )
    feed.publish(Entity.ORDER, order.id, "updated")


def _refund_to_credit(actor: Actor, order: Order, client: Client, why: str) -> None:
    invoice = order_invoice(order)
    if invoice is not None and invoice.status == InvoiceStatus.PAID:
        refund_invoice(actor, invoice.id, why, to_credit=True)
        return
    label = format_number("order", order.number)
    amount = paid_net_cents(order)
    PaymentTransaction.update(refunded_cents=PaymentTransaction.amount_cents).where(
        PaymentTransaction.order == order.id
    ).execute()
    append_entry(actor, client, CreditKind.REFUND, amount, f"{label} rejected: {why}")


def _refund_card(
    actor: Actor, order_id: uuid.UUID, label: str, why: str, gateway: StripeGateway
) -> OrderDecision:
    """Return a rejected card order's money through the gateway, then close its invoice."""
    try:
        cents = refund_card_payment(actor, order_id, gateway, why)
    except PaymentError as error:
        raise PaymentError(
            f"{label} is rejected, but the card refund failed: {error} Reject it again with "
            "a card refund to retry."
        ) from error
    with write_transaction():
        order, _ = lock_order(order_id)
        invoice = order_invoice(order)
        if invoice is not None and invoice.status == InvoiceStatus.PAID:
            record_gateway_refund(actor, invoice.id, why)
        _tell_client(
            actor,
            order,
            f"Your order {label} was not approved: {why}. {Money(cents)} is refunded to your "
            "card; it can take a few days to show.",
        )
        audit.record(
            actor, "order.refunded", "order", order.id, f"{label}: {Money(cents)} to the card"
        )
    message = f"{label} rejected, {Money(cents)} refunded to the card."
    return OrderDecision(label, OrderStatus.REJECTED, None, 0, "card", message)


def _card_refund_unfinished(order: Order) -> bool:
    """A rejected card order whose money has not all gone back yet (a refund to retry)."""
    invoice = order_invoice(order)
    return (
        order.status == OrderStatus.REJECTED
        and order.payment_method == PaymentMethod.CARD
        and order.payment_status == PaymentStatus.SUCCESSFUL
        and invoice is not None
        and invoice.status == InvoiceStatus.PAID
        and paid_net_cents(order) > 0
    )


def _start_services(plan: ApprovalPlan) -> None:
    """Services Active from the start date; a request's are next due one cycle later, a paid
    order's keep the due date their payment gave them."""
    for service, _ in plan.services:
        due = service.next_due_date
        if not plan.paid:
            months = (
                CYCLE_MONTHS.get(Cycle(service.cycle), 0) if service.cycle in tuple(Cycle) else 0
            )
            due = add_months(plan.start, months, plan.start.day) if months else None
        _save_service(
            service, status=ServiceStatus.ACTIVE, start_date=plan.start, next_due_date=due
        )


def _save_service(service: Service, **changes: Any) -> None:
    Service.update(**changes, version=Service.version + 1, updated_at=clock.now()).where(
        Service.id == service.id
    ).execute()
    feed.publish(Entity.SERVICE, service.id, "updated")


def _change_minutes(client: Client, minutes: int) -> int:
    """Add (or take back, never below zero) prepaid support minutes; returns the change."""
    change = max(minutes, -client.support_minutes)
    if change:
        Client.update(support_minutes=Client.support_minutes + change).where(
            Client.id == client.id
        ).execute()
        client.support_minutes += change
        feed.publish(Entity.CLIENT, client.id, "updated")
    return change


def _decide(
    order: Order,
    actor: Actor,
    status: OrderStatus,
    now: dt.datetime,
    *,
    start: dt.date | None = None,
    note: str = "",
) -> None:
    order.status, order.start_date, order.decided_by_id = status, start, actor.id
    order.decided_at, order.decision_note = now, note
    order.version += 1
    Order.update(
        status=status,
        start_date=start,
        decided_by=actor.id,
        decided_at=now,
        decision_note=note,
        version=order.version,
        updated_at=now,
    ).where(Order.id == order.id).execute()


def _tell_client(actor: Actor, order: Order, body: str, mail_kind: str = "reply") -> None:
    """Reply on the order's ticket (the client is mailed: the ticket's contact, or for
    `mail_kind` "order" the client's Product contacts) and close it."""
    ticket_id = (
        Ticket.select(Ticket.id)
        .where(Ticket.order == order.id)
        .order_by(Ticket.created_at, Ticket.id)
        .scalar()
    )
    if ticket_id is not None:
        post_reply(actor, ticket_id, body, status=TicketStatus.COMPLETED.value, mail_kind=mail_kind)


def _approval_message(plan: ApprovalPlan, invoice_number: str) -> str:
    message = f"{plan.label} approved, services Active from {plan.start.isoformat()}"
    if plan.credit_note_cents:
        message += f"; credit note of {Money(plan.credit_note_cents)} for unused days"
    if invoice_number and not plan.paid:
        message += f"; invoiced on {invoice_number}"
    return message + "."


def _approval_reply(plan: ApprovalPlan, invoice_number: str) -> str:
    names = ", ".join(name for _, name in plan.services) or "your order"
    body = f"Your order {plan.label} is approved: {names} starts on {plan.start.isoformat()}."
    if plan.credit_note_cents:
        body += (
            f" You paid from {plan.paid_on}, so the unused days are credited to your account: "
            f"{Money(plan.credit_note_cents)} ({'; '.join(plan.credit_lines)})."
        )
    if invoice_number and not plan.paid:
        body += f" Your invoice is {invoice_number}."
    return body


def _state(order: Order) -> dict[str, object]:
    return {
        "number": format_number("order", order.number),
        "status": order.status,
        "start_date": order.start_date.isoformat() if order.start_date else None,
        "decided_by": str(order.decided_by_id) if order.decided_by_id else None,
        "decided_at": order.decided_at.isoformat() if order.decided_at else None,
        "decision_note": order.decision_note,
        "payment_status": order.payment_status,
        "version": order.version,
    }
