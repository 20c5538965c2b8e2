"""The ticket queue: views, narrowing, the three sorts paged by key (with tied times), counts,
search by number and by text on both plans, and the upgrade that adds the queue's indexes."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest
from old_rows import insert_old
from ticket_queue_data import World, add_tickets, make_world

from deskapp import migrations
from deskapp.db import db, is_postgres, open_database
from deskapp.errors import ValidationError
from deskapp.models import Client, Department, Ticket
from deskapp.services import ticket_queue_plan, tickets
from deskapp.services.tickets import QueueFilter, count_queue, list_queue


@pytest.fixture
def world(desk: str) -> World:
    made = make_world()
    add_tickets(made, 90)
    return made


def _rows() -> list[Ticket]:
    return list(Ticket.select())


def _keeps(f: QueueFilter, row: Ticket) -> bool:
    """What the filter should keep, said plainly (the test's own reading of the contract)."""
    if f.view == "open" and row.status == "Completed":
        return False
    if f.view == "completed" and row.status != "Completed":
        return False
    if f.assignee == "mine" and row.assignee_id != f.staff_id:
        return False
    if f.assignee == "unassigned" and row.assignee_id is not None:
        return False
    if f.department_id is not None and row.department_id != f.department_id:
        return False
    if f.priority is not None and row.priority != f.priority:
        return False
    return f.client_id is None or row.client_id == f.client_id


def _expected(f: QueueFilter, rows: list[Ticket]) -> list[uuid.UUID]:
    kept = [row for row in rows if _keeps(f, row)]
    if f.sort == "age":
        kept.sort(key=lambda r: (r.created_at, r.id))
    elif f.sort == "waiting":

        def waits(row: Ticket) -> bool:  # only open tickets wait
            return row.waiting_since is not None and row.status != "Completed"

        waiting = sorted(filter(waits, kept), key=lambda r: (r.waiting_since, r.id))
        others = sorted(
            (r for r in kept if not waits(r)),
            key=lambda r: (r.last_activity_at, r.id),
            reverse=True,
        )
        kept = waiting + others
    else:
        kept.sort(key=lambda r: (r.last_activity_at, r.id), reverse=True)
    return [row.id for row in kept]


def _all_pages(f: QueueFilter, size: int) -> list[uuid.UUID]:
    seen: list[uuid.UUID] = []
    page = list_queue(f, None, size)
    for _ in range(200):
        if not page:
            break
        assert len(page) <= size
        seen += [ticket.id for ticket in page]
        page = list_queue(f, page[-1], size)
    return seen


def test_every_sort_pages_through_ties_in_order(world: World) -> None:
    # A completed ticket that still says the client waits (an old row) is not waiting.
    odd = Ticket.select().where(Ticket.status == "Completed").first()
    Ticket.update(waiting_since=odd.created_at).where(Ticket.id == odd.id).execute()
    rows = _rows()
    assert len({row.last_activity_at for row in rows}) < 20  # many rows share a time
    for view, sort in itertools.product(("open", "completed", "all"), tickets.SORTS):
        f = QueueFilter(view=view, sort=sort)
        expected = _expected(f, rows)
        assert expected, (view, sort)
        assert _all_pages(f, 7) == expected, (view, sort)
        assert [t.id for t in list_queue(f, None, 500)] == expected
        assert count_queue(f) == len(expected)


def test_narrowing_by_person_department_priority_and_client(world: World) -> None:
    rows = _rows()
    support = world.departments["Support"]
    cases = [
        QueueFilter(assignee="mine", staff_id=world.sam.id),
        QueueFilter(view="all", assignee="unassigned", sort="age"),
        QueueFilter(view="completed", assignee="mine", staff_id=world.kim.id),
        QueueFilter(department_id=support, sort="waiting"),
        QueueFilter(view="completed", department_id=support, priority="High"),
        QueueFilter(view="all", priority="Urgent", sort="waiting"),
        QueueFilter(view="all", client_id=world.clients[1], sort="age"),
        QueueFilter(
            view="all", assignee="mine", staff_id=world.sam.id, department_id=support,
            priority="Low", client_id=world.clients[0],
        ),
    ]  # fmt: skip
    for f in cases:
        expected = _expected(f, rows)
        assert expected, f
        assert _all_pages(f, 4) == expected, f
        assert count_queue(f) == len(expected), f


def test_summary_carries_what_the_queue_shows(world: World) -> None:
    first = list_queue(QueueFilter(view="all", client_id=world.clients[0]), limit=1)[0]
    row = Ticket.get_by_id(first.id)
    assert first.client_id == world.clients[0]
    assert first.created_at == row.created_at and first.tags == row.tags
    assert first.client_name == "Northwind Hosting" and first.client_label.startswith("C-")
    assert first.label == f"T-{row.number}"
    assert first.department in {"Support", "Billing", "Outage"}
    assert first.assignee in {"", "Sam Reyes", "Kim Adler"}


def test_search_by_ticket_number_keeps_to_the_view(world: World) -> None:
    """Issue 13: a number searched under Completed showed an In Progress ticket while the
    count line said "completed tickets". The number narrows the view like any search, so the
    list and every count describe one set."""
    completed = Ticket.select().where(Ticket.status == "Completed").first()
    working = Ticket.select().where(Ticket.status == "In Progress").first()
    for ticket, holding in ((completed, ("completed", "all")), (working, ("open", "all"))):
        for text in (f"T-{ticket.number}", f"t-{ticket.number}", str(ticket.number)):
            for view in tickets.VIEWS:
                f = QueueFilter(view=view, search=f" {text} ")
                found = [t.id for t in list_queue(f)]
                assert found == ([ticket.id] if view in holding else []), (text, view)
                assert count_queue(f) == len(found), (text, view)
    someone_else = QueueFilter(view="all", search=str(working.number), assignee="unassigned")
    expected = [working.id] if working.assignee_id is None else []
    assert [t.id for t in list_queue(someone_else)] == expected
    assert count_queue(someone_else) == len(expected)


def test_search_by_subject_and_client_name(world: World) -> None:
    rows = _rows()
    names = {row.id: Client.get_by_id(row.client_id) for row in rows}

    def matching(text: str, f: QueueFilter) -> list[uuid.UUID]:
        wanted = text.lower()
        return [
            key
            for key in _expected(f, rows)
            if wanted in Ticket.get_by_id(key).subject.lower()
            or wanted
            in f"{names[key].company} {names[key].first_name} {names[key].last_name}".lower()
        ]

    for text, f in (
        ("OUTLOOK", QueueFilter(view="all")),
        ("fibre 3", QueueFilter(view="all", sort="age")),
        ("northwind", QueueFilter(view="open", sort="waiting")),
        ("lindq", QueueFilter(view="completed")),
        ("[bold]", QueueFilter(view="all")),
        ("ai", QueueFilter(view="all")),  # too short for trigrams: checked along the walk
        ("300", QueueFilter(view="all")),  # no ticket has that number: words of the subject
    ):
        expected = matching(text, f)
        assert expected, text
        assert _all_pages(QueueFilter(**{**f.__dict__, "search": text}), 5) == expected, text
        assert count_queue(QueueFilter(**{**f.__dict__, "search": text})) == len(expected)
    assert list_queue(QueueFilter(view="all", search="no such words")) == []
    assert count_queue(QueueFilter(view="all", search='%_"\\')) == 0


def test_common_text_is_checked_along_the_walk(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text in more tickets than SEARCH_CANDIDATES takes the other plan, with the same rows."""
    f = QueueFilter(view="all", sort="waiting", search="e")
    indexed = QueueFilter(view="all", sort="waiting", search="every")
    by_index = _all_pages(indexed, 6)
    monkeypatch.setattr(ticket_queue_plan, "SEARCH_CANDIDATES", 3)
    assert _all_pages(indexed, 6) == by_index
    assert count_queue(indexed) == len(by_index) > 3
    assert len(_all_pages(f, 50)) == count_queue(f)


def test_search_follows_renamed_clients_and_subjects(world: World) -> None:
    Client.update(company="Kestrel Networks").where(Client.id == world.clients[1]).execute()
    f = QueueFilter(view="all", search="kestrel")
    assert {t.client_id for t in list_queue(f)} == {world.clients[1]}
    assert count_queue(f) == Ticket.select().where(Ticket.client == world.clients[1]).count()
    key = world.tickets[0]
    Ticket.update(subject="Zebra crossing cable cut").where(Ticket.id == key).execute()
    assert [t.id for t in list_queue(QueueFilter(view="all", search="zebra"))] == [key]


def test_bad_filters_are_refused_with_a_sentence(world: World) -> None:
    with pytest.raises(ValidationError, match="needs the staff member"):
        list_queue(QueueFilter(assignee="mine"))
    with pytest.raises(ValidationError, match="Priority must be one of"):
        count_queue(QueueFilter(priority="Whenever"))
    with pytest.raises(ValidationError, match="sorts by"):
        list_queue(QueueFilter(sort="colour"))


def test_queue_walks_indexes_in_order(world: World) -> None:
    """The first page of each sort reads an index in order: no sort of the whole table."""
    postgres = is_postgres()
    for view, sort in itertools.product(("open", "completed"), tickets.SORTS):
        query = ticket_queue_plan.QueuePlan(QueueFilter(view=view, sort=sort))
        column = {"activity": "last_activity_at", "age": "created_at"}.get(sort, "waiting_since")
        for walk in query.walks(column):
            plan = _plan(query, walk, postgres)
            assert "ticket_" in plan and "SCAN t\n" not in plan, (view, sort, plan)
            assert "TEMP B-TREE" not in plan and "Sort" not in plan, (view, sort, plan)


def _plan(query: ticket_queue_plan.QueuePlan, walk: ticket_queue_plan.Walk, postgres: bool) -> str:
    where = " AND ".join(walk.conditions)
    sql = (
        f"SELECT t.{walk.column}, t.id FROM {walk.tickets(postgres)} WHERE {where} "
        f"ORDER BY t.{walk.column}, t.id LIMIT 100"
    )
    if postgres:
        # A 90-row table is cheapest read whole; ask whether an ordered index path exists.
        switches = ("enable_seqscan", "enable_bitmapscan", "enable_sort")
        for name in switches:
            db.execute_sql(f"SET {name} = off")
        rows = query.fetch("EXPLAIN " + sql, walk.params)
        for name in switches:
            db.execute_sql(f"RESET {name}")
        return "\n".join(row[0] for row in rows)
    rows = query.fetch("EXPLAIN QUERY PLAN " + sql, walk.params)
    return "\n".join(row[-1] for row in rows) + "\n"


def test_version_3_database_upgrades_keeping_its_tickets(database_url: str) -> None:
    open_database(database_url)
    migrations.upgrade(target=3)
    assert migrations.current_version() == 3
    client = Client(number=1001, first_name="Ola", last_name="Berg", email="o@b.example")
    insert_old(client)
    support = Department(name="Support")
    insert_old(support)  # the columns a version-3 desk has (no signature yet)
    at = dt.datetime(2026, 1, 5, 8, 0)
    for offset, (subject, status) in enumerate(
        (("Fax line crackles", "Open"), ("Fibre box moved", "Completed"))
    ):
        Ticket.create(
            number=20001 + offset,
            client=client,
            department=support,
            subject=subject,
            status=status,
            created_at=at,
            last_activity_at=at + dt.timedelta(minutes=offset),
        )

    applied = migrations.upgrade()

    assert [m.number for m in applied][:1] == [4]
    assert migrations.current_version() == migrations.latest_version()
    assert count_queue(QueueFilter(view="all")) == 2
    assert [t.subject for t in list_queue(QueueFilter(view="all"))] == [
        "Fibre box moved",
        "Fax line crackles",
    ]
    assert [t.label for t in list_queue(QueueFilter(view="all", search="crackles"))] == ["T-20001"]
    assert [t.label for t in list_queue(QueueFilter(view="all", search="berg"))] == [
        "T-20002",
        "T-20001",
    ]
