"""Opening a desk: the database at the right schema, the mode, and who is signed in.

A shared desk (PostgreSQL) never picks or creates anyone: its session needs a sign-in
(`DeskSession.needs_sign_in`; the sign-in screen calls services.staff.authenticate and
`signed_in`), unless it was opened by the SSH entry `deskapp --signed-in-as USER`, where the
person's key already proved who they are. `--staff` only preselects the username there.

A local desk (SQLite file) belongs to whoever can read the file: it opens as the named staff
member (`--staff`), else as the local OS user, who is added as an admin the first time.
"""

from __future__ import annotations

import dataclasses
import getpass
import re
from dataclasses import dataclass

from deskapp import migrations
from deskapp.db import DatabaseInfo, describe, open_database
from deskapp.db.transaction import write_transaction
from deskapp.errors import DeskError, NotFound, PermissionDenied
from deskapp.models import Role, Staff
from deskapp.services import audit
from deskapp.services.actors import Actor, actor_from


class SignInNeeded(DeskError):
    """Something asked who is acting before anyone signed in to a shared desk."""


@dataclass(frozen=True)
class DeskSession:
    """What the app shell shows in its header and passes to every service call."""

    mode: str
    """"local" (SQLite file), "shared" (PostgreSQL) or "replica" (local copy of a shared desk)."""
    database: DatabaseInfo
    """Which database is open, without its password."""
    signed_in_as: Actor | None = None
    """Who is signed in; None until a shared desk's sign-in succeeds."""
    preselect: str = ""
    """The username the sign-in screen offers first (`--staff`); "" for none."""

    @property
    def needs_sign_in(self) -> bool:
        """Whether a person must still sign in (shared desks, before the sign-in screen)."""
        return self.signed_in_as is None

    @property
    def actor(self) -> Actor:
        """The signed-in staff member; SignInNeeded before anyone signed in."""
        if self.signed_in_as is None:
            raise SignInNeeded("Nobody is signed in to this desk yet; sign in first.")
        return self.signed_in_as

    def signed_in(self, actor: Actor) -> DeskSession:
        """This session once `actor` signed in (services.staff.authenticate's answer)."""
        return dataclasses.replace(self, signed_in_as=actor, preselect="")


@dataclass(frozen=True)
class LocalPerson:
    """Who runs a local desk, as the operating system names them."""

    username: str
    """A staff username made from the login name (see services.staff.USERNAME_RULE)."""
    name: str
    """Their full name from the system's user database, else the username."""


def open_desk(
    url: str,
    *,
    staff: str | None = None,
    password: str | None = None,
    create: bool = True,
    signed_in_as: str | None = None,
) -> DeskSession:
    """Open the database, bring an empty one to the current schema, and say who is signed in.

    `staff` preselects the sign-in on a shared desk and names who opens a local one;
    `signed_in_as` is the SSH entry's person, trusted (unknown or disabled: PermissionDenied).
    A database made by an older deskapp must be upgraded with `deskapp db upgrade` first; a newer
    one is refused. Raises ConfigError, NotFound or PermissionDenied with one sentence.
    """
    info = describe(url)
    open_database(url, password=password)
    migrations.ensure_current(create=create)
    mode = "shared" if info.backend == "postgresql" else "local"
    if signed_in_as:
        from deskapp.services.staff import signed_in_by_key  # argon2 loads only where needed

        return DeskSession(mode, info, signed_in_by_key(signed_in_as))
    if mode == "shared":
        return DeskSession(mode, info, None, (staff or "").strip())
    return DeskSession(mode, info, _named(staff) if staff else _local_user(local_person()))


def local_person() -> LocalPerson:
    """The OS user running this process, as a local desk's staff member."""
    login = getpass.getuser()
    username = re.sub(r"[^a-z0-9._-]", "-", login.strip().lower())[:32] or "local"
    if not username[0].isalpha():
        username = f"u{username}"[:32]
    name = ""
    try:
        import pwd

        name = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError):
        pass
    return LocalPerson(username, name or username)


def _named(username: str) -> Actor:
    found = (
        Staff.select()
        .where((Staff.username == username.strip()) & (Staff.active == True))  # noqa: E712
        .first()
    )
    if found is None:
        raise NotFound(f"There is no active staff member called “{username.strip()}”.")
    return actor_from(found)


def _local_user(person: LocalPerson) -> Actor:
    """The local user's staff member, added as an admin the first time this desk sees them."""
    with write_transaction():
        found = Staff.get_or_none(Staff.username == person.username)
        if found is not None:
            if not found.active:
                raise PermissionDenied(
                    f"{person.username} is disabled on this desk; "
                    "open it with --staff as another admin to enable them."
                )
            return actor_from(found)
        actor = actor_from(
            Staff.create(username=person.username, name=person.name, role=Role.ADMIN)
        )
        summary = f"Added the local user {person.username} as an admin on first start."
        audit.record(actor, "staff added", "staff", actor.id, summary, None, {"role": "admin"})
        return actor
