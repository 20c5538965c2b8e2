"""`deskapp staff ...`, the SSH entry `deskapp --signed-in-as USER`, and signing in the
command-line jobs, on each backend: what people see, and that no password ever shows."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp.cli import NO_STAFF_YET, main
from deskapp.db import close_database, open_database
from deskapp.models import AuditEntry, Staff
from deskapp.services.session import DeskSession

PASSWORD = "a long enough secret"
NEW_PASSWORD = "another long secret"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No DESKAPP_* settings; HOME and user dirs under tmp_path (here and in subprocesses)."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    root = tmp_path / "home"
    for variable, folder in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(variable, str(root / folder))
    return root


@pytest.fixture
def desk_url(desk: str) -> Iterator[str]:
    """The migrated, empty test desk; the CLI opens it itself."""
    close_database()
    yield desk
    open_database(desk)


def deskapp(
    url: str, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch | None = None
) -> int:
    """`deskapp ARGS --db URL` in-process with `stdin` (not a terminal) as its input."""
    patch = monkeypatch or pytest.MonkeyPatch()
    patch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        return main([*args, "--db", url])
    finally:
        if monkeypatch is None:
            patch.undo()


def run_deskapp(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m deskapp ARGS` as a real process (stdin is not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "deskapp", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def public_key(tmp_path: Path, name: str) -> Path:
    """A fresh ed25519 key pair made by ssh-keygen; the .pub file's path."""
    private = tmp_path / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop", "-f", str(private)],
        check=True,
    )
    return private.with_suffix(".pub")


def test_staff_add_list_passwd_disable_enable_never_show_the_password(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, "staff", "list") == 0
    assert capsys.readouterr().out == NO_STAFF_YET + "\n"
    add = ("staff", "add", "ann", "--role", "admin", "--name", "Ann Admin")
    assert deskapp(desk_url, *add, "--email", "ann@example.com", stdin=PASSWORD + "\n") == 0
    assert deskapp(desk_url, "staff", "add", "sam", "--role", "agent", stdin=PASSWORD) == 0
    assert deskapp(desk_url, "staff", "passwd", "sam", stdin=NEW_PASSWORD + "\r\n") == 0
    assert deskapp(desk_url, "staff", "disable", "sam") == 0
    assert deskapp(desk_url, "staff", "list") == 0
    assert deskapp(desk_url, "staff", "enable", "sam") == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Added admin ann (Ann Admin).",
        "Added agent sam (sam).",
        "Set the password of sam.",
        "sam is disabled: no sign-in, no actions.",
        "ann  admin  active    password     Ann Admin  ann@example.com",
        "sam  agent  disabled  password     sam",
        "sam can sign in again.",
    ]
    assert err == ""

    open_database(desk_url)
    audit = " ".join(f"{row.summary} {row.before} {row.after}" for row in AuditEntry.select())
    hashes = " ".join(row.password_hash for row in Staff.select())
    close_database()
    for secret in (PASSWORD, NEW_PASSWORD):
        assert secret not in out + audit + hashes
    assert hashes.count("$argon2id$") == 2


def test_staff_commands_refuse_with_a_sentence(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, "staff", "add", "ann", "--role", "admin", stdin="short\n") == 1
    assert capsys.readouterr().err == "deskapp: A password needs at least 10 characters.\n"
    assert deskapp(desk_url, "staff", "add", "Ann Lee", "--role", "admin", stdin=PASSWORD) == 1
    assert "is not a username" in capsys.readouterr().err
    assert deskapp(desk_url, "staff", "add", "ann", "--role", "boss") == 2
    assert deskapp(desk_url, "staff", "add", "ann", "--role", "admin", stdin=PASSWORD) == 0
    assert deskapp(desk_url, "staff", "add", "ann", "--role", "agent", stdin=PASSWORD) == 1
    assert "already a staff member called “ann”" in capsys.readouterr().err
    assert deskapp(desk_url, "staff", "disable", "ann") == 1
    assert "last active admin" in capsys.readouterr().err
    assert deskapp(desk_url, "staff", "passwd", "nobody", stdin=PASSWORD) == 1
    assert capsys.readouterr().err == "deskapp: There is no staff member called “nobody”.\n"


