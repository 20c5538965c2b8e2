"""Following other desks: the change feed read now and then, and at once when told.

Every open desk reads the change feed every CHANGES_POLL_SECONDS; a shared (PostgreSQL) desk
also reads it the moment the database NOTIFYs a commit, through a listening thread with its own
connection. What is read is published on `changes_signal`; screens subscribe and refresh what
they show of those entities (screens.messages.FollowsChanges).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import App
from textual.message import Message
from textual.signal import Signal

if TYPE_CHECKING:
    from deskapp.services.changes import Change

log = logging.getLogger("deskapp.screens")


class FollowsOtherDesks(App[None]):
    """App part: reads the change feed and publishes what others (and this desk) changed."""

    CHANGES_POLL_SECONDS = 1.0
    """How often the desk asks the change feed what others changed."""
    LISTEN_AGAIN_SECONDS = 1.0
    """How long the listening thread waits before listening again after its connection
    died (the server restarting, say)."""

    class ChangesRead(Message, bubble=False):
        """The change feed's newer events (possibly none), read in a thread."""

        def __init__(self, after: int, changes: tuple[Change, ...]) -> None:
            super().__init__()
            self.after = after
            """The last change seen: the next read asks for changes after it."""
            self.changes = changes
            """What was read, oldest first."""

    def __init__(self) -> None:
        super().__init__()
        self.changes_signal: Signal[tuple[Change, ...]] = Signal(self, "changes")
        """Other desks' (and this one's) committed changes, as they are seen: screens
        subscribe and refresh what they show of those entities."""
        self._last_change: int | None = None
        self._reading_changes = False

    def start_following(self) -> None:
        """Start reading the change feed: now, every CHANGES_POLL_SECONDS, and when told."""
        self.read_changes()
        self.set_interval(self.CHANGES_POLL_SECONDS, self.read_changes)
        # A thread of its own, not a worker: it lives as long as the app (waiting for all
        # workers to finish must not wait for it), and ends within a wait once the app stops.
        threading.Thread(target=self._listen_for_changes, name="changes", daemon=True).start()

    def read_changes(self) -> None:
        """Ask, in a thread, for the changes since the last seen (skipped while one asks)."""
        if self._reading_changes:
            return
        self._reading_changes = True
        self.run_worker(self._ask_changes, thread=True, exit_on_error=False, group="changes")

    def _listen_for_changes(self) -> None:
        """In a thread: read the feed the moment a shared database says something changed."""
        from deskapp.services.changes import wait_for_changes  # after the first screen

        while self._still_on():
            try:
                wait_for_changes(lambda: self.call_from_thread(self.read_changes), self._still_on)
                return  # the app stopped (or the database is local: nothing to listen to)
            except Exception:  # noqa: BLE001 (reading now and then goes on; the header tells)
                log.debug("listening for changes stopped; listening again soon", exc_info=True)
            time.sleep(self.LISTEN_AGAIN_SECONDS)  # a server that is restarting, say

    def _still_on(self) -> bool:
        return self.is_running

    def _ask_changes(self) -> None:
        from deskapp.services.changes import (  # after the first screen
            changes_after,
            start_following,
        )

        try:
            if self._last_change is None:
                after, changes = start_following(), ()
            else:
                after = self._last_change
                changes = tuple(changes_after(after))
                if changes:
                    after = changes[-1].id
        except Exception:  # noqa: BLE001 (the connection check tells; ask again next time)
            log.debug("reading the change feed failed", exc_info=True)
            self._reading_changes = False
            self.call_from_thread(self.feed_unread)
            return
        self.post_message(self.ChangesRead(after, changes))

    def feed_unread(self) -> None:
        """The change feed could not be read (the database may be gone); the app asks its
        connection check."""

    @on(ChangesRead)
    def _changes_read(self, message: ChangesRead) -> None:
        self._last_change = message.after
        self._reading_changes = False
        if message.changes:
            self.changes_signal.publish(message.changes)
