"""Approving and rejecting orders on both backends: a request is invoiced and started, a paid
order started later gets its credit note for unused days, refusals change nothing, the order's
ticket gets the reply and is Completed, and every decision is audited."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_helpers import client, staff
from order_rows import add_catalogue

from deskapp import clock
from deskapp.db import db
from deskapp.errors import (
    Conflict,
    DeskError,
    PaymentError,
    PermissionDenied,
    ValidationError,
)
from deskapp.ids import format_number
from deskapp.models import (
    AuditEntry,
    ChangeEvent,
    Client,
    CreditEntry,
    CreditKind,
    Cycle,
    Invoice,
    InvoiceStatus,
    Message,
    MessageKind,
    Order,
    OrderStatus,
    OutboxMail,
    PaymentMethod,
    PaymentStatus,
    PaymentTransaction,
    Product,
    ProductPrice,
    ProductType,
    Role,
    Service,
    Ticket,
    TicketStatus,
)
from deskapp.services.actors import Actor
from deskapp.services.integrity import check_ledger
from deskapp.services.order_decide import (
    ServiceStart,
    approve_order,
    preview_approval,
    reject_order,
)
from deskapp.services.order_place import (
    CartLine,
    mark_payment_unsettled,
    parse_cart_item,
    place_order,
)

TODAY = dt.date(2026, 3, 14)
"""The frozen day of the tests (conftest's FROZEN_NOW)."""


@dataclass
class World:
    admin: Actor
    agent: Actor
    mina: uuid.UUID


@pytest.fixture
def world(desk: str) -> World:
    add_catalogue()
    plan = Product.create(code="FIBRE-31", name="Fibre 31", type=ProductType.INTERNET)
    ProductPrice.create(product=plan, cycle=Cycle.MONTHLY, price_cents=3_100)
    return World(staff(Role.ADMIN, "ann"), staff(Role.AGENT, "sam"), client())


def cart(*items: str) -> list[CartLine]:
    return [parse_cart_item(item) for item in items]


def request(world: World, *items: str) -> uuid.UUID:
    return place_order(world.agent, world.mina, cart(*items), PaymentMethod.REQUEST).id


def paid(world: World, *items: str, on: dt.date = TODAY) -> uuid.UUID:
    """An order paid by bank transfer on `on` (the clock set to that day while it is placed)."""
    clock.set_clock(clock.frozen_clock(dt.datetime.combine(on, dt.time(10, 0))))
    try:
        placed = place_order(
            world.agent, world.mina, cart(*items), PaymentMethod.MANUAL, manual_method="Cash"
        )
    finally:
        clock.set_clock(clock.frozen_clock(dt.datetime.combine(TODAY, dt.time(9, 30))))
    return placed.id


def label(order_id: uuid.UUID) -> str:
    return format_number("order", Order.get_by_id(order_id).number)


def services(order_id: uuid.UUID) -> list[tuple[str, dt.date | None, dt.date | None]]:
    rows = Service.select().where(Service.order == order_id).order_by(Service.created_at)
    return [(row.status, row.start_date, row.next_due_date) for row in rows]


def ticket_of(order_id: uuid.UUID) -> Ticket:
    return Ticket.get(Ticket.order == order_id)


def last_reply(order_id: uuid.UUID) -> str:
    replies = Message.select().where(
        (Message.ticket == ticket_of(order_id).id) & (Message.kind == MessageKind.REPLY)
    )
    return replies.order_by(Message.created_at.desc(), Message.id.desc()).first().body


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action))


def credit_notes() -> list[CreditEntry]:
    return list(CreditEntry.select().where(CreditEntry.kind == CreditKind.CREDIT_NOTE))


