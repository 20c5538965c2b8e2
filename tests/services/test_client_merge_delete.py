"""Merge and delete keep exactly what they must: every table is counted before and after."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import pytest

from deskapp.errors import NotFound, PermissionDenied, ValidationError
from deskapp.models import (
    ALL_MODELS,
    Attachment,
    AuditEntry,
    Client,
    Contact,
    CreditEntry,
    CreditKind,
    Department,
    Estimate,
    Invoice,
    InvoiceLine,
    Message,
    Order,
    OrderItem,
    OutboxMail,
    PaymentTransaction,
    Product,
    Service,
    Staff,
    Subscriber,
    Ticket,
    TimeEntry,
)
from deskapp.services.actors import Actor, actor_from
from deskapp.services.client_merge import delete_client, merge_clients, merge_preview
from deskapp.services.clients import ClientForm, create_client
from deskapp.services.contacts import ContactForm, add_contact
from deskapp.services.credit_history import ledger_page
from deskapp.services.integrity import check_ledger


@dataclass
class World:
    """Two clients with one of everything, and a bystander that nothing may touch."""

    admin: Actor
    agent: Actor
    keep: uuid.UUID
    discard: uuid.UUID
    bystander: uuid.UUID
    twin: uuid.UUID
    """The kept client's contact whose email the discarded client also has."""
    duplicate: uuid.UUID
    """The discarded client's contact with the twin's email (other case)."""


def counts() -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in ALL_MODELS}


def changes(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        table: after[table] - before[table] for table in before if after[table] != before[table]
    }


def ledger(client_id: uuid.UUID, amounts: list[int], staff: Actor) -> None:
    balance = 0
    number = Client.get_by_id(client_id).number
    for amount in amounts:
        balance += amount
        CreditEntry.create(
            client=client_id,
            client_number=number,
            kind=CreditKind.ADDED,
            amount_cents=amount,
            balance_after_cents=balance,
            description="goodwill",
            staff=staff.id,
        )
    Client.update(credit_cents=balance).where(Client.id == client_id).execute()


_numbers = iter(range(1, 10_000))


def business(
    client_id: uuid.UUID,
    contact_ids: list[uuid.UUID],
    product: Product,
    department: Department,
    staff: Actor,
) -> None:
    """Two services, an order with two items, two invoices with three lines, two payments,
    two tickets with messages, an attachment, subscribers, an estimate, time and a mail."""
    order = Order.create(number=5000 + next(_numbers), client=client_id, total_cents=3000)
    for _ in range(2):
        OrderItem.create(order=order, product=product, cycle="Monthly", price_cents=1500)
    services = [
        Service.create(
            client=client_id,
            product=product,
            order=order,
            cycle="Monthly",
            identifier=f"LINE-{uuid.uuid4().hex[:8]}",
            status="Active",
        )
        for _ in range(2)
    ]
    for n, lines in ((1, 2), (2, 1)):
        invoice = Invoice.create(
            number=f"INV-2026-{next(_numbers):05d}",
            client=client_id,
            order=order,
            issued_on=dt.date(2026, 3, n),
            due_on=dt.date(2026, 3, 14 + n),
            total_cents=1500 * lines,
        )
        for line in range(lines):
            InvoiceLine.create(
                invoice=invoice,
                service=services[line],
                description="Fibre",
                amount_cents=1500,
                period_start=dt.date(2026, n, 1),
            )
        PaymentTransaction.create(
            client=client_id,
            client_name="Paid at the time",
            invoice=invoice,
            order=order,
            gateway="manual",
            amount_cents=1500 * lines,
            staff=staff.id,
        )
    for n in range(2):
        ticket = Ticket.create(
            number=20000 + next(_numbers),
            client=client_id,
            contact=contact_ids[0],
            department=department,
            order=order,
            service=services[0],
            subject=f"Question {n}",
        )
        message = Message.create(ticket=ticket, kind="client", contact=contact_ids[0], body="Hello")
        if n == 0:
            Message.create(ticket=ticket, kind="reply", staff=staff.id, body="Hi")
            Attachment.create(
                ticket=ticket, message=message, filename="a.txt", size=1, content=b"x"
            )
            Estimate.create(ticket=ticket, description="Work", amount_cents=900)
            TimeEntry.create(ticket=ticket, staff=staff.id, minutes=30)
            for contact in contact_ids:
                Subscriber.create(ticket=ticket, contact=contact)
            OutboxMail.create(
                ticket=ticket,
                to_address="x@example.com",
                subject="Re",
                body="Hi",
                message_id=f"<{uuid.uuid4().hex}@deskapp>",
            )


