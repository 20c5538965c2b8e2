"""The demo's tickets: conversations in every status and department, the ticket of every order,
subscribers, estimates, logged time, an attachment or two and the canned replies.

A conversation's shape follows its status (a Customer-Reply ticket ends with the client, an
Answered one with a staff reply), and `waiting_since` is the first client message after the
last staff reply, as the desk itself keeps it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from deskapp.demo.texts import CANNED, ROUTER_SCENARIO, SCENARIOS, Scenario
from deskapp.demo.world import DemoClient, DemoContact, DemoOrder, DemoWorld
from deskapp.models import (
    Attachment,
    CannedReply,
    Estimate,
    Message,
    Subscriber,
    Ticket,
    TimeEntry,
)

SHAPES = {
    "Open": (("client",), ("client", "note")),
    "Answered": (("client", "reply"), ("client", "reply", "client", "reply")),
    "Customer-Reply": (("client", "reply", "client"), ("client", "note", "reply", "client")),
    "On Hold": (("client", "reply", "note"),),
    "In Progress": (("client", "note"), ("client", "reply", "client", "note")),
    "Completed": (("client", "reply"), ("client", "reply", "client", "reply")),
}
"""The kinds of message a conversation in each status is made of, oldest first."""
STATUS_WEIGHTS = {
    "Open": 14,
    "Answered": 15,
    "Customer-Reply": 12,
    "On Hold": 8,
    "In Progress": 14,
    "Completed": 37,
}
TICKETS_PER_DEPARTMENT = {"Support": 34, "Billing": 16, "Outage": 14, "Sales": 10}


@dataclass
class _Ticket:
    """A ticket being written: who, where, and its conversation."""

    client: DemoClient
    contact: DemoContact
    department: str
    subject: str
    status: str
    messages: list[tuple[str, dt.datetime, str, str | None]]
    """(kind, when, body, staff username or None for the client)."""
    assignee: str | None = None
    priority: str = "Medium"
    tags: str = ""
    extra: dict | None = None
    order: DemoOrder | None = None
    service_id: str | None = None
    id: str = ""


def add_tickets(world: DemoWorld) -> None:
    """Every order's ticket and the department tickets, numbered in the order they were opened."""
    tickets = [_order_ticket(world, order) for order in world.orders]
    tickets += _department_tickets(world)
    tickets.sort(key=lambda ticket: (ticket.messages[0][1], ticket.client.number))
    for ticket, number in zip(tickets, world.numbers("ticket", len(tickets)), strict=True):
        _queue_ticket(world, ticket, number)
    _add_extras(world, tickets)


def _order_ticket(world: DemoWorld, order: DemoOrder) -> _Ticket:
    client = order.client
    contact = client.billing
    names = ", ".join(
        f"{q} × {p.name} ({c})" if q > 1 else f"{p.name} ({c})" for p, c, _, q in order.items
    )
    paid = {
        "Successful": " Paid by card."
        if order.payment_method == "card"
        else " I've paid by bank transfer.",
        "Pending": " My bank wants me to confirm the card payment; I'll do it today.",
        "Failed": " The card payment failed; please call me.",
        "None": " Please send an invoice.",
    }[order.payment_status]
    messages: list[tuple[str, dt.datetime, str, str | None]] = [
        ("client", order.placed_at, f"Hello, I'd like to order {names}.{paid}", None)
    ]
    decided = order.decided_at or order.placed_at  # every order but a pending one has it
    status = "Completed"
    if order.status == "Pending":
        status = "Open"
        if world.rng.random() < 0.5:
            checked = world.moment(order.placed_at, order.placed_at + dt.timedelta(hours=3))
            messages.append(
                (
                    "note",
                    checked,
                    "Availability checked at the address: OK. Waiting for an admin to approve.",
                    "sam",
                )
            )
    elif order.status == "Active":
        messages.append(
            (
                "reply",
                decided,
                f"Hi {contact.first_name}, your order "
                f"O-{order.number} is approved; the service starts on "
                f"{order.start_date:%d %B %Y}.",
                "admin",
            )
        )
    elif order.status == "Rejected":
        messages.append(
            (
                "reply",
                decided,
                f"Hi {contact.first_name}, we're sorry: we "
                f"cannot accept order O-{order.number}. {order.decision_note}",
                "admin",
            )
        )
    else:
        asked = world.moment(order.placed_at, decided)
        messages.append(
            ("client", asked, "Please cancel this order, we've changed our minds.", None)
        )
        messages.append(
            ("reply", decided, f"Order O-{order.number} is cancelled as you asked.", "sam")
        )
    return _Ticket(
        client,
        contact,
        "Orders",
        f"Order O-{order.number}: {order.items[0][0].name}",
        status,
        messages,
        assignee=None if status == "Open" else "admin",
        tags="order",
        order=order,
    )