def test_approving_a_request_starts_its_services_invoices_it_and_tells_the_client(
    world: World,
) -> None:
    order = request(world, "FIBRE-1G", "VOIP-LINEx2", "HOURS-5")
    preview = preview_approval(order)
    assert preview.start == preview.default_start == TODAY
    assert preview.services == (
        ServiceStart("Fibre 1G (Monthly)", TODAY),
        ServiceStart("VoIP Line (Monthly)", TODAY),
        ServiceStart("VoIP Line (Monthly)", TODAY),
    )
    assert preview.invoice_text == "An invoice for 305.00 is issued on approval."
    assert (preview.credit_note_cents, preview.credit_lines, preview.problems) == (0, (), ())

    decision = approve_order(world.admin, order)

    assert (decision.status, decision.start, decision.credit_note_cents) == ("Active", TODAY, 0)
    invoice = Invoice.get(Invoice.order == order)
    assert (invoice.status, invoice.total_cents) == (InvoiceStatus.UNPAID, 30_500)
    assert decision.message == (
        f"{label(order)} approved, services Active from 2026-03-14; invoiced on {invoice.number}."
    )
    assert services(order) == [("Active", TODAY, dt.date(2026, 4, 14))] * 3
    row = Order.get_by_id(order)
    assert (row.status, row.start_date, row.decided_by_id) == ("Active", TODAY, world.admin.id)
    assert Client.get_by_id(world.mina).support_minutes == 300
    assert ticket_of(order).status == TicketStatus.COMPLETED
    assert last_reply(order).startswith(f"Your order {label(order)} is approved:")
    assert invoice.number in last_reply(order)
    [mail] = OutboxMail.select().where(OutboxMail.ticket == ticket_of(order).id)
    assert mail.to_address == Client.get_by_id(world.mina).email
    assert mail.body.startswith(last_reply(order))
    [entry] = audits("order.approved")
    assert json.loads(entry.before)["status"] == "Pending"
    after = json.loads(entry.after)
    assert (after["status"], after["start_date"], after["invoice"]) == (
        "Active",
        "2026-03-14",
        invoice.number,
    )
    assert after["support_minutes_added"] == 300
    assert ChangeEvent.select().where(ChangeEvent.entity_id == str(order)).count() >= 2
    assert credit_notes() == []
    assert check_ledger() == []


def test_a_paid_order_started_later_gets_a_credit_note_for_the_unused_days(world: World) -> None:
    order = paid(world, "FIBRE-31", on=dt.date(2026, 1, 1))
    assert services(order) == [("Active", dt.date(2026, 1, 1), dt.date(2026, 2, 1))]
    start = dt.date(2026, 1, 14)
    preview = preview_approval(order, start)
    assert preview.default_start == dt.date(2026, 1, 1)
    assert preview.services == (ServiceStart("Fibre 31 (Monthly)", start),)
    invoice = Invoice.get(Invoice.order == order)
    assert preview.invoice_text == f"Paid 31.00 by cash on 2026-01-01 on {invoice.number} (Paid)."
    assert preview.credit_note_cents == 1_300
    assert preview.credit_lines == ("Fibre 31 (Monthly): 31.00 × 13 / 31 = 13.00 (13 unused days)",)
    assert preview.problems == ()

    decision = approve_order(world.admin, order, start)

    assert (decision.credit_note_cents, decision.start) == (1_300, start)
    assert "credit note of 13.00 for unused days" in decision.message
    [note] = credit_notes()
    assert (note.amount_cents, note.client_id) == (1_300, world.mina)
    assert "31.00 × 13 / 31 = 13.00" in note.description
    assert Client.get_by_id(world.mina).credit_cents == 1_300
    assert services(order) == [("Active", start, dt.date(2026, 2, 1))]
    assert "13.00" in last_reply(order)
    assert ticket_of(order).status == TicketStatus.COMPLETED
    assert json.loads(audits("order.approved")[0].after)["credit_note_cents"] == 1_300
    assert check_ledger() == []


def test_a_paid_order_started_on_its_payment_date_gets_no_credit_and_no_second_hours(
    world: World,
) -> None:
    order = paid(world, "FIBRE-31", "HOURS-5")
    assert Client.get_by_id(world.mina).support_minutes == 300
    decision = approve_order(world.admin, order)
    assert (decision.start, decision.credit_note_cents) == (TODAY, 0)
    assert credit_notes() == []
    mina = Client.get_by_id(world.mina)
    assert (mina.credit_cents, mina.support_minutes) == (0, 300)


