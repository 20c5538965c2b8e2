"""Numbered schema migrations. The database records its version in `schema_version`.

Each migration module `mNNNN_name.py` has `up(database, backend)` and runs in one transaction
with the version bump, so an upgrade interrupted midway leaves the previous version intact.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from types import ModuleType
from typing import NamedTuple

import peewee

from deskapp import clock
from deskapp.db import chain, db, is_postgres
from deskapp.errors import ConfigError

CHAINED_SINCE = 7
"""The schema version that chains ledger and audit rows (deskapp.db.chain)."""


class Migration(NamedTuple):
    """One step of the schema."""

    number: int
    """The version the database has after this step."""
    name: str
    """What the step does, from the module name."""
    module: ModuleType


def all_migrations() -> list[Migration]:
    """Every migration shipped with this deskapp, in order."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            found.append(Migration(int(info.name[1:5]), info.name[6:].replace("_", " "), module))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    assert numbers == list(range(1, len(found) + 1)), "migration numbers must run 1, 2, 3 …"
    return found


def latest_version() -> int:
    """The schema version this deskapp expects (the highest migration number)."""
    return max(
        int(info.name[1:5])
        for info in pkgutil.iter_modules(__path__)
        if info.name.startswith("m") and info.name[1:5].isdigit()
    )


def current_version() -> int:
    """The version recorded in the open database; 0 for an empty one."""
    if not db.table_exists("schema_version"):
        return 0
    row = db.execute_sql("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def ensure_current(*, create: bool = False) -> None:
    """Refuse a database newer than this deskapp, or an older one (unless `create` upgrades it)."""
    version, latest = current_version(), latest_version()
    if version > latest:
        raise ConfigError(
            f"This database is at schema version {version}, newer than this deskapp "
            f"(version {latest}); upgrade deskapp before opening it."
        )
    if version < latest:
        if create and version == 0:
            upgrade()
            return
        raise ConfigError(
            f"This database is at schema version {version} and this deskapp needs {latest}; "
            "run `deskapp db upgrade` first."
        )


def upgrade(
    target: int | None = None, progress: Callable[[Migration], None] | None = None
) -> list[Migration]:
    """Apply the missing migrations up to `target` (default: the latest); returns those applied."""
    version = current_version()
    latest = latest_version()
    if version > latest:
        ensure_current()
    backend = "postgresql" if is_postgres() else "sqlite"
    applied = []
    for migration in all_migrations():
        if migration.number <= version or (target is not None and migration.number > target):
            continue
        if progress:
            progress(migration)
        with db.atomic():
            if version == 0 and migration.number == 1:
                db.execute_sql(
                    "CREATE TABLE IF NOT EXISTS schema_version "
                    "(version INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, "
                    "applied_at TIMESTAMP NOT NULL)"
                )
            migration.module.up(db, backend)
            if migration.number >= CHAINED_SINCE:
                chain.seal(db)  # rows a migration wrote join the ledger and audit chains
            marks = ", ".join([db.param] * 3)
            db.execute_sql(
                f"INSERT INTO schema_version (version, name, applied_at) VALUES ({marks})",
                (migration.number, migration.name, clock.now()),
            )
        applied.append(migration)
    return applied


def run_script(database: peewee.Database, script: str) -> None:
    """Run a frozen schema script: one statement per line, each ending in `;`."""
    for line in script.splitlines():
        if line.strip():
            database.execute_sql(line.strip().rstrip(";"))
