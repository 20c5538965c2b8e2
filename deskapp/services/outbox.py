"""The outbox, for the screen: what waits, what went, what failed; resend or discard by hand.

Sending itself is deskapp.mail.sending (`deskapp mail send`). A mail the sender could not be
sure about ("uncertain": it died while handing it over) is never resent automatically: a person
decides here, and that decision is audited, as is discarding a mail. Anyone may send a mail
again; only an admin discards one (rights.Right.DISCARD_MAIL), checked in the action's
transaction against the person as the database has them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import peewee

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.errors import Conflict, NotFound
from deskapp.ids import format_number
from deskapp.mail.queue import publish_ticket_mail
from deskapp.models import Entity, OutboxMail, OutboxStatus, Ticket
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.rights import Right, acting

__all__ = [
    "STATUSES",
    "OutboxMailDetail",
    "OutboxPageKey",
    "OutboxRow",
    "OutboxStatus",
    "count_outbox",
    "discard_mail",
    "get_outbox_mail",
    "open_outbox_mail",
    "list_outbox",
    "retry_mail",
]

STATUSES = tuple(OutboxStatus)
"""Every status an outbox mail can have."""

OutboxPageKey = tuple[dt.datetime, uuid.UUID]
"""Where a page of the outbox ends: the last row's (created_at, id)."""


@dataclass(frozen=True)
class OutboxRow:
    """One mail in the outbox."""

    id: uuid.UUID
    """The outbox row's key."""
    to_address: str
    """Who it is for."""
    subject: str
    """Its subject (it carries the client's subject: untrusted text)."""
    status: OutboxStatus
    """Where it stands: queued, sending, sent, failed, uncertain or discarded."""
    attempts: int
    """How many times the sender tried it."""
    next_attempt_at: dt.datetime
    """When a queued mail is next tried (UTC)."""
    sent_at: dt.datetime | None
    """When the mail server accepted it."""
    last_error: str
    """Why the last attempt failed, in words; empty when none did."""
    ticket_label: str
    """The ticket it belongs to ("T-20311"), or empty."""
    created_at: dt.datetime
    """When it was queued (UTC)."""

    @property
    def page_key(self) -> OutboxPageKey:
        """Where this row sits in the newest-first order."""
        return (self.created_at, self.id)


