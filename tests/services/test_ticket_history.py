"""A ticket's history (issue 13): status, assignee, priority and tag changes with who and when,
read from the audit entries the actions write in their own transactions."""

from __future__ import annotations

import datetime as dt

import pytest
from ticket_queue_data import World, make_world

from deskapp import clock
from deskapp.models import AuditEntry
from deskapp.services import ticket_actions as actions
from deskapp.services.conversation import TicketEvent, ticket_history
from deskapp.services.ticket_open import open_ticket


@pytest.fixture
def world(desk: str) -> World:
    return make_world()


def test_each_change_is_in_the_history_with_who_and_when(
    world: World, frozen_time: dt.datetime
) -> None:
    client = world.clients[0]
    key = open_ticket(
        world.sam, client, world.departments["Support"], "Mail bounces", "Since Monday."
    ).id
    assert ticket_history(key) == []
    actions.change_status(world.sam, key, "In Progress")
    actions.assign(world.kim, key, world.sam.id)
    actions.assign(world.kim, key, world.sam.id)  # no change, no entry
    actions.set_priority(world.sam, key, "Urgent")
    actions.set_tags(world.kim, key, "vps, outage")
    actions.assign(world.sam, key, None)
    actions.change_status(world.sam, key, "In Progress")  # no change, no entry
    now = clock.now()
    assert ticket_history(key) == [
        TicketEvent(now, "Sam Reyes", "Status", "Open", "In Progress"),
        TicketEvent(now, "Kim Adler", "Assignee", "", "Sam Reyes"),
        TicketEvent(now, "Sam Reyes", "Priority", "Medium", "Urgent"),
        TicketEvent(now, "Kim Adler", "Tags", "", "vps, outage"),
        TicketEvent(now, "Sam Reyes", "Assignee", "Sam Reyes", ""),
    ]
    other = open_ticket(world.sam, client, world.departments["Support"], "Other", "Body.").id
    actions.change_status(world.kim, other, "On Hold")
    assert [event.after for event in ticket_history(other)] == ["On Hold"]
    assert AuditEntry.select().where(AuditEntry.action == "ticket.status").count() == 2
