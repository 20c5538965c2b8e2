"""`deskapp staff add|passwd|disable|enable|list`, and signing in the command-line jobs.

Run by whoever holds the database's login (that is how the first admin of a shared desk is
made), so these commands act as the command line, not as a person. A password is asked twice
without echo, or read as one line from stdin when stdin is not a terminal; it is never printed,
logged or passed on the command line.

`--ssh-key FILE.pub` also lets the person in over SSH, the way gitolite serves git: one system
account runs the desk, and its authorized_keys line for each key forces
`deskapp --signed-in-as USER` (`restrict` turns off forwarding and the rest; `pty` gives back
the terminal the desk needs).
"""

from __future__ import annotations

import base64
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskapp.errors import DeskError, ValidationError

if TYPE_CHECKING:
    import argparse

    from deskapp.config import Settings
    from deskapp.services.session import DeskSession

KEY_FIELDS = {
    "ssh-ed25519": 2,
    "ssh-rsa": 3,
    "ecdsa-sha2-nistp256": 3,
    "ecdsa-sha2-nistp384": 3,
    "ecdsa-sha2-nistp521": 3,
    "sk-ssh-ed25519@openssh.com": 3,
    "sk-ecdsa-sha2-nistp256@openssh.com": 4,
}
"""Public key types accepted by --ssh-key (what ssh-keygen makes), with the number of
length-prefixed fields their key data holds (the type's name first)."""
PASSWORD_VARIABLE = "DESKAPP_PASSWORD"
"""Where command-line jobs on a shared desk find the --staff member's password (else asked)."""


