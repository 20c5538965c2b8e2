"""A second desk process for the two-process SQLite write test.

As a script it is one desk editing a client and a contact for a number of rounds::

    python tests/desk_writer.py sqlite:///…/desk.db STAFF_ID CLIENT_ID CONTACT_ID ROUNDS NAME

It connects, prints "ready", waits for a line on stdin, then edits: each round changes the
client's notes and the contact's position, reading the version anew and trying again whenever
the other desk changed it first (Conflict), so every edit lands. It prints one JSON line: how
many edits landed, how many conflicts it met, and any other error as its text.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable


def main(url: str, staff_id: str, client_id: str, contact_id: str, rounds: str, name: str) -> int:
    """Edit the client and the contact `rounds` times each, started by a line on stdin."""
    from deskapp.db import close_database, open_database
    from deskapp.errors import Conflict
    from deskapp.models import Staff
    from deskapp.services.actors import actor_from
    from deskapp.services.clients import ClientForm, get_client, update_client
    from deskapp.services.contacts import ContactForm, get_contact, update_contact

    open_database(url)
    actor = actor_from(Staff.get_by_id(uuid.UUID(staff_id)))
    client, contact = uuid.UUID(client_id), uuid.UUID(contact_id)
    print("ready", flush=True)
    sys.stdin.readline()
    outcome: dict[str, object] = {"edits": 0, "conflicts": 0, "errors": []}

    def until_it_lands(edit: Callable[[str], object], note: str) -> None:
        while True:
            try:
                edit(note)
            except Conflict:
                outcome["conflicts"] = int(str(outcome["conflicts"])) + 1
                continue
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails on it
                errors = outcome["errors"]
                assert isinstance(errors, list)
                errors.append(f"{type(error).__name__}: {error}")
                return
            outcome["edits"] = int(str(outcome["edits"])) + 1
            return

    def edit_client(note: str) -> object:
        profile = get_client(client)
        form = ClientForm(profile.first_name, profile.last_name, profile.email, notes=note)
        return update_client(actor, client, profile.version, form)

    def edit_contact(note: str) -> object:
        current = get_contact(contact)
        form = ContactForm(current.first_name, current.last_name, current.email, position=note)
        return update_contact(actor, contact, current.version, form)

    for round_number in range(int(rounds)):
        until_it_lands(edit_client, f"{name} {round_number}")
        until_it_lands(edit_contact, f"{name} {round_number}")
    close_database()
    print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
