"""Each mail a staff reply queued knows its reply: `outbox_mail.ticket_message_id`, so the
conversation can say per reply whether its mail is queued, sent or failed (and the outbox can
open the ticket a mail belongs to).

Existing reply mail is linked from its Message-ID, `<the reply's id in hex>.<n>@deskapp>`;
other mail (a welcome mail) has no reply and stays unlinked.
"""

from __future__ import annotations

import peewee

REPLY_PATTERN = r"^<[0-9a-f]{32}\.[0-9]+@deskapp>$"
"""A reply mail's Message-ID (deskapp.mail.queue.REPLY_MESSAGE_ID)."""


def up(database: peewee.Database, backend: str) -> None:
    key = "UUID" if backend == "postgresql" else "TEXT"
    database.execute_sql(
        f'ALTER TABLE "outbox_mail" ADD COLUMN "ticket_message_id" {key} '
        'REFERENCES "message" ("id") ON DELETE SET NULL'
    )
    if backend == "postgresql":
        database.execute_sql(
            'UPDATE "outbox_mail" SET "ticket_message_id" = "message"."id" FROM "message" '
            'WHERE "message"."id" = CASE WHEN "outbox_mail"."message_id" ~ %s '
            'THEN CAST(substr("outbox_mail"."message_id", 2, 32) AS UUID) END',
            (REPLY_PATTERN,),
        )
    else:
        database.execute_sql(
            'UPDATE "outbox_mail" SET "ticket_message_id" = (SELECT "message"."id" FROM '
            '"message" WHERE "message"."id" = substr("outbox_mail"."message_id", 2, 32)) '
            "WHERE \"message_id\" LIKE '<%@deskapp>' AND substr(\"message_id\", 34, 1) = '.'"
        )
    database.execute_sql(
        'CREATE INDEX "outbox_mail_ticket_message_id" ON "outbox_mail" ("ticket_message_id")'
    )
