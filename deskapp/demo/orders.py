"""The demo's orders: every state, several waiting for approval (a request, paid by card, paid
by bank transfer, a card declined, a card waiting for the cardholder), each with its items, its
services, its upfront payment and the admin's decision. Card payments carry made-up Stripe ids
(`pi_demo_...`): the demo never calls Stripe."""

from __future__ import annotations

import datetime as dt

from deskapp.demo.data import CYCLE_MONTHS, add_months
from deskapp.demo.world import (
    CreditEvent,
    DemoInvoice,
    DemoOrder,
    DemoService,
    DemoWorld,
    known,
    new_service,
)
from deskapp.models import CreditKind, Order, OrderItem, PaymentMethod

CARD, MANUAL, REQUEST = PaymentMethod.CARD, PaymentMethod.MANUAL, PaymentMethod.REQUEST
ORDER_PLAN = (
    ("Pending", "Successful", CARD),
    ("Pending", "Successful", MANUAL),
    ("Pending", "Successful", CARD),
    ("Pending", "Successful", MANUAL),
    ("Pending", "None", REQUEST),
    ("Pending", "Pending", CARD),
    ("Pending", "None", REQUEST),
    ("Pending", "Failed", CARD),
    *[("Active", "Successful", CARD), ("Active", "Successful", MANUAL)] * 4,
    *[("Active", "None", REQUEST)] * 6,
    ("Rejected", "Successful", MANUAL),  # refunded to credit
    ("Rejected", "Successful", CARD),  # refunded to the card
    *[("Rejected", "None", REQUEST)] * 3,
    *[("Cancelled", "None", REQUEST)] * 3,
    *[("Cancelled", "Failed", CARD)] * 2,
)
"""(status, payment status, payment method) of each demo order: several waiting for approval,
paid and not, and card payments in each state Stripe can leave them."""

DECLINES = (
    "Your card was declined.",
    "Your card has insufficient funds.",
    "Your card has expired.",
)
"""Stripe's words for a declined card, as the order's payment note keeps them."""
WAITING_FOR_CARDHOLDER = (
    "The card needs the cardholder's authentication (requires_action); "
    "waiting for them to confirm it with their bank."
)
"""The payment note of a card payment Stripe holds until the cardholder confirms it."""

MAIN_PRODUCTS = (
    "home-bundle",
    "office-bundle",
    "fibre-300",
    "fibre-1000",
    "business-fibre",
    "voip-line",
    "sip-trunk",
    "hosting-starter",
    "hosting-pro",
    "vps",
    "mail-business",
    "domain-com",
)
REJECTIONS = (
    "The address is outside our fibre area; we offered Fibre 300 over copper instead.",
    "The credit check failed; the client may order again with a deposit.",
    "Duplicate of an order placed the same day.",
    "The requested number cannot be ported from the current provider.",
    "The site survey found no duct into the building.",
)


