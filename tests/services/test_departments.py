"""Setting up departments: fields of every kind, rights (an agent changes nothing, and the
refusal is audited), a stale version, deletion of a department in use, and tickets opened with
the fields' kinds checked; on both backends."""

from __future__ import annotations

import json
import uuid

import pytest

from deskapp.errors import Conflict, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, CannedReply, Department, Role, Staff, Ticket
from deskapp.services.actors import Actor, actor_from
from deskapp.services.client_form import ClientForm
from deskapp.services.clients import create_client
from deskapp.services.departments import (
    ExtraField,
    delete_department,
    get_department_view,
    list_department_views,
    save_department,
)
from deskapp.services.ticket_open import list_departments, open_ticket

FIELDS = (
    ExtraField("invoice_number", "Invoice number", True),
    ExtraField("amount", "Amount", False, "number"),
    ExtraField("due", "Due date", False, "date"),
    ExtraField("method", "Payment method", False, "choice", ("Card", "Bank transfer")),
)


@pytest.fixture
def people(desk: str) -> tuple[Actor, Actor]:
    """An admin and an agent."""
    admin = Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN)
    agent = Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT)
    return actor_from(admin), actor_from(agent)


def _billing(admin: Actor) -> uuid.UUID:
    saved = save_department(
        admin,
        name="Billing",
        email="Billing@Example.net",
        signature="Kind regards,\nBilling",
        fields=FIELDS,
        sort_order=40,
    )
    return saved.id


def test_an_admin_adds_a_department_with_fields_of_every_kind(people: tuple[Actor, Actor]) -> None:
    admin, _ = people
    billing = get_department_view(_billing(admin))
    assert (billing.name, billing.email, billing.signature) == (
        "Billing",
        "billing@example.net",
        "Kind regards,\nBilling",
    )
    assert billing.fields == FIELDS and billing.version == 1 and billing.ticket_count == 0
    assert [view.name for view in list_department_views()] == ["Orders", "Billing"]
    assert list_departments()[1].extra_fields == FIELDS  # the ticket form reads the same
    entry = AuditEntry.get(AuditEntry.action == "department.created")
    assert entry.staff_name == "Kim Adler" and entry.entity_id == str(billing.id)


def test_an_agent_is_refused_changes_nothing_and_the_refusal_is_audited(
    people: tuple[Actor, Actor],
) -> None:
    admin, agent = people
    department_id = _billing(admin)
    with pytest.raises(PermissionDenied, match="Only an admin can change the desk's settings"):
        save_department(agent, name="Sales", email="", signature="", fields=())
    with pytest.raises(PermissionDenied):
        save_department(
            agent, name="Renamed", email="", signature="", fields=(), department_id=department_id
        )
    with pytest.raises(PermissionDenied):
        delete_department(agent, department_id)
    assert [view.name for view in list_department_views()] == ["Orders", "Billing"]
    refusals = AuditEntry.select().where(AuditEntry.action == "right.refused")
    assert [row.staff_name for row in refusals] == ["Sam Reyes"] * 3


def test_a_stale_version_is_a_conflict_and_keeps_the_other_save(
    people: tuple[Actor, Actor],
) -> None:
    admin, _ = people
    department_id = _billing(admin)
    save_department(
        admin, name="Billing", email="", signature="First", fields=(), department_id=department_id,
        version=1,
    )  # fmt: skip
    with pytest.raises(Conflict, match="Kim Adler changed Billing"):
        save_department(
            admin, name="Billing", email="", signature="Second", fields=(),
            department_id=department_id, version=1,
        )  # fmt: skip
    view = get_department_view(department_id)
    assert (view.signature, view.version) == ("First", 2)


@pytest.mark.parametrize(
    ("name", "fields", "sentence"),
    [
        ("", (), "Name is required."),
        ("Orders", (), "There is already a department called “Orders”."),
        ("orders", (), "There is already a department called “orders”."),
        ("Sales", (ExtraField("Bad Name", "X", False),), "must be lower-case letters"),
        (
            "Sales",
            (ExtraField("size", "Size", False), ExtraField("size", "Size", False)),
            "Two fields are called “size”; rename one.",
        ),
        ("Sales", (ExtraField("size", "Size", False, "colour"),), "Size has the kind “colour”"),
        ("Sales", (ExtraField("plan", "Plan", False, "choice"),), "Plan is a choice; give the"),
    ],
)
def test_a_bad_department_is_refused_with_a_sentence(
    people: tuple[Actor, Actor], name: str, fields: tuple[ExtraField, ...], sentence: str
) -> None:
    admin, _ = people
    with pytest.raises(ValidationError, match=sentence):
        save_department(admin, name=name, email="", signature="", fields=fields)
    assert [view.name for view in list_department_views()] == ["Orders"]


def test_a_department_in_use_is_not_deleted_and_orders_keeps_its_name(
    people: tuple[Actor, Actor],
) -> None:
    admin, _ = people
    department_id = _billing(admin)
    client = create_client(admin, ClientForm("Mina", "Okafor", "mina@example.net"))
    ticket = open_ticket(
        admin, client.id, department_id, "Invoice", "Why?", extra={"invoice_number": "1"}
    )
    with pytest.raises(Conflict, match="Billing has 1 ticket; move them"):
        delete_department(admin, department_id)
    Ticket.delete().where(Ticket.id == ticket.id).execute()
    CannedReply.create(title="Refund", body="Done.", department=department_id)
    with pytest.raises(Conflict, match="1 canned reply belong to Billing"):
        delete_department(admin, department_id)
    CannedReply.delete().execute()
    delete_department(admin, department_id)
    assert not Department.select().where(Department.id == department_id).exists()
    assert AuditEntry.select().where(AuditEntry.action == "department.deleted").count() == 1
    orders = list_department_views()[0]
    with pytest.raises(ValidationError, match="Orders is where every order's ticket goes"):
        save_department(
            admin, name="Sales", email="", signature="", fields=(), department_id=orders.id
        )
    with pytest.raises(Conflict, match="keep it"):
        delete_department(admin, orders.id)


@pytest.mark.parametrize(
    ("extra", "sentence"),
    [
        ({"amount": "twelve"}, "Amount must be a number, like 42 or 12.5."),
        ({"due": "14/03/2026"}, "Due date must be a date written YYYY-MM-DD"),
        ({"due": "2026-02-30"}, "Due date must be a date written YYYY-MM-DD"),
        ({"method": "Cash"}, "Payment method must be one of Card, Bank transfer."),
    ],
)
def test_a_ticket_s_fields_are_checked_by_kind(
    people: tuple[Actor, Actor], extra: dict[str, str], sentence: str
) -> None:
    admin, _ = people
    department_id = _billing(admin)
    client = create_client(admin, ClientForm("Mina", "Okafor", "mina@example.net"))
    with pytest.raises(ValidationError, match=sentence):
        open_ticket(
            admin, client.id, department_id, "Invoice", "Why?",
            extra={"invoice_number": "INV-1", **extra},
        )  # fmt: skip
    assert not Ticket.select().exists()
    good = {"invoice_number": "INV-1", "amount": "-12.50", "due": "2026-03-31", "method": "Card"}
    ticket = open_ticket(admin, client.id, department_id, "Invoice", "Why?", extra=good)
    assert json.loads(Ticket.get_by_id(ticket.id).extra) == good


def test_fields_stored_before_kinds_existed_still_read_as_text(desk: str) -> None:
    old = Department.create(
        name="Outage", extra_fields='[{"name": "down_since", "label": "Down since"}]'
    )
    assert get_department_view(old.id).fields == (ExtraField("down_since", "Down since", False),)
