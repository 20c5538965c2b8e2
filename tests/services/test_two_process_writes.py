"""Two desks on one SQLite file at once: a write waits its turn instead of failing with
"database is locked", and every edit lands (each one moves the version by exactly one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deskapp import migrations
from deskapp.db import close_database, open_database
from deskapp.models import AuditEntry, Client, Contact, Staff
from deskapp.services.actors import actor_from
from deskapp.services.clients import ClientForm, create_client
from deskapp.services.contacts import ContactForm, add_contact

ROUNDS = 30
"""Edits of the client, and of the contact, made by each desk."""
WRITER = Path(__file__).parents[1] / "desk_writer.py"


@pytest.fixture
def sqlite_desk(tmp_path: Path, frozen_time: object) -> str:
    """A migrated SQLite file; returns its URL (the test process's connection is closed)."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_database(url)
    migrations.upgrade()
    return url


def test_two_desks_editing_one_client_and_contact_never_see_database_is_locked(
    sqlite_desk: str,
) -> None:
    staff = Staff.create(username="ana", name="Ana Agent", role="agent")
    actor = actor_from(staff)
    mina = create_client(actor, ClientForm("Mina", "Okafor", "mina@example.net"))
    jon = add_contact(actor, mina.id, ContactForm("Jon", "Okafor", "jon@example.net"))
    close_database()

    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    desks = [
        subprocess.Popen(
            [
                sys.executable,
                str(WRITER),
                sqlite_desk,
                str(staff.id),
                str(mina.id),
                str(jon.id),
                str(ROUNDS),
                name,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        for name in ("first", "second")
    ]
    for desk in desks:
        assert desk.stdout is not None and desk.stdout.readline().strip() == "ready"
    for desk in desks:
        assert desk.stdin is not None
        desk.stdin.write("go\n")
        desk.stdin.flush()
    outcomes = []
    for desk in desks:
        out, err = desk.communicate(timeout=300)
        assert desk.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))

    assert [outcome["errors"] for outcome in outcomes] == [[], []]
    assert [outcome["edits"] for outcome in outcomes] == [2 * ROUNDS, 2 * ROUNDS]
    open_database(sqlite_desk)
    client, contact = Client.get_by_id(mina.id), Contact.get_by_id(jon.id)
    assert client.version == mina.version + 2 * ROUNDS
    assert contact.version == jon.version + 2 * ROUNDS
    assert client.notes in (f"first {ROUNDS - 1}", f"second {ROUNDS - 1}")
    edits = AuditEntry.select().where(AuditEntry.action.in_(["client.update", "contact.update"]))
    assert edits.count() == 4 * ROUNDS
