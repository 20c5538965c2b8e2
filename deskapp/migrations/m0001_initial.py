"""The whole domain: the tables as the first release made them (frozen SQL per backend)."""

from __future__ import annotations

from importlib import resources

import peewee

from deskapp.migrations import run_script


def up(database: peewee.Database, backend: str) -> None:
    script = resources.files(__package__).joinpath(f"0001_initial.{backend}.sql").read_text()
    run_script(database, script)
