"""The demo desk (`load_demo`): Bluebay Networks, deterministic to the byte.

The demo is a small ISP and hosting business, Bluebay Networks: about two hundred clients with
contacts and services, a year of invoices and payments, a credit ledger, orders in every state
(several waiting for approval), and tickets in every status and department. The same seed on
the same frozen clock gives the same rows, byte for byte; every date is relative to
deskapp.clock, so the demo always looks current.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from peewee import fn

from deskapp.db.transaction import write_transaction
from deskapp.demo.billing import add_billing
from deskapp.demo.catalogue import insert_catalogue
from deskapp.demo.data import (
    CATALOGUE,
    FIRST_NAMES,
    LAST_NAMES,
    POSITIONS,
    PeopleMaker,
)
from deskapp.demo.orders import add_orders, add_paid_support_hours
from deskapp.demo.tickets import add_canned_replies, add_tickets
from deskapp.demo.world import DemoClient, DemoContact, DemoWorld, known, new_service
from deskapp.errors import Conflict
from deskapp.migrations.m0010_starting_set import STARTING_DEPARTMENTS, STARTING_REPLIES
from deskapp.models import (
    CannedReply,
    Client,
    Contact,
    Department,
    Role,
    Service,
    Staff,
    Ticket,
)

DEMO_SEED = 20260314
"""The seed of the demo: change it and every name, amount and key changes."""
CLIENT_COUNT = 200

DEMO_STAFF = (
    ("admin", "Alex Carter", Role.ADMIN),
    ("sam", "Sam Okoye", Role.AGENT),
    ("kim", "Kim Larsen", Role.AGENT),
)
"""(username, name, role) of the demo's desk: one admin and two agents."""

# fmt: off
DEPARTMENTS: tuple[tuple[str, str, list[dict[str, object]]], ...] = (
    ("Support", "support@bluebay.example", []),
    ("Billing", "billing@bluebay.example",
     [{"name": "invoice_number", "label": "Invoice number", "required": True}]),
    ("Outage", "noc@bluebay.example",
     [{"name": "affected_service", "label": "Affected service", "required": True},
      {"name": "down_since", "label": "Down since", "required": False}]),
    ("Orders", "orders@bluebay.example", []),
    ("Sales", "sales@bluebay.example",
     [{"name": "company_size", "label": "Company size", "required": False}]),
)
# fmt: on
"""(name, mailbox, extra fields) of each department, in queue order."""

ALWAYS_ACTIVE = (17, 58, 133)
"""Clients (by position) that are active whatever their roll: C-1059 and C-1134 write about
their router, and tests (tests/hostile_desk.py) give these three hostile names."""
SOLE_TRADERS = (133,)
"""Clients (by position) trading under their own name from a personal mail address: the random
stream after C-1134 was drawn with a company there, so every later row depends on one."""

NOTES = (
    "Prefers a phone call to e-mail.",
    "Pays by bank transfer; reference the invoice number.",
    "Landlord must be present for engineer visits.",
    "VIP: escalate outages straight to the NOC.",
    "Asked not to receive marketing.",
)


def load_demo(seed: int = DEMO_SEED) -> None:
    """Fill the open, migrated, empty database with the demo business, in one transaction.

    Staff members that already exist under a demo name (a new desk makes "admin") are kept as
    they are; the starting departments and canned replies `db upgrade` makes (an empty desk has
    no tickets in them) give way to the demo's own. Raises Conflict when the desk already has
    clients.
    """
    if Client.select().exists():
        raise Conflict("This desk already has clients; demo data goes into an empty desk only.")
    with write_transaction():
        world = DemoWorld(seed)
        _add_staff(world)
        _add_departments(world)
        products = insert_catalogue(world.ids, world.now)
        world.products = {item.key: (products[item.key], item) for item in CATALOGUE}
        _add_clients(world)
        add_orders(world)
        add_billing(world)
        add_tickets(world)
        add_paid_support_hours(world)
        add_canned_replies(world)
        _queue_clients(world)
        world.flush()


def _add_staff(world: DemoWorld) -> None:
    existing = {row.username: row for row in Staff.select()}
    for position, (username, name, role) in enumerate(DEMO_STAFF):
        created = world.now - dt.timedelta(days=2500 - position)
        if username in existing:
            world.staff[username] = (existing[username].id.hex, existing[username].name)
            continue
        staff_id = world.ids.at(created)
        world.staff[username] = (staff_id, name)
        world.add(
            Staff,
            id=staff_id,
            created_at=created,
            username=username,
            name=name,
            email=f"{username}@bluebay.example",
            role=role,
            signature=f"{name.split()[0]}\nBluebay Networks, {role} desk",
        )