def test_the_credit_note_is_capped_at_what_was_paid_net_of_refunds(world: World) -> None:
    order = paid(world, "FIBRE-31", on=dt.date(2026, 1, 1))
    PaymentTransaction.update(refunded_cents=3_000).where(
        PaymentTransaction.order == order
    ).execute()
    preview = preview_approval(order, dt.date(2026, 1, 31))
    assert preview.credit_note_cents == 100
    assert preview.credit_lines[-1] == "Capped at 1.00, what was paid net of refunds."
    assert approve_order(world.admin, order, dt.date(2026, 1, 31)).credit_note_cents == 100
    assert [note.amount_cents for note in credit_notes()] == [100]


def unchanged(order: uuid.UUID) -> None:
    assert Order.get_by_id(order).status == OrderStatus.PENDING
    assert credit_notes() == []
    assert audits("order.approved") == [] and audits("order.rejected") == []


def test_a_start_before_the_payment_date_is_refused_and_nothing_changes(world: World) -> None:
    order = paid(world, "FIBRE-31", on=dt.date(2026, 1, 10))
    sentence = (
        f"The start date 2026-01-09 is before {label(order)} was paid on 2026-01-10; "
        "choose that day or later."
    )
    assert preview_approval(order, dt.date(2026, 1, 9)).problems == (sentence,)
    with pytest.raises(ValidationError) as refused:
        approve_order(world.admin, order, dt.date(2026, 1, 9))
    assert (refused.value.field, str(refused.value)) == ("start", sentence)
    unchanged(order)
    assert services(order) == [("Active", dt.date(2026, 1, 10), dt.date(2026, 2, 10))]


def test_a_start_more_than_a_year_ahead_or_before_the_request_is_refused(world: World) -> None:
    order = request(world, "FIBRE-1G")
    with pytest.raises(
        ValidationError, match=r"more than a year ahead \(the latest is 2027-03-14\)"
    ):
        approve_order(world.admin, order, dt.date(2027, 3, 15))
    with pytest.raises(ValidationError, match="before O-.* was placed on 2026-03-14"):
        approve_order(world.admin, order, dt.date(2026, 3, 13))
    unchanged(order)
    assert services(order) == [("Pending", None, None)]
    assert Invoice.select().count() == 0
    decision = approve_order(world.admin, order, dt.date(2027, 3, 14))
    assert services(order) == [("Active", dt.date(2027, 3, 14), dt.date(2027, 4, 14))]
    assert decision.status == "Active"


def test_an_agent_cannot_approve_or_reject_and_nothing_changes(world: World) -> None:
    order = paid(world, "FIBRE-31", on=dt.date(2026, 1, 1))
    with pytest.raises(PermissionDenied, match="Only an admin can approve or reject an order"):
        approve_order(world.agent, order, dt.date(2026, 1, 14))
    with pytest.raises(PermissionDenied, match="Only an admin can approve or reject an order"):
        reject_order(world.agent, order, "Out of area", refund="credit")
    unchanged(order)
    assert ticket_of(order).status != TicketStatus.COMPLETED
    assert Client.get_by_id(world.mina).credit_cents == 0


def test_an_order_already_decided_says_by_whom_and_when(world: World) -> None:
    order = request(world, "FIBRE-1G")
    approve_order(world.admin, order)
    other = staff(Role.ADMIN, "bo")
    sentence = f"{label(order)} was already approved by Ann at 2026-03-14 09:30 (UTC)."
    with pytest.raises(Conflict) as refused:
        approve_order(other, order)
    assert str(refused.value) == sentence
    with pytest.raises(Conflict, match="already approved by Ann"):
        reject_order(other, order, "Too late")
    assert preview_approval(order).problems == (sentence,)
    second = request(world, "VOIP-LINE")
    reject_order(world.admin, second, "Out of area")
    with pytest.raises(Conflict, match="was already rejected by Ann at 2026-03-14 09:30"):
        approve_order(other, second)
    assert len(audits("order.approved")) == 1


