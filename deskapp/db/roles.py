"""The two PostgreSQL logins of a shared desk: the owner, who runs `deskapp db upgrade`, and the
desk's own login, which every desk (and every person's SSH session) uses.

The owner owns the schema and runs migrations. The desk's login, `deskapp_desk` unless
`[database] desk_role` names another, is created by `db upgrade` when missing, NOLOGIN until an
admin gives it a password (`ALTER ROLE deskapp_desk LOGIN PASSWORD '…'`), and is granted what
the desk needs and no more:
- every table: SELECT and INSERT; UPDATE and DELETE on the working tables;
- never UPDATE or DELETE of the ledger (credit_entry), the audit log (audit_entry) or payments
  (payment_transaction), except the columns the desk itself must change: the chain columns a
  new row is sealed with, the client a merge moves an entry or payment to (or a delete detaches
  it from, keeping the name), a payment's refunded amount and the invoice it pays; the guard
  triggers of migration 0007 limit even those (refunds only grow, an invoice is set once);
- never UPDATE of an issued invoice's number, nor DELETE of an invoice;
- SELECT only on schema_version; no CREATE in the schema, no TRUNCATE, REFERENCES or TRIGGER,
  and it owns nothing, so it cannot change the schema.
Grants are applied afresh by every `db upgrade`, so tables a later migration adds are covered.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from deskapp.db import db
from deskapp.errors import ConfigError

DEFAULT_DESK_ROLE = "deskapp_desk"
"""The desk's login when `[database] desk_role` names none."""

ROW_LIMITED = {
    "credit_entry": ("client_id", "client_name", "chain_seq", "chain_hash"),
    "audit_entry": ("chain_seq", "chain_hash"),
    "payment_transaction": ("client_id", "client_name", "invoice_id", "refunded_cents"),
    "chain_head": ("length", "digest"),
}
"""Tables the desk may insert into but update only these columns of, and never delete from."""

NEVER_CHANGED = {"invoice": ("id", "created_at", "number")}
"""Tables the desk updates except these columns, and never deletes from."""

READ_ONLY = ("schema_version",)
"""Tables the desk only reads."""


class DeskRole(NamedTuple):
    """What `db upgrade` did about the desk's login."""

    name: str
    """The role's name."""
    created: bool
    """Whether it was created just now (NOLOGIN: it needs a password before a desk can use it)."""
    can_log_in: bool
    """Whether it has LOGIN already."""


def desk_role_name(configured: str | None) -> str:
    """The desk's login: `configured` (checked to be a plain name) or deskapp_desk."""
    name = (configured or DEFAULT_DESK_ROLE).strip()
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ConfigError(
            f"“{name[:80]}” cannot be the desk's login: use lower-case letters, digits and _ "
            "(such as deskapp_desk)."
        )
    return name


def prepare_desk_role(name: str) -> DeskRole:
    """Create the desk's login if missing (NOLOGIN) and grant it exactly what the desk needs.

    Run as the owner, on PostgreSQL, after migrating; raises ConfigError with a sentence when
    the owner may not create roles."""
    name = desk_role_name(name)
    if _owner_or_superuser() is None:
        user = db.execute_sql("SELECT current_user").fetchone()[0]
        raise ConfigError(
            f"`deskapp db upgrade` runs as the database's owner, not as {user}: a desk's login "
            "cannot change the schema or grant anything."
        )
    found = db.execute_sql(
        f"SELECT rolcanlogin FROM pg_roles WHERE rolname = {db.param}", (name,)
    ).fetchone()
    created = found is None
    if created:
        allowed = db.execute_sql(
            "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
        ).fetchone()[0]
        if not allowed:
            raise ConfigError(
                f"The desk's login {name} does not exist and this login may not create roles: "
                f"ask a database administrator to run CREATE ROLE {name} NOLOGIN, then run "
                "`deskapp db upgrade` again."
            )
    with db.atomic():
        if created:  # another upgrade may create it at the same moment: that is fine
            db.execute_sql(
                f'DO $$ BEGIN CREATE ROLE "{name}" NOLOGIN; '
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        _grant(name)
    return DeskRole(name, created, bool(found and found[0]))


def _grant(role: str) -> None:
    database = db.execute_sql("SELECT current_database()").fetchone()[0]
    quoted = '"' + database.replace('"', '""') + '"'
    db.execute_sql(f'GRANT CONNECT, TEMPORARY ON DATABASE {quoted} TO "{role}"')
    db.execute_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    db.execute_sql(f'GRANT USAGE ON SCHEMA public TO "{role}"')
    tables = [
        row[0]
        for row in db.execute_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    for table in tables:
        db.execute_sql(f'REVOKE ALL ON "{table}" FROM "{role}"')
        db.execute_sql(f'GRANT {_privileges(table)} ON "{table}" TO "{role}"')
    db.execute_sql(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')


def _privileges(table: str) -> str:
    if table in READ_ONLY:
        return "SELECT"
    if table in ROW_LIMITED:
        columns = ", ".join(f'"{c}"' for c in ROW_LIMITED[table])
        return f"SELECT, INSERT, UPDATE ({columns})"
    if table in NEVER_CHANGED:
        kept = NEVER_CHANGED[table]
        columns = ", ".join(
            f'"{row[0]}"'
            for row in db.execute_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                f"'public' AND table_name = {db.param} ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            if row[0] not in kept
        )
        return f"SELECT, INSERT, UPDATE ({columns})"
    return "SELECT, INSERT, UPDATE, DELETE"


def runs_as_owner() -> str | None:
    """A sentence when the open PostgreSQL connection could rewrite history (it owns the schema
    or is a superuser), for `doctor`; None when it is a desk's login."""
    why = _owner_or_superuser()
    if why is None:
        return None
    user = db.execute_sql("SELECT current_user").fetchone()[0]
    return (
        f"this desk signs in as {user}, {why}, who can rewrite the ledger and the audit log; "
        f"desks should sign in as the desk's own login ({DEFAULT_DESK_ROLE} unless "
        "[database] desk_role names another) and leave the owner to `deskapp db upgrade`."
    )


def _owner_or_superuser() -> str | None:
    """ "a superuser" or "the schema's owner" for the connection's login; None for others."""
    user, is_super = db.execute_sql(
        "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    owner = db.execute_sql(
        "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename = 'credit_entry'"
    ).fetchone()
    if is_super:
        return "a superuser"
    if owner and owner[0] == user:
        return "the schema's owner"
    return None
