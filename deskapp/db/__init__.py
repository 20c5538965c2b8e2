"""The one database of the process: a Peewee DatabaseProxy opened from a URL.

`sqlite:///desk.db` runs fully local, the path relative to the working directory after three
slashes and absolute after four (`sqlite:////srv/desk/desk.db`), as SQLAlchemy reads it;
`postgresql://user@host:5432/name` is the shared desk. Connections are per thread (Peewee's
default), so thread workers each get their own. The `deskapp` command imports Peewee without
its drivers (deskapp/fast_import.py); psycopg loads on demand.
"""

from __future__ import annotations

import datetime
import urllib.parse
from pathlib import Path
from typing import NamedTuple

import peewee

from deskapp import clock
from deskapp.errors import ConfigError

db = peewee.DatabaseProxy()
"""Every model binds to this; open_database() points it at the real database."""

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "full",  # a commit is on disk when it returns: a payment, a mail's "sent"
    "cache_size": -64_000,
}
BUSY_TIMEOUT_SECONDS = 10


class DatabaseInfo(NamedTuple):
    """What the header and `doctor` say about the open database."""

    url: str
    """The URL without its password."""
    backend: str
    """"sqlite" or "postgresql"."""
    label: str
    """A short name for the header: the file name or host/database."""


def describe(url: str) -> DatabaseInfo:
    """Parse a database URL, or raise ConfigError with a sentence saying what a good one is."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        _ = parts.port  # urllib checks the range only when asked
    except ValueError:
        raise ConfigError(f"The port in {safe_url(url)} is not a number from 1 to 65535.") from None
    if scheme == "sqlite":
        path = _sqlite_path(url)
        label = path if path == ":memory:" else Path(path).name
        return DatabaseInfo(url, "sqlite", label)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        name = parts.path.lstrip("/")
        if not parts.hostname and not name:
            raise ConfigError(_bad_url(url))
        host = f"{parts.hostname or 'localhost'}/{name}"
        return DatabaseInfo(safe_url(url), "postgresql", host)
    raise ConfigError(_bad_url(url))


def safe_url(url: str) -> str:
    """The URL without its password. The login is what stands between the scheme's "//" and
    the last "@" before the host; only its user name is kept. A password may hold "@", ":",
    "/" or spaces, so this splits at the last "@", not by a pattern. SQLite URLs have no login.
    """
    scheme, found, rest = url.strip().partition("://")
    if not found or scheme.lower().startswith("sqlite"):
        return url.strip()
    login, at, address = rest.rpartition("@")
    if not at:
        return url.strip()
    ends = [i for i in (address.find("/"), address.find("?"), address.find("#")) if i >= 0]
    if "/" in login and not ends:  # the "@" is in the path or query, not a login
        return url.strip()
    user = login.partition(":")[0]
    return f"{scheme}://{user}@{address}" if user else f"{scheme}://{address}"


def _bad_url(url: str) -> str:
    return (
        f"“{safe_url(url)[:80]}” is not a database URL. Use sqlite:///path/to/desk.db for a "
        "local desk or postgresql://user@host:5432/dbname for a shared one."
    )


def _sqlite_path(url: str) -> str:
    """The file of a sqlite URL: after `sqlite:///` a path relative to the working directory,
    after `sqlite:////` an absolute one."""
    rest = url.strip()[len("sqlite:") :]
    if not rest.startswith("//"):
        raise ConfigError(_bad_url(url))
    path = urllib.parse.unquote(rest[3:] if rest.startswith("///") else rest[2:])
    if path == ":memory:":
        return ":memory:"
    if not path or path == "/":
        raise ConfigError(_bad_url(url))
    return path


def missing_database(url: str, *, folder_made: bool = False) -> tuple[bool, str] | None:
    """For a local desk whose file is not there: (whether nothing can create it, the sentence),
    so `doctor`, `db check` and the desk say the same; None when the file exists or the URL
    is a server's. `folder_made`: the desk makes the folder itself (the default database in
    the user data dir)."""
    if describe(url).backend != "sqlite":
        return None
    path = _sqlite_path(url)
    if path == ":memory:":
        return None
    file = Path(path).expanduser()
    folder = file.resolve().parent
    if not folder.is_dir() and not folder_made:
        return True, f"The folder {folder} for the database does not exist."
    if not file.exists():
        return False, (
            f"There is no database at {file.resolve()} yet; "
            "`deskapp db upgrade` (or starting `deskapp`) creates it."
        )
    return None


def open_database(
    url: str, *, password: str | None = None, connect: bool = True
) -> peewee.Database:
    """Point the proxy at the database named by `url` and check that it answers.

    Raises ConfigError with one line for a malformed URL, a missing directory or an
    unreachable server. `password` fills in a PostgreSQL password kept in the keyring.
    """
    info = describe(url)
    if info.backend == "sqlite":
        path = _sqlite_path(url)
        if path != ":memory:":
            missing = missing_database(url)
            if missing is not None and missing[0]:
                raise ConfigError(missing[1])
            path = str(Path(path).expanduser())
            _private_file(Path(path))
        database: peewee.Database = peewee.SqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS
        )
    else:
        from deskapp.db.postgres import postgres_database

        database = postgres_database(url, password=password)
    db.initialize(database)
    if connect:
        try:
            database.connect(reuse_if_open=True)
        except peewee.OperationalError as error:
            db.initialize(None)
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
            raise ConfigError(f"Cannot open the database {info.label}: {first_line}") from None
        except peewee.DatabaseError as error:
            db.initialize(None)
            raise ConfigError(damaged_sentence(error) or str(error)) from None
        if info.backend == "postgresql":
            from deskapp.db.postgres import follow_server_clock

            follow_server_clock(database)
        else:
            clock.follow_server(datetime.timedelta(0))  # a local desk's time is its own
    return database


def damaged_sentence(error: BaseException) -> str | None:
    """The sentence for a SQLite file that is not a database or is damaged, else None."""
    text = str(error).lower()
    if not isinstance(error, peewee.DatabaseError) or not (
        "not a database" in text or "malformed" in text or "disk image" in text
    ):
        return None
    where = getattr(db.obj, "database", None) if db.obj is not None else None
    return (
        f"{where or 'The database file'} is not a deskapp database or is damaged. Restore it "
        "from a backup, or move it aside and start again (the desk makes a new one)."
    )


def _private_file(path: Path) -> None:
    """Create a new database file readable by its owner alone (0600: it holds every client's
    details). SQLite gives its WAL and shared-memory files the same mode."""
    import os

    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def backend() -> str:
    """ "postgresql" or "sqlite" for the open database."""
    return "postgresql" if is_postgres() else "sqlite"


def is_postgres() -> bool:
    """Whether the open database is the shared PostgreSQL (some queries differ)."""
    return isinstance(db.obj, peewee.PostgresqlDatabase)


def close_database() -> None:
    """Close this thread's connection, if any."""
    if db.obj is not None and not db.is_closed():
        db.close()