def _add_departments(world: DemoWorld) -> None:
    titles = [title for title, _department, _body in STARTING_REPLIES]
    CannedReply.delete().where(CannedReply.title.in_(titles)).execute()
    names = [name for name, _email, _extra in DEPARTMENTS]
    names += [name for name, *_ in STARTING_DEPARTMENTS if name not in names]
    Department.delete().where(
        Department.name.in_(names)
        & ~fn.EXISTS(Ticket.select().where(Ticket.department == Department.id))
    ).execute()
    existing = {row.name: row.id.hex for row in Department.select(Department.id, Department.name)}
    for position, (name, email, extra) in enumerate(DEPARTMENTS):
        created = world.now - dt.timedelta(days=2450 - position)
        department_id = world.ids.at(created)
        if name in existing:
            world.departments[name] = existing[name]
            continue
        world.departments[name] = department_id
        world.add(
            Department,
            id=department_id,
            created_at=created,
            name=name,
            email=email,
            extra_fields=json.dumps(extra),
            sort_order=position * 10,
        )


def _add_clients(world: DemoWorld) -> None:
    rng, people = world.rng, PeopleMaker(world.rng)
    numbers = world.numbers("client", CLIENT_COUNT)
    for index, number in enumerate(numbers):
        person = people.person()
        if index in SOLE_TRADERS:
            person = dataclasses.replace(person, company=f"{person.last_name} Consulting")
        created = world.days_ago(2190 - index * 10.6 - rng.random() * 8)
        roll = rng.random()
        status = "Active" if roll < 0.82 else "Inactive" if roll < 0.94 else "Closed"
        if index in ALWAYS_ACTIVE:
            status = "Active"
        client = DemoClient(world.ids.at(created), number, created, person, status)
        client.notes = rng.choice(NOTES) if rng.random() < 0.12 else ""
        _add_contacts(world, people, client)
        _add_services(world, client)
        world.clients.append(client)


def _add_contacts(world: DemoWorld, people: PeopleMaker, client: DemoClient) -> None:
    rng, person = world.rng, client.person
    contacts = [
        DemoContact(
            world.ids.at(client.created_at),
            person.first_name,
            person.last_name,
            person.email,
            False,
        )
    ]
    extra = rng.choice((0, 1, 1, 2)) if person.company else rng.choice((0, 0, 0, 1))
    domain = person.email.rpartition("@")[2] if person.company else None
    for _ in range(extra):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES) if person.company else person.last_name
        email = people.email(first, last, domain)
        if any(email == contact.email for contact in contacts):
            continue
        contacts.append(DemoContact(world.ids.at(client.created_at), first, last, email, False))
    billing = contacts[1] if person.company and len(contacts) > 1 else contacts[0]
    billing.is_billing = True
    client.contacts = contacts
    for position, contact in enumerate(contacts):
        world.add(
            Contact,
            id=contact.id,
            created_at=client.created_at,
            client=client.id,
            first_name=contact.first_name,
            last_name=contact.last_name,
            email=contact.email,
            phone=person.phone if position == 0 else people.phone(people.country()),
            position=("Owner" if person.company else "")
            if position == 0
            else ("Accounts" if contact.is_billing else rng.choice(POSITIONS)),
            mail_general=position == 0 or rng.random() < 0.5,
            mail_invoice=contact.is_billing,
            mail_support=position == 0 or rng.random() < 0.6,
            mail_product=rng.random() < 0.35,
            mail_domain=rng.random() < 0.25,
            is_billing=contact.is_billing,
        )


RECURRING_KEYS = tuple(
    item.key for item in CATALOGUE if item.type not in ("One-time", "Support hours")
)


def _add_services(world: DemoWorld, client: DemoClient) -> None:
    rng = world.rng
    if client.status == "Active":
        count = rng.choices((1, 2, 3), (50, 35, 15))[0]
    else:
        count = 1 if client.status == "Closed" or rng.random() < 0.6 else 0
    earliest = client.created_at.date()
    latest = world.today - dt.timedelta(days=20)
    for key in rng.sample(RECURRING_KEYS, count):
        service = new_service(world, client, key, rng.randint(0, (latest - earliest).days))
        if client.status != "Active":
            service.status = "Cancelled"
            started = known(service.start_date)
            lasted = rng.randint(60, max(61, (latest - started).days))
            service.ends_on = min(latest, started + dt.timedelta(days=lasted))
        client.services.append(service)


def _queue_clients(world: DemoWorld) -> None:
    """Queue client and service rows last: billing, orders and tickets changed their figures."""
    for client in world.clients:
        person = client.person
        world.add(
            Client,
            id=client.id,
            created_at=client.created_at,
            number=client.number,
            status=client.status,
            first_name=person.first_name,
            last_name=person.last_name,
            company=person.company,
            email=person.email,
            phone=person.phone,
            address1=person.address1,
            city=person.city,
            region=person.region,
            postcode=person.postcode,
            country=person.country,
            credit_cents=client.credit_cents,
            support_minutes=client.support_minutes,
            notes=client.notes,
        )
        for service in client.services:
            world.add(
                Service,
                id=service.id,
                created_at=service.created_at,
                client=client.id,
                product=service.product_id,
                order=service.order_id,
                identifier=service.identifier,
                status=service.status,
                cycle=service.cycle,
                price_cents=service.price_cents,
                start_date=service.start_date,
                next_due_date=service.next_due_date,
            )
