"""The outbox mail tests' one mail: a failed reply on a demo ticket, with a long error and a
hostile subject (models may be used here; the screen reads it through the services)."""

from __future__ import annotations

import datetime as dt
import uuid

from deskapp import clock
from deskapp.models import OutboxMail
from deskapp.services.conversation import find_ticket

ERROR = (
    "Gave up after 8 attempts. The mail server mail.example.net:587 refused the connection. "
    "Trying again was pointless: the desk's mail server has been down since the morning, and "
    "this sentence goes on so that the list cuts it but the opened mail shows all of it."
)
"""The failed mail's last error: longer than the list shows."""


def failed_reply(ticket: str = "T-20046") -> uuid.UUID:
    """A failed mail of `ticket`, queued ten minutes ago; returns its key."""
    now = clock.now()
    row = OutboxMail.create(
        ticket=find_ticket(ticket).id,
        to_address="bjorn.stewart@stewart.example",
        subject="[T-20046] Help moving mailboxes [bold]from[/bold] old provider",
        body="Hi Björn,\n\nthe mailboxes move tonight.\n[@click=app.quit]not a link[/]\n\n-- \nSam",
        message_id="<outbox-test-1@deskapp>",
        status="failed",
        attempts=8,
        next_attempt_at=now,
        last_error=ERROR,
        created_at=now - dt.timedelta(minutes=10),
    )
    return row.id
