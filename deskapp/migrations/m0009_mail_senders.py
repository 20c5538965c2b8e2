"""Incoming mail knows who sent it: each message keeps its sender's address (lower case, as
the mail's From had it) and whether the desk's mail server could verify that sender
(Authentication-Results). A Message-ID is one message per sender, not across senders: a
stranger reusing a client's Message-ID no longer makes that client's mail vanish.

(Issue 14's mail part: numbered m0010 when merged after m0007-m0009; m0007 on its own branch,
since the loader refuses gaps.)

Existing client messages with a Message-ID take the address of their contact, else of their
ticket's client: the best guess of who sent them, so a mail delivered again stays one message.
"""

from __future__ import annotations

import peewee


def up(database: peewee.Database, backend: str) -> None:
    postgres = backend == "postgresql"
    boolean, false = ("BOOLEAN", "FALSE") if postgres else ("INTEGER", "0")
    database.execute_sql(
        'ALTER TABLE "message" ADD COLUMN "sender_address" VARCHAR(254) NOT NULL DEFAULT \'\''
    )
    database.execute_sql(
        f'ALTER TABLE "message" ADD COLUMN "sender_unverified" {boolean} NOT NULL DEFAULT {false}'
    )
    database.execute_sql(
        'UPDATE "message" SET "sender_address" = lower(COALESCE('
        '(SELECT "email" FROM "contact" WHERE "contact"."id" = "message"."contact_id"), '
        '(SELECT "client"."email" FROM "ticket" JOIN "client" ON "client"."id" = '
        '"ticket"."client_id" WHERE "ticket"."id" = "message"."ticket_id"), \'\')) '
        'WHERE "kind" = \'client\' AND "message_id" IS NOT NULL'
    )
    database.execute_sql('DROP INDEX "message_message_id"')
    database.execute_sql(
        'CREATE UNIQUE INDEX "message_message_id_sender_address" '
        'ON "message" ("message_id", "sender_address")'
    )
