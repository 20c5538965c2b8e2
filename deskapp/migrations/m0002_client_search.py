"""The client search index: one lower-cased document per client (names, company, emails and
phones of the client and its contacts, service identifiers, the client number), kept current by
triggers and indexed by FTS5 trigrams on SQLite and pg_trgm on PostgreSQL."""

from __future__ import annotations

import peewee

SQLITE_DOCUMENT = """lower('C-' || c.number || ' ' || c.first_name || ' ' || c.last_name || ' '
  || c.company || ' ' || c.email || ' ' || c.phone || ' '
  || coalesce((SELECT group_concat(k.first_name || ' ' || k.last_name || ' ' || k.email || ' '
       || k.phone, ' ') FROM contact k WHERE k.client_id = c.id), '') || ' '
  || coalesce((SELECT group_concat(s.identifier, ' ') FROM service s
       WHERE s.client_id = c.id), ''))"""

POSTGRES_DOCUMENT = SQLITE_DOCUMENT.replace("group_concat(", "string_agg(")


def _sqlite_refresh(client_id: str) -> str:
    return (
        f"INSERT INTO client_search (client_id, document) SELECT c.id, {SQLITE_DOCUMENT} "
        f"FROM client c WHERE c.id = {client_id} "
        "ON CONFLICT (client_id) DO UPDATE SET document = excluded.document;"
    )


def _sqlite(database: peewee.Database) -> None:
    statements = [
        "CREATE TABLE client_search (client_id TEXT NOT NULL PRIMARY KEY "
        "REFERENCES client (id) ON DELETE CASCADE, document TEXT NOT NULL)",
        "CREATE VIRTUAL TABLE client_search_fts USING fts5(document, content='client_search', "
        "content_rowid='rowid', tokenize='trigram')",
        "CREATE TRIGGER client_search_ai AFTER INSERT ON client_search BEGIN "
        "INSERT INTO client_search_fts (rowid, document) VALUES (new.rowid, new.document); END",
        "CREATE TRIGGER client_search_ad AFTER DELETE ON client_search BEGIN "
        "INSERT INTO client_search_fts (client_search_fts, rowid, document) "
        "VALUES ('delete', old.rowid, old.document); END",
        "CREATE TRIGGER client_search_au AFTER UPDATE ON client_search BEGIN "
        "INSERT INTO client_search_fts (client_search_fts, rowid, document) "
        "VALUES ('delete', old.rowid, old.document); "
        "INSERT INTO client_search_fts (rowid, document) VALUES (new.rowid, new.document); END",
        f"CREATE TRIGGER client_ai_search AFTER INSERT ON client BEGIN "
        f"{_sqlite_refresh('new.id')} END",
        f"CREATE TRIGGER client_au_search AFTER UPDATE OF number, first_name, last_name, company, "
        f"email, phone ON client BEGIN {_sqlite_refresh('new.id')} END",
    ]
    for table, columns in (
        ("contact", "client_id, first_name, last_name, email, phone"),
        ("service", "client_id, identifier"),
    ):
        statements += [
            f"CREATE TRIGGER {table}_ai_search AFTER INSERT ON {table} BEGIN "
            f"{_sqlite_refresh('new.client_id')} END",
            f"CREATE TRIGGER {table}_au_search AFTER UPDATE OF {columns} ON {table} BEGIN "
            f"{_sqlite_refresh('old.client_id')} {_sqlite_refresh('new.client_id')} END",
            f"CREATE TRIGGER {table}_ad_search AFTER DELETE ON {table} BEGIN "
            f"{_sqlite_refresh('old.client_id')} END",
        ]
    statements.append(
        f"INSERT INTO client_search (client_id, document) SELECT c.id, {SQLITE_DOCUMENT} "
        "FROM client c"
    )
    for statement in statements:
        database.execute_sql(statement)


def _postgres(database: peewee.Database) -> None:
    statements = [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE client_search (client_id UUID NOT NULL PRIMARY KEY "
        "REFERENCES client (id) ON DELETE CASCADE, document TEXT NOT NULL)",
        "CREATE INDEX client_search_trgm ON client_search USING gin (document gin_trgm_ops)",
        f"""CREATE FUNCTION refresh_client_search(target UUID) RETURNS void AS $$
        BEGIN
          INSERT INTO client_search (client_id, document)
          SELECT c.id, {POSTGRES_DOCUMENT} FROM client c WHERE c.id = target
          ON CONFLICT (client_id) DO UPDATE SET document = excluded.document;
        END $$ LANGUAGE plpgsql""",
        """CREATE FUNCTION client_search_trigger() RETURNS trigger AS $$
        BEGIN
          IF TG_TABLE_NAME = 'client' THEN
            PERFORM refresh_client_search(NEW.id);
            RETURN NULL;
          END IF;
          IF TG_OP <> 'INSERT' THEN PERFORM refresh_client_search(OLD.client_id); END IF;
          IF TG_OP <> 'DELETE' THEN PERFORM refresh_client_search(NEW.client_id); END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql""",
        "CREATE TRIGGER client_search_refresh AFTER INSERT OR UPDATE OF number, first_name, "
        "last_name, company, email, phone ON client "
        "FOR EACH ROW EXECUTE FUNCTION client_search_trigger()",
        "CREATE TRIGGER contact_search_refresh AFTER INSERT OR DELETE OR UPDATE OF client_id, "
        "first_name, last_name, email, phone ON contact "
        "FOR EACH ROW EXECUTE FUNCTION client_search_trigger()",
        "CREATE TRIGGER service_search_refresh AFTER INSERT OR DELETE OR UPDATE OF client_id, "
        "identifier ON service FOR EACH ROW EXECUTE FUNCTION client_search_trigger()",
        f"INSERT INTO client_search (client_id, document) SELECT c.id, {POSTGRES_DOCUMENT} "
        "FROM client c",
    ]
    for statement in statements:
        database.execute_sql(statement)


def up(database: peewee.Database, backend: str) -> None:
    if backend == "postgresql":
        _postgres(database)
    else:
        _sqlite(database)
