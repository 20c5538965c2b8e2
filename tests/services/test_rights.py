"""The rights table enforced by the services on both backends: every admin-only service refuses
an agent, a disabled admin and a demoted one (the database's word, not the caller's Actor),
changes nothing, and audits each refusal; what every staff member may do refuses a disabled one
the same way; agents add credit up to the desk's limit per entry and send outbox mail again,
but only an admin discards it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import client, invoice, order, product, staff

from deskapp import clock
from deskapp.errors import PermissionDenied
from deskapp.models import (
    ALL_MODELS,
    AuditEntry,
    CreditEntry,
    Department,
    DeskSetting,
    OutboxMail,
    PaymentMethod,
    ProductPrice,
    Role,
    Staff,
)
from deskapp.services import catalogue, clients, credit, invoices, outbox, rights
from deskapp.services.actors import Actor
from deskapp.services.attachments import attach_file
from deskapp.services.cart import parse_cart_item
from deskapp.services.client_merge import delete_client, merge_clients
from deskapp.services.order_card import charge_order, refund_card_payment
from deskapp.services.order_decide import approve_order, reject_order
from deskapp.services.order_place import place_order
from deskapp.services.rights import Right
from deskapp.services.ticket_open import open_ticket


@dataclass(frozen=True)
class World:
    """Rows every admin-only service can act on."""

    mina: uuid.UUID
    ola: uuid.UUID
    entry: uuid.UUID
    unpaid: uuid.UUID
    paid: uuid.UUID
    pending_order: uuid.UUID
    product: uuid.UUID
    mail: uuid.UUID
    support: uuid.UUID
    ticket: uuid.UUID


def failed_mail(to: str = "mina@example.net") -> uuid.UUID:
    """A reply's mail the outbox gave up on (tests may use models)."""
    now = clock.now()
    row = OutboxMail.create(
        to_address=to,
        subject="[T-20001] Your router",
        body="Hello",
        message_id=f"<{uuid.uuid4()}@deskapp>",
        status="failed",
        attempts=8,
        next_attempt_at=now,
        last_error="550 5.1.1 User unknown",
        created_at=now - dt.timedelta(minutes=5),
    )
    return row.id


@pytest.fixture
def world(desk: str) -> World:
    admin = staff(Role.ADMIN, "root")
    mina, ola = client(), client("Ola")
    added = credit.add_credit(admin, mina, "30", "Prepayment")
    paid = invoice(admin, mina, 2_000)
    unpaid = invoice(admin, ola, 4_000)
    saved = catalogue.save_product(
        admin,
        code="FIBRE-1000",
        name="Fibre 1000",
        type="Internet",
        description="",
        orderable=True,
        support_minutes=0,
        prices={"Monthly": 4_900},
    )
    pending = order(ola, ("Setup", 500, 1))
    ProductPrice.create(product=product(), cycle="Monthly", price_cents=100)  # exportable
    support = Department.create(name="Support").id
    ticket = open_ticket(None, mina, support, "Router", "It blinks.").id  # as a mail opens it
    return World(
        mina, ola, added.id, unpaid.id, paid.id, pending, saved.id, failed_mail(), support, ticket
    )


ADMIN_ONLY: dict[str, Callable[[Actor, World], Any]] = {
    "adjust credit": lambda a, w: credit.adjust_credit(a, w.mina, "5", "Correction"),
    "credit note": lambda a, w: credit.credit_note(a, w.mina, "5", "Unused days"),
    "refund to credit": lambda a, w: credit.refund_to_credit(a, w.mina, "5", "Refund"),
    "reverse an entry": lambda a, w: credit.reverse_entry(a, w.entry, "Wrong client"),
    "merge transfer": lambda a, w: credit.record_merge_transfer(a, w.mina, w.ola),
    "cancel an invoice": lambda a, w: invoices.cancel_invoice(a, w.unpaid, "Twice"),
    "refund an invoice": lambda a, w: invoices.refund_invoice(a, w.paid, "Goodwill"),
    "close a client": lambda a, w: clients.change_status(a, w.ola, 1, "Closed", True),
    "merge clients": lambda a, w: merge_clients(a, w.mina, w.ola),
    "delete a client": lambda a, w: delete_client(a, w.ola, "C-1002"),
    "approve an order": lambda a, w: approve_order(a, w.pending_order),
    "reject an order": lambda a, w: reject_order(a, w.pending_order, "Duplicate"),
    "save a product": lambda a, w: catalogue.save_product(
        a, **_fibre(), product_id=w.product, version=1
    ),
    "add a product": lambda a, w: catalogue.save_product(a, **{**_fibre(), "code": "NEW-1"}),
    "retire a product": lambda a, w: catalogue.retire_product(a, w.product),
    "delete a product": lambda a, w: catalogue.delete_product(a, w.product),
    "import the catalogue": lambda a, w: catalogue.import_catalogue(
        a, catalogue.export_catalogue().replace("Fibre 1000", "Mine")
    ),
    "refund a card": lambda a, w: refund_card_payment(a, w.pending_order, None, "Goodwill"),  # type: ignore[arg-type]
    "credit above the agent limit": lambda a, w: credit.add_credit(a, w.mina, "50.01", "x"),
    "set the credit limit": lambda a, w: rights.set_agent_credit_limit(a, "500"),
    "discard a mail": lambda a, w: outbox.discard_mail(a, w.mail),
}
"""Every service only an admin may call (the rights table's admin-only rows), with arguments
that an admin's call would act on."""


