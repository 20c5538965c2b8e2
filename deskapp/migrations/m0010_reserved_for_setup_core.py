"""A placeholder so this branch's m0011 loads (the loader refuses gaps): m0010 is setup-core's.

Drop this file when merging setup-core's m0010; it changes nothing in a database.
"""

from __future__ import annotations

import peewee


def up(database: peewee.Database, backend: str) -> None:
    """Nothing: setup-core's m0010 takes this number."""
