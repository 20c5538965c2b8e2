"""A connection the server cut (pg_terminate_backend on this test's database only) is replaced
at the next unit of work: a read or a new transaction goes through at once; a transaction the
cut interrupted fails with a sentence and saved nothing; a write is never sent twice."""

from __future__ import annotations

import urllib.parse

import pytest
from pg_databases import admin_connection

from deskapp.db import db
from deskapp.db.transaction import write_transaction
from deskapp.errors import DatabaseUnavailable
from deskapp.models import Staff

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def cut_connections(url: str) -> None:
    """Terminate every connection to this test's database (and no other)."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with admin_connection() as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )


def add_staff(username: str) -> None:
    with write_transaction():
        Staff.create(username=username, name=username.title(), email=f"{username}@example.com")


def test_a_read_after_a_cut_goes_through(desk: str) -> None:
    add_staff("ann")
    cut_connections(desk)
    assert Staff.select().count() == 1


def test_a_transaction_after_a_cut_goes_through(desk: str) -> None:
    cut_connections(desk)
    add_staff("ann")
    assert [s.username for s in Staff.select()] == ["ann"]


def test_a_transaction_cut_in_the_middle_says_so_and_saved_nothing(desk: str) -> None:
    with pytest.raises(DatabaseUnavailable, match="nothing of this was saved"):
        with write_transaction():
            Staff.create(username="ann", name="Ann", email="ann@example.com")
            cut_connections(desk)
            Staff.create(username="bob", name="Bob", email="bob@example.com")
    assert Staff.select().count() == 0


def test_a_write_outside_a_transaction_is_not_sent_again(desk: str) -> None:
    cut_connections(desk)
    with pytest.raises(DatabaseUnavailable):
        db.execute_sql("DELETE FROM staff")
    assert Staff.select().count() == 0  # the next statement has a connection again


def test_an_error_of_a_live_server_is_left_as_it_is(desk: str) -> None:
    with pytest.raises(Exception) as raised:
        db.execute_sql("SELECT no_such_column FROM staff")
    assert not isinstance(raised.value, DatabaseUnavailable)
    assert Staff.select().count() == 0