def add_orders(world: DemoWorld) -> None:
    """Orders in every state, their items, services, upfront payments and decisions."""
    rng = world.rng
    admin = world.staff["admin"][0]
    active = [client for client in world.clients if client.status == "Active"]
    for position, (status, payment, method) in enumerate(ORDER_PLAN):
        client = world.clients[17] if position == 0 else rng.choice(active)
        placed = world.days_ago(
            {"Pending": rng.uniform(0.05, 6), "Active": rng.uniform(12, 28)}.get(
                status, rng.uniform(5, 80)
            )
        )
        order = DemoOrder(
            world.ids.at(placed),
            client,
            status,
            payment,
            placed,
            _order_items(world, position, status),
        )
        _card_attempt(order, method, position)
        if payment == "Successful":
            order.paid_at = placed + dt.timedelta(seconds=rng.randint(20, 300))
        if status != "Pending":
            order.decided_at = world.moment(
                placed + dt.timedelta(hours=2), placed + dt.timedelta(days=3)
            )
            order.decided_by = admin if status != "Cancelled" else None
        if status == "Active":
            order.start_date = (order.paid_at or known(order.decided_at)).date()
        order.decision_note = {
            "Rejected": rng.choice(REJECTIONS),
            "Cancelled": "Cancelled at the client's request.",
            "Active": rng.choice(("", "Line tested OK.", "Engineer booked.")),
        }.get(status, "")
        world.orders.append(order)
    # One paid order was approved to start later than it was paid (a credit note follows), and
    # of the two paid orders rejected, one is refunded to the card and one to credit.
    paid_active = [o for o in world.orders if o.status == "Active" and o.paid_at]
    later = next(o for o in paid_active if o.items[0][0].type != "Support hours")
    later.start_date = known(later.start_date) + dt.timedelta(days=9)
    refunded = [o for o in world.orders if o.status == "Rejected" and o.paid_at]
    world.orders.sort(key=lambda order: (order.placed_at, order.id))
    numbers = world.numbers("order", len(world.orders))
    for order, number in zip(world.orders, numbers, strict=True):
        order.number = number
        _order_services_and_invoice(world, order, refund_to_credit=order is refunded[0])
        _queue_order(world, order)


def add_paid_support_hours(world: DemoWorld) -> None:
    """Support-hour bundles paid upfront and still waiting for approval: their hours are the
    client's from the payment (as the desk's own payments do). Added once the tickets have
    logged their time, which the demo draws from the hours bought before."""
    for order in world.orders:
        if order.status != "Pending" or order.payment_status != "Successful":
            continue
        for product, _cycle, _price, quantity in order.items:
            order.client.support_minutes += product.support_minutes * quantity


def _card_attempt(order: DemoOrder, method: str, position: int) -> None:
    """How the order is paid and, for a card, the attempt Stripe's answer left behind: the
    PaymentIntent of a payment that went through or waits, none for a declined one (a retry
    makes a new one), and the gateway's last word."""
    order.payment_method = method
    if method != PaymentMethod.CARD:
        return
    order.payment_attempt = 1
    if order.payment_status == "Failed":
        order.payment_note = DECLINES[position % len(DECLINES)]
        return
    order.payment_intent = "pi_demo_" + order.id[-24:]
    if order.payment_status == "Pending":
        order.payment_note = WAITING_FOR_CARDHOLDER


def _order_items(world: DemoWorld, position: int, status: str) -> list:
    rng = world.rng
    if status in ("Active", "Pending") and position % 3 == 0:
        key = "support-20h" if position % 2 else "support-5h"
        product = world.products[key][1]
        return [(product, "One-time", product.prices[0][1], 1)]
    product = world.products[rng.choice(MAIN_PRODUCTS)][1]
    cycle, price = rng.choice(product.prices)
    items = [(product, cycle, price, 1)]
    if product.type in ("Internet", "Bundle") and rng.random() < 0.6:
        install = world.products["install"][1]
        items.append((install, "One-time", install.prices[0][1], 1))
    if product.identifier == "mailbox" and rng.random() < 0.5:
        items[0] = (product, cycle, price, 2)
    return items


