"""Settings of the whole desk (`desk_setting`): the first is the most credit an agent may add in
one entry (absent means the default, 50.00)."""

from __future__ import annotations

import peewee


def up(database: peewee.Database, backend: str) -> None:
    database.execute_sql(
        'CREATE TABLE "desk_setting" ("key" VARCHAR(60) NOT NULL PRIMARY KEY, '
        '"value" TEXT NOT NULL, "updated_at" TIMESTAMP NOT NULL)'
    )