@pytest.fixture
def world(desk: str) -> World:
    admin = actor_from(Staff.create(username="root", name="Ada Admin", role="admin"))
    agent = actor_from(Staff.create(username="ana", name="Ana Agent", role="agent"))
    product = Product.create(code="FIBRE-100", name="Fibre 100", type="Internet")
    department = Department.create(name="Support")

    keep = create_client(agent, ClientForm("Mina", "Okafor", "mina@okafor.example"))
    twin = add_contact(
        agent, keep.id, ContactForm("Ola", "Okafor", "ola@okafor.example", is_billing=True)
    )
    kept_other = add_contact(agent, keep.id, ContactForm("Ben", "Obi", "ben@okafor.example"))
    business(keep.id, [twin.id, kept_other.id], product, department, agent)
    ledger(keep.id, [1000, -250], agent)
    Client.update(support_minutes=60).where(Client.id == keep.id).execute()

    discard = create_client(
        agent,
        ClientForm("Mina", "Okafor", "M.Okafor@else.example", company="Okafor Two"),
        queue_welcome=True,
    )
    duplicate = add_contact(
        agent, discard.id, ContactForm("Ola", "O.", "OLA@okafor.example", is_billing=True)
    )
    moved = [
        add_contact(agent, discard.id, ContactForm("Kay", f"K{n}", f"k{n}@else.example"))
        for n in range(2)
    ]
    business(discard.id, [duplicate.id, moved[0].id], product, department, agent)
    ledger(discard.id, [700, 500, -200], agent)
    Client.update(support_minutes=45).where(Client.id == discard.id).execute()
    # The twin also follows the discarded client's first ticket: folding must not duplicate it.
    first_ticket = Ticket.select().where(Ticket.client == discard.id).order_by(Ticket.number)[0]
    Subscriber.create(ticket=first_ticket, contact=twin.id)

    bystander = create_client(agent, ClientForm("Sam", "Else", "sam@else.example"))
    by_contact = add_contact(agent, bystander.id, ContactForm("Sue", "Else", "sue@else.example"))
    business(bystander.id, [by_contact.id], product, department, agent)
    ledger(bystander.id, [300], agent)
    return World(admin, agent, keep.id, discard.id, bystander.id, twin.id, duplicate.id)


def snapshot(client_id: uuid.UUID) -> dict[str, object]:
    """Everything of a client that merge and delete must leave alone."""
    row = Client.get_by_id(client_id)
    return {
        "client": (row.version, row.credit_cents, row.support_minutes),
        "contacts": sorted(
            (c.email, c.version) for c in Contact.select().where(Contact.client == client_id)
        ),
        "services": Service.select().where(Service.client == client_id).count(),
        "tickets": Ticket.select().where(Ticket.client == client_id).count(),
        "credit": [
            e.amount_cents
            for e in CreditEntry.select()
            .where(CreditEntry.client == client_id)
            .order_by(CreditEntry.created_at, CreditEntry.id)
        ],
    }


