"""Opening tickets and what staff do to them: status, assignee, priority, tags, merging,
subscribers, estimates decided once, and time drawn from prepaid support without overdrawing."""

from __future__ import annotations

import json
import threading
import uuid

import pytest
from ticket_queue_data import World, make_world

from deskapp.db import db, feed
from deskapp.errors import Conflict, DeskError, NotFound, ValidationError
from deskapp.models import (
    Attachment,
    AuditEntry,
    Client,
    Estimate,
    Message,
    Staff,
    Subscriber,
    Ticket,
    TimeEntry,
)
from deskapp.services import ticket_actions as actions
from deskapp.services.ticket_open import list_departments, open_ticket
from deskapp.services.tickets import QueueFilter, count_queue, list_queue


@pytest.fixture
def world(desk: str) -> World:
    return make_world()


def _open(world: World, client: int = 0, **kwargs: object) -> uuid.UUID:
    client_id = world.clients[client]
    values: dict[str, object] = {
        "contact_id": world.contacts[client_id][0],
        "subject": "Mail bounces",
        "body": "Every mail to the office bounces since Monday.",
        "department": "Support",
    }
    values.update(kwargs)
    department = world.departments[str(values.pop("department"))]
    subject, body = values.pop("subject"), values.pop("body")
    return open_ticket(world.sam, client_id, department, subject, body, **values).id  # type: ignore[arg-type]


# --- departments and opening -------------------------------------------------------------


def test_departments_come_in_desk_order_with_their_fields(world: World) -> None:
    departments = list_departments()
    assert [d.name for d in departments] == ["Support", "Billing", "Outage", "Orders"]
    outage = departments[2]
    assert [(f.name, f.label, f.required) for f in outage.extra_fields] == [
        ("affected_service", "Affected service", True),
        ("down_since", "Down since", False),
    ]
    assert departments[0].extra_fields == () and outage.email == "outage@desk.example"


def test_open_ticket_numbers_it_and_starts_the_wait(world: World) -> None:
    event = feed.latest_event_id()
    first = open_ticket(
        world.sam,
        world.clients[0],
        world.departments["Billing"],
        "  Charged twice  ",
        "Invoice INV-2026-00017 was taken twice.",
        contact_id=world.contacts[world.clients[0]][1],
        priority="High",
        extra={"invoice_number": "INV-2026-00017"},
        assignee_id=world.kim.id,
    )
    second = open_ticket(None, world.clients[1], world.departments["Support"], "Hi", "Help")
    assert (first.number, second.number) == (20001, 20002) and first.label == "T-20001"
    assert first.subject == "Charged twice" and first.status == "Open"
    assert first.priority == "High" and first.assignee == "Kim Adler"
    assert first.waiting_since == first.last_activity_at == first.created_at
    row = Ticket.get_by_id(first.id)
    assert json.loads(row.extra) == {"invoice_number": "INV-2026-00017"}
    (message,) = Message.select().where(Message.ticket == first.id)
    assert message.kind == "client" and message.author_name == "Ola Okafor"
    assert message.body == "Invoice INV-2026-00017 was taken twice."
    assert Message.get(Message.ticket == second.id).author_name == "Bram Lindqvist"
    assert ("ticket", str(first.id)) in {(e[1], e[2]) for e in feed.events_after(event)}
    assert count_queue(QueueFilter(view="open")) == 2


def test_open_ticket_validation_speaks_plainly(world: World) -> None:
    billing, outage = world.departments["Billing"], world.departments["Outage"]
    mina = world.clients[0]
    cases: list[tuple[dict[str, object], type[DeskError], str]] = [
        ({"subject": ""}, ValidationError, "Subject is required"),
        ({"subject": "x" * 301}, ValidationError, "the most is 300"),
        ({"body": "  \n "}, ValidationError, "The message is empty"),
        ({"priority": "Soon"}, ValidationError, "Priority must be one of"),
        ({"department": "Billing"}, ValidationError, "Billing needs the invoice number"),
        (
            {"department": "Outage", "extra": {"down_since": "9:00"}},
            ValidationError,
            "Outage needs the affected service",
        ),
        (
            {"department": "Billing", "extra": {"invoice_number": "1", "colour": "red"}},
            ValidationError,
            "Billing has no field called “colour”",
        ),
        (
            {"contact_id": world.contacts[world.clients[1]][0]},
            ValidationError,
            "not one of C-1001's contacts",
        ),
        ({"assignee_id": uuid.uuid4()}, ValidationError, "no such staff member"),
    ]
    for changes, error, sentence in cases:
        with pytest.raises(error, match=sentence):
            _open(world, **changes)
    with pytest.raises(Conflict, match=r"C-1003 is Closed: no new tickets"):
        _open(world, client=2, contact_id=None)
    assert Ticket.select().count() == 0
    # Mail cannot fill in the department's fields: check_extra=False lets it in.
    open_ticket(None, mina, billing, "Refund?", "Please refund.", check_extra=False)
    kept = _open(world, department="Outage", extra={"affected_service": "vps-7", "down_since": ""})
    assert json.loads(Ticket.get_by_id(kept).extra) == {"affected_service": "vps-7"}
    assert outage and Ticket.select().count() == 2


