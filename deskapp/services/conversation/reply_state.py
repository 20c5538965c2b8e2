"""What became of a staff reply's mail, in words for the conversation: "queued for mail" until
the outbox has sent it, "sent" after, "failed: <reason>" when the outbox gave up.

Read from the outbox rows linked to the reply (`OutboxMail.ticket_message`, one per recipient):
the word of the recipient that most needs a person wins, so one refused address among several
still shows as failed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from deskapp.models import Message, OutboxMail, OutboxStatus, tuple_rows

REASON_MAX = 60
"""The most characters of a failure's reason the conversation shows (the outbox has it all)."""
QUEUED = "queued for mail"
"""A reply whose mail is waiting for (or in the hands of) the outbox's sender."""
SENT = "sent"
"""A reply whose every mail the mail server accepted."""
_RANK = {
    OutboxStatus.FAILED: 0,
    OutboxStatus.UNCERTAIN: 1,
    OutboxStatus.SENDING: 2,
    OutboxStatus.QUEUED: 2,
    OutboxStatus.SENT: 3,
    OutboxStatus.DISCARDED: 4,
}


def short_reason(error: str) -> str:
    """A failure's reason on one line, cut to REASON_MAX characters."""
    text = " ".join(error.split())
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 1].rstrip() + "…"


def reply_state(mails: Iterable[tuple[str, str]]) -> str:
    """The words for a reply whose mails are (status, last_error); "" when it queued none."""
    worst: tuple[int, str, str] | None = None
    for status, error in mails:
        rank = _RANK.get(OutboxStatus(status), 2)
        if worst is None or rank < worst[0]:
            worst = (rank, status, error)
    if worst is None:
        return ""
    _, status, error = worst
    if status == OutboxStatus.FAILED:
        return f"failed: {short_reason(error) or 'see the outbox'}"
    if status == OutboxStatus.UNCERTAIN:
        return "uncertain: may not have gone out, see the outbox"
    if status == OutboxStatus.SENT:
        return SENT
    if status == OutboxStatus.DISCARDED:
        return "not mailed: discarded in the outbox"
    return QUEUED


def page_reply_states(
    ticket_id: uuid.UUID, oldest: dt.datetime, newest: dt.datetime
) -> dict[uuid.UUID, str]:
    """The words for each reply of the ticket written from `oldest` to `newest` (one query,
    bounded by the page's time span like its attachments)."""
    query = (
        OutboxMail.select(OutboxMail.ticket_message, OutboxMail.status, OutboxMail.last_error)
        .join(Message, on=(OutboxMail.ticket_message == Message.id))
        .where(
            Message.ticket == ticket_id,
            Message.created_at >= oldest,
            Message.created_at <= newest,
        )
    )
    mails: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for message_id, status, error in tuple_rows(query):
        mails.setdefault(message_id, []).append((status, error))
    return {message_id: reply_state(rows) for message_id, rows in mails.items()}