def test_preview_counts_what_will_move(world: World) -> None:
    preview = merge_preview(world.keep, world.discard)

    assert (preview.keep.label, preview.discard.label) == ("C-1001", "C-1002")
    assert (preview.contacts, preview.duplicate_contacts, preview.profile_becomes_contact) == (
        3,
        1,
        True,
    )
    assert (preview.services, preview.orders, preview.invoices) == (2, 1, 2)
    assert (preview.payments, preview.tickets) == (2, 2)
    assert (preview.credit_cents, preview.support_minutes) == (1000, 45)
    with pytest.raises(ValidationError, match="two different clients"):
        merge_preview(world.keep, world.keep)


def test_merge_moves_everything_and_changes_exactly_these_rows(world: World) -> None:
    discarded = {
        model: {row.id for row in model.select().where(model.client == world.discard)}
        for model in (Service, Order, Invoice, Ticket, PaymentTransaction)
    }
    bystander = snapshot(world.bystander)
    before = counts()

    kept = merge_clients(world.admin, world.keep, world.discard)

    # Contacts: the duplicate folds into its twin (-1), the discarded profile joins (+1).
    assert changes(before, counts()) == {
        "client": -1,
        "credit_entry": 2,  # the discarded ledger moves; its balance leaves it and arrives
        "subscriber": -1,  # the duplicate's subscription that the twin already had
        "audit_entry": 3,  # the merge, and each transfer entry's own
        "change_event": 4,
    }
    for model, ids in discarded.items():
        assert {row.client_id for row in model.select().where(model.id.in_(ids))} == {world.keep}
    assert snapshot(world.bystander) == bystander
    assert Client.get_or_none(Client.id == world.discard) is None

    # Credit: the discarded ledger moved, marked with its own client's number and closed by a
    # transfer out; one transfer in names the discarded client; the balance is the sum.
    moved = CreditEntry.select().where(CreditEntry.client_number == 1002).order_by(CreditEntry.id)
    assert [(e.client_id, e.amount_cents, e.balance_after_cents) for e in moved] == [
        (world.keep, 700, 700),
        (world.keep, 500, 1200),
        (world.keep, -200, 1000),
        (world.keep, -1000, 0),
    ]
    transfer = CreditEntry.get(CreditEntry.kind == CreditKind.MERGE, CreditEntry.amount_cents > 0)
    assert (transfer.client_id, transfer.amount_cents, transfer.balance_after_cents) == (
        world.keep,
        1000,
        1750,
    )
    assert "C-1002" in transfer.description
    entries = [e.amount_cents for e in CreditEntry.select().where(CreditEntry.client == world.keep)]
    assert kept.credit_cents == sum(entries) == 1750
    assert [line for line in check_ledger() if not line.startswith("Invoice")] == []
    page = ledger_page(world.keep)
    assert sorted((e.merged_from, e.amount_cents) for e in page.entries) == [
        ("", -250),
        ("", 1000),
        ("", 1000),
        ("C-1002", -1000),
        ("C-1002", -200),
        ("C-1002", 500),
        ("C-1002", 700),
    ]
    assert kept.support_minutes == 105

    # Contacts: the twin stays the billing contact and inherits the duplicate's conversation.
    emails = sorted(c.email for c in kept.contacts)
    assert emails == [
        "M.Okafor@else.example",
        "ben@okafor.example",
        "k0@else.example",
        "k1@else.example",
        "ola@okafor.example",
    ]
    assert [c.id for c in kept.contacts if c.is_billing] == [world.twin]
    assert Contact.get_or_none(Contact.id == world.duplicate) is None
    assert not Ticket.select().where(Ticket.contact == world.duplicate).exists()
    assert not Message.select().where(Message.contact == world.duplicate).exists()
    twin_tickets = Ticket.select().where(Ticket.contact == world.twin).count()
    assert twin_tickets == 4

    audit = AuditEntry.get(AuditEntry.action == "client.merge")
    assert audit.entity_id == str(world.keep) and audit.staff_name == "Ada Admin"
    recorded = json.loads(audit.before)
    assert recorded["discarded"]["tickets"] == 2 and len(recorded["discarded_ledger"]) == 3
    assert json.loads(audit.after)["kept"]["tickets"] == 4


