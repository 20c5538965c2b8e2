"""The people who work the desk: adding them, their passwords, roles and access, and signing in.

Signing in checks an argon2id hash (deskapp.passwords). After a failed attempt for a username
the next one waits: 1 second after the first failure, doubling with each further one up to
MAX_PAUSE, until a success. The count is read from the audit log's sign-in entries (append-only,
shared by every desk process), so the pause holds across processes and restarts without a
column anyone could reset. An unknown username and a wrong password answer the same sentence
and take as long. No password is ever stored, logged, audited or returned.

`actor` None means the command line (`deskapp staff ...`), run by whoever holds the database's
login; from a desk, managing staff is for admins, whose role and `active` are read in the same
transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass

from deskapp import clock, passwords
from deskapp.db import db as database
from deskapp.db import feed, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, Entity, Role, Staff
from deskapp.services import audit
from deskapp.services.actors import Actor, actor_from
from deskapp.services.rights import Right, acting
from deskapp.wording import counted

__all__ = [
    "MAX_PAUSE",
    "USERNAME_RULE",
    "SignInRefused",
    "StaffMember",
    "add_staff",
    "authenticate",
    "get_staff",
    "has_staff",
    "list_staff",
    "set_active",
    "set_password",
    "set_role",
    "sign_in_pause",
    "signed_in_by_key",
]

USERNAME_RULE = re.compile(r"[a-z][a-z0-9._-]{0,31}")
"""A username: a lower-case letter, then up to 31 of a-z 0-9 . _ - (safe in an SSH command)."""
MAX_PAUSE = dt.timedelta(minutes=5)
"""The longest wait between sign-in attempts for one username."""
WRONG = "Wrong username or password."
"""The one answer to an unknown username, a wrong password, or a disabled person."""

SIGN_IN = "sign-in"
"""The audit entity of sign-in attempts; entity_id is the username tried."""
FAILED, SIGNED_IN, PAUSED = "sign-in failed", "signed in", "sign-in paused"
BY_KEY, KEY_REFUSED = "signed in by key", "key sign-in refused"


class SignInRefused(DeskError):
    """Wrong username or password, or still waiting after earlier failures."""

    def __init__(self, message: str, wait_seconds: int = 0) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds
        """How long until the next attempt is heard (0: try again now)."""


@dataclass(frozen=True)
class StaffMember:
    """A staff member as the staff list and `deskapp staff list` show them."""

    id: uuid.UUID
    """The staff row's key."""
    username: str
    """What they sign in with."""
    name: str
    """Their display name."""
    email: str
    """Where the desk writes to them ("" for none)."""
    role: str
    """"agent" or "admin" (Role)."""
    active: bool
    """False once disabled: they can no longer sign in or act."""
    has_password: bool
    """Whether a password is set (someone signing in only by SSH key may have none)."""
    created_at: dt.datetime
    """When they were added."""


def _member(row: Staff) -> StaffMember:
    return StaffMember(
        id=row.id,
        username=row.username,
        name=row.name,
        email=row.email,
        role=row.role,
        active=bool(row.active),
        has_password=bool(row.password_hash),
        created_at=row.created_at,
    )


def has_staff() -> bool:
    """Whether the desk has anyone at all (a new shared desk has nobody until `staff add`)."""
    return Staff.select().exists()


def list_staff(
    *,
    include_disabled: bool = True,
    after: StaffMember | None = None,
    limit: int | None = None,
) -> list[StaffMember]:
    """Everyone by username, the page after `after` (keyset paging; `limit` None: all the
    rest); disabled people too unless `include_disabled` is False."""
    query = Staff.select().order_by(Staff.username)
    if not include_disabled:
        query = query.where(Staff.active == True)  # noqa: E712 - peewee expression
    if after is not None:
        query = query.where(Staff.username > after.username)
    if limit is not None:
        query = query.limit(limit)
    return [_member(row) for row in query]


def get_staff(username: str) -> StaffMember:
    """The staff member called `username`; NotFound otherwise."""
    return _member(_find(username))


