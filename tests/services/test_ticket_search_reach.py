"""Ticket search finds words anywhere in a ticket's conversation and its service's identifier
(issue 13), through indexes (m0012), on both plans of the queue and both backends."""

from __future__ import annotations

import pytest
from ticket_queue_data import World, add_tickets, make_world

from deskapp.db import db, is_postgres
from deskapp.models import Product, Service, Ticket
from deskapp.services import ticket_queue_plan
from deskapp.services.conversation.messages import post_note, post_reply
from deskapp.services.tickets import QueueFilter, count_queue, list_queue


@pytest.fixture
def world(desk: str) -> World:
    made = make_world()
    add_tickets(made, 30)
    return made


def _found(text: str, view: str = "all") -> list:
    f = QueueFilter(view=view, search=text)
    found = [t.id for t in list_queue(f, limit=1_000)]
    assert count_queue(f) == len(found), text  # the count line and the list agree
    return sorted(found)


def _both_plans(monkeypatch: pytest.MonkeyPatch, text: str) -> list:
    by_index = _found(text)
    monkeypatch.setattr(ticket_queue_plan, "SEARCH_CANDIDATES", 1)  # checked along the walk
    along_walk = _found(text)
    monkeypatch.undo()
    assert along_walk == by_index, text
    return by_index


def test_words_of_any_message_find_the_ticket(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = world.tickets[3], world.tickets[7]
    post_reply(world.sam, first, "Please power-cycle the ONT; the Quokka router needs a reset.")
    post_note(world.kim, first, "Escalated to the fibre team.")
    post_note(world.kim, second, "Customer mentioned a QUOKKA too.")
    assert _both_plans(monkeypatch, "quokka") == sorted([first, second])
    assert _both_plans(monkeypatch, "power-cycle the ont") == [first]
    assert _both_plans(monkeypatch, "fibre team") == [first]
    assert _found("no conversation says this") == []


def test_the_service_identifier_finds_the_ticket(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = Ticket.get_by_id(world.tickets[5])
    product = Product.create(code="WEB-1", name="Web hosting", type="Recurring")
    service = Service.create(
        client=ticket.client_id,
        product=product,
        identifier="shop.lindqvist.example",
        cycle="Monthly",
    )
    assert _found("lindqvist.example") == []
    Ticket.update(service=service.id).where(Ticket.id == ticket.id).execute()
    assert _both_plans(monkeypatch, "lindqvist.example") == [ticket.id]
    Service.update(identifier="u4471@mail.example").where(Service.id == service.id).execute()
    assert _found("lindqvist.example") == []
    assert _both_plans(monkeypatch, "u4471") == [ticket.id]


def test_message_words_are_looked_up_in_an_index_not_scanned(world: World) -> None:
    if is_postgres():
        db.execute_sql("SET enable_seqscan = off")  # tiny tables: show the index can serve it
        plan = db.execute_sql(
            "EXPLAIN SELECT m.ticket_id FROM message m WHERE m.body ILIKE %s", ("%quokka%",)
        ).fetchall()
        db.execute_sql("RESET enable_seqscan")
        assert "message_body_trgm" in " ".join(row[0] for row in plan)
    else:
        plan = db.execute_sql(
            "EXPLAIN QUERY PLAN SELECT m.ticket_id FROM message_search_fts g "
            "CROSS JOIN message m ON m.rowid = g.rowid WHERE message_search_fts MATCH ?",
            ('"quokka"',),
        ).fetchall()
        text = " ".join(str(row[-1]) for row in plan)
        assert "VIRTUAL TABLE INDEX" in text and "USING INTEGER PRIMARY KEY" in text
