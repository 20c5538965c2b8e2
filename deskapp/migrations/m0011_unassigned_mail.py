"""Mail from an address nobody at the desk has waits for triage (issue 13) instead of bouncing.

`unassigned_mail` holds the parsed mail, not a ticket: a ticket belongs to a client, and many
queries join ticket to client, so a client-less ticket would be a special case everywhere. Staff
attach the mail to a client, or create the client from it, and it becomes a ticket then; or they
discard it. (Message-ID, From address) is unique, as on `message` (m0009): the mail server
delivering it again while it waits adds nothing. `unassigned_file` keeps its attachments.
"""

from __future__ import annotations

import peewee


def up(database: peewee.Database, backend: str) -> None:
    postgres = backend == "postgresql"
    key, when, blob = ("UUID", "TIMESTAMP", "BYTEA") if postgres else ("TEXT", "DATETIME", "BLOB")
    boolean, false = ("BOOLEAN", "FALSE") if postgres else ("INTEGER", "0")
    database.execute_sql(
        f'CREATE TABLE "unassigned_mail" ("id" {key} NOT NULL PRIMARY KEY, '
        f'"created_at" {when} NOT NULL, "received_at" {when} NOT NULL, '
        '"from_name" VARCHAR(200) NOT NULL, "from_address" VARCHAR(254) NOT NULL, '
        '"subject" VARCHAR(300) NOT NULL, "body" TEXT NOT NULL, '
        '"message_id" VARCHAR(300) NOT NULL, '
        f'"department_id" {key}, '
        f'"sender_unverified" {boolean} NOT NULL DEFAULT {false}, '
        'FOREIGN KEY ("department_id") REFERENCES "department" ("id") ON DELETE SET NULL)'
    )
    database.execute_sql(
        'CREATE UNIQUE INDEX "unassigned_mail_message_id_from_address" '
        'ON "unassigned_mail" ("message_id", "from_address")'
    )
    database.execute_sql(
        'CREATE INDEX "unassigned_mail_received_at_id" ON "unassigned_mail" ("received_at", "id")'
    )
    database.execute_sql(
        'CREATE INDEX "unassigned_mail_department_id" ON "unassigned_mail" ("department_id")'
    )
    database.execute_sql(
        f'CREATE TABLE "unassigned_file" ("id" {key} NOT NULL PRIMARY KEY, '
        f'"created_at" {when} NOT NULL, "mail_id" {key} NOT NULL, '
        '"filename" VARCHAR(255) NOT NULL, "content_type" VARCHAR(100) NOT NULL, '
        f'"content" {blob} NOT NULL, '
        'FOREIGN KEY ("mail_id") REFERENCES "unassigned_mail" ("id") ON DELETE CASCADE)'
    )
    database.execute_sql('CREATE INDEX "unassigned_file_mail_id" ON "unassigned_file" ("mail_id")')
