"""Indexes for the ranked client lookup: case-insensitive exact and prefix matches on the
client's email, full name, last name and company, a contact's email and a service identifier.

Prefix matches are ranges over lower(column) (`>= q AND < q || U+10FFFF`), so 1- and
2-character queries, too short for trigrams, still walk an index. On PostgreSQL the expressions
use the "C" collation, where byte order is prefix order whatever the database's locale.
"""

from __future__ import annotations

import peewee

INDEXES = (
    ("client_email_lower", "client", "email", "id"),
    ("client_full_name_lower", "client", "first_name || ' ' || last_name", "id"),
    ("client_last_name_lower", "client", "last_name", "id"),
    ("client_company_lower", "client", "company", "id"),
    ("contact_email_lower", "contact", "email", "client_id"),
    ("service_identifier_lower", "service", "identifier", "client_id"),
)
"""(index name, table, expression lower-cased, second column for ordering and covering)."""


def up(database: peewee.Database, backend: str) -> None:
    for name, table, expression, second in INDEXES:
        if backend == "postgresql":
            key = f'(lower({expression}) COLLATE "C")'
        else:
            key = f"lower({expression})"
        database.execute_sql(f"CREATE INDEX {name} ON {table} ({key}, {second})")
