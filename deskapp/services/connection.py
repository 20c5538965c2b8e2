"""Whether the open database still answers: the header's connection light."""

from __future__ import annotations

import peewee

from deskapp.db import db


def database_reachable() -> bool:
    """Ask the database a trivial question; False (and a dropped connection) if it fails.

    A connection that failed is closed, so the next call connects afresh: a shared desk turns
    green again by itself once the server is back.
    """
    try:
        db.execute_sql("SELECT 1").fetchone()
        return True
    except (peewee.DatabaseError, peewee.InterfaceError, OSError):
        try:
            db.close()
        except (peewee.DatabaseError, peewee.InterfaceError, OSError):
            pass
        return False