def list_outbox(
    status: OutboxStatus | None = None, after: OutboxRow | None = None, limit: int = 100
) -> list[OutboxRow]:
    """A page of the outbox, newest first, starting after `after` (keyset paging, no OFFSET);
    `status` keeps only mail in that status."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown outbox status {status!r}")
    query = _outbox_rows()
    if status is not None:
        query = query.where(OutboxMail.status == status)
    if after is not None:
        at, key = after.page_key
        query = query.where(
            (OutboxMail.created_at < at) | ((OutboxMail.created_at == at) & (OutboxMail.id < key))
        )
    query = query.order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()).limit(limit)
    return [_row(values) for values in _dicts(query)]


def _dicts(query: peewee.ModelSelect[OutboxMail]) -> Iterable[dict[str, Any]]:
    """The rows of `query` as dicts (peewee's hints type them as models)."""
    return cast(Iterable[dict[str, Any]], query.dicts())


def _outbox_rows() -> peewee.ModelSelect[OutboxMail]:
    """The columns an OutboxRow shows, with the ticket's number."""
    return OutboxMail.select(
        OutboxMail.id,
        OutboxMail.to_address,
        OutboxMail.subject,
        OutboxMail.status,
        OutboxMail.attempts,
        OutboxMail.next_attempt_at,
        OutboxMail.sent_at,
        OutboxMail.last_error,
        OutboxMail.created_at,
        Ticket.number.alias("ticket_number"),
    ).join(Ticket, peewee.JOIN.LEFT_OUTER)


def count_outbox() -> dict[OutboxStatus, int]:
    """How many mails are in each status (every status present, zero included)."""
    counts = dict.fromkeys(STATUSES, 0)
    query = OutboxMail.select(OutboxMail.status, peewee.fn.COUNT(OutboxMail.id)).group_by(
        OutboxMail.status
    )
    for status, count in cast(Iterable[tuple[str, int]], query.tuples()):
        known = OutboxStatus(status)
        counts[known] = counts.get(known, 0) + count
    return counts


@dataclass(frozen=True)
class OutboxMailDetail:
    """One outbox mail opened: its row, with what the list leaves out."""

    mail: OutboxRow
    """The row as the list shows it (last_error in full)."""
    body: str
    """The text of the mail (untrusted: it quotes the client's subject and the reply)."""
    message_id: str
    """Its Message-ID header."""
    ticket_id: uuid.UUID | None
    """The ticket it belongs to (a reply's), or None (a welcome mail)."""


def open_outbox_mail(mail_id: uuid.UUID) -> OutboxMailDetail:
    """One outbox mail with its body and ticket; NotFound with a sentence."""
    query = _outbox_rows().select_extend(OutboxMail.body, OutboxMail.message_id, OutboxMail.ticket)
    rows = list(_dicts(query.where(OutboxMail.id == mail_id)))
    if not rows:
        raise NotFound(_gone())
    values = rows[0]
    return OutboxMailDetail(
        mail=_row(values),
        body=values["body"],
        message_id=values["message_id"],
        ticket_id=values["ticket"],
    )


def get_outbox_mail(mail_id: uuid.UUID) -> OutboxRow:
    """One outbox mail; NotFound with a sentence."""
    rows = [_row(values) for values in _dicts(_outbox_rows().where(OutboxMail.id == mail_id))]
    if not rows:
        raise NotFound(_gone())
    return rows[0]


def retry_mail(actor: Actor, mail_id: uuid.UUID) -> None:
    """Send a mail at the next `deskapp mail send`: a failed or uncertain one goes back to the
    queue with fresh attempts, a queued one waiting out its backoff is due now.

    Resending an uncertain mail may deliver it twice; that is the person's call, so it is
    audited. Conflict, saying why, for mail being sent, sent or discarded; Refused for someone
    disabled or removed."""
    with acting(actor, Right.RESEND_MAIL) as actor:
        row = _locked(mail_id)
        if row.status not in (OutboxStatus.FAILED, OutboxStatus.UNCERTAIN, OutboxStatus.QUEUED):
            raise Conflict(_cannot("resent", OutboxStatus(row.status), row.sent_at))
        before = _state(row)
        attempts = row.attempts if row.status == OutboxStatus.QUEUED else 0
        OutboxMail.update(
            status=OutboxStatus.QUEUED, attempts=attempts, next_attempt_at=clock.now()
        ).where(OutboxMail.id == mail_id, OutboxMail.status == row.status).execute()
        audit.record(
            actor,
            "mail.resend",
            "outbox_mail",
            mail_id,
            f"Resend the {row.status} mail to {row.to_address}: {row.subject}",
            before=before,
            after={**before, "status": OutboxStatus.QUEUED, "attempts": attempts},
        )
        feed.publish(Entity.OUTBOX, mail_id, "updated")
        publish_ticket_mail(row.ticket_id)


def discard_mail(actor: Actor, mail_id: uuid.UUID) -> None:
    """Never send this mail (queued, failed or uncertain); audited. The row stays, discarded,
    so the outbox still shows it. Conflict for mail being sent, sent or already discarded;
    Refused unless an admin (the client never gets the mail: a reply, an invoice)."""
    with acting(actor, Right.DISCARD_MAIL) as actor:
        row = _locked(mail_id)
        if row.status not in (OutboxStatus.QUEUED, OutboxStatus.FAILED, OutboxStatus.UNCERTAIN):
            raise Conflict(_cannot("discarded", OutboxStatus(row.status)))
        before = _state(row)
        changed = (
            OutboxMail.update(status=OutboxStatus.DISCARDED)
            .where(OutboxMail.id == mail_id, OutboxMail.status == row.status)
            .execute()
        )
        if not changed:
            raise Conflict("The mail changed while you looked at it; look again.")
        audit.record(
            actor,
            "mail.discard",
            "outbox_mail",
            mail_id,
            f"Discard the {row.status} mail to {row.to_address}: {row.subject}",
            before=before,
            after={**before, "status": OutboxStatus.DISCARDED},
        )
        feed.publish(Entity.OUTBOX, mail_id, "updated")
        publish_ticket_mail(row.ticket_id)


def _locked(mail_id: uuid.UUID) -> OutboxMail:
    query = OutboxMail.select().where(OutboxMail.id == mail_id)
    if is_postgres():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(_gone())
    return row


def _state(row: OutboxMail) -> dict[str, Any]:
    return {
        "to_address": row.to_address,
        "subject": row.subject,
        "message_id": row.message_id,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
    }


def _cannot(what: str, status: OutboxStatus, sent_at: dt.datetime | None = None) -> str:
    if status == OutboxStatus.SENDING:
        return f"This mail is being sent right now; it cannot be {what}."
    if status == OutboxStatus.SENT:
        when = f" on {sent_at:%Y-%m-%d %H:%M} UTC" if sent_at else ""
        if what == "resent":
            return (
                f"This mail was already sent{when}: the mail server accepted it, so it is not "
                "sent twice. To send it again, reply on its ticket."
            )
        return f"This mail was already sent{when}; it cannot be {what}."
    if status == OutboxStatus.DISCARDED:
        return f"This mail was discarded; it cannot be {what}."
    return f"This mail is waiting to be sent; it cannot be {what}."


def _gone() -> str:
    return "That mail is no longer in the outbox."


def _row(values: dict[str, Any]) -> OutboxRow:
    number = values.get("ticket_number")
    return OutboxRow(
        id=values["id"],
        to_address=values["to_address"],
        subject=values["subject"],
        status=OutboxStatus(values["status"]),
        attempts=values["attempts"],
        next_attempt_at=values["next_attempt_at"],
        sent_at=values["sent_at"],
        last_error=values["last_error"],
        ticket_label=format_number("ticket", number) if number is not None else "",
        created_at=values["created_at"],
    )
