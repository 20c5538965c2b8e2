"""A guarded ledger: money history outlives its client, and ledger and audit rows are chained.

- credit_entry.client_id may become NULL (ON DELETE SET NULL instead of CASCADE): deleting a
  client detaches its ledger instead of erasing it. Each entry records, once and for good, the
  number of the client whose running balance it belongs to (`client_number`), so a merge can
  move entries to the kept client and each ledger's balance-after chain still reads in order;
  `client_name` keeps the name of a deleted client on its detached entries.
- credit_entry and audit_entry get `chain_seq` and `chain_hash` (deskapp.db.chain), and
  `chain_head` holds each chain's length and newest digest. Existing rows join the chains here,
  in key order.
- On PostgreSQL, triggers refuse what no desk may do whoever asks: rewriting or deleting a
  ledger entry, an audit entry or a payment (only its refund may grow, its invoice be set once,
  its client move with a merge or detach), or changing an issued invoice's number. The owner can
  still disable a trigger, which is why the chains exist. The desk's own login and its GRANTs are
  deskapp.db.roles's, applied by `deskapp db upgrade`.
"""

from __future__ import annotations

import peewee

from deskapp.db import chain

CHAIN_COLUMNS = (
    ("credit_entry", "client_number", "BIGINT NOT NULL DEFAULT 0"),
    ("credit_entry", "client_name", "VARCHAR(300) NOT NULL DEFAULT ''"),
    ("credit_entry", "chain_seq", "BIGINT"),
    ("credit_entry", "chain_hash", "VARCHAR(64)"),
    ("audit_entry", "chain_seq", "BIGINT"),
    ("audit_entry", "chain_hash", "VARCHAR(64)"),
)
"""(table, column, type) added."""

INDEXES = (
    'CREATE UNIQUE INDEX "credit_entry_chain_seq" ON "credit_entry" ("chain_seq")',
    'CREATE INDEX "credit_entry_chain_hash" ON "credit_entry" ("chain_hash")',
    'CREATE INDEX "credit_entry_client_number_id" ON "credit_entry" ("client_number", "id")',
    'CREATE UNIQUE INDEX "audit_entry_chain_seq" ON "audit_entry" ("chain_seq")',
    'CREATE INDEX "audit_entry_chain_hash" ON "audit_entry" ("chain_hash")',
)

SQLITE_CREDIT_ENTRY = (
    'CREATE TABLE "credit_entry_new" ("id" TEXT NOT NULL PRIMARY KEY, '
    '"created_at" DATETIME NOT NULL, "client_id" TEXT, "kind" VARCHAR(24) NOT NULL, '
    '"amount_cents" INTEGER NOT NULL, "balance_after_cents" INTEGER NOT NULL, '
    '"description" TEXT NOT NULL, "invoice_id" TEXT, "reverses_id" TEXT, "staff_id" TEXT, '
    'FOREIGN KEY ("client_id") REFERENCES "client" ("id") ON DELETE SET NULL, '
    'FOREIGN KEY ("invoice_id") REFERENCES "invoice" ("id") ON DELETE SET NULL, '
    'FOREIGN KEY ("reverses_id") REFERENCES "credit_entry_new" ("id") ON DELETE SET NULL, '
    'FOREIGN KEY ("staff_id") REFERENCES "staff" ("id") ON DELETE SET NULL)'
)
"""credit_entry as in 0001, but with a client that may go (SQLite cannot alter a foreign key).
Its reversal key names the new table itself: renaming it to credit_entry renames that too, and
dropping the old table meanwhile (an implicit DELETE while foreign keys are on) cannot clear it."""


def up(database: peewee.Database, backend: str) -> None:
    if backend == "postgresql":
        _detachable_postgres(database)
    else:
        _detachable_sqlite(database)
    for table, column, kind in CHAIN_COLUMNS:
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
    database.execute_sql(
        'UPDATE "credit_entry" SET "client_number" = (SELECT "number" FROM "client" '
        'WHERE "client"."id" = "credit_entry"."client_id")'
    )
    for statement in INDEXES:
        database.execute_sql(statement)
    database.execute_sql(
        'CREATE TABLE "chain_head" ("name" VARCHAR(40) NOT NULL PRIMARY KEY, '
        '"length" BIGINT NOT NULL, "digest" VARCHAR(64) NOT NULL)'
    )
    marks = ", ".join([database.param] * 3)
    for name in chain.CHAINS:
        database.execute_sql(
            f'INSERT INTO "chain_head" ("name", "length", "digest") VALUES ({marks})',
            (name, 0, chain.GENESIS),
        )
    if backend == "postgresql":
        for statement in GUARDS:
            database.execute_sql(statement)
    chain.seal(database)


def _detachable_postgres(database: peewee.Database) -> None:
    database.execute_sql('ALTER TABLE "credit_entry" ALTER COLUMN "client_id" DROP NOT NULL')
    found = database.execute_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'credit_entry'::regclass "
        "AND contype = 'f' AND conkey = ARRAY[(SELECT attnum FROM pg_attribute "
        "WHERE attrelid = 'credit_entry'::regclass AND attname = 'client_id')]::smallint[]"
    ).fetchall()
    for (name,) in found:
        database.execute_sql(f'ALTER TABLE "credit_entry" DROP CONSTRAINT "{name}"')
    database.execute_sql(
        'ALTER TABLE "credit_entry" ADD CONSTRAINT "credit_entry_client_id_fkey" '
        'FOREIGN KEY ("client_id") REFERENCES "client" ("id") ON DELETE SET NULL'
    )