def test_merge_and_delete_are_for_admins(world: World) -> None:
    before = counts()
    with pytest.raises(PermissionDenied, match="Only an admin can merge clients"):
        merge_clients(world.agent, world.keep, world.discard)
    with pytest.raises(PermissionDenied, match="Only an admin can delete clients"):
        delete_client(world.agent, world.discard, "C-1002")
    with pytest.raises(ValidationError):
        merge_clients(world.admin, world.keep, world.keep)
    with pytest.raises(NotFound):
        merge_clients(world.admin, world.keep, uuid.uuid4())
    assert changes(before, counts()) == {"audit_entry": 2}  # the two refusals


def test_delete_needs_the_typed_number(world: World) -> None:
    before = counts()
    for typed in ("", "C-1001", "1003", "C-10022", "Okafor", "\x00"):
        with pytest.raises(ValidationError, match="Type C-1002 exactly") as refused:
            delete_client(world.admin, world.discard, typed)
        assert refused.value.field == "typed_number"
    assert counts() == before


def test_delete_removes_everything_but_the_payments(world: World) -> None:
    payments = {
        row.id
        for row in PaymentTransaction.select().where(PaymentTransaction.client == world.discard)
    }
    keep, bystander = snapshot(world.keep), snapshot(world.bystander)
    before = counts()

    delete_client(world.admin, world.discard, "c1002")

    assert changes(before, counts()) == {
        "client": -1,
        "contact": -3,
        "service": -2,
        "order": -1,
        "order_item": -2,
        "invoice": -2,
        "invoice_line": -3,
        "ticket": -2,
        "message": -3,
        "attachment": -1,
        "subscriber": -3,
        "estimate": -1,
        "time_entry": -1,
        "outbox_mail": -2,  # the ticket's mail and the welcome mail
        "audit_entry": 1,
        "change_event": 1,
    }
    kept_payments = PaymentTransaction.select().where(PaymentTransaction.id.in_(payments))
    assert [(p.client_id, p.invoice_id, p.client_name) for p in kept_payments] == [
        (None, None, "Paid at the time")
    ] * 2
    detached = CreditEntry.select().where(CreditEntry.client_number == 1002)
    assert [(e.client_id, e.client_name, e.amount_cents) for e in detached] == [
        (None, "Okafor Two", 700),
        (None, "Okafor Two", 500),
        (None, "Okafor Two", -200),
    ]
    assert [line for line in check_ledger() if not line.startswith("Invoice")] == []
    assert snapshot(world.keep) == keep and snapshot(world.bystander) == bystander
    audit = AuditEntry.get(AuditEntry.action == "client.delete")
    assert json.loads(audit.before)["tickets"] == 2 and audit.staff_name == "Ada Admin"


def test_merge_keeps_the_ledger_check_clean_for_moved_invoices(desk: str) -> None:
    """Invoices paid partly by the discarded client's credit, or overpaid, still add up."""
    import ledger_helpers as make

    from deskapp.models import Role
    from deskapp.services import credit, invoices
    from deskapp.services.integrity import check_ledger

    admin = make.staff(Role.ADMIN)
    keep, discard = make.client(), make.client(first_name="Ola")
    credit.add_credit(admin, discard, "30.00", "Goodwill")
    covered = make.invoice(admin, discard, 2_000)  # 20.00 of credit applied: Paid
    partly = make.invoice(admin, discard, 5_000)  # the last 10.00 applied, 40.00 due
    invoices.record_manual_payment(admin, partly.id, "45.00", "Bank transfer")  # 5.00 over
    assert check_ledger() == []

    merge_clients(admin, keep, discard)

    assert check_ledger() == []
    moved = Invoice.select().where(Invoice.number.in_([covered.number, partly.number]))
    assert {row.client_id for row in moved} == {keep}
    assert Client.get_by_id(keep).credit_cents == 500