def test_a_card_order_not_yet_paid_is_refused_with_what_to_do(world: World) -> None:
    order = place_order(world.agent, world.mina, cart("FIBRE-1G"), PaymentMethod.CARD).id
    with pytest.raises(Conflict, match="card payment is still Pending .*reconcile it"):
        approve_order(world.admin, order)
    mark_payment_unsettled(order, PaymentStatus.FAILED, "Your card was declined.")
    [problem] = preview_approval(order).problems
    assert problem == (
        f"{label(order)}'s payment failed (Your card was declined.): retry the card payment "
        "(p on the order) or reject the order."
    )
    with pytest.raises(Conflict, match="retry the card payment"):
        approve_order(world.admin, order)
    unchanged(order)
    Order.update(payment_status=PaymentStatus.PENDING, payment_intent="pi_waiting").where(
        Order.id == order
    ).execute()
    with pytest.raises(Conflict, match="card payment under way at Stripe; reconcile it first"):
        reject_order(world.admin, order, "Card declined twice")
    unchanged(order)
    mark_payment_unsettled(order, PaymentStatus.FAILED, "Your card was declined.")
    Order.update(payment_intent="").where(Order.id == order).execute()
    decision = reject_order(world.admin, order, "Card declined twice")
    assert (decision.status, decision.refund) == ("Rejected", "")
    assert services(order) == [("Cancelled", None, None)]


def test_rejecting_a_request_cancels_its_services_and_tells_the_client(world: World) -> None:
    order = request(world, "FIBRE-1G", "HOURS-5")
    with pytest.raises(ValidationError, match="The reason is required"):
        reject_order(world.admin, order, "  ")
    with pytest.raises(ValidationError, match="has no payment to refund"):
        reject_order(world.admin, order, "Out of area", refund="credit")
    with pytest.raises(ValidationError, match="to the card or to credit"):
        reject_order(world.admin, order, "Out of area", refund="cheque")
    unchanged(order)

    decision = reject_order(world.admin, order, "We do not reach your street yet.")

    assert decision.message == f"{label(order)} rejected."
    assert services(order) == [("Cancelled", None, None)]
    row = Order.get_by_id(order)
    assert (row.status, row.decision_note) == ("Rejected", "We do not reach your street yet")
    assert last_reply(order) == (
        f"Your order {label(order)} was not approved: We do not reach your street yet."
    )
    assert ticket_of(order).status == TicketStatus.COMPLETED
    assert Client.get_by_id(world.mina).support_minutes == 0
    [entry] = audits("order.rejected")
    assert json.loads(entry.after)["decision_note"] == "We do not reach your street yet"
    assert Invoice.select().count() == 0


def test_rejecting_a_paid_order_refunds_it_to_credit_and_takes_back_its_hours(
    world: World,
) -> None:
    order = paid(world, "FIBRE-31", "HOURS-5")
    assert Client.get_by_id(world.mina).support_minutes == 300
    Client.update(support_minutes=120).where(Client.id == world.mina).execute()
    with pytest.raises(ValidationError, match=r"was paid 281.00; choose a refund"):
        reject_order(world.admin, order, "Duplicate order")
    with pytest.raises(ValidationError, match="was not paid by card; refund it to credit"):
        reject_order(world.admin, order, "Duplicate order", refund="card", gateway=object())
    with pytest.raises(PaymentError, match="Card payments are off"):
        reject_order(world.admin, order, "Duplicate order", refund="card")
    unchanged(order)

    decision = reject_order(world.admin, order, "Duplicate order", refund="credit")

    assert (decision.status, decision.refund) == ("Rejected", "credit")
    assert decision.message == f"{label(order)} rejected, its payment refunded to credit."
    invoice = Invoice.get(Invoice.order == order)
    assert invoice.status == InvoiceStatus.REFUNDED
    mina = Client.get_by_id(world.mina)
    assert (mina.credit_cents, mina.support_minutes) == (28_100, 0)
    assert services(order) == [("Cancelled", TODAY, dt.date(2026, 4, 14))]
    assert "refunded to your account credit" in last_reply(order)
    assert ticket_of(order).status == TicketStatus.COMPLETED
    after = json.loads(audits("order.rejected")[0].after)
    assert (after["refund"], after["support_minutes_taken"]) == ("credit", 120)
    assert check_ledger() == []


