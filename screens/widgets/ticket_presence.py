"""Who else is on a ticket: a line on the ticket screen ("Kim Adler is replying · Ann Admin is
viewing") and a mark in the queue's subject cell, from deskapp.services.presence.

The line announces this desk on the ticket (viewing, or replying while the reply composer is
open), renews that every RENEW_SECONDS so it never lapses while the desk is there (a desk that
went away lapses after presence.WINDOW), and reads who else is there whenever the change feed
says the ticket's presence changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from deskapp.services.changes import Entity
from deskapp.services.presence import Activity, Present, leave, looking_at, present_on
from screens.widgets.desk_session import desk_session
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.changes import Change

__all__ = ["TicketPresence", "presence_mark", "presence_sentence"]

RENEW_SECONDS = 30.0
"""How often an open ticket renews this desk's presence (well within presence.WINDOW) and
reads again who else is there."""


def presence_sentence(people: Sequence[Present]) -> Text:
    """ "Kim Adler is replying · Ann Admin is viewing" (empty for nobody)."""
    line = Text()
    for index, person in enumerate(people):
        if index:
            line.append(" · ", style="dim")
        line.append_text(untrusted(person.name, limit=30, style="bold"))
        line.append(f" is {person.activity}")
    return line


def presence_mark(people: Sequence[Present]) -> Text:
    """A short mark for a queue cell: "✎Kim " (replying) or "◉Kim " (viewing), "+2" for more."""
    if not people:
        return Text()
    first = people[0]
    symbol = "✎" if first.activity is Activity.REPLYING else "◉"
    mark = Text(symbol, style="bold")
    mark.append_text(untrusted(first.name.split(" ")[0], limit=8, style="bold"))
    if len(people) > 1:
        mark.append(f"+{len(people) - 1}", style="bold")
    mark.append(" ")
    return mark


class TicketPresence(Static):
    """The line naming who else is on the ticket; hidden while nobody is."""

    replying: reactive[bool] = reactive(False, init=False)
    """Whether this desk is writing a reply (said to the others as "replying")."""

    class _Read(Message, bubble=False):
        def __init__(self, ticket_id: uuid.UUID, people: tuple[Present, ...]) -> None:
            super().__init__()
            self.ticket_id = ticket_id
            self.people = people

    def __init__(self, ticket_id: uuid.UUID, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket_id = ticket_id
        """The ticket (the screen changes it after a merge: `show_ticket`)."""
        self.people: tuple[Present, ...] = ()
        """Who else is on the ticket, as last read."""

    def on_mount(self) -> None:
        """Say this desk is here, read who else is, renew now and then, follow changes."""
        self.announce()
        self.set_interval(RENEW_SECONDS, self.announce)
        signal = getattr(self.app, "changes_signal", None)
        if signal is not None:
            signal.subscribe(self, self._changes_seen)

    def show_ticket(self, ticket_id: uuid.UUID) -> None:
        """The screen shows another ticket now (the one a merge kept)."""
        self.ticket_id = ticket_id
        self.people = ()
        self._show()
        self.announce()

    def watch_replying(self) -> None:
        """Tell the others at once."""
        self.announce()

    def announce(self) -> None:
        """Renew (or change) this desk's presence, then read who else is here (in a thread)."""
        activity = Activity.REPLYING if self.replying else Activity.VIEWING
        self.run_worker(
            partial(self._announce, self.ticket_id, activity),
            thread=True,
            exit_on_error=False,
            group="presence",
            name="say who is on the ticket",
        )

    def leave(self) -> None:
        """This desk leaves the ticket: the others see it at once (the work outlives the
        screen, so it runs on the app)."""
        actor = desk_session(self).actor
        self.app.run_worker(
            partial(leave, actor), thread=True, exit_on_error=False, group="presence"
        )

    def _announce(self, ticket_id: uuid.UUID, activity: Activity) -> None:
        actor = desk_session(self).actor
        looking_at(actor, Entity.TICKET, ticket_id, activity)
        self._read_now(ticket_id)

    def _read_now(self, ticket_id: uuid.UUID) -> None:
        actor = desk_session(self).actor
        people = present_on(Entity.TICKET, [ticket_id], actor.id).get(str(ticket_id), ())
        self.post_message(self._Read(ticket_id, people))

    def _changes_seen(self, changes: tuple[Change, ...]) -> None:
        mine = str(self.ticket_id)
        if any(c.entity == Entity.TICKET and c.entity_id == mine for c in changes):
            self.run_worker(
                partial(self._read_now, self.ticket_id),
                thread=True,
                exit_on_error=False,
                group="presence-read",
                exclusive=True,
                name="read who is on the ticket",
            )

    @on(_Read)
    def _people_read(self, message: _Read) -> None:
        """Show who was read (unless the screen moved to another ticket meanwhile)."""
        if message.ticket_id == self.ticket_id:
            self.people = message.people
            self._show()

    def _show(self) -> None:
        self.update(presence_sentence(self.people))
        self.set_class(bool(self.people), "-shown")
