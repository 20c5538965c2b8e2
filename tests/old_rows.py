"""Writing rows into a database at an older schema version, as that release wrote them."""

from __future__ import annotations

import peewee

from deskapp.db import db


def insert_old(row: peewee.Model) -> None:
    """Insert `row` giving only the columns its table has now (a model may have more)."""
    table = row._meta.table_name
    present = {column.name for column in db.get_columns(table)}
    fields = [f for f in row._meta.sorted_fields if f.column_name in present]
    names = ", ".join(f'"{f.column_name}"' for f in fields)
    db.execute_sql(
        f'INSERT INTO "{table}" ({names}) VALUES ({", ".join([db.param] * len(fields))})',
        [f.db_value(getattr(row, f.name)) for f in fields],
    )