def _department_tickets(world: DemoWorld) -> list[_Ticket]:
    rng = world.rng
    statuses = list(STATUS_WEIGHTS)
    talkers = [client for client in world.clients if client.status != "Closed"]
    with_services = [
        c for c in talkers if any(s.status in ("Active", "Suspended") for s in c.services)
    ]
    prepaid = [client for client in world.clients if client.support_minutes > 0]
    invoiced = {invoice.client.id: invoice.number for invoice in world.invoices}
    tickets = []
    for department, count in TICKETS_PER_DEPARTMENT.items():
        for index in range(count):
            status = (
                statuses[index]
                if index < len(statuses)
                else rng.choices(statuses, list(STATUS_WEIGHTS.values()))[0]
            )
            pool = with_services if department == "Outage" else talkers
            if department == "Billing":
                pool = [client for client in talkers if client.id in invoiced]
            client = rng.choice(pool)
            scenario = rng.choice(SCENARIOS[department])
            if department == "Support" and index < len(prepaid):
                client = prepaid[index]
                if index < 3:  # the mailbox move the estimates are about
                    scenario = SCENARIOS["Support"][3]
            if department == "Support" and index in (len(prepaid), len(prepaid) + 1):
                client = world.clients[58 if index == len(prepaid) else 133]
                scenario = ROUTER_SCENARIO
            tickets.append(
                _conversation(
                    world, client, department, scenario, status, invoiced.get(client.id, "")
                )
            )
    return tickets


def _conversation(
    world: DemoWorld,
    client: DemoClient,
    department: str,
    scenario: Scenario,
    status: str,
    invoice: str,
) -> _Ticket:
    rng = world.rng
    contact = rng.choice(client.contacts)
    live = [s for s in client.services if s.status in ("Active", "Suspended")] or client.services
    service = rng.choice(live) if live else None
    words = {
        "first": contact.first_name,
        "invoice": invoice or "my last invoice",
        "service": service.identifier if service else "my account",
    }
    assignee: str | None = rng.choice(("sam", "kim", "sam", "admin"))
    if status == "Open" and rng.random() < 0.6:
        assignee = None
    shape = rng.choice(SHAPES[status])
    completed = status == "Completed"
    gaps = [rng.randint(600, 172800 if completed else 72000) for _ in shape[1:]]
    start = world.days_ago(rng.uniform(3, 120) if completed else rng.uniform(0.1, 9))
    latest_end = world.now - dt.timedelta(minutes=rng.randint(5, 240))
    budget = (latest_end - start).total_seconds()
    if sum(gaps) > budget:  # squeeze the conversation in before now
        start = min(start, latest_end - dt.timedelta(minutes=len(gaps)))
        budget = (latest_end - start).total_seconds()
        gaps = [max(60, int(gap * budget / sum(gaps))) for gap in gaps]
    messages: list[tuple[str, dt.datetime, str, str | None]] = []
    at, clients_said = start, 0
    for kind, gap in zip(shape, [0, *gaps], strict=True):
        at += dt.timedelta(seconds=gap)
        if kind == "client":
            body = (scenario.opening, scenario.follow_up, "Thanks, all good now.")[
                min(clients_said, 2)
            ]
            clients_said += 1
            messages.append((kind, at, body.format(**words), None))
        elif kind == "reply":
            staff = assignee or "sam"
            body = (
                scenario.reply
                if clients_said == 1
                else (
                    "Thanks {first}, that's done now; I'll close this ticket. Reply here if "
                    "anything else comes up."
                    if completed
                    else "Thanks {first}, noted. We'll keep you posted here."
                )
            )
            messages.append(
                (kind, at, f"{body.format(**words)}\n\n{_first_name(world, staff)}", staff)
            )
        else:
            messages.append((kind, at, scenario.note or "Following up.", assignee or "kim"))
    extra = {
        "Billing": {"invoice_number": invoice},
        "Outage": {
            "affected_service": words["service"],
            "down_since": f"{start - dt.timedelta(minutes=40):%Y-%m-%d %H:%M}",
        },
        "Sales": {"company_size": rng.choice(("1-10", "11-50", "51-200"))}
        if client.person.company
        else {},
    }.get(department, {})
    priority = (
        rng.choice(("High", "Urgent"))
        if department == "Outage"
        else rng.choices(("Low", "Medium", "High"), (25, 55, 20))[0]
    )
    return _Ticket(
        client,
        contact,
        department,
        scenario.subject,
        status,
        messages,
        assignee,
        priority,
        scenario.tags,
        extra,
        service_id=service.id if service and department in ("Outage", "Support") else None,
    )


