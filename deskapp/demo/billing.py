"""The demo's money: recurring invoices, payments and the credit ledger.

Invoices are drafted first with what would happen to them (paid, left unpaid, cancelled,
refunded); then one pass per client walks its credit events and invoices in time order, the
way deskapp does it live: credit on hand is applied when an invoice is issued, what is left
is paid by card or bank transfer or stays due. So the cached credit equals the sum of the
entries, a Paid invoice owes nothing, and nothing owes less than zero.
"""

from __future__ import annotations

import datetime as dt
import string

from deskapp.demo.data import add_months
from deskapp.demo.world import (
    CreditEvent,
    DemoClient,
    DemoInvoice,
    DemoService,
    DemoWorld,
    known,
)
from deskapp.ids import invoice_number
from deskapp.models import (
    CreditEntry,
    CreditKind,
    Invoice,
    InvoiceLine,
    PaymentTransaction,
)

GOODWILL = (
    ("Goodwill for the fibre outage in {month}", CreditKind.ADDED, 500, 3000),
    ("Bank transfer overpaid", CreditKind.OVERPAYMENT, 150, 6000),
    ("Correction: installation charged twice", CreditKind.ADJUSTMENT, 7500, 7500),
    ("Prepayment for the coming year", CreditKind.ADDED, 10000, 40000),
)


def add_billing(world: DemoWorld) -> None:
    """Recurring invoices, goodwill and overpayments, then the ledger, numbers and rows."""
    for client in world.clients:
        for service in client.services:
            if service.order_id is None:
                _bill_service(world, client, service)
    _add_goodwill(world)
    _number_invoices(world)
    for client in world.clients:
        _run_ledger(world, client)
    for client in world.clients:
        for service in client.services:
            overdue = [
                invoice
                for invoice in world.invoices
                if invoice.client is client
                and invoice.status == "Unpaid"
                and invoice.due_on < world.today - dt.timedelta(days=14)
                and any(line[0] == service.id for line in invoice.lines)
            ]
            if overdue and service.status == "Active":
                service.status = "Suspended"
    for invoice in world.invoices:
        _queue_invoice(world, invoice)


def _bill_service(world: DemoWorld, client: DemoClient, service: DemoService) -> None:
    rng, today = world.rng, world.today
    starts = []
    period = known(service.start_date)
    while period - dt.timedelta(days=14) <= today and (
        service.ends_on is None or period < service.ends_on
    ):
        starts.append(period)
        period = add_months(period, service.months)
    service.next_due_date = period if service.status == "Active" else None
    keep = 3 if service.months == 1 else 2
    for position, start in enumerate(starts[-keep:]):
        issue_day = max(start - dt.timedelta(days=14), service.created_at.date())
        issued = min(dt.datetime.combine(issue_day, dt.time(6, rng.randint(0, 59))), world.now)
        end = add_months(start, service.months) - dt.timedelta(days=1)
        roll = rng.random()
        if start >= today - dt.timedelta(days=5):
            outcome = "paid" if roll < 0.4 else "unpaid"
        elif position == 0 and roll < 0.03:
            outcome = "cancelled"
        elif position == 0 and roll < 0.05:
            outcome = "refunded"
        else:
            outcome = "paid" if roll < 0.96 or service.ends_on else "unpaid"
        paid_at = None
        if outcome in ("paid", "refunded"):
            paid_at = world.moment(issued, issued + dt.timedelta(days=rng.choice((1, 3, 12, 20))))
        description = (
            f"{service.product.name} ({service.cycle}) — {service.identifier}, "
            f"{start:%d %b %Y} to {end:%d %b %Y}"
        )
        world.invoices.append(
            DemoInvoice(
                world.ids.at(issued),
                client,
                issued,
                start,
                [(service.id, description, service.price_cents, start, end)],
                outcome,
                paid_at,
            )
        )