def _detachable_sqlite(database: peewee.Database) -> None:
    indexes = [
        row[0]
        for row in database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'credit_entry' "
            "AND sql IS NOT NULL"
        ).fetchall()
    ]
    columns = (
        '"id", "created_at", "client_id", "kind", "amount_cents", "balance_after_cents", '
        '"description", "invoice_id", "reverses_id", "staff_id"'
    )
    database.execute_sql("PRAGMA defer_foreign_keys = ON")
    database.execute_sql(SQLITE_CREDIT_ENTRY)
    database.execute_sql(
        f'INSERT INTO "credit_entry_new" ({columns}) SELECT {columns} FROM "credit_entry"'
    )
    database.execute_sql('DROP TABLE "credit_entry"')
    database.execute_sql('ALTER TABLE "credit_entry_new" RENAME TO "credit_entry"')
    for statement in indexes:
        database.execute_sql(statement)


_REFUSE = (
    "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = "
    "'deskapp: ' || TG_TABLE_NAME || ' rows are history: ' || {what}"
)


def _function(name: str, body: str) -> str:
    return (
        f'CREATE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $guard$ BEGIN '
        f"{body} END $guard$"
    )


def _kept(*columns: str) -> str:
    """A condition true when any of `columns` changed."""
    return " OR ".join(f'NEW."{c}" IS DISTINCT FROM OLD."{c}"' for c in columns)


def _only_cleared(*columns: str) -> str:
    """A condition true when any of `columns` changed to something other than NULL."""
    return " OR ".join(
        f'(NEW."{c}" IS DISTINCT FROM OLD."{c}" AND NEW."{c}" IS NOT NULL)' for c in columns
    )


_SEALED = 'OLD."chain_hash" IS NOT NULL AND (' + _kept("chain_seq", "chain_hash") + ")"

GUARDS = (
    _function(
        "deskapp_no_delete",
        _REFUSE.format(what="'they are never deleted'") + "; ",
    ),
    _function(
        "deskapp_credit_entry_kept",
        f"IF {_kept('id', 'created_at', 'kind', 'amount_cents', 'balance_after_cents')} "
        f"OR {_kept('description', 'client_number')} "
        f"OR {_only_cleared('invoice_id', 'reverses_id', 'staff_id')} OR ({_SEALED}) THEN "
        + _REFUSE.format(what="'an entry is never rewritten; book a new one'")
        + "; END IF; RETURN NEW; ",
    ),
    _function(
        "deskapp_audit_entry_kept",
        f"IF {_kept('id', 'created_at', 'staff_name', 'action', 'entity', 'entity_id')} "
        f"OR {_kept('summary', 'before', 'after')} OR {_only_cleared('staff_id')} "
        f"OR ({_SEALED}) THEN "
        + _REFUSE.format(what="'the audit log is never rewritten'")
        + "; END IF; RETURN NEW; ",
    ),
    _function(
        "deskapp_payment_kept",
        f"IF {_kept('id', 'created_at', 'gateway', 'method', 'reference', 'amount_cents')} "
        f"OR {_only_cleared('staff_id', 'order_id')} "
        'OR NEW."refunded_cents" < OLD."refunded_cents" '
        'OR NEW."refunded_cents" > NEW."amount_cents" '
        'OR (OLD."invoice_id" IS NOT NULL AND NEW."invoice_id" IS NOT NULL '
        'AND NEW."invoice_id" <> OLD."invoice_id") THEN '
        + _REFUSE.format(
            what="'a payment only gains refunds, an invoice once, or another client by merge'"
        )
        + "; END IF; RETURN NEW; ",
    ),
    _function(
        "deskapp_invoice_number_kept",
        f"IF {_kept('number')} THEN "
        + _REFUSE.format(what="'an issued invoice keeps its number'")
        + "; END IF; RETURN NEW; ",
    ),
    'CREATE TRIGGER "credit_entry_kept" BEFORE UPDATE ON "credit_entry" FOR EACH ROW '
    'EXECUTE FUNCTION "deskapp_credit_entry_kept"()',
    'CREATE TRIGGER "audit_entry_kept" BEFORE UPDATE ON "audit_entry" FOR EACH ROW '
    'EXECUTE FUNCTION "deskapp_audit_entry_kept"()',
    'CREATE TRIGGER "payment_transaction_kept" BEFORE UPDATE ON "payment_transaction" '
    'FOR EACH ROW EXECUTE FUNCTION "deskapp_payment_kept"()',
    'CREATE TRIGGER "invoice_number_kept" BEFORE UPDATE ON "invoice" FOR EACH ROW '
    'EXECUTE FUNCTION "deskapp_invoice_number_kept"()',
    *(
        f'CREATE TRIGGER "{table}_never_deleted" BEFORE DELETE ON "{table}" FOR EACH ROW '
        'EXECUTE FUNCTION "deskapp_no_delete"()'
        for table in ("credit_entry", "audit_entry", "payment_transaction")
    ),
    *(
        f'CREATE TRIGGER "{table}_never_truncated" BEFORE TRUNCATE ON "{table}" '
        'FOR EACH STATEMENT EXECUTE FUNCTION "deskapp_no_delete"()'
        for table in ("credit_entry", "audit_entry", "payment_transaction")
    ),
)
"""PostgreSQL functions and triggers that refuse rewriting history, whoever the user is."""
