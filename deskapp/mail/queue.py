"""The outbox rows the sender works through: its one lock, claiming, marking sent or failed,
backing off. Each change is its own short transaction, so a row is never held while the mail
server is talked to; the rule they keep ("never twice") is in deskapp.mail.sending.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import peewee

from deskapp import clock
from deskapp.db import db, feed, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict
from deskapp.models import Attachment, Department, Entity, OutboxMail, OutboxStatus, Ticket

MAX_ATTEMPTS = 8
"""A mail is tried at most this many times; the last temporary failure makes it failed."""
FIRST_BACKOFF = dt.timedelta(minutes=1)
"""The wait after the first temporary failure; it doubles with each further one."""
MAX_BACKOFF = dt.timedelta(hours=6)
"""The longest wait between two attempts."""
REPLY_MESSAGE_ID = re.compile(r"<([0-9a-f]{32})\.\d+@deskapp>")
"""A reply's mail: `<ticket message's id, in hex>.<recipient n>@deskapp>`."""
_LOCK_KEY = 0x6465736B6D61696C  # "deskmail": the PostgreSQL advisory lock of the sender
_BUSY = "Another `deskapp mail send` is running on this desk; this one sent nothing."


@dataclass(frozen=True)
class Claimed:
    """A row this sender claimed ("sending"), with what its mail needs."""

    id: uuid.UUID
    """The outbox row's key."""
    to_address: str
    """The recipient, as queued."""
    subject: str
    """The subject, as queued."""
    body: str
    """The text of the mail."""
    message_id: str
    """Its Message-ID header."""
    attempts: int
    """Attempts before this one."""
    reply_to: str
    """The department's address for Reply-To, or empty."""
    files: tuple[tuple[str, str, bytes], ...] = ()
    """The reply's attachments: (file name, content type, content)."""
    ticket_id: uuid.UUID | None = None
    """The ticket the mail belongs to (its conversation shows whether the reply went out)."""


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th temporary failure: 1, 2, 4, ... minutes, capped."""
    if attempts > 20:
        return MAX_BACKOFF
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


@contextmanager
def sender_lock() -> Iterator[None]:
    """Hold the desk's one sender lock, or raise Conflict when another sender has it."""
    if is_postgres():
        cursor = db.execute_sql("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,))
        if not cursor.fetchone()[0]:
            raise Conflict(_BUSY)
        try:
            yield
        finally:
            try:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
            except peewee.DatabaseError:
                pass  # the connection is gone, and the lock with it
        return
    path = str(db.obj.database)
    try:
        import fcntl
    except ImportError:  # not POSIX: rely on the conditional claims alone
        yield
        return
    if path == ":memory:":
        yield
        return
    # The real path: two senders reaching one file through a symlink take one lock.
    real = os.path.realpath(path)
    with open(f"{real}.mail-lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(_BUSY) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _due() -> peewee.Expression:
    return (OutboxMail.status == OutboxStatus.QUEUED) & (OutboxMail.next_attempt_at <= clock.now())


def count_due(at_most: int | None = None) -> int:
    """How many rows are due now (counting stops at `at_most`)."""
    query = OutboxMail.select(OutboxMail.id).where(_due())
    if at_most is not None:
        query = query.limit(at_most)
    return int(query.count())


def abandon_claims() -> int:
    """Rows left "sending" by a sender that died become "uncertain" (the lock is ours, so no
    live sender holds them). Returns how many."""
    with write_transaction():
        rows = [
            row.id
            for row in OutboxMail.select(OutboxMail.id).where(
                OutboxMail.status == OutboxStatus.SENDING
            )
        ]
        if not rows:
            return 0
        changed = int(
            OutboxMail.update(
                status=OutboxStatus.UNCERTAIN,
                last_error="The sender stopped while handing this mail to the mail server; "
                "it may or may not have been delivered. Resend it or discard it.",
            )
            .where(OutboxMail.id.in_(rows), OutboxMail.status == OutboxStatus.SENDING)
            .execute()
        )
        for key in rows:
            feed.publish(Entity.OUTBOX, key, "updated")
    return changed


def claim_next() -> Claimed | None:
    """Take the oldest due row: "queued" -> "sending" only if still queued (so never twice)."""
    for _ in range(5):  # another claimer can only win a row a few times in a row
        with write_transaction():
            candidate = (
                OutboxMail.select(OutboxMail.id)
                .where(_due())
                .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
                .limit(1)
                .first()
            )
            if candidate is None:
                return None
            claimed = (
                OutboxMail.update(status=OutboxStatus.SENDING, next_attempt_at=clock.now())
                .where(OutboxMail.id == candidate.id, OutboxMail.status == OutboxStatus.QUEUED)
                .execute()
            )
            if not claimed:
                continue
            row = cast(
                dict[str, Any],
                OutboxMail.select(
                    OutboxMail.id,
                    OutboxMail.to_address,
                    OutboxMail.subject,
                    OutboxMail.body,
                    OutboxMail.message_id,
                    OutboxMail.attempts,
                    OutboxMail.ticket,
                    Department.email.alias("reply_to"),
                )
                .join(Ticket, peewee.JOIN.LEFT_OUTER)
                .join(Department, peewee.JOIN.LEFT_OUTER)
                .where(OutboxMail.id == candidate.id)
                .dicts()
                .get(),
            )
            feed.publish(Entity.OUTBOX, candidate.id, "updated")
        return Claimed(
            id=row["id"],
            to_address=row["to_address"],
            subject=row["subject"],
            body=row["body"],
            message_id=row["message_id"],
            attempts=row["attempts"],
            reply_to=(row["reply_to"] or "").strip(),
            files=_reply_files(row["message_id"]),
            ticket_id=row["ticket"],
        )
    return None


def _reply_files(message_id: str) -> tuple[tuple[str, str, bytes], ...]:
    """The files of the ticket message a reply mail carries (none for other mail)."""
    matched = REPLY_MESSAGE_ID.fullmatch(message_id)
    if matched is None:
        return ()
    query = cast(
        Iterable[tuple[str, str, bytes | memoryview]],
        Attachment.select(Attachment.filename, Attachment.content_type, Attachment.content)
        .where(Attachment.message == uuid.UUID(matched.group(1)))
        .order_by(Attachment.id)
        .tuples(),
    )
    return tuple((name, kind, bytes(content)) for name, kind, content in query)


def publish_ticket_mail(ticket_id: uuid.UUID | None) -> None:
    """Tell the desks showing the ticket that a reply's mail went out or failed (its
    conversation says so per reply)."""
    if ticket_id is not None:
        feed.publish(Entity.TICKET, ticket_id, "mail")


def mark_sent(row: Claimed) -> None:
    """The server accepted the claimed row's mail."""
    with write_transaction():
        OutboxMail.update(
            status=OutboxStatus.SENT, sent_at=clock.now(), attempts=row.attempts + 1, last_error=""
        ).where(OutboxMail.id == row.id, OutboxMail.status == OutboxStatus.SENDING).execute()
        feed.publish(Entity.OUTBOX, row.id, "updated")
        publish_ticket_mail(row.ticket_id)


def fail(row: Claimed, reason: str) -> None:
    """The claimed row's mail is refused for good, for `reason` (in words)."""
    with write_transaction():
        OutboxMail.update(
            status=OutboxStatus.FAILED, attempts=row.attempts + 1, last_error=reason
        ).where(OutboxMail.id == row.id, OutboxMail.status == OutboxStatus.SENDING).execute()
        feed.publish(Entity.OUTBOX, row.id, "updated")
        publish_ticket_mail(row.ticket_id)


def release(row: Claimed, reason: str) -> bool:
    """Back to the queue after a temporary failure; False when that was the last attempt."""
    attempts = row.attempts + 1
    with write_transaction():
        retry = attempts < MAX_ATTEMPTS
        values = _after_temporary(attempts, reason)
        OutboxMail.update(**values).where(
            OutboxMail.id == row.id, OutboxMail.status == OutboxStatus.SENDING
        ).execute()
        feed.publish(Entity.OUTBOX, row.id, "updated")
        if not retry:
            publish_ticket_mail(row.ticket_id)
    return retry


def defer_due(reason: str, at_most: int) -> tuple[int, int]:
    """The server is unreachable: each due row (up to `at_most`) counts a temporary failure.
    Returns (failed, retrying)."""
    failed = retrying = 0
    if at_most < 1:
        return 0, 0
    with write_transaction():
        rows = list(
            OutboxMail.select(OutboxMail.id, OutboxMail.attempts, OutboxMail.ticket)
            .where(_due())
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(at_most)
        )
        for row in rows:
            attempts = row.attempts + 1
            changed = (
                OutboxMail.update(**_after_temporary(attempts, reason))
                .where(OutboxMail.id == row.id, OutboxMail.status == OutboxStatus.QUEUED)
                .execute()
            )
            if not changed:
                continue
            feed.publish(Entity.OUTBOX, row.id, "updated")
            if attempts < MAX_ATTEMPTS:
                retrying += 1
            else:
                failed += 1
                publish_ticket_mail(row.ticket_id)
    return failed, retrying


def _after_temporary(attempts: int, reason: str) -> dict[str, object]:
    if attempts >= MAX_ATTEMPTS:
        return {
            "status": OutboxStatus.FAILED,
            "attempts": attempts,
            "last_error": f"Gave up after {attempts} attempts. {reason}",
        }
    later = clock.now() + backoff(attempts)
    return {
        "status": OutboxStatus.QUEUED,
        "attempts": attempts,
        "next_attempt_at": later,
        "last_error": f"{reason} Trying again at {later:%Y-%m-%d %H:%M} UTC.",
    }
