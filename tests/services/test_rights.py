"""The rights table enforced by the services on both backends: every admin-only service refuses
an agent, a disabled admin and a demoted one (the database's word, not the caller's Actor),
changes nothing, and audits each refusal; agents add credit up to the desk's limit per entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from ledger_helpers import client, invoice, order, product, staff

from deskapp.errors import PermissionDenied
from deskapp.models import (
    ALL_MODELS,
    AuditEntry,
    CreditEntry,
    DeskSetting,
    ProductPrice,
    Role,
    Staff,
)
from deskapp.services import catalogue, clients, credit, invoices, rights
from deskapp.services.actors import Actor
from deskapp.services.client_merge import delete_client, merge_clients
from deskapp.services.order_card import refund_card_payment
from deskapp.services.order_decide import approve_order, reject_order
from deskapp.services.rights import Right


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
    return World(mina, ola, added.id, unpaid.id, paid.id, pending, saved.id)


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
    from deskapp.models import Department, Message
    from deskapp.services.contacts import ContactForm, add_contact
    from deskapp.services.conversation import post_note
    from deskapp.services.ticket_open import open_ticket

    agent = _agent()
    support = Department.create(name="Support")
    ticket = open_ticket(agent, world.mina, support.id, "Slow line", "It is slow.")
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