def add_staff_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `staff add|passwd|disable|enable|list` to `commands`, the `deskapp` parser's
    subparsers; `database` is the parent giving --db."""
    staff = commands.add_parser("staff", help="add staff, set passwords, disable or list them")
    verbs = staff.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp staff"
    )
    add = verbs.add_parser("add", parents=[database], help="add a staff member")
    add.add_argument("username", metavar="USER", help="what they sign in with: sam, ann.lee")
    add.add_argument("--role", choices=("agent", "admin"), required=True)
    add.add_argument("--name", default="", help="their full name (default: the username)")
    add.add_argument("--email", default="", help="their email address")
    add.add_argument(
        "--ssh-key",
        metavar="FILE.pub",
        help="let them in over SSH with this public key (no password is asked then)",
    )
    add.add_argument(
        "--authorized-keys",
        metavar="FILE",
        help="where the key's line goes (default: ~/.ssh/authorized_keys of this account)",
    )
    add.set_defaults(run=_add)
    passwd = verbs.add_parser("passwd", parents=[database], help="set a staff member's password")
    passwd.add_argument("username", metavar="USER")
    passwd.set_defaults(run=_passwd)
    for verb, active, what in (
        ("disable", False, "stop someone signing in or acting (kept in the history)"),
        ("enable", True, "let a disabled staff member in again"),
    ):
        command = verbs.add_parser(verb, parents=[database], help=what)
        command.add_argument("username", metavar="USER")
        command.set_defaults(run=_set_active, active=active)
    listing = verbs.add_parser("list", parents=[database], help="everyone, with role and state")
    listing.set_defaults(run=_list)


def signed_in_session(args: argparse.Namespace) -> tuple[DeskSession, Settings]:
    """The desk opened as the --staff member (DESKAPP_STAFF), for jobs that need a person.

    A local desk opens as the desk start does; a shared one needs that person's password, from
    DESKAPP_PASSWORD or asked on the terminal, unless --signed-in-as names the person (trusted
    as the SSH entry is: whoever runs deskapp with the database's login can be anyone).
    """
    from deskapp.cli import _settings
    from deskapp.db.configured import database_password
    from deskapp.services.session import open_desk
    from deskapp.services.staff import authenticate

    settings = _settings(args)
    session = open_desk(
        settings.database_url,
        staff=settings.staff,
        password=database_password(settings.database_url),
        create=False,
        signed_in_as=getattr(args, "signed_in_as", None),
    )
    if not session.needs_sign_in:
        return session, settings
    if not settings.staff:
        raise DeskError(
            "A shared desk needs to know who acts: give --staff USER (or DESKAPP_STAFF)."
        )
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        if not sys.stdin.isatty():
            raise DeskError(
                f"Signing in as {settings.staff} needs a password: set {PASSWORD_VARIABLE} "
                "or run this on a terminal."
            )
        import getpass

        password = getpass.getpass(f"Password for {settings.staff}: ")
    return session.signed_in(authenticate(settings.staff, password)), settings


def _open(args: argparse.Namespace) -> None:
    from deskapp import migrations
    from deskapp.cli import _settings, open_configured

    open_configured(_settings(args))
    migrations.ensure_current()


def _add(args: argparse.Namespace) -> int:
    from deskapp.services.staff import add_staff, check_username

    username = check_username(args.username)
    key_line, keys_file = None, None
    if args.ssh_key:
        key = read_public_key(Path(args.ssh_key))
        key_line = forced_command_line(username, key)
        keys_file = authorized_keys_path(args.authorized_keys)
        _refuse_known_key(keys_file, key[1])
    password = None if args.ssh_key else ask_new_password(username)
    _open(args)
    added = add_staff(
        None, username, args.role, name=args.name, email=args.email, password=password
    )
    print(f"Added {added.role} {added.username} ({added.name}).")
    if key_line is not None and keys_file is not None:
        append_authorized_key(keys_file, key_line)
        print(f"{added.username} can now sign in over SSH: their key is in {keys_file}.")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from deskapp.services.staff import check_username, get_staff, set_password

    username = check_username(args.username)
    _open(args)
    get_staff(username)  # an unknown name is refused before a password is asked
    set_password(None, username, ask_new_password(username))
    print(f"Set the password of {username}.")
    return 0


def _set_active(args: argparse.Namespace) -> int:
    from deskapp.services.staff import set_active

    _open(args)
    member = set_active(None, args.username, args.active)
    state = "can sign in again" if member.active else "is disabled: no sign-in, no actions"
    print(f"{member.username} {state}.")
    return 0


def _list(args: argparse.Namespace) -> int:
    from deskapp.services.staff import list_staff

    _open(args)
    people = list_staff()
    if not people:
        from deskapp.cli import NO_STAFF_YET

        print(NO_STAFF_YET)
        return 0
    width = max(len(member.username) for member in people)
    for member in people:
        state = "active" if member.active else "disabled"
        sign_in = "password" if member.has_password else "no password"
        email = f"  {member.email}" if member.email else ""
        print(
            f"{member.username:<{width}}  {member.role:<5}  {state:<8}  {sign_in:<11}  "
            f"{member.name}{email}"
        )
    return 0


def ask_new_password(username: str) -> str:
    """A new password for `username`: typed twice without echo, or one line of stdin.

    Checked against the rules before anything is written.
    """
    from deskapp.passwords import check_rules

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"New password for {username}: ")
        check_rules(username, password)
        if getpass.getpass("The same password again: ") != password:
            raise ValidationError("password", "The two passwords differ; nothing was changed.")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        check_rules(username, password)
    return password


def read_public_key(path: Path) -> tuple[str, str, str]:
    """(type, base64 blob, comment) of the one OpenSSH public key in `path`; DeskError if not."""
    try:
        text = path.expanduser().read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise DeskError(f"There is no file {path}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DeskError(f"Cannot read {path} as a public key: {error}.") from None
    parts = text.split()
    if "\n" in text or len(parts) < 2 or parts[0] not in KEY_FIELDS:
        raise DeskError(f"{path} is not one OpenSSH public key (ssh-ed25519 AAAA… comment).")
    kind, blob = parts[0], parts[1]
    try:
        fields = _wire_fields(base64.b64decode(blob, validate=True))
    except ValueError:
        fields = []
    if not fields or fields[0] != kind.encode() or len(fields) != KEY_FIELDS[kind]:
        raise DeskError(f"{path} is not a valid {kind} public key: its key data is damaged.")
    comment = " ".join(parts[2:])
    return kind, blob, comment if re.fullmatch(r"[\w@.:+-]{1,100}", comment) else ""


def _wire_fields(raw: bytes) -> list[bytes]:
    """The length-prefixed strings of a key's wire form; ValueError unless they fill it exactly."""
    fields = []
    while raw:
        size = int.from_bytes(raw[:4], "big")
        if len(raw) < 4 + size:
            raise ValueError("truncated key data")
        fields.append(raw[4 : 4 + size])
        raw = raw[4 + size :]
    return fields


def forced_command_line(username: str, key: tuple[str, str, str]) -> str:
    """The authorized_keys line that lets `key` in as `username` and nothing else."""
    kind, blob, comment = key
    line = f'command="deskapp --signed-in-as {username}",restrict,pty {kind} {blob}'
    return f"{line} {comment}" if comment else line


def authorized_keys_path(given: str | None) -> Path:
    """The file named, else ~/.ssh/authorized_keys of the account running this."""
    return Path(given).expanduser() if given else Path.home() / ".ssh" / "authorized_keys"


def _refuse_known_key(path: Path, blob: str) -> None:
    """sshd uses a key's first line only: a key already listed would sign in as someone else."""
    if path.exists() and blob in path.read_text(encoding="utf-8", errors="replace").split():
        raise DeskError(f"That key is already in {path}; each person needs a key of their own.")


def append_authorized_key(path: Path, line: str) -> None:
    """Append `line` to `path` (folder 0700, file 0600, as sshd's StrictModes wants)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent == Path.home() / ".ssh":
        path.parent.chmod(0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as keys:
        if keys.tell() and not _ends_with_newline(path):
            keys.write("\n")
        keys.write(line + "\n")
    path.chmod(0o600)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as keys:
        keys.seek(-1, os.SEEK_END)
        return keys.read(1) == b"\n"
