"""On PostgreSQL, the desk's own login: `db upgrade` creates it NOLOGIN; once an admin gives it
a password, a desk signed in with it does all its work (credit, invoices, payments, merge,
delete) while the server refuses it rewriting or deleting history and changing the schema.

Roles are cluster-wide: each test names its role uniquely and drops it afterwards.
"""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from ledger_helpers import client, invoice, staff
from psycopg import errors

from deskapp.cli import main
from deskapp.db import close_database, db, open_database
from deskapp.db.roles import desk_role_name, prepare_desk_role, runs_as_owner
from deskapp.errors import ConfigError
from deskapp.models import Client, CreditEntry, PaymentTransaction, Role
from deskapp.services import credit, invoices
from deskapp.services.chain import check_chains
from deskapp.services.client_merge import delete_client, merge_clients
from deskapp.services.integrity import check_ledger

ON_POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

PASSWORD = "desk-login-test"


def _as(url: str, role: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{role}:{PASSWORD}@{host}"))


@pytest.fixture
def role_name() -> Iterator[str]:
    """A desk login of this test's own, dropped after it (with what it was granted)."""
    name = f"deskapp_desk_t{uuid.uuid4().hex[:10]}"
    yield name
    close_database()
    from pg_databases import POSTGRES_ADMIN_URL, admin_connection

    with admin_connection() as admin:
        found = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if not found:
            return
        # Only the databases that granted this login something (`db upgrade` grants CONNECT by
        # name): every database allows CONNECT through PUBLIC, and visiting other workers'
        # databases made DROP OWNED wait on their tests' locks (minutes, under load).
        databases = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'deskapp_test_%%' "
            "AND NOT datistemplate AND EXISTS (SELECT 1 FROM aclexplode(datacl) AS acl "
            "WHERE acl.grantee = (SELECT oid FROM pg_roles WHERE rolname = %s))",
            (name,),
        ).fetchall()
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,)
        )
    for (database,) in databases:
        url = f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{database}"
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(f'DROP OWNED BY "{name}"')
        except psycopg.OperationalError:
            continue  # dropped meanwhile
    with admin_connection() as admin:
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')


@pytest.fixture
def desk_login(desk: str, role_name: str) -> str:
    """The desk's URL signed in as its own login, prepared as `db upgrade` does."""
    prepared = prepare_desk_role(role_name)
    assert (prepared.created, prepared.can_log_in) == (True, False)
    db.execute_sql(f"ALTER ROLE \"{role_name}\" LOGIN PASSWORD '{PASSWORD}'")
    assert prepare_desk_role(role_name) == (role_name, False, True)  # again: grants only
    return _as(desk, role_name)


def _refused(connection: psycopg.Connection, statement: str) -> str:
    with pytest.raises((errors.InsufficientPrivilege, errors.RaiseException)) as refused:
        connection.execute(statement)
    return str(refused.value)


@pytest.mark.postgres
@ON_POSTGRES
def test_the_server_refuses_the_desk_login_rewriting_history(desk: str, desk_login: str) -> None:
    agent = staff(Role.AGENT)
    mina = client()
    credit.add_credit(agent, mina, "20", "Prepayment")
    bill = invoice(agent, mina, 5_000)
    invoices.record_manual_payment(agent, bill.id, "10", "Cash")
    payment = PaymentTransaction.get().id
    close_database()

    with psycopg.connect(desk_login, autocommit=True) as desk_connection:
        assert desk_connection.execute("SELECT current_user").fetchone()[0] != "postgres"
        assert "permission denied" in _refused(
            desk_connection, "UPDATE credit_entry SET amount_cents = amount_cents + 100"
        )
        assert "permission denied" in _refused(desk_connection, "DELETE FROM audit_entry")
        assert "permission denied" in _refused(desk_connection, "DELETE FROM credit_entry")
        assert "never rewritten" in _refused(
            desk_connection, "UPDATE audit_entry SET chain_hash = md5(chain_hash) || md5('x')"
        )
        assert "permission denied" in _refused(
            desk_connection, "UPDATE payment_transaction SET amount_cents = 1"
        )
        assert "refunds" in _refused(
            desk_connection,
            f"UPDATE payment_transaction SET refunded_cents = -1 WHERE id = '{payment}'",
        )
        assert "permission denied" in _refused(desk_connection, "DELETE FROM payment_transaction")
        assert "permission denied" in _refused(desk_connection, "UPDATE invoice SET number = 'X'")
        assert "permission denied" in _refused(desk_connection, "DELETE FROM invoice")
        assert "permission denied" in _refused(desk_connection, "TRUNCATE audit_entry")
        assert "permission denied" in _refused(desk_connection, "CREATE TABLE notes (body text)")
        assert "must be owner" in _refused(
            desk_connection, "ALTER TABLE client ADD COLUMN secret text"
        )
        assert "must be owner" in _refused(desk_connection, "DROP TABLE audit_entry")
        assert "must be owner" in _refused(
            desk_connection, "ALTER TABLE credit_entry DISABLE TRIGGER USER"
        )
        assert "permission denied" in _refused(
            desk_connection, "UPDATE schema_version SET version = 99"
        )


@pytest.mark.postgres
@ON_POSTGRES
def test_a_desk_signed_in_as_its_login_does_all_its_work(desk: str, desk_login: str) -> None:
    close_database()
    open_database(desk_login)
    assert runs_as_owner() is None
    with pytest.raises(ConfigError, match="runs as the database's owner, not as deskapp_desk_t"):
        prepare_desk_role("deskapp_desk")
    agent, admin = staff(Role.AGENT), staff(Role.ADMIN)
    keep, merged, gone = client(), client("Ola"), client("Ben")
    credit.add_credit(agent, merged, "30", "Goodwill")
    covered = invoice(agent, merged, 2_000)
    partly = invoice(agent, gone, 5_000)
    invoices.record_manual_payment(agent, partly.id, "60", "Cash")  # 10.00 over, to credit
    entry = credit.add_credit(agent, keep, "5", "Mistake")
    credit.reverse_entry(admin, entry.id, "Wrong client")

    merge_clients(admin, keep, merged)
    number = Client.get_by_id(gone).number
    delete_client(admin, gone, f"C-{number}")

    assert check_ledger() == []
    assert [report.problem for report in check_chains()] == [None, None]
    assert CreditEntry.select().where(CreditEntry.client.is_null()).count() == 1  # overpaid
    assert Client.get_by_id(keep).credit_cents == 1_000
    assert covered.number  # issued as this login too


@pytest.mark.postgres
@ON_POSTGRES
def test_the_owner_is_warned_about(desk: str) -> None:
    warning = runs_as_owner()
    assert warning is not None and "a superuser" in warning and "(deskapp_desk" in warning


@pytest.mark.postgres
@ON_POSTGRES
def test_db_upgrade_creates_the_configured_login(
    database_url: str,
    role_name: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DESKAPP_DESK_ROLE", role_name)
    assert main(["db", "upgrade", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert f"Created the desk's login {role_name} (NOLOGIN)" in out
    assert f"an admin runs: ALTER ROLE {role_name} LOGIN PASSWORD" in out
    assert main(["db", "upgrade", "--db", database_url]) == 0
    assert f"The desk's login {role_name} has what desks need" in capsys.readouterr().out


def test_a_login_name_that_is_not_plain_is_refused() -> None:
    assert desk_role_name("deskapp_desk") == "deskapp_desk"
    assert desk_role_name(None).startswith("deskapp_desk")  # this session's own (conftest)
    with pytest.raises(ConfigError, match="cannot be the desk's login"):
        desk_role_name('desk"; DROP TABLE client; --')
