"""Demo data: deterministic, complete enough to show every screen state, and consistent the way
`deskapp db check` wants it. Bulk seeding: appends, numbers, search documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
import uuid
from pathlib import Path

import pytest
from hostile_desk import HOSTILE_FILENAME, add_hostile_rows
from peewee import CharField, TextField

from deskapp import migrations
from deskapp.db import db, is_postgres, open_database
from deskapp.demo import DEMO_STAFF, load_demo, seed_clients
from deskapp.errors import Conflict
from deskapp.models import (
    ALL_MODELS,
    Attachment,
    Client,
    Contact,
    Department,
    InvoiceStatus,
    Message,
    MessageKind,
    NumberSequence,
    OrderStatus,
    Product,
    ProductType,
    Staff,
    Ticket,
    TicketStatus,
)
from deskapp.services.client_search import search_clients


def rows(sql: str, *params: object) -> list[tuple]:
    """Run a query with deskapp's placeholder style and return all rows."""
    return list(db.execute_sql(sql.replace("?", db.param), params).fetchall())


def digest() -> str:
    """A hash of every row of every table (and the search documents), in key order."""
    hasher = hashlib.sha256()
    for model in ALL_MODELS:
        for row in model.select().order_by(model._meta.primary_key).tuples():
            hasher.update(repr(row).encode())
    for row in rows("SELECT client_id, document FROM client_search ORDER BY client_id"):
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


@pytest.fixture
def demo(desk: str) -> str:
    """The desk with the demo loaded."""
    load_demo()
    return desk


