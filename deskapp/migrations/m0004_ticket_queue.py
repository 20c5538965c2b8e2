"""The ticket queue: indexes for every view, narrowing and sort of deskapp.services.tickets,
the ticket search index, and credit_entry(created_at, id) for the ledger's pages.

Queue indexes (each sort walks one of them in order and stops at the page's last row):
- Open tickets (status other than Completed, a small share of a big desk) have partial indexes
  per sort: (last_activity_at, id, …), (created_at, id, …), and the waiting ones
  (waiting_since, id, …).
- Completed tickets (most of a big desk) are walked through (status, sort, id, …), or through
  (assignee_id, status, sort, id, …) / (department_id, status, sort, id, …) when the queue is
  narrowed to a person or a department. These replace the release-1 indexes without the id.
Every one also holds the columns the queue narrows by (status, assignee, department, priority),
so a walk that skips many rows checks them in the index and never reads the table for them.

The search document is the ticket's subject and its client's name and company, lower-cased, one
row per ticket in `ticket_search`, kept current by triggers and indexed by FTS5 trigrams on
SQLite and pg_trgm on PostgreSQL (as migration 0002 does for clients).
"""

from __future__ import annotations

import peewee

from deskapp.models.tickets import OPEN_TICKETS as OPEN
from deskapp.models.tickets import WAITING_TICKETS as WAITING

INDEXES = (
    ("ticket_open_activity", "last_activity_at, id, status, assignee_id, department_id, "
     "priority, waiting_since", OPEN),
    ("ticket_open_age", "created_at, id, status, assignee_id, department_id, priority", OPEN),
    ("ticket_waiting", "waiting_since, id, status, assignee_id, department_id, priority", WAITING),
    ("ticket_status_activity", "status, last_activity_at, id, assignee_id, department_id, "
     "priority", ""),
    ("ticket_assignee_activity", "assignee_id, status, last_activity_at, id, department_id, "
     "priority", ""),
    ("ticket_department_activity", "department_id, status, last_activity_at, id, assignee_id, "
     "priority", ""),
    ("ticket_status_age", "status, created_at, id, assignee_id, department_id, priority", ""),
    ("ticket_assignee_age", "assignee_id, status, created_at, id, department_id, priority", ""),
    ("ticket_department_age", "department_id, status, created_at, id, assignee_id, priority", ""),
    ("credit_entry_created_at_id", "created_at, id", ""),
)  # fmt: skip
"""(name, columns, partial-index condition) on the table the name starts with."""
REPLACED = (
    "ticket_status_last_activity_at",
    "ticket_assignee_id_status_last_activity_at",
    "ticket_department_id_status_last_activity_at",
)
"""Release-1 queue indexes that the ones above (with the id, for ties) make redundant."""

DOCUMENT = "lower(t.subject || ' ' || c.company || ' ' || c.first_name || ' ' || c.last_name)"
"""A ticket's search document (from `ticket t JOIN client c`)."""
NAME_CHANGED = (
    "old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name "
    "OR old.company IS NOT new.company"
)


def _refresh(condition: str, conflict: str = "ON CONFLICT (ticket_id)") -> str:
    return (
        f"INSERT INTO ticket_search (ticket_id, document) SELECT t.id, {DOCUMENT} "
        f"FROM ticket t JOIN client c ON c.id = t.client_id WHERE {condition} "
        f"{conflict} DO UPDATE SET document = excluded.document;"
    )


def _sqlite(database: peewee.Database) -> None:
    statements = [
        "CREATE TABLE ticket_search (ticket_id TEXT NOT NULL PRIMARY KEY "
        "REFERENCES ticket (id) ON DELETE CASCADE, document TEXT NOT NULL)",
        "CREATE VIRTUAL TABLE ticket_search_fts USING fts5(document, content='ticket_search', "
        "content_rowid='rowid', tokenize='trigram')",
        "CREATE TRIGGER ticket_search_ai AFTER INSERT ON ticket_search BEGIN "
        "INSERT INTO ticket_search_fts (rowid, document) VALUES (new.rowid, new.document); END",
        "CREATE TRIGGER ticket_search_ad AFTER DELETE ON ticket_search BEGIN "
        "INSERT INTO ticket_search_fts (ticket_search_fts, rowid, document) "
        "VALUES ('delete', old.rowid, old.document); END",
        "CREATE TRIGGER ticket_search_au AFTER UPDATE ON ticket_search BEGIN "
        "INSERT INTO ticket_search_fts (ticket_search_fts, rowid, document) "
        "VALUES ('delete', old.rowid, old.document); "
        "INSERT INTO ticket_search_fts (rowid, document) VALUES (new.rowid, new.document); END",
        f"CREATE TRIGGER ticket_ai_search AFTER INSERT ON ticket BEGIN "
        f"{_refresh('t.id = new.id')} END",
        "CREATE TRIGGER ticket_au_search AFTER UPDATE OF subject, client_id ON ticket "
        "WHEN old.subject IS NOT new.subject OR old.client_id IS NOT new.client_id "
        f"BEGIN {_refresh('t.id = new.id')} END",
        "CREATE TRIGGER client_au_ticket_search AFTER UPDATE OF first_name, last_name, company "
        f"ON client WHEN {NAME_CHANGED} BEGIN {_refresh('t.client_id = new.id')} END",
        f"INSERT INTO ticket_search (ticket_id, document) SELECT t.id, {DOCUMENT} "
        "FROM ticket t JOIN client c ON c.id = t.client_id",
    ]
    for statement in statements:
        database.execute_sql(statement)


def _postgres(database: peewee.Database) -> None:
    statements = [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE ticket_search (ticket_id UUID NOT NULL PRIMARY KEY "
        "REFERENCES ticket (id) ON DELETE CASCADE, document TEXT NOT NULL)",
        "CREATE INDEX ticket_search_trgm ON ticket_search USING gin (document gin_trgm_ops)",
        f"""CREATE FUNCTION ticket_search_trigger() RETURNS trigger AS $$
        BEGIN
          IF TG_TABLE_NAME = 'client' THEN
            {_refresh("t.client_id = NEW.id")}
          ELSE
            {_refresh("t.id = NEW.id")}
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket "
        "FOR EACH ROW EXECUTE FUNCTION ticket_search_trigger()",
        "CREATE TRIGGER ticket_search_update AFTER UPDATE OF subject, client_id ON ticket "
        "FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject "
        "OR OLD.client_id IS DISTINCT FROM NEW.client_id) "
        "EXECUTE FUNCTION ticket_search_trigger()",
        "CREATE TRIGGER client_ticket_search AFTER UPDATE OF first_name, last_name, company "
        "ON client FOR EACH ROW WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name "
        "OR OLD.last_name IS DISTINCT FROM NEW.last_name "
        "OR OLD.company IS DISTINCT FROM NEW.company) "
        "EXECUTE FUNCTION ticket_search_trigger()",
        f"INSERT INTO ticket_search (ticket_id, document) SELECT t.id, {DOCUMENT} "
        "FROM ticket t JOIN client c ON c.id = t.client_id",
    ]
    for statement in statements:
        database.execute_sql(statement)


def up(database: peewee.Database, backend: str) -> None:
    for name in REPLACED:
        database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for name, columns, condition in INDEXES:
        table = "credit_entry" if name.startswith("credit_entry") else "ticket"
        where = f" WHERE {condition}" if condition else ""
        database.execute_sql(f'CREATE INDEX "{name}" ON "{table}" ({columns}){where}')
    if backend == "postgresql":
        _postgres(database)
    else:
        _sqlite(database)
