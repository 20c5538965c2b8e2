"""Importing `deskapp` has no side effects; the command imports peewee without its drivers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> str:
    """Run `code` in a fresh interpreter with this checkout first on the path; its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    return done.stdout.strip()


def test_importing_deskapp_leaves_the_import_system_alone() -> None:
    out = run_python(
        "import sys; before = list(sys.meta_path); modules = set(sys.modules)\n"
        "import deskapp, deskapp.cli, deskapp.services\n"
        "print(sys.meta_path == before, 'peewee' in sys.modules)"
    )
    assert out == "True False"


def test_the_command_imports_peewee_without_its_drivers() -> None:
    out = run_python(
        "import sys; from deskapp import fast_import\n"
        "fast_import.install(); fast_import.install()\n"
        "import peewee\n"
        "print(len([f for f in sys.meta_path if type(f).__name__ == 'PeeweeWithoutDrivers']),"
        " 'psycopg' in sys.modules, 'psycopg2' in sys.modules, peewee.SqliteDatabase.__name__)"
    )
    assert out == "0 False False SqliteDatabase"


def test_a_postgresql_desk_still_gets_psycopg_after_the_fast_import() -> None:
    out = run_python(
        "from deskapp import fast_import; fast_import.install()\n"
        "import peewee, hashlib\n"
        "import deskapp.db.postgres\n"
        "print(hashlib.sha1(b'x').hexdigest()[:6])"
    )
    assert out == "11f6ad"