def test_demo_loads_the_same_rows_every_time(
    demo: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    first = digest()
    if is_postgres():
        other = request.getfixturevalue("postgres_databases").create()
    else:
        other = f"sqlite:///{tmp_path / 'again.db'}"
    open_database(other)
    migrations.upgrade()
    load_demo()
    assert digest() == first


def test_demo_refuses_a_desk_with_clients(demo: str) -> None:
    with pytest.raises(Conflict, match="empty desk"):
        load_demo()


def test_demo_keeps_an_admin_the_desk_already_made(desk: str) -> None:
    Staff.create(username="admin", name="Desk admin", role="admin")
    load_demo()
    assert Staff.get(Staff.username == "admin").name == "Desk admin"
    assert Staff.select().count() == 3


def test_demo_covers_every_state_a_screen_can_show(demo: str) -> None:
    assert 180 <= Client.select().count() <= 220
    assert {status for (status,) in rows("SELECT DISTINCT status FROM client")} == {
        "Active",
        "Inactive",
        "Closed",
    }
    assert {s for (s,) in rows('SELECT DISTINCT status FROM "order"')} == set(OrderStatus)
    pending = rows(
        'SELECT payment_status, COUNT(*) FROM "order" WHERE status = ? GROUP BY payment_status',
        OrderStatus.PENDING,
    )
    assert sum(count for _, count in pending) >= 3
    assert {"Successful", "None"} <= {status for status, _ in pending}
    assert {t for (t,) in rows("SELECT DISTINCT type FROM product")} == set(ProductType)
    assert {s for (s,) in rows("SELECT DISTINCT status FROM invoice")} == set(InvoiceStatus)
    assert {s for (s,) in rows("SELECT DISTINCT status FROM service")} >= {
        "Pending",
        "Active",
        "Suspended",
        "Cancelled",
    }
    assert {s for (s,) in rows("SELECT DISTINCT status FROM ticket")} == set(TicketStatus)
    assert {k for (k,) in rows("SELECT DISTINCT kind FROM message")} == set(MessageKind)
    for department in Department.select():
        assert Ticket.select().where(Ticket.department == department).exists(), department.name
    billing = Department.get(Department.name == "Billing")
    assert {"name": "invoice_number", "label": "Invoice number", "required": True} in json.loads(
        billing.extra_fields
    )
    assert {row.name for row in Department.select()} >= {
        "Support",
        "Billing",
        "Outage",
        "Orders",
        "Sales",
    }
    roles = sorted((s.username, s.role) for s in Staff.select())
    assert roles == sorted((username, role) for username, _, role in DEMO_STAFF)
    for table in ("subscriber", "estimate", "time_entry", "canned_reply", "payment_transaction"):
        assert rows(f"SELECT COUNT(*) FROM {table}")[0][0] > 0, table
    assert Product.select().where(Product.orderable == False).exists()  # noqa: E712


def test_every_order_has_a_ticket_in_orders(demo: str) -> None:
    orphans = rows(
        'SELECT o.number FROM "order" o WHERE NOT EXISTS (SELECT 1 FROM ticket t '
        "JOIN department d ON d.id = t.department_id WHERE t.order_id = o.id "
        "AND d.name = 'Orders')"
    )
    assert orphans == []
    assert (
        rows(
            'SELECT COUNT(*) FROM "order" o WHERE NOT EXISTS '
            "(SELECT 1 FROM order_item i WHERE i.order_id = o.id)"
        )[0][0]
        == 0
    )


MARKUP_TAG = re.compile(r"\[[a-z#/@][^\[\]]*\]")
"""What Rich (and Textual) would read as a tag: [bold], [/], [@click=…], [#ff0000]."""
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Marks, embeddings, overrides and isolates that reorder text on screen."""


def unbelievable(text: str) -> str | None:
    """Why `text` has no place in a sales demo (a control character other than a line break,
    markup, a bidi control), or None."""
    for character in text:
        if character in BIDI_CONTROLS:
            return f"bidi control U+{ord(character):04X}"
        if character != "\n" and unicodedata.category(character) == "Cc":
            return f"control character U+{ord(character):04X}"
    tag = MARKUP_TAG.search(text)
    return f"markup {tag.group()}" if tag else None


def test_demo_shows_believable_text_only(demo: str) -> None:
    """The demo is what a salesperson shows: hostile text belongs to the tests
    (tests/hostile_desk.py), and no text column of any table holds any."""
    found, scanned = [], 0
    for model in ALL_MODELS:
        columns = [
            field
            for field in model._meta.sorted_fields
            if isinstance(field, (CharField, TextField))
        ]
        if not columns:
            continue
        for row in model.select(*columns).tuples():
            for field, value in zip(columns, row, strict=True):
                scanned += value is not None
                why = unbelievable(value) if isinstance(value, str) else None
                if why:
                    found.append(
                        f"{model._meta.table_name}.{field.column_name}: {why} in {value!r}"
                    )
    assert found == []
    assert scanned > 10_000  # every table's text, not an empty desk
    assert unbelievable("[bold red]x[/]") == "markup [bold red]"
    assert unbelievable("Fox\x1b]0;owned\x07") == "control character U+001B"
    assert unbelievable("invoice\u202efdp.exe") == "bidi control U+202E"
    assert unbelievable("Hi Ana,\n\nThe [T-20311] fix is live.") is None


def test_hostile_rows_are_the_tests_own(demo: str) -> None:
    add_hostile_rows()
    assert Client.get(Client.number == 1018).company == "[bold red]x[/]"
    assert Message.select().where(Message.body.contains("\x1b[2J")).count() == 2
    assert Attachment.select().where(Attachment.filename == HOSTILE_FILENAME).count() == 1
    found = search_clients("Mallory")  # the search documents followed the rename
    assert [(hit.number, hit.name) for hit in found] == [(1059, "[@click=app.quit]Eve Mallory")]


def test_credit_ledger_matches_the_cached_balances(demo: str) -> None:
    mismatched = rows(
        "SELECT c.number FROM client c LEFT JOIN (SELECT client_id, SUM(amount_cents) AS total "
        "FROM credit_entry GROUP BY client_id) e ON e.client_id = c.id "
        "WHERE c.credit_cents <> COALESCE(e.total, 0)"
    )
    assert mismatched == []
    assert rows("SELECT COUNT(*) FROM client WHERE credit_cents > 0")[0][0] >= 5
    entries = rows(
        "SELECT client_id, amount_cents, balance_after_cents FROM credit_entry "
        "ORDER BY client_id, created_at, id"
    )
    balances: dict[object, int] = {}
    for client_id, amount, after in entries:
        balances[client_id] = balances.get(client_id, 0) + amount
        assert balances[client_id] == after >= 0


def test_invoices_add_up(demo: str) -> None:
    assert (
        rows("SELECT COUNT(*) FROM invoice WHERE status = 'Paid' AND amount_due_cents <> 0")[0][0]
        == 0
    )
    assert rows("SELECT COUNT(*) FROM invoice WHERE amount_due_cents < 0")[0][0] == 0
    assert (
        rows("SELECT COUNT(*) FROM invoice WHERE status = 'Unpaid' AND amount_due_cents = 0")[0][0]
        == 0
    )
    wrong_totals = rows(
        "SELECT i.number FROM invoice i JOIN invoice_line l ON l.invoice_id = i.id "
        "GROUP BY i.id, i.number, i.total_cents HAVING SUM(l.amount_cents) <> i.total_cents"
    )
    assert wrong_totals == []
    # A paid invoice is covered by its payments and the credit applied to it, exactly.
    uncovered = rows(
        "SELECT i.number FROM invoice i WHERE i.status = 'Paid' AND i.total_cents <> "
        "COALESCE((SELECT SUM(p.amount_cents) FROM payment_transaction p "
        "WHERE p.invoice_id = i.id), 0) - COALESCE((SELECT SUM(e.amount_cents) "
        "FROM credit_entry e WHERE e.invoice_id = i.id AND e.kind = 'Applied to invoice'), 0)"
    )
    assert uncovered == []


def test_invoice_numbers_have_no_gaps(demo: str) -> None:
    by_year: dict[int, list[int]] = {}
    for (number,) in rows("SELECT number FROM invoice"):
        _, year, sequence = number.split("-")
        by_year.setdefault(int(year), []).append(int(sequence))
    assert dt.date(2026, 3, 14).year in by_year
    for year, sequences in by_year.items():
        assert sorted(sequences) == list(range(1, len(sequences) + 1)), year
        sequence_row = NumberSequence.get(NumberSequence.name == f"invoice-{year}")
        assert sequence_row.next_value == len(sequences) + 1


def test_numbers_start_where_the_desk_starts_them(demo: str) -> None:
    assert rows("SELECT MIN(number) FROM client")[0][0] == 1001
    assert rows("SELECT MIN(number) FROM ticket")[0][0] == 20001
    assert rows('SELECT MIN(number) FROM "order"')[0][0] == 5001


def test_tickets_say_when_they_were_last_active_and_who_waits(demo: str) -> None:
    now = dt.datetime(2026, 3, 14, 9, 30)
    messages: dict[object, list[tuple[dt.datetime, str]]] = {}
    for message in Message.select(Message.ticket, Message.created_at, Message.kind):
        messages.setdefault(message.ticket_id, []).append((message.created_at, message.kind))
    for ticket in Ticket.select():
        conversation = sorted(messages[ticket.id])
        assert ticket.last_activity_at == conversation[-1][0] <= now
        assert ticket.created_at == conversation[0][0]
        waiting = None
        for at, kind in conversation:
            if kind == "reply":
                waiting = None
            elif kind == "client" and waiting is None:
                waiting = at
        if ticket.status == "Completed":
            waiting = None
        assert ticket.waiting_since == waiting, ticket.number
    customer_reply = Ticket.select().where(Ticket.status == TicketStatus.CUSTOMER_REPLY)
    assert all(ticket.waiting_since is not None for ticket in customer_reply)


def test_seeding_appends_clients_with_contacts_and_search_documents(desk: str) -> None:
    calls: list[tuple[int, int]] = []
    safety = None if is_postgres() else rows("PRAGMA synchronous")
    assert seed_clients(300, lambda done, total: calls.append((done, total)), batch_size=120) == 300
    assert safety is None or rows("PRAGMA synchronous") == safety  # bulk settings undone
    assert calls == [(120, 300), (240, 300), (300, 300)]
    assert seed_clients(200, seed=8) == 200

    assert Client.select().count() == 500
    assert [n for (n,) in rows("SELECT number FROM client ORDER BY number")] == list(
        range(1001, 1501)
    )
    assert (
        rows(
            "SELECT COUNT(*) FROM client c WHERE NOT EXISTS "
            "(SELECT 1 FROM contact k WHERE k.client_id = c.id)"
        )[0][0]
        == 0
    )
    assert (
        rows(
            "SELECT COUNT(*) FROM client c WHERE NOT EXISTS (SELECT 1 FROM contact k "
            "WHERE k.client_id = c.id AND k.is_billing = ?)",
            True,
        )[0][0]
        == 0
    )
    assert rows("SELECT COUNT(*) FROM service")[0][0] > 100

    # The documents the seeding wrote are the ones the migration's triggers would write (the
    # words, that is: the document expression aggregates contacts in no particular order).
    def documents() -> list[tuple[object, list[str]]]:
        found = rows("SELECT client_id, document FROM client_search ORDER BY client_id")
        return [(client_id, sorted(document.split())) for client_id, document in found]

    before = documents()
    assert len(before) == 500
    db.execute_sql("UPDATE client SET first_name = first_name")
    assert documents() == before

    second = Contact.select().order_by(Contact.id.desc()).first()
    key = Client._meta.primary_key.db_value(second.client_id)
    document = rows("SELECT document FROM client_search WHERE client_id = ?", key)[0][0]
    assert second.email.lower() in document
    if is_postgres():
        found = rows(
            "SELECT client_id FROM client_search WHERE document LIKE ?", f"%{second.email.lower()}%"
        )
    else:
        found = rows(
            "SELECT s.client_id FROM client_search_fts f JOIN client_search s "
            "ON s.rowid = f.rowid WHERE client_search_fts MATCH ?",
            f'"{second.email.lower()}"',
        )
    assert second.client_id in {uuid.UUID(str(client_id)) for (client_id,) in found}

    # The triggers are back for everyone else's writes.
    Contact.create(
        client=second.client_id,
        first_name="Late",
        last_name="Addition",
        email="late.addition@example.net",
    )
    document = rows("SELECT document FROM client_search WHERE client_id = ?", key)[0][0]
    assert "late.addition@example.net" in document


def test_seeding_nothing_does_nothing(desk: str) -> None:
    assert seed_clients(0) == 0
    assert not Client.select().exists()
