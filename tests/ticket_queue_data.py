"""A small deterministic desk for the ticket queue and ticket action tests.

Staff sam (agent) and kim (admin); departments Support, Billing (requires an invoice number) and
Outage (requires the affected service, may say since when); three clients (one Closed) with
contacts; and tickets whose times repeat on purpose, so paging must break ties by the key.
Rows go in through the models (tests may; services do it for real).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field

from deskapp import clock
from deskapp.ids import uuid7
from deskapp.models import Client, Contact, Department, Role, Staff, Ticket
from deskapp.services.actors import Actor, actor_from
from deskapp.services.numbers import reserve_numbers

SUBJECTS = (
    "Wi-Fi drops every evening",
    "Cannot send mail from Outlook",
    "Charged twice this month",
    "No internet since this morning",
    "Quote for a second office",
    "Upgrade from Fibre 300",
    "[bold]Router[/] blinks red",
)
STATUSES = ("Open", "Answered", "Customer-Reply", "On Hold", "In Progress", "Completed")


@dataclass
class World:
    """What the tests work with: keys of the rows made."""

    sam: Actor
    kim: Actor
    departments: dict[str, uuid.UUID]
    clients: list[uuid.UUID]
    contacts: dict[uuid.UUID, list[uuid.UUID]]
    closed_client: uuid.UUID
    tickets: list[uuid.UUID] = field(default_factory=list)


def make_world() -> World:
    """Staff, departments, clients and contacts (no tickets)."""
    sam = Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT)
    kim = Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN)
    departments = {}
    for position, (name, extra) in enumerate(
        (
            ("Support", []),
            (
                "Billing",
                [{"name": "invoice_number", "label": "Invoice number", "required": True}],
            ),
            (
                "Outage",
                [
                    {"name": "affected_service", "label": "Affected service", "required": True},
                    {"name": "down_since", "label": "Down since", "required": False},
                ],
            ),
        )
    ):
        departments[name] = Department.create(
            name=name,
            email=f"{name.lower()}@desk.example",
            extra_fields=json.dumps(extra),
            sort_order=position * 10,
        ).id
    first = reserve_numbers("client", 3)
    clients, contacts = [], {}
    people = (
        ("Mina", "Okafor", "Northwind Hosting", "Active"),
        ("Bram", "Lindqvist", "", "Active"),
        ("Chidi", "Moreau", "Gone Ltd", "Closed"),
    )
    for offset, (first_name, last_name, company, status) in enumerate(people):
        client = Client.create(
            number=first + offset,
            first_name=first_name,
            last_name=last_name,
            company=company,
            email=f"{first_name.lower()}@client{offset}.example",
            status=status,
            support_minutes=120,
        )
        clients.append(client.id)
        contacts[client.id] = [
            Contact.create(
                client=client,
                first_name=name,
                last_name=last_name,
                email=f"{name.lower()}@client{offset}.example",
            ).id
            for name in (first_name, "Ola", "Pia")
        ]
    return World(actor_from(sam), actor_from(kim), departments, clients, contacts, clients[2])


def add_tickets(world: World, count: int, seed: int = 3) -> list[uuid.UUID]:
    """`count` tickets spread over the clients, departments, staff, priorities and statuses,
    with times taken from a few values so many rows tie."""
    rng = random.Random(seed)
    now = clock.now()
    first = reserve_numbers("ticket", count)
    staff = [world.sam.id, world.kim.id, None]
    rows = []
    for index in range(count):
        status = STATUSES[index % len(STATUSES)] if index < 12 else rng.choice(STATUSES)
        created = now - dt.timedelta(hours=rng.choice((50, 40, 30, 20)))
        activity = created + dt.timedelta(hours=rng.choice((1, 2, 3)))
        waiting = None
        if status in ("Open", "Customer-Reply"):
            waiting = created + dt.timedelta(hours=rng.choice((0, 1)))
        rows.append(
            {
                "id": uuid7(),
                "created_at": created,
                "updated_at": activity,
                "number": first + index,
                "client": world.clients[index % 2],
                "department": list(world.departments.values())[index % 3],
                "subject": SUBJECTS[index % len(SUBJECTS)],
                "priority": ("Low", "Medium", "High", "Urgent")[rng.randrange(4)],
                "status": status,
                "assignee": staff[rng.randrange(3)],
                "tags": "",
                "last_activity_at": activity,
                "waiting_since": waiting,
            }
        )
    Ticket.insert_many(rows).execute()
    keys = [row["id"] for row in rows]
    world.tickets += keys
    return keys
