"""Orders end to end: product codes and retirement, the Stripe customer kept on the client, an
order's payment attempt (method, PaymentIntent, attempt count, the gateway's last word), Stripe
events applied once, the approval queue's index, and the Orders department every order's ticket
goes to.

Product codes are what people and scripts type (`FIBRE-1G`); existing products get one made
from their name (upper case, words joined by "-", numbered where two would clash).
"""

from __future__ import annotations

import re

import peewee

from deskapp import clock
from deskapp.ids import uuid7

ORDERS_DEPARTMENT = "Orders"
"""Where every order's ticket is filed; created here when a desk has none."""

COLUMNS = (
    ("product", "code", "VARCHAR(40) NOT NULL DEFAULT ''"),
    ("product", "retired", "{bool} NOT NULL DEFAULT {false}"),
    ("client", "stripe_customer_id", "VARCHAR(64) NOT NULL DEFAULT ''"),
    ("order", "payment_method", "VARCHAR(16) NOT NULL DEFAULT ''"),
    ("order", "payment_intent", "VARCHAR(64) NOT NULL DEFAULT ''"),
    ("order", "payment_attempt", "INTEGER NOT NULL DEFAULT 0"),
    ("order", "payment_note", "TEXT NOT NULL DEFAULT ''"),
)
"""(table, column, type) added; {bool}/{false} are the backend's boolean spelling."""

INDEXES = (
    ('CREATE UNIQUE INDEX "product_code" ON "product" ("code")'),
    ('CREATE INDEX "order_status_number" ON "order" ("status", "number")'),
    ('CREATE INDEX "order_payment_intent" ON "order" ("payment_intent")'),
)


def up(database: peewee.Database, backend: str) -> None:
    postgres = backend == "postgresql"
    words = {"bool": "BOOLEAN" if postgres else "INTEGER", "false": "FALSE" if postgres else "0"}
    for table, column, kind in COLUMNS:
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind.format(**words)}')
    _name_products(database)
    for statement in INDEXES:
        database.execute_sql(statement)
    database.execute_sql(
        'CREATE TABLE "payment_event" ("id" VARCHAR(255) NOT NULL PRIMARY KEY, '
        '"created_at" TIMESTAMP NOT NULL, "type" VARCHAR(80) NOT NULL, '
        '"outcome" TEXT NOT NULL)'
    )
    _orders_department(database)


def product_code(name: str) -> str:
    """A code made from a product name: "Fibre 1000" -> "FIBRE-1000" (at most 32 characters)."""
    words = re.findall(r"[A-Za-z0-9]+", name.upper())
    return "-".join(words)[:32].strip("-") or "PRODUCT"


def _name_products(database: peewee.Database) -> None:
    taken: set[str] = set()
    rows = database.execute_sql('SELECT "id", "name" FROM "product" ORDER BY "created_at", "id"')
    for product_id, name in list(rows.fetchall()):
        code, n = product_code(name), 1
        while code in taken:
            n += 1
            code = f"{product_code(name)[:28]}-{n}"
        taken.add(code)
        database.execute_sql(
            f'UPDATE "product" SET "code" = {database.param} WHERE "id" = {database.param}',
            (code, product_id),
        )


def _orders_department(database: peewee.Database) -> None:
    found = database.execute_sql(
        f'SELECT 1 FROM "department" WHERE "name" = {database.param}', (ORDERS_DEPARTMENT,)
    ).fetchone()
    if found:
        return
    now = clock.now()
    marks = ", ".join([database.param] * 8)
    database.execute_sql(
        'INSERT INTO "department" ("id", "created_at", "version", "updated_at", "name", '
        f'"email", "extra_fields", "sort_order") VALUES ({marks})',
        (uuid7().hex, now, 1, now, ORDERS_DEPARTMENT, "", "[]", 30),
    )