def test_ssh_key_writes_the_forced_command_line(
    desk_url: str, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = public_key(tmp_path, "sam")
    kind, blob, _ = key.read_text().split()
    assert deskapp(desk_url, "staff", "add", "sam", "--role", "agent", "--ssh-key", str(key)) == 0

    keys = home / ".ssh" / "authorized_keys"
    assert keys.read_text() == (
        f'command="deskapp --signed-in-as sam",restrict,pty {kind} {blob} sam@laptop\n'
    )
    assert keys.stat().st_mode & 0o777 == 0o600
    assert keys.parent.stat().st_mode & 0o777 == 0o700
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"sam can now sign in over SSH: their key is in {keys}."
    )

    other = tmp_path / "desk-host" / "authorized_keys"
    other.parent.mkdir()
    other.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExisting someone")  # no final newline
    kim = public_key(tmp_path, "kim")
    add_kim = ("staff", "add", "kim", "--role", "admin", "--ssh-key", str(kim))
    assert deskapp(desk_url, *add_kim, "--authorized-keys", str(other)) == 0
    lines = other.read_text().splitlines()
    assert lines[0] == "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExisting someone"
    assert lines[1].startswith('command="deskapp --signed-in-as kim",restrict,pty ssh-ed25519 ')

    # A key already listed would let its owner in as the first person: refused, nobody added.
    add_again = ("staff", "add", "zoe", "--role", "agent", "--ssh-key", str(key))
    assert deskapp(desk_url, *add_again) == 1
    assert "That key is already in" in capsys.readouterr().err
    damaged = tmp_path / "damaged.pub"
    damaged.write_text(f"{kind} {blob[:-4]} cut")
    assert (
        deskapp(desk_url, "staff", "add", "zoe", "--role", "agent", "--ssh-key", str(damaged)) == 1
    )
    assert "is not a valid ssh-ed25519 public key" in capsys.readouterr().err
    (tmp_path / "two.pub").write_text(key.read_text() + kim.read_text())
    two = ("staff", "add", "zoe", "--role", "agent", "--ssh-key", str(tmp_path / "two.pub"))
    assert deskapp(desk_url, *two) == 1
    assert "is not one OpenSSH public key" in capsys.readouterr().err
    open_database(desk_url)
    assert sorted(row.username for row in Staff.select()) == ["kim", "sam"]
    close_database()


def test_the_ssh_entry_refuses_unknown_and_disabled_people_in_a_real_process(
    desk_url: str,
) -> None:
    assert deskapp(desk_url, "staff", "add", "ann", "--role", "admin", stdin=PASSWORD) == 0
    assert deskapp(desk_url, "staff", "add", "sam", "--role", "agent", stdin=PASSWORD) == 0
    assert deskapp(desk_url, "staff", "disable", "sam") == 0

    unknown = run_deskapp("--signed-in-as", "zed", "--db", desk_url)
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr == "deskapp: There is no staff member called “zed”.\n"
    disabled = run_deskapp("--db", desk_url, "--signed-in-as", "sam")
    assert (disabled.returncode, disabled.stdout) == (1, "")
    assert disabled.stderr == "deskapp: sam is disabled; an admin can enable them again.\n"
    # Never a password prompt: stdin holds one, and it is not read.
    assert run_deskapp("--signed-in-as", "sam", "--db", desk_url, stdin=PASSWORD).returncode == 1

    open_database(desk_url)
    refused = AuditEntry.select().where(AuditEntry.action == "key sign-in refused")
    assert sorted(row.entity_id for row in refused) == ["sam", "sam", "zed"]
    close_database()


def test_the_ssh_entry_opens_the_desk_as_that_person_without_a_password(
    desk_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deskapp(desk_url, "staff", "add", "sam", "--role", "agent", stdin=PASSWORD) == 0
    opened: list[DeskSession] = []
    stand_in = types.ModuleType("screens.app")
    stand_in.run_desk = lambda session, **_: opened.append(session)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "screens.app", stand_in)

    assert deskapp(desk_url, "--signed-in-as", "sam", "--staff", "ann") == 0
    assert deskapp(desk_url, "--staff", "sam") == 0
    by_key, by_name = opened
    assert by_key.actor.username == "sam" and not by_key.needs_sign_in
    if by_name.mode == "shared":  # --staff only preselects: the sign-in screen asks
        assert by_name.needs_sign_in and by_name.preselect == "sam"
    else:  # a local desk opens as the person named
        assert by_name.actor.username == "sam"


