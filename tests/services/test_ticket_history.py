"""A ticket's history (issue 13): status, assignee, priority and tag changes with who and when,
read from the audit entries the actions write in their own transactions; a reply that sets the
status and a merge that completes a ticket are in it too."""

from __future__ import annotations

import datetime as dt

import pytest
from ticket_queue_data import World, make_world

from deskapp import clock
from deskapp.models import AuditEntry
from deskapp.services import ticket_actions as actions
from deskapp.services.conversation import TicketEvent, post_reply, ticket_history
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


def test_a_reply_that_sets_the_status_is_in_the_history_like_any_other_change(
    world: World, frozen_time: dt.datetime
) -> None:
    client, support = world.clients[0], world.departments["Support"]
    key = open_ticket(world.sam, client, support, "Mail bounces", "Since Monday.").id
    post_reply(world.sam, key, "Looking into it.")  # Open -> Answered, the reply's default
    post_reply(world.sam, key, "Still looking.")  # already Answered: no change, no entry
    clock.set_clock(clock.frozen_clock(frozen_time + dt.timedelta(minutes=5)))
    post_reply(world.kim, key, "Fixed: the MX record was wrong.", status="Completed")
    later = clock.now()
    assert ticket_history(key) == [
        TicketEvent(frozen_time, "Sam Reyes", "Status", "Open", "Answered"),
        TicketEvent(later, "Kim Adler", "Status", "Answered", "Completed"),
    ]
    actions.change_status(world.sam, key, "In Progress")
    assert [(e.before, e.after) for e in ticket_history(key)][-1] == ("Completed", "In Progress")


def test_the_merged_ticket_shows_it_was_completed_by_the_merge(
    world: World, frozen_time: dt.datetime
) -> None:
    client, support = world.clients[0], world.departments["Support"]
    kept = open_ticket(world.sam, client, support, "Mail bounces", "Since Monday.").id
    merged = open_ticket(world.sam, client, support, "Mail bounces again", "Still.").id
    actions.merge_tickets(world.kim, kept, merged)
    assert ticket_history(merged) == [
        TicketEvent(frozen_time, "Kim Adler", "Status", "Open", "Completed")
    ]
    assert ticket_history(kept) == []  # its status stays