def test_same_mail_is_not_opened_twice(world: World) -> None:
    open_ticket(None, world.clients[0], world.departments["Support"], "A", "b", message_id="<m@x>")
    with pytest.raises(Conflict, match="already imported"):
        open_ticket(
            None, world.clients[0], world.departments["Support"], "A", "b", message_id="<m@x>"
        )
    assert Ticket.select().count() == 1


# --- status, assignee, priority, tags ------------------------------------------------------


def _version(ticket_id: uuid.UUID) -> int:
    return Ticket.get_by_id(ticket_id).version


def test_status_assignee_priority_and_tags_each_bump_the_version(world: World) -> None:
    key = _open(world)
    versions = [_version(key)]
    actions.change_status(world.sam, key, "In Progress")
    versions.append(_version(key))
    actions.assign(world.sam, key, world.sam.id)
    versions.append(_version(key))
    actions.set_priority(world.sam, key, "Urgent")
    versions.append(_version(key))
    actions.set_tags(world.sam, key, " VPS,outage , vps,, Billing ")
    versions.append(_version(key))
    assert versions == [1, 2, 3, 4, 5]
    row = Ticket.get_by_id(key)
    assert (row.status, row.assignee_id, row.priority) == ("In Progress", world.sam.id, "Urgent")
    assert row.tags == "vps, outage, billing" and row.waiting_since is not None
    actions.assign(world.sam, key, None)
    actions.change_status(world.sam, key, "Completed")
    row = Ticket.get_by_id(key)
    assert row.assignee_id is None and row.waiting_since is None and row.status == "Completed"
    (shown,) = list_queue(QueueFilter(view="completed"))
    assert shown.tags == "vps, outage, billing"


def test_bad_values_are_refused(world: World) -> None:
    key = _open(world)
    with pytest.raises(ValidationError, match="Status must be one of"):
        actions.change_status(world.sam, key, "Closed")
    with pytest.raises(ValidationError, match="Priority must be one of"):
        actions.set_priority(world.sam, key, "urgent")
    with pytest.raises(ValidationError, match="no such staff member"):
        actions.assign(world.sam, key, uuid.uuid4())
    Staff.update(active=False).where(Staff.id == world.kim.id).execute()
    with pytest.raises(ValidationError, match="Kim Adler no longer works the desk"):
        actions.assign(world.sam, key, world.kim.id)
    with pytest.raises(ValidationError, match="the most is 300"):
        actions.set_tags(world.sam, key, ",".join(f"tag{n}" for n in range(80)))
    with pytest.raises(NotFound, match="no longer exists"):
        actions.change_status(world.sam, uuid.uuid4(), "Open")
    assert _version(key) == 1
    assert [s.username for s in actions.list_staff()] == ["sam"]


# --- merging --------------------------------------------------------------------------------


def test_merge_moves_everything_and_completes_the_merged_one(
    world: World, frozen_time: object
) -> None:
    mina = world.clients[0]
    own, ola, pia = world.contacts[mina]
    kept = _open(world)
    merged = _open(world, contact_id=ola, subject="Also: mail bounces")
    actions.change_status(world.sam, kept, "Answered")
    Ticket.update(waiting_since=None).where(Ticket.id == kept).execute()
    actions.add_subscriber(world.sam, kept, pia)
    actions.add_subscriber(world.sam, merged, pia)  # on both: kept once
    actions.add_subscriber(world.sam, merged, own)  # the kept ticket's own contact: dropped
    Attachment.create(ticket=merged, filename="log.txt", size=3, content=b"abc")
    estimate = actions.propose_estimate(world.sam, merged, "Move the mailboxes", 9000, 60)
    actions.log_time(world.sam, merged, 15)
    merged_first = Message.get(Message.ticket == merged).id
    before = _version(kept)

    actions.merge_tickets(world.kim, kept, merged)

    kept_row, merged_row = Ticket.get_by_id(kept), Ticket.get_by_id(merged)
    assert merged_row.status == "Completed" and merged_row.waiting_since is None
    assert Message.get_by_id(merged_first).ticket_id == kept
    notes = [m.body for m in Message.select().where(Message.ticket == merged)]
    assert notes == [f"Merged into T-{kept_row.number}."]
    assert Attachment.get(Attachment.filename == "log.txt").ticket_id == kept
    assert Estimate.get_by_id(estimate.id).ticket_id == kept
    assert TimeEntry.get().ticket_id == kept
    followers = sorted(s.contact_id for s in Subscriber.select().where(Subscriber.ticket == kept))
    assert followers == sorted([pia, ola])  # the merged ticket's contact follows now
    assert not Subscriber.select().where(Subscriber.ticket == merged).exists()
    # The moved client message waits for an answer: the kept ticket's wait starts with it.
    assert kept_row.waiting_since == merged_row.created_at
    assert kept_row.last_activity_at == max(kept_row.last_activity_at, merged_row.created_at)
    assert kept_row.version > before
    entry = AuditEntry.get(AuditEntry.action == "ticket.merge")
    assert entry.staff_name == "Kim Adler" and "merged into" in entry.summary