def _first_name(world: DemoWorld, username: str) -> str:
    return world.staff[username][1].split()[0]


def _queue_ticket(world: DemoWorld, ticket: _Ticket, number: int) -> None:
    opened = ticket.messages[0][1]
    last = ticket.messages[-1][1]
    waiting = None
    if ticket.status != "Completed":
        for kind, at, _, _ in ticket.messages:
            if kind == "reply":
                waiting = None
            elif kind == "client" and waiting is None:
                waiting = at
    ticket.id = world.ids.at(opened)
    world.add(
        Ticket,
        id=ticket.id,
        created_at=opened,
        updated_at=last,
        number=number,
        client=ticket.client.id,
        contact=ticket.contact.id,
        department=world.departments[ticket.department],
        order=ticket.order.id if ticket.order else None,
        service=ticket.service_id,
        subject=ticket.subject,
        priority=ticket.priority,
        status=ticket.status,
        assignee=world.staff[ticket.assignee][0] if ticket.assignee else None,
        tags=ticket.tags,
        extra=json.dumps(ticket.extra or {}, sort_keys=True),
        last_activity_at=last,
        waiting_since=waiting,
    )
    for kind, at, body, staff in ticket.messages:
        world.add(
            Message,
            id=world.ids.at(at),
            created_at=at,
            ticket=ticket.id,
            kind=kind,
            staff=world.staff[staff][0] if staff else None,
            contact=ticket.contact.id if staff is None else None,
            author_name=world.staff[staff][1] if staff else ticket.contact.name,
            body=body,
        )


def _add_extras(world: DemoWorld, tickets: list[_Ticket]) -> None:
    """Subscribers, estimates, logged time and attachments on some of the tickets."""
    rng = world.rng
    for ticket in tickets:
        others = [c for c in ticket.client.contacts if c is not ticket.contact]
        if others and rng.random() < 0.4:
            world.add(
                Subscriber,
                id=world.ids.at(ticket.messages[0][1]),
                created_at=ticket.messages[0][1],
                ticket=ticket.id,
                contact=rng.choice(others).id,
            )
    support = [t for t in tickets if t.department == "Support"]
    moves = [t for t in support if t.subject == SCENARIOS["Support"][3].subject]
    moves.sort(key=lambda ticket: ticket.status == "Completed")  # a proposal waits on an open one
    for ticket, status in zip(moves, ("Proposed", "Approved", "Declined"), strict=False):
        proposed = ticket.messages[min(1, len(ticket.messages) - 1)][1]
        decided = ticket.messages[-1][1] if status != "Proposed" else None
        world.add(
            Estimate,
            id=world.ids.at(proposed),
            created_at=proposed,
            updated_at=decided or proposed,
            ticket=ticket.id,
            description="Copy five mailboxes from the old provider, set up phones and laptops",
            amount_cents=22500,
            minutes=180,
            status=status,
            staff=world.staff["sam"][0],
            decided_at=decided,
        )
    for ticket in support:
        client = ticket.client
        for _ in range(rng.randint(1, 3)):
            minutes = rng.choice((15, 30, 45, 60, 90))
            if client.support_minutes < minutes:
                break
            client.support_minutes -= minutes
            at = ticket.messages[-1][1]
            world.add(
                TimeEntry,
                id=world.ids.at(at),
                created_at=at,
                ticket=ticket.id,
                staff=world.staff[ticket.assignee or "sam"][0],
                minutes=minutes,
                note=rng.choice(("Remote session", "Mailbox copy", "Phone call", "Config review")),
            )
    for ticket, (filename, content) in zip(
        [t for t in tickets if t.department == "Outage"][:1]
        + [t for t in tickets if t.subject == ROUTER_SCENARIO.subject][:1],
        (
            ("traceroute.txt", b" 1  192.168.1.1  0.6 ms\n 2  203.0.113.1  8.1 ms\n 3  * * *\n"),
            (
                "router-log.txt",
                b"09:12:04 ERR 0x1f watchdog reset\n09:58:31 ERR 0x1f watchdog reset\n",
            ),
        ),
        strict=False,
    ):
        at = ticket.messages[0][1]
        world.add(
            Attachment,
            id=world.ids.at(at),
            created_at=at,
            ticket=ticket.id,
            filename=filename,
            content_type="text/plain",
            size=len(content),
            content=content,
        )


def add_canned_replies(world: DemoWorld) -> None:
    """The desk's canned replies, some for one department, some for all."""
    for position, (title, department, body) in enumerate(CANNED):
        created = world.now - dt.timedelta(days=400 - position)
        world.add(
            CannedReply,
            id=world.ids.at(created),
            created_at=created,
            title=title,
            body=body,
            department=world.departments[department] if department else None,
        )