def _fibre() -> dict[str, Any]:
    return {
        "code": "FIBRE-1000",
        "name": "Fibre 1000 (mine)",
        "type": "Internet",
        "description": "",
        "orderable": True,
        "support_minutes": 0,
        "prices": {"Monthly": 100},
    }


def everything() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the audit log, to show that nothing changed."""
    tables = {model._meta.table_name: model for model in [*ALL_MODELS, DeskSetting]}
    tables.pop("audit_entry")
    return {
        name: sorted(map(str, model.select().tuples()))  # type: ignore[arg-type]
        for name, model in tables.items()
    }


def refusals() -> list[AuditEntry]:
    query = AuditEntry.select().where(AuditEntry.action == "right.refused")
    return list(query.order_by(AuditEntry.id))


def _agent() -> Actor:
    return staff(Role.AGENT, "sam")


def _disabled_admin() -> Actor:
    admin = staff(Role.ADMIN, "gone")
    Staff.update(active=False).where(Staff.id == admin.id).execute()
    return admin  # the Actor still says admin: the service must ask the database


def _demoted_admin() -> Actor:
    admin = staff(Role.ADMIN, "was-admin")
    Staff.update(role=Role.AGENT).where(Staff.id == admin.id).execute()
    return admin


@pytest.mark.parametrize("who", [_agent, _disabled_admin, _demoted_admin])
def test_every_admin_only_service_refuses_changes_nothing_and_audits(
    world: World, who: Callable[[], Actor]
) -> None:
    actor = who()
    before = everything()
    for what, call in ADMIN_ONLY.items():
        audited = len(refusals())
        with pytest.raises(PermissionDenied) as refused:
            call(actor, world)
        assert str(refused.value), what
        assert everything() == before, f"{what} changed something"
        entries = refusals()
        assert len(entries) == audited + 1, f"{what} was not audited"
        entry = entries[-1]
        assert entry.staff_id == actor.id and entry.summary == str(refused.value), what


def test_a_disabled_admin_is_told_why(world: World) -> None:
    admin = _disabled_admin()
    with pytest.raises(PermissionDenied, match="can no longer use this desk"):
        credit.adjust_credit(admin, world.mina, "5", "Correction")


def test_an_admin_may_do_what_the_agent_may_not(world: World) -> None:
    admin = staff(Role.ADMIN, "kim")
    credit.adjust_credit(admin, world.mina, "5", "Correction")
    credit.add_credit(admin, world.mina, "500", "Big prepayment")
    clients.change_status(admin, world.ola, 1, "Closed", True)
    assert refusals() == []


def test_agents_add_credit_up_to_the_desks_limit_per_entry(world: World) -> None:
    agent, admin = _agent(), staff(Role.ADMIN, "kim")
    assert credit.add_credit(agent, world.mina, "50.00", "Goodwill").amount_cents == 5_000
    with pytest.raises(PermissionDenied, match="Agents add at most 50.00 credit per entry"):
        credit.add_credit(agent, world.mina, "50.01", "Goodwill")

    assert rights.set_agent_credit_limit(admin, "75").cents == 7_500
    credit.add_credit(agent, world.mina, "75", "Goodwill")
    with pytest.raises(PermissionDenied, match="at most 75.00"):
        credit.add_credit(agent, world.mina, "75.01", "Goodwill")
    Staff.update(role=Role.ADMIN).where(Staff.id == agent.id).execute()
    credit.add_credit(agent, world.mina, "75.01", "Promoted a moment ago")

    added = CreditEntry.select().where(CreditEntry.staff == agent.id).count()
    assert added == 3 and len(refusals()) == 2
    changed = AuditEntry.get(AuditEntry.action == "settings.credit_limit")
    assert changed.summary == "Agent credit limit per entry: 50.00 → 75.00"


def test_screens_and_services_read_one_table() -> None:
    agent = Actor(uuid.uuid4(), "sam", "Sam", Role.AGENT)
    admin = Actor(uuid.uuid4(), "kim", "Kim", Role.ADMIN)
    for right in Right:
        assert rights.allows(admin, right)
        assert rights.allows(agent, right) == (Role.AGENT in rights.RIGHTS[right])
        assert (rights.why_not(agent, right) == "") == rights.allows(agent, right)
    assert rights.why_not(agent, Right.MERGE_CLIENTS).startswith("Only an admin can merge")
    assert not rights.allows(None, Right.WORK_TICKETS)


def test_the_system_actor_is_named_in_the_audit_and_holds_only_its_jobs_rights(
    world: World,
) -> None:
    job = rights.system_actor("billing run")
    assert job.name == "system: billing run" and job.id is None
    with pytest.raises(PermissionDenied, match="A command-line job cannot adjust credit"):
        credit.adjust_credit(job, world.mina, "5", "Correction")
    entry = refusals()[-1]
    assert entry.staff_id is None and entry.staff_name == "system: billing run"


def test_a_disabled_agent_can_no_longer_work_tickets_or_clients(world: World) -> None:
    from deskapp.models import Message
    from deskapp.services.contacts import ContactForm, add_contact
    from deskapp.services.conversation import post_note

    agent = _agent()
    ticket = open_ticket(agent, world.mina, world.support, "Slow line", "It is slow.")
    post_note(agent, ticket.id, "Checked the line.")
    Staff.update(active=False).where(Staff.id == agent.id).execute()
    notes = Message.select().count()

    with pytest.raises(PermissionDenied, match="can no longer use this desk"):
        post_note(agent, ticket.id, "Still here?")
    with pytest.raises(PermissionDenied, match="can no longer use this desk"):
        add_contact(agent, world.mina, ContactForm("Kay", "Okafor", "kay@example.net"))
    assert Message.select().count() == notes
    assert [entry.after for entry in refusals()] == [
        '{"right": "WORK_TICKETS", "role": "agent"}',
        '{"right": "EDIT_CLIENTS", "role": "agent"}',
    ]


@pytest.mark.parametrize("job", ["mail send", "ticket import", "payments sync"])
def test_what_a_job_does_with_no_person_is_audited_as_its_system_actor(desk: str, job: str) -> None:
    from deskapp.services import audit

    with audit.as_job(job):
        audit.record(None, "payment.synced", "order", "o-1", "Paid at Stripe")
    audit.record(None, "payment.synced", "order", "o-2", "Paid at Stripe")
    names = [entry.staff_name for entry in AuditEntry.select().order_by(AuditEntry.id)]
    assert names == [f"system: {job}", "system"]
    assert rights.system_actor(job).name == f"system: {job}"


def test_agents_send_outbox_mail_again_but_only_an_admin_discards_it(world: World) -> None:
    agent, admin = _agent(), staff(Role.ADMIN, "kim")
    outbox.retry_mail(agent, world.mail)
    assert outbox.get_outbox_mail(world.mail).status == "queued"
    resent = AuditEntry.get(AuditEntry.action == "mail.resend")
    assert resent.staff_id == agent.id

    with pytest.raises(PermissionDenied) as refused:
        outbox.discard_mail(agent, world.mail)
    assert str(refused.value) == (
        "Only an admin can discard a mail of the outbox; ask an admin to do it."
    )
    assert outbox.get_outbox_mail(world.mail).status == "queued"
    assert [entry.after for entry in refusals()] == ['{"right": "DISCARD_MAIL", "role": "agent"}']

    outbox.discard_mail(admin, world.mail)
    assert outbox.get_outbox_mail(world.mail).status == "discarded"
    assert AuditEntry.get(AuditEntry.action == "mail.discard").staff_id == admin.id


def _disabled_agent() -> Actor:
    agent = staff(Role.AGENT, "left")
    Staff.update(active=False).where(Staff.id == agent.id).execute()
    return agent  # the Actor still says agent: the service must ask the database


EVERYONES: dict[str, Callable[[Actor, World, Path], Any]] = {
    "send a mail again": lambda a, w, _: outbox.retry_mail(a, w.mail),
    "attach a file": lambda a, w, path: attach_file(a, w.ticket, path),
    "open a ticket": lambda a, w, _: open_ticket(a, w.mina, w.support, "Slow line", "It is slow."),
    "place an order": lambda a, w, _: place_order(
        a, w.ola, [parse_cart_item("FIBRE-1000")], PaymentMethod.REQUEST
    ),
    "place an order paid by hand": lambda a, w, _: place_order(
        a, w.ola, [parse_cart_item("FIBRE-1000")], PaymentMethod.MANUAL, manual_method="Cash"
    ),
    "charge a card": lambda a, w, _: charge_order(a, w.pending_order, None),  # type: ignore[arg-type]
}
"""Services every staff member may call, which once took the caller's word for it; the card is
refused before Stripe is asked (so no gateway is needed)."""


def test_a_disabled_person_can_no_longer_do_what_every_staff_member_may(
    world: World, tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("line test: fine\n")
    actor = _disabled_agent()
    before = everything()
    for what, call in EVERYONES.items():
        audited = len(refusals())
        with pytest.raises(PermissionDenied, match="can no longer use this desk") as refused:
            call(actor, world, report)
        assert everything() == before, f"{what} changed something"
        entries = refusals()
        assert len(entries) == audited + 1, f"{what} was not audited"
        assert entries[-1].summary == str(refused.value), what