PROPERTIES = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTIES
@given(
    price=st.integers(min_value=1, max_value=1_000_000),
    cycle=st.sampled_from([Cycle.MONTHLY, Cycle.QUARTERLY, Cycle.ANNUAL]),
    quantity=st.integers(min_value=1, max_value=3),
    days=st.integers(min_value=0, max_value=365),
)
def test_credit_notes_never_exceed_what_was_paid_and_the_ledger_stays_consistent(
    world: World, price: int, cycle: Cycle, quantity: int, days: int
) -> None:
    code = f"P-{uuid.uuid4().hex[:10]}"
    product = Product.create(code=code, name=code, type=ProductType.RECURRING)
    ProductPrice.create(product=product, cycle=cycle, price_cents=price)
    order = paid(world, f"{code}:{cycle}x{quantity}")
    before = Client.get_by_id(world.mina).credit_cents
    decision = approve_order(world.admin, order, TODAY + dt.timedelta(days=days))
    paid_cents = price * quantity
    assert 0 <= decision.credit_note_cents <= paid_cents
    assert Client.get_by_id(world.mina).credit_cents == before + decision.credit_note_cents
    if days == 0:
        assert decision.credit_note_cents == 0
    assert check_ledger() == []


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_admins_approving_at_once_give_one_approval_and_one_credit_note(
    world: World,
) -> None:
    order = paid(world, "FIBRE-31", on=dt.date(2026, 1, 1))
    admins = [world.admin, staff(Role.ADMIN, "bo")]
    outcomes = at_once(
        [lambda who=who: approve_order(who, order, dt.date(2026, 1, 14)) for who in admins]
    )

    approved = [who for who, outcome in zip(admins, outcomes, strict=True) if outcome == "ok"]
    assert len(approved) == 1, outcomes
    refusal = (
        f"{label(order)} was already approved by {approved[0].name} at 2026-03-14 09:30 (UTC)."
    )
    assert sorted(outcomes) == sorted(["ok", refusal])
    assert [note.amount_cents for note in credit_notes()] == [1_300]
    assert Client.get_by_id(world.mina).credit_cents == 1_300
    assert len(audits("order.approved")) == 1
    assert Order.get_by_id(order).decided_by_id == approved[0].id
    assert check_ledger() == []


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_an_approval_and_a_rejection_at_once_decide_the_order_once(world: World) -> None:
    order = paid(world, "FIBRE-31", "HOURS-5", on=dt.date(2026, 1, 1))
    bo = staff(Role.ADMIN, "bo")
    outcomes = at_once(
        [
            lambda: approve_order(world.admin, order, dt.date(2026, 1, 14)),
            lambda: reject_order(bo, order, "Duplicate", refund="credit"),
        ]
    )
    assert outcomes.count("ok") == 1, outcomes
    status = Order.get_by_id(order).status
    if status == OrderStatus.ACTIVE:
        assert (
            outcomes[1] == f"{label(order)} was already approved by Ann at 2026-03-14 09:30 (UTC)."
        )
        assert Client.get_by_id(world.mina).credit_cents == 1_300
    else:
        assert (
            outcomes[0] == f"{label(order)} was already rejected by Bo at 2026-03-14 09:30 (UTC)."
        )
        assert Client.get_by_id(world.mina).credit_cents == 28_100
        assert credit_notes() == []
    assert len(audits("order.approved")) + len(audits("order.rejected")) == 1
    assert check_ledger() == []


def at_once(actions: list) -> list[str]:  # type: ignore[type-arg]
    """Run each action in a thread of its own (its own connection), all released together;
    "ok" or the refusal's sentence for each, in order."""
    start, outcomes = threading.Barrier(len(actions)), ["missing"] * len(actions)

    def desk(position: int) -> None:
        start.wait(timeout=30)
        try:
            actions[position]()
            outcomes[position] = "ok"
        except DeskError as error:
            outcomes[position] = str(error)
        finally:
            db.close()

    threads = [threading.Thread(target=desk, args=(n,)) for n in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
