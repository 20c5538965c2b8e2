"""Staff and sign-in: argon2id passwords, the growing pause, rights to manage staff, the audit,
on both backends."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from deskapp import clock, passwords
from deskapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, Staff
from deskapp.services.actors import Actor
from deskapp.services.staff import (
    MAX_PAUSE,
    SignInRefused,
    add_staff,
    authenticate,
    get_staff,
    has_staff,
    list_staff,
    set_active,
    set_password,
    set_role,
    sign_in_pause,
    signed_in_by_key,
)

ANN_PASSWORD = "correct horse battery"
SAM_PASSWORD = "sam's long secret"


@pytest.fixture
def team(desk: str) -> tuple[Actor, Actor]:
    """Ann (admin, added from the command line) and Sam (agent, added by Ann), both signed in."""
    add_staff(None, "ann", "admin", name="Ann Admin", password=ANN_PASSWORD)
    ann = authenticate("ann", ANN_PASSWORD)
    add_staff(ann, "sam", "agent", name="Sam Reyes", email="sam@example.com", password=SAM_PASSWORD)
    return ann, authenticate("sam", SAM_PASSWORD)


def _advance(seconds: float) -> None:
    later = clock.now() + dt.timedelta(seconds=seconds)
    clock.set_clock(clock.frozen_clock(later))


def _audit_text() -> str:
    rows = AuditEntry.select().order_by(AuditEntry.created_at)
    return "\n".join(
        f"{row.staff_name} {row.action} {row.entity} {row.entity_id} {row.summary} "
        f"{row.before} {row.after}"
        for row in rows
    )


def test_a_new_desk_has_no_staff_until_the_first_is_added(desk: str) -> None:
    assert not has_staff()
    assert list_staff() == []
    added = add_staff(None, "ann", "admin", name="Ann  Admin", password=ANN_PASSWORD)
    assert has_staff()
    assert (added.username, added.name, added.role, added.active, added.has_password) == (
        "ann",
        "Ann Admin",
        "admin",
        True,
        True,
    )


def test_passwords_are_stored_as_argon2id_and_never_in_the_audit(team: tuple[Actor, Actor]) -> None:
    stored = Staff.get(Staff.username == "ann").password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert ANN_PASSWORD not in stored
    text = _audit_text()
    for secret in (ANN_PASSWORD, SAM_PASSWORD, stored):
        assert secret not in text
    assert "staff added" in text and "signed in" in text


def test_sign_in_with_the_right_password_gives_the_person(team: tuple[Actor, Actor]) -> None:
    ann, sam = team
    assert (ann.username, ann.role, sam.username, sam.role) == ("ann", "admin", "sam", "agent")
    assert authenticate(" sam ", SAM_PASSWORD).id == sam.id


def test_unknown_user_and_wrong_password_answer_the_same(team: tuple[Actor, Actor]) -> None:
    with pytest.raises(SignInRefused) as wrong:
        authenticate("ann", "not the password")
    with pytest.raises(SignInRefused) as unknown:
        authenticate("nobody", "not the password")
    assert str(wrong.value) == str(unknown.value)
    assert str(wrong.value).startswith("Wrong username or password.")
    failures = AuditEntry.select().where(AuditEntry.action == "sign-in failed")
    assert sorted(row.entity_id for row in failures) == ["ann", "nobody"]
    assert "not the password" not in _audit_text()


def test_the_pause_grows_with_each_failure_and_a_success_ends_it(
    team: tuple[Actor, Actor],
) -> None:
    waits = []
    for _ in range(4):
        with pytest.raises(SignInRefused) as refused:
            authenticate("sam", "guess guess guess")
        waits.append(refused.value.wait_seconds)
        assert sign_in_pause("sam") == refused.value.wait_seconds
        _advance(refused.value.wait_seconds)
    assert waits == [1, 2, 4, 8]
    assert sign_in_pause("ann") == 0  # one person's failures do not pause another

    with pytest.raises(SignInRefused):
        authenticate("sam", "guess guess guess")
    with pytest.raises(SignInRefused) as paused:  # even the right password waits its turn
        authenticate("sam", SAM_PASSWORD)
    assert paused.value.wait_seconds == 16
    assert "wait 16 seconds" in str(paused.value)
    _advance(16)
    authenticate("sam", SAM_PASSWORD)
    assert sign_in_pause("sam") == 0
    with pytest.raises(SignInRefused) as again:
        authenticate("sam", "guess guess guess")
    assert again.value.wait_seconds == 1


def test_the_pause_has_a_ceiling(team: tuple[Actor, Actor]) -> None:
    wait = 0
    for _ in range(14):
        with pytest.raises(SignInRefused) as refused:
            authenticate("nobody", "guess guess guess")
        wait = refused.value.wait_seconds
        _advance(wait)
    assert wait == MAX_PAUSE.total_seconds()


def test_a_disabled_person_cannot_sign_in_even_with_the_password(
    team: tuple[Actor, Actor],
) -> None:
    ann, _ = team
    set_active(ann, "sam", False)
    with pytest.raises(SignInRefused) as refused:
        authenticate("sam", SAM_PASSWORD)
    assert str(refused.value).startswith("Wrong username or password.")
    assert not get_staff("sam").active
    with pytest.raises(PermissionDenied, match="disabled"):
        signed_in_by_key("sam")
    _advance(1)
    set_active(ann, "sam", True)
    assert authenticate("sam", SAM_PASSWORD).username == "sam"


def test_someone_without_a_password_cannot_sign_in_with_one(team: tuple[Actor, Actor]) -> None:
    ann, _ = team
    add_staff(ann, "kim", "agent")  # signs in by SSH key only
    with pytest.raises(SignInRefused):
        authenticate("kim", "")
    assert signed_in_by_key("kim").username == "kim"


def test_key_sign_in_refuses_the_unknown_and_is_audited(team: tuple[Actor, Actor]) -> None:
    with pytest.raises(PermissionDenied, match="no staff member called “zed”"):
        signed_in_by_key("zed")
    assert signed_in_by_key("sam").username == "sam"
    actions = [row.action for row in AuditEntry.select().where(AuditEntry.entity == "sign-in")]
    assert "key sign-in refused" in actions and "signed in by key" in actions


def test_password_rules(team: tuple[Actor, Actor]) -> None:
    ann, _ = team
    with pytest.raises(ValidationError, match="at least 10"):
        set_password(ann, "sam", "short")
    with pytest.raises(ValidationError, match="cannot be the username"):
        add_staff(ann, "longusername", "agent", password="LongUsername")
    with pytest.raises(ValidationError) as bad_name:
        add_staff(ann, "Bad Name;rm", "agent")
    assert bad_name.value.field == "username"
    with pytest.raises(ValidationError, match="not a role"):
        add_staff(ann, "kim", "boss")


def test_a_person_sets_their_own_password_and_an_admin_anyones(
    team: tuple[Actor, Actor],
) -> None:
    ann, sam = team
    set_password(sam, "sam", "a brand new secret")
    assert authenticate("sam", "a brand new secret").id == sam.id
    with pytest.raises(PermissionDenied):
        set_password(sam, "ann", "taking over ann")
    set_password(ann, "sam", "reset by ann today")
    assert authenticate("sam", "reset by ann today").id == sam.id
    assert "reset by ann today" not in _audit_text()


def test_only_an_active_admin_manages_staff(team: tuple[Actor, Actor]) -> None:
    ann, sam = team
    for attempt in (
        lambda: add_staff(sam, "kim", "agent"),
        lambda: set_role(sam, "sam", "admin"),
        lambda: set_active(sam, "ann", False),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert get_staff("sam").role == "agent" and get_staff("ann").active
    set_role(ann, "sam", "admin")
    set_role(ann, "sam", "agent")
    add_staff(None, "kim", "admin")
    set_active(None, "ann", False)
    with pytest.raises(PermissionDenied, match="disabled"):  # the session's role is not trusted
        add_staff(ann, "zoe", "agent")


def test_the_desk_keeps_an_active_admin(team: tuple[Actor, Actor]) -> None:
    ann, _ = team
    with pytest.raises(Conflict, match="last active admin"):
        set_role(None, "ann", "agent")
    with pytest.raises(Conflict, match="last active admin"):
        set_active(None, "ann", False)
    with pytest.raises(Conflict, match="cannot disable yourself"):
        set_active(ann, "ann", False)
    with pytest.raises(Conflict, match="already"):
        add_staff(ann, "sam", "agent")
    with pytest.raises(NotFound):
        set_active(ann, "nobody", False)


def test_changes_are_audited_with_before_and_after(team: tuple[Actor, Actor]) -> None:
    ann, _ = team
    set_role(ann, "sam", "admin")
    set_active(ann, "sam", False)
    entries = {
        row.action: row
        for row in AuditEntry.select().where(AuditEntry.entity == "staff")
        if row.staff_name == "Ann Admin"
    }
    assert entries["role changed"].before == '{"role": "agent"}'
    assert entries["role changed"].after == '{"role": "admin"}'
    assert entries["staff disabled"].after == '{"active": false}'
    assert [member.username for member in list_staff(include_disabled=False)] == ["ann"]


def test_verify_refuses_what_is_not_a_usable_hash_or_password() -> None:
    stored = passwords.hash_password(ANN_PASSWORD)
    assert passwords.verify_password(stored, ANN_PASSWORD)
    assert not passwords.verify_password("", "")
    assert not passwords.verify_password("not a hash", ANN_PASSWORD)
    too_long = "x" * (passwords.MAX_LENGTH + 1)
    assert not passwords.verify_password(passwords.hash_password(too_long[:-1]), too_long)


def test_a_hash_made_with_weaker_parameters_is_renewed_at_sign_in(desk: str) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(SAM_PASSWORD)
    Staff.create(username="sam", name="Sam Reyes", role="agent", password_hash=weak)
    assert passwords.needs_rehash(weak)
    authenticate("sam", SAM_PASSWORD)
    renewed = Staff.get(Staff.username == "sam").password_hash
    assert renewed != weak and not passwords.needs_rehash(renewed)
    assert authenticate("sam", SAM_PASSWORD).username == "sam"
