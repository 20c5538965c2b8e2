"""Departments sign their mail (`department.signature`), and a new desk starts usable: General,
Support, Billing and Orders departments and a handful of canned replies, all ordinary rows an
admin edits or deletes like any other (the desk's settings, or `deskapp settings import`).

The starting set is made only on a desk with no departments but Orders (m0006 makes that one)
and no canned replies; a desk already set up, like the demo, only gains the column.
"""

from __future__ import annotations

import json

import peewee

from deskapp import clock
from deskapp.ids import uuid7

SEED_NEW_DESKS = True
"""Whether a new desk gets the starting set; the test suite turns it off to build its own
desks from nothing (tests/conftest.py), as they were before this migration."""

ORDERS = "Orders"
"""The department m0006 makes; kept, never made twice."""

# fmt: off
STARTING_DEPARTMENTS: tuple[tuple[str, int, str, list[dict[str, object]]], ...] = (
    ("General", 0, "Kind regards,\nThe team", []),
    ("Support", 10, "Kind regards,\nThe support team",
     [{"name": "service", "label": "Affected service", "required": False}]),
    ("Billing", 20, "Kind regards,\nThe billing team",
     [{"name": "invoice_number", "label": "Invoice number", "required": False}]),
    (ORDERS, 30, "Kind regards,\nThe orders team", []),
)
"""(name, position, signature, extra fields) of the starting departments."""

STARTING_REPLIES: tuple[tuple[str, str | None, str], ...] = (
    ("Greeting", None,
     "Hello {first_name},\n\nThank you for writing to us about “{subject}”. Your request is "
     "ticket {ticket_number}; we will answer it shortly.\n\n{staff_name}\n"),
    ("We're looking into it", "Support",
     "Hello {first_name},\n\nThank you for your patience. We are looking into ticket "
     "{ticket_number} now and will write again as soon as we know more.\n\n{staff_name}\n"),
    ("Resolved, closing", None,
     "Hello {first_name},\n\nWe believe this is resolved, so we are closing ticket "
     "{ticket_number}. If anything is still wrong, reply to this mail and it opens again.\n\n"
     "{staff_name}\n"),
    ("Invoice copy", "Billing",
     "Hello {first_name},\n\nAs asked, a copy of the invoice is attached to this reply. "
     "Let us know if anything on it looks wrong.\n\n{staff_name}\n"),
    ("Order received", ORDERS,
     "Hello {first_name},\n\nThank you for your order. We have received it and will confirm "
     "the start date once it is approved.\n\n{staff_name}\n"),
)
"""(title, department or None for every department, text) of the starting canned replies."""
# fmt: on


def up(database: peewee.Database, backend: str) -> None:
    database.execute_sql(
        'ALTER TABLE "department" ADD COLUMN "signature" TEXT NOT NULL DEFAULT \'\''
    )
    if SEED_NEW_DESKS and _new_desk(database):
        _starting_set(database)


def _new_desk(database: peewee.Database) -> bool:
    names = {row[0] for row in database.execute_sql('SELECT "name" FROM "department"').fetchall()}
    replies = database.execute_sql('SELECT 1 FROM "canned_reply"').fetchone()
    return names <= {ORDERS} and replies is None


def _starting_set(database: peewee.Database) -> None:
    now, mark = clock.now(), database.param
    ids: dict[str, str] = {}
    for name, position, signature, fields in STARTING_DEPARTMENTS:
        found = database.execute_sql(
            f'SELECT "id" FROM "department" WHERE "name" = {mark}', (name,)
        ).fetchone()
        if found:
            ids[name] = found[0]
            database.execute_sql(
                f'UPDATE "department" SET "signature" = {mark} WHERE "name" = {mark}',
                (signature, name),
            )
            continue
        ids[name] = uuid7().hex
        marks = ", ".join([mark] * 9)
        database.execute_sql(
            'INSERT INTO "department" ("id", "created_at", "version", "updated_at", "name", '
            f'"email", "extra_fields", "sort_order", "signature") VALUES ({marks})',
            (ids[name], now, 1, now, name, "", json.dumps(fields), position, signature),
        )
    for title, department, body in STARTING_REPLIES:
        marks = ", ".join([mark] * 7)
        database.execute_sql(
            'INSERT INTO "canned_reply" ("id", "created_at", "version", "updated_at", "title", '
            f'"body", "department_id") VALUES ({marks})',
            (uuid7().hex, now, 1, now, title, body, ids[department] if department else None),
        )