def add_staff(
    actor: Actor | None,
    username: str,
    role: str,
    *,
    name: str = "",
    email: str = "",
    password: str | None = None,
) -> StaffMember:
    """Add a staff member (with a password, or none for someone who signs in by SSH key)."""
    username = check_username(username)
    role = _role(role)
    name = " ".join(name.split()) or username
    email = email.strip()
    if len(name) > 120:
        raise ValidationError("name", "A name has at most 120 characters.")
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        raise ValidationError("email", f"“{email[:60]}” is not an email address.")
    if password is not None:
        passwords.check_rules(username, password)
    hashed = passwords.hash_password(password) if password is not None else ""
    with _managing(actor):
        if Staff.select().where(Staff.username == username).exists():
            raise Conflict(f"There is already a staff member called “{username}”.")
        row = Staff.create(
            username=username, name=name, email=email, role=role, password_hash=hashed
        )
        after = {"username": username, "name": name, "email": email, "role": role}
        audit.record(
            actor, "staff added", "staff", row.id, f"Added {role} {username}.", None, after
        )
        feed.publish(Entity.STAFF, row.id, "created")
        return _member(row)


def set_password(actor: Actor | None, username: str, password: str) -> StaffMember:
    """Set `username`'s password: an admin for anyone, anyone for themselves."""
    passwords.check_rules(username, password)
    hashed = passwords.hash_password(password)
    with _managing(actor, unless_self=username):
        row = _find(username, lock=True)
        if actor is not None and actor.id == row.id:
            _require_active(actor)
        row.password_hash = hashed
        _save(row)
        audit.record(actor, "password set", "staff", row.id, f"Set the password of {username}.")
        feed.publish(Entity.STAFF, row.id, "updated")
        return _member(row)


def set_active(actor: Actor | None, username: str, active: bool) -> StaffMember:
    """Disable (they can no longer sign in or act) or enable `username` again."""
    with _managing(actor):
        row = _find(username, lock=True)
        if bool(row.active) == active:
            return _member(row)
        if not active and actor is not None and actor.id == row.id:
            raise Conflict("You cannot disable yourself; ask another admin.")
        if not active and row.role == Role.ADMIN:
            _keep_an_admin(row)
        row.active = active
        _save(row)
        what = "staff enabled" if active else "staff disabled"
        summary = f"{'Enabled' if active else 'Disabled'} {username}."
        audit.record(
            actor, what, "staff", row.id, summary, {"active": not active}, {"active": active}
        )
        feed.publish(Entity.STAFF, row.id, "updated")
        return _member(row)


def set_role(actor: Actor | None, username: str, role: str) -> StaffMember:
    """Make `username` an agent or an admin (the desk always keeps one active admin)."""
    role = _role(role)
    with _managing(actor):
        row = _find(username, lock=True)
        before = row.role
        if before == role:
            return _member(row)
        if before == Role.ADMIN and row.active:
            _keep_an_admin(row)
        row.role = role
        _save(row)
        summary = f"Made {username} an {role} (was {before})."
        audit.record(
            actor, "role changed", "staff", row.id, summary, {"role": before}, {"role": role}
        )
        feed.publish(Entity.STAFF, row.id, "updated")
        return _member(row)


def sign_in_pause(username: str) -> int:
    """Seconds until an attempt for `username` is heard (0: now), for a screen to say so."""
    return _seconds(_paused_until(_attempt_key(username)) - clock.now())


def authenticate(username: str, password: str) -> Actor:
    """The active staff member `username` if `password` is theirs; SignInRefused otherwise.

    Every attempt is audited (the password never is); a refused one is committed before the
    error is raised. Attempts for one username are taken one at a time across processes.
    """
    key = _attempt_key(username)
    with write_transaction():
        _one_attempt_at_a_time(key)
        wait = _seconds(_paused_until(key) - clock.now())
        if wait:
            audit.record(None, PAUSED, SIGN_IN, key, f"Sign-in as “{key}” tried during its pause.")
            refused = SignInRefused(_paused(wait), wait)
        else:
            row = Staff.get_or_none(Staff.username == username.strip())
            matches = passwords.verify_password(row.password_hash if row else "", password)
            if row is not None and matches and row.active:
                if passwords.needs_rehash(row.password_hash):
                    Staff.update(password_hash=passwords.hash_password(password)).where(
                        Staff.id == row.id
                    ).execute()
                actor = actor_from(row)
                audit.record(actor, SIGNED_IN, SIGN_IN, key, f"{row.username} signed in.")
                return actor
            why = "disabled" if row is not None and matches else "wrong username or password"
            audit.record(None, FAILED, SIGN_IN, key, f"Failed sign-in as “{key}”: {why}.")
            wait = _seconds(_paused_until(key) - clock.now())
            refused = SignInRefused(_wrong(wait), wait)
    raise refused