def test_merge_refuses_itself_and_other_clients(world: World) -> None:
    one, other = _open(world), _open(world, client=1)
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        actions.merge_tickets(world.sam, one, one)
    with pytest.raises(Conflict, match="different clients"):
        actions.merge_tickets(world.sam, one, other)
    with pytest.raises(NotFound):
        actions.merge_tickets(world.sam, one, uuid.uuid4())
    assert Ticket.get_by_id(other).status == "Open"


# --- subscribers ------------------------------------------------------------------------------


def test_subscribers_are_other_contacts_of_the_same_client(world: World) -> None:
    key = _open(world)
    own, ola, _ = world.contacts[world.clients[0]]
    actions.add_subscriber(world.sam, key, ola)
    with pytest.raises(Conflict, match="Ola Okafor already follows"):
        actions.add_subscriber(world.sam, key, ola)
    with pytest.raises(ValidationError, match="raised T-"):
        actions.add_subscriber(world.sam, key, own)
    with pytest.raises(ValidationError, match="not one of the contacts"):
        actions.add_subscriber(world.sam, key, world.contacts[world.clients[1]][0])
    assert [s.contact_id for s in Subscriber.select()] == [ola]
    actions.remove_subscriber(world.sam, key, ola)
    with pytest.raises(NotFound, match="does not follow"):
        actions.remove_subscriber(world.sam, key, ola)
    assert _version(key) == 3


# --- estimates ------------------------------------------------------------------------------


def test_estimates_are_decided_once(world: World) -> None:
    key = _open(world)
    proposed = actions.propose_estimate(world.sam, key, "Copy five mailboxes", 22500, 180)
    assert (proposed.status, proposed.staff_name, proposed.decided_at) == (
        "Proposed",
        "Sam Reyes",
        None,
    )
    decided = actions.decide_estimate(world.kim, proposed.id, True)
    assert decided.status == "Approved" and decided.decided_at is not None
    with pytest.raises(Conflict, match="already approved"):
        actions.decide_estimate(world.kim, proposed.id, False)
    declined = actions.propose_estimate(world.sam, key, "Phones", 0, 30)
    assert actions.decide_estimate(world.sam, declined.id, False).status == "Declined"
    assert [e.status for e in actions.estimates_of(key)] == ["Approved", "Declined"]
    assert "Estimate approved on the client's behalf (225.00)." in [
        m.body for m in Message.select().where(Message.ticket == key)
    ]
    actions_logged = {e.action for e in AuditEntry.select()}
    assert {"estimate.propose", "estimate.approve", "estimate.decline"} <= actions_logged
    for bad, sentence in (
        (("", 1, 1), "description is required"),
        (("x", -1, 0), "cannot be negative"),
        (("x", 1.5, 0), "whole number"),
        (("x", 0, 0), "needs an amount, a time"),
    ):
        with pytest.raises(ValidationError, match=sentence):
            actions.propose_estimate(world.sam, key, *bad)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        actions.decide_estimate(world.sam, uuid.uuid4(), True)


# --- time -----------------------------------------------------------------------------------


def test_time_draws_from_prepaid_support_and_never_overdraws(world: World) -> None:
    key = _open(world)
    mina = world.clients[0]
    entry = actions.log_time(world.sam, key, 90, "Remote session")
    assert (entry.minutes, entry.note, entry.staff_name) == (90, "Remote session", "Sam Reyes")
    assert Client.get_by_id(mina).support_minutes == 30
    with pytest.raises(ValidationError, match="C-1001 has 0 h 30 min of prepaid support left"):
        actions.log_time(world.sam, key, 45)
    with pytest.raises(ValidationError, match="at least one minute"):
        actions.log_time(world.sam, key, 0)
    assert Client.get_by_id(mina).support_minutes == 30
    assert [e.minutes for e in actions.time_entries_of(key)] == [90]
    audit = AuditEntry.get(AuditEntry.action == "ticket.time")
    assert json.loads(audit.before) == {"support_minutes": 120}
    assert json.loads(audit.after)["support_minutes"] == 30


def test_desks_logging_time_at_once_cannot_overdraw(world: World) -> None:
    key = _open(world)
    start, outcomes = threading.Barrier(6), []
    lock = threading.Lock()

    def desk() -> None:
        start.wait(timeout=30)
        try:
            actions.log_time(world.sam, key, 30)
            outcome = "logged"
        except ValidationError as error:
            outcome = str(error)
        finally:
            db.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=desk) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refusal = "C-1001 has 0 h 0 min of prepaid support left; 0 h 30 min is more than that."
    assert sorted(outcomes) == sorted(["logged"] * 4 + [refusal] * 2), outcomes
    assert Client.get_by_id(world.clients[0]).support_minutes == 0
    assert sum(e.minutes for e in TimeEntry.select()) == 120