def _add_goodwill(world: DemoWorld) -> None:
    rng = world.rng
    candidates = [client for client in world.clients if client.status != "Closed"]
    for client in rng.sample(candidates, 34):
        for _ in range(rng.choice((1, 1, 2, 3))):
            text, kind, low, high = rng.choice(GOODWILL)
            at = world.moment(client.created_at + dt.timedelta(days=30), world.now)
            staff = world.staff[
                "admin" if kind == CreditKind.ADJUSTMENT else rng.choice(("sam", "kim", "admin"))
            ][0]
            event = CreditEvent(
                client,
                at,
                kind,
                rng.randint(low // 50, high // 50) * 50,
                text.format(month=f"{at:%B %Y}"),
                staff,
            )
            world.credit_events.append(event)
            if rng.random() < 0.15:
                world.credit_events.append(
                    CreditEvent(
                        client,
                        world.moment(at, at + dt.timedelta(days=2)),
                        CreditKind.REVERSAL,
                        -event.amount_cents,
                        "Reversal: entered on the wrong client",
                        world.staff["admin"][0],
                        reverses=event,
                    )
                )


def _number_invoices(world: DemoWorld) -> None:
    """Gapless numbers per year, in the order the invoices were issued."""
    world.invoices.sort(key=lambda invoice: (invoice.issued_at, invoice.client.number, invoice.id))
    years = sorted({invoice.issued_at.year for invoice in world.invoices})
    for year in years:
        issued = [invoice for invoice in world.invoices if invoice.issued_at.year == year]
        for invoice, sequence in zip(
            issued, world.numbers(f"invoice-{year}", len(issued)), strict=True
        ):
            invoice.number = invoice_number(year, sequence)


def _run_ledger(world: DemoWorld, client: DemoClient) -> None:
    """Walk the client's credit events and invoices in time order; settle each invoice."""
    events: list[tuple[dt.datetime, int, object]] = [
        (event.at, 1, event) for event in world.credit_events if event.client is client
    ]
    events += [
        (invoice.issued_at, 0, invoice) for invoice in world.invoices if invoice.client is client
    ]
    events.sort(key=lambda item: (item[0], item[1]))
    balance, last = 0, dt.datetime.min
    for at, _, item in events:
        at = max(at, last + dt.timedelta(seconds=1))  # entries of a client never share a second
        last = at
        if isinstance(item, CreditEvent):
            if balance + item.amount_cents < 0 or (item.reverses and not item.reverses.id):
                continue
            balance += item.amount_cents
            _queue_entry(world, client, at, item, balance)
            continue
        invoice: DemoInvoice = item  # type: ignore[assignment]
        total = invoice.total_cents
        applied = 0
        if invoice.outcome in ("paid", "unpaid") and not invoice.prepaid and balance > 0:
            applied = min(balance, total)
            balance -= applied
            _queue_entry(
                world,
                client,
                at,
                CreditEvent(
                    client,
                    at,
                    CreditKind.APPLIED,
                    -applied,
                    f"Applied to {invoice.number}",
                    invoice=invoice,
                ),
                balance,
            )
        _settle(world, invoice, total - applied)
    client.credit_cents = balance


def _settle(world: DemoWorld, invoice: DemoInvoice, remainder: int) -> None:
    if invoice.outcome == "cancelled":
        invoice.status = "Cancelled"
    elif invoice.outcome == "refunded":
        invoice.status, invoice.paid_on = "Refunded", known(invoice.paid_at).date()
        _queue_payment(
            world,
            invoice,
            invoice.total_cents,
            refunded=0 if invoice.refund_to_credit else invoice.total_cents,
        )
    elif remainder == 0:
        invoice.status, invoice.paid_on = "Paid", invoice.issued_at.date()
    elif invoice.outcome == "paid":
        invoice.status, invoice.paid_on = "Paid", known(invoice.paid_at).date()
        _queue_payment(world, invoice, remainder)
    else:
        invoice.status, invoice.amount_due_cents = "Unpaid", remainder


def _queue_entry(
    world: DemoWorld, client: DemoClient, at: dt.datetime, event: CreditEvent, balance: int
) -> None:
    event.id = world.ids.at(at)
    world.add(
        CreditEntry,
        id=event.id,
        created_at=at,
        client=client.id,
        client_number=client.number,
        kind=event.kind,
        amount_cents=event.amount_cents,
        balance_after_cents=balance,
        description=event.description,
        invoice=event.invoice.id if event.invoice else None,
        reverses=event.reverses.id if event.reverses else None,
        staff=event.staff_id,
    )


def _queue_payment(world: DemoWorld, invoice: DemoInvoice, amount: int, refunded: int = 0) -> None:
    rng, client = world.rng, invoice.client
    by_card = invoice.prepaid or refunded or rng.random() < 0.6
    if by_card:
        reference = "ch_" + "".join(rng.choices(string.ascii_letters + string.digits, k=24))
    else:
        reference = f"BT-{invoice.paid_at:%Y%m%d}-{rng.randint(1000, 9999)}"
    payment_id = world.ids.at(known(invoice.paid_at))
    staff = None if by_card else world.staff[rng.choice(("admin", "sam"))][0]
    if invoice.paid_by == "manual":
        # An order paid upfront by bank transfer; its reference comes from the characters drawn
        # above, so the random stream (and all the demo made after it) stays as it was.
        by_card, staff = False, world.staff["admin"][0]
        reference = f"BT-{invoice.paid_at:%Y%m%d}-{reference[3:9].upper()}"
    world.add(
        PaymentTransaction,
        id=payment_id,
        created_at=invoice.paid_at,
        client=client.id,
        client_name=client.person.company or client.name,
        invoice=invoice.id,
        order=invoice.order_id,
        gateway="stripe" if by_card else "manual",
        method="card" if by_card else "bank transfer",
        reference=reference,
        amount_cents=amount,
        refunded_cents=refunded,
        staff=staff,
    )


def _queue_invoice(world: DemoWorld, invoice: DemoInvoice) -> None:
    client, person = invoice.client, invoice.client.person
    billing = client.billing
    changed = (
        invoice.paid_at if invoice.status in ("Paid", "Refunded") and invoice.paid_at else None
    )
    world.add(
        Invoice,
        id=invoice.id,
        created_at=invoice.issued_at,
        updated_at=max(changed or invoice.issued_at, invoice.issued_at),
        number=invoice.number,
        client=client.id,
        order=invoice.order_id,
        status=invoice.status,
        issued_on=invoice.issued_at.date(),
        due_on=invoice.due_on,
        paid_on=invoice.paid_on,
        total_cents=invoice.total_cents,
        amount_due_cents=invoice.amount_due_cents,
        bill_to_name=person.company or billing.name,
        bill_to_email=billing.email,
        bill_to_address="\n".join(
            part
            for part in (
                person.company and f"Attn. {billing.name}",
                person.address1,
                f"{person.postcode} {person.city}",
                person.region,
                person.country,
            )
            if part
        ),
    )
    for service_id, description, amount, start, end in invoice.lines:
        world.add(
            InvoiceLine,
            id=world.ids.at(invoice.issued_at),
            created_at=invoice.issued_at,
            invoice=invoice.id,
            service=service_id,
            description=description,
            amount_cents=amount,
            period_start=start,
            period_end=end,
        )