def test_db_upgrade_on_a_shared_desk_without_staff_says_how_to_add_the_first_admin(
    postgres_databases: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = postgres_databases.create()  # type: ignore[attr-defined]
    assert main(["db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == NO_STAFF_YET
    assert deskapp(url, "staff", "add", "ann", "--role", "admin", stdin=PASSWORD) == 0
    assert main(["db", "upgrade", "--db", url]) == 0
    assert NO_STAFF_YET not in capsys.readouterr().out

    local = f"sqlite:///{tmp_path / 'desk.db'}"
    assert main(["db", "upgrade", "--db", local]) == 0
    assert NO_STAFF_YET not in capsys.readouterr().out  # a local desk opens as its user


def test_command_line_jobs_on_a_shared_desk_need_the_password(
    desk_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, "staff", "add", "ann", "--role", "admin", stdin=PASSWORD) == 0
    capsys.readouterr()
    listing = ("--staff", "ann", "order", "approve", "O-9999")
    if not desk_url.startswith("postgresql"):
        assert deskapp(desk_url, *listing) == 1  # a local desk: whoever holds the file
        assert "O-9999" in capsys.readouterr().err  # signed in; there is no such order
        return
    assert deskapp(desk_url, *listing) == 1
    assert capsys.readouterr().err == (
        "deskapp: Signing in as ann needs a password: set DESKAPP_PASSWORD or run this on a "
        "terminal.\n"
    )
    assert deskapp(desk_url, "--signed-in-as", "ann", *listing[2:]) == 1
    assert "There is no order O-9999." in capsys.readouterr().err  # trusted like the SSH entry
    monkeypatch.setenv("DESKAPP_PASSWORD", "not the password")
    assert deskapp(desk_url, *listing) == 1
    assert capsys.readouterr().err.startswith("deskapp: Wrong username or password.")
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)
    assert deskapp(desk_url, "order", "approve", "O-9999") == 1
    assert "give --staff USER" in capsys.readouterr().err
    from deskapp import clock

    clock.set_clock(clock.frozen_clock(clock.now().replace(hour=23)))  # after the pause
    assert deskapp(desk_url, *listing) == 1
    out, err = capsys.readouterr()
    assert "O-9999" in err and "password" not in err  # signed in; there is no such order
    assert PASSWORD not in out + err


def on_a_terminal(url: str, *args: str, answers: list[str]) -> tuple[int, str]:
    """`deskapp ARGS --db URL` in a real process whose stdin and output are a pseudo-terminal
    (its own session, so no other terminal); each answer is typed after the next prompt ending
    in ":". Returns the exit status and everything shown."""
    terminal, child_side = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "deskapp", *args, "--db", url],
        stdin=child_side,
        stdout=child_side,
        stderr=child_side,
        start_new_session=True,
    )
    os.close(child_side)
    shown, since_answer, pending = b"", b"", list(answers)
    while select.select([terminal], [], [], 60)[0]:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        shown, since_answer = shown + chunk, since_answer + chunk
        if pending and since_answer.rstrip().endswith(b":"):
            os.write(terminal, pending.pop(0).encode() + b"\n")
            since_answer = b""
    os.close(terminal)
    return process.wait(timeout=60), shown.decode(errors="replace")


def test_passwd_on_a_terminal_asks_twice_without_echo(desk_url: str) -> None:
    assert deskapp(desk_url, "staff", "add", "sam", "--role", "agent", stdin=PASSWORD) == 0
    status, shown = on_a_terminal(
        desk_url, "staff", "passwd", "sam", answers=[NEW_PASSWORD, NEW_PASSWORD]
    )
    assert status == 0, shown
    assert "New password for sam:" in shown and "The same password again:" in shown
    assert "Set the password of sam." in shown
    assert NEW_PASSWORD not in shown and PASSWORD not in shown

    status, shown = on_a_terminal(
        desk_url, "staff", "passwd", "sam", answers=[PASSWORD, "something else entirely"]
    )
    assert status == 1
    assert "The two passwords differ; nothing was changed." in shown
    assert PASSWORD not in shown