def signed_in_by_key(username: str) -> Actor:
    """The SSH entry (`deskapp --signed-in-as USER`): the key proved who; refuse the unknown or
    disabled with a sentence. Audited like any sign-in."""
    key = _attempt_key(username)
    with write_transaction():
        row = Staff.get_or_none(Staff.username == username.strip())
        if row is None or not row.active:
            why = "unknown" if row is None else "disabled"
            audit.record(None, KEY_REFUSED, SIGN_IN, key, f"Key sign-in as “{key}” refused: {why}.")
            refused = (
                f"There is no staff member called “{key}”."
                if row is None
                else f"{row.username} is disabled; an admin can enable them again."
            )
        else:
            actor = actor_from(row)
            audit.record(actor, BY_KEY, SIGN_IN, key, f"{row.username} signed in by SSH key.")
            return actor
    raise PermissionDenied(refused)


def check_username(username: str) -> str:
    """`username` trimmed, if it follows USERNAME_RULE; ValidationError("username") otherwise."""
    username = username.strip()
    if not USERNAME_RULE.fullmatch(username):
        raise ValidationError(
            "username",
            f"“{username[:40]}” is not a username: start with a lower-case letter, then up to "
            "31 lower-case letters, digits, dots, dashes or underscores.",
        )
    return username


def _role(role: str) -> str:
    try:
        return str(Role(role.strip().lower()))
    except ValueError:
        raise ValidationError("role", f"“{role[:20]}” is not a role: agent or admin.") from None


def _find(username: str, *, lock: bool = False) -> Staff:
    query = Staff.select().where(Staff.username == username.strip())
    if lock and is_postgres():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(f"There is no staff member called “{username.strip()[:40]}”.")
    return row


def _save(row: Staff) -> None:
    row.version += 1
    row.updated_at = clock.now()
    row.save()


def _require_active(actor: Actor) -> Staff:
    row = Staff.get_or_none(Staff.id == actor.id)
    if row is None or not row.active:
        raise PermissionDenied("Your account is disabled; ask an admin.")
    return row


def _managing(actor: Actor | None, unless_self: str = "") -> AbstractContextManager[object]:
    """The transaction of a change to staff: the right to manage staff is checked in it (read
    now from the database, a refusal audited), except for the command line (`actor` None: the
    host's own account, which makes the first admin) and a person changing their own password
    (`unless_self`, their username)."""
    if actor is None or (unless_self and actor.username == unless_self.strip()):
        return write_transaction()
    return acting(actor, Right.MANAGE_STAFF)


def _keep_an_admin(leaving: Staff) -> None:
    others = Staff.select().where(
        (Staff.role == Role.ADMIN) & (Staff.active == True) & (Staff.id != leaving.id)  # noqa: E712
    )
    if not others.exists():
        raise Conflict(f"{leaving.username} is the last active admin; make another admin first.")


def _attempt_key(username: str) -> str:
    """The audit's entity_id for attempts as `username` (the column holds 40 characters)."""
    return username.strip()[:40]


def _one_attempt_at_a_time(key: str) -> None:
    """On PostgreSQL a lock per username for this transaction; SQLite's write lock already
    serializes every writer (write_transaction takes it at BEGIN)."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"sign-in:{key}",))


def _paused_until(key: str) -> dt.datetime:
    """When the pause after the failures since the last success ends (the past: no pause)."""
    doublings = int(math.log2(MAX_PAUSE.total_seconds())) + 2
    recent = (
        AuditEntry.select(AuditEntry.action, AuditEntry.created_at)
        .where(
            (AuditEntry.entity == SIGN_IN)
            & (AuditEntry.entity_id == key)
            & AuditEntry.action.in_((FAILED, SIGNED_IN, BY_KEY))
        )
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(doublings)
    )
    failures, last_failure = 0, None
    for entry in recent:
        if entry.action != FAILED:
            break
        failures += 1
        last_failure = last_failure or entry.created_at
    if last_failure is None:
        return dt.datetime.min
    pause = min(dt.timedelta(seconds=2 ** (failures - 1)), MAX_PAUSE)
    return last_failure + pause


def _seconds(delta: dt.timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))


def _wrong(wait: int) -> str:
    if not wait:
        return WRONG
    return f"{WRONG} Wait {_plural(wait)} before trying again."


def _paused(wait: int) -> str:
    return f"Too many failed sign-ins for this username: wait {_plural(wait)} before trying again."


def _plural(seconds: int) -> str:
    return counted(seconds, "second")