def _order_services_and_invoice(world: DemoWorld, order: DemoOrder, refund_to_credit: bool) -> None:
    client, rng = order.client, world.rng
    lines: list[tuple[str | None, str, int, dt.date | None, dt.date | None]] = []
    paid_day = order.paid_at.date() if order.paid_at else None
    for product, cycle, price, quantity in order.items:
        if product.type == "Support hours":
            if order.status == "Active":
                client.support_minutes += product.support_minutes * quantity
            lines.append((None, product.name, price * quantity, None, None))
            continue
        if product.type == "One-time":
            lines.append((None, product.name, price * quantity, None, None))
            continue
        service = new_service(world, client, product.key, 0)
        service.cycle, service.price_cents = cycle, price * quantity
        service.months, service.order_id = CYCLE_MONTHS[cycle], order.id
        service.created_at = order.placed_at
        service.status, service.start_date = _order_service_state(order)
        if service.status == "Active":
            service.next_due_date = add_months(known(service.start_date), service.months)
        client.services.append(service)
        start = paid_day or order.start_date
        if start is not None:
            end = add_months(start, service.months) - dt.timedelta(days=1)
            lines.append(
                (
                    service.id,
                    f"{product.name} ({cycle}) — {service.identifier}",
                    service.price_cents,
                    start,
                    end,
                )
            )
            if order.start_date and paid_day and order.start_date > paid_day:
                _credit_note(world, order, service, paid_day)
    if order.paid_at is not None:
        outcome = "refunded" if order.status == "Rejected" else "paid"
        world.invoices.append(
            DemoInvoice(
                world.ids.at(order.paid_at),
                client,
                order.paid_at,
                order.paid_at.date(),
                lines,
                outcome,
                paid_at=order.paid_at,
                order_id=order.id,
                prepaid=True,
                paid_by=order.payment_method,
                refund_to_credit=refund_to_credit,
            )
        )
        if refund_to_credit:
            world.credit_events.append(
                CreditEvent(
                    client,
                    known(order.decided_at),
                    CreditKind.REFUND,
                    order.total_cents,
                    f"Order O-{order.number} rejected: payment refunded to credit",
                    world.staff["admin"][0],
                    invoice=world.invoices[-1],
                )
            )
    elif order.status == "Active":
        issued = known(order.decided_at)
        paid = rng.random() < 0.6
        world.invoices.append(
            DemoInvoice(
                world.ids.at(issued),
                client,
                issued,
                issued.date() + dt.timedelta(days=14),
                lines,
                "paid" if paid else "unpaid",
                order_id=order.id,
                paid_at=world.moment(issued, issued + dt.timedelta(days=5)) if paid else None,
            )
        )


def _order_service_state(order: DemoOrder) -> tuple[str, dt.date | None]:
    if order.status == "Active":
        return "Active", order.start_date
    if order.status == "Pending" and order.payment_status == "Successful":
        return "Active", known(order.paid_at).date()
    if order.status == "Pending":
        return "Pending", None
    return "Cancelled", None


def _credit_note(world: DemoWorld, order: DemoOrder, service: DemoService, paid: dt.date) -> None:
    """Paid upfront, started later: the unused days go to credit (price × days / cycle days)."""
    start = known(order.start_date)
    days = (start - paid).days
    cycle_days = (add_months(paid, service.months) - paid).days
    world.credit_events.append(
        CreditEvent(
            order.client,
            known(order.decided_at),
            CreditKind.CREDIT_NOTE,
            service.price_cents * days // cycle_days,
            f"{days} unused days of {service.identifier}: paid {paid:%d %b}, started {start:%d %b}",
            world.staff["admin"][0],
        )
    )


def _queue_order(world: DemoWorld, order: DemoOrder) -> None:
    world.add(
        Order,
        id=order.id,
        created_at=order.placed_at,
        updated_at=order.decided_at or order.paid_at or order.placed_at,
        number=order.number,
        client=order.client.id,
        status=order.status,
        paid_upfront=order.payment_status != "None",
        payment_status=order.payment_status,
        paid_at=order.paid_at,
        total_cents=order.total_cents,
        start_date=order.start_date,
        decided_by=order.decided_by,
        decided_at=order.decided_at,
        decision_note=order.decision_note,
        payment_method=order.payment_method,
        payment_intent=order.payment_intent,
        payment_attempt=order.payment_attempt,
        payment_note=order.payment_note,
    )
    for product, cycle, price, quantity in order.items:
        world.add(
            OrderItem,
            id=world.ids.at(order.placed_at),
            created_at=order.placed_at,
            order=order.id,
            product=world.products[product.key][0],
            cycle=cycle,
            price_cents=price,
            quantity=quantity,
            description=product.name,
        )
