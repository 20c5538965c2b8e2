"""Reading the change feed from a place (deskapp.services.changes.changes_since): a change whose
write committed after a newer one was read still reaches the desk, once; an id whose write
rolled back is given up after UNSEEN_SECONDS."""

from __future__ import annotations

import threading

import pytest

from deskapp.db import close_database, db, feed
from deskapp.services.changes import (
    UNSEEN_SECONDS,
    FeedPlace,
    changes_after,
    changes_since,
    latest_change,
)

POSTGRES_ONLY = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
"""Writes side by side commit in any order on PostgreSQL; SQLite takes them one at a time."""


def publish(entity_id: str) -> None:
    """A change committed now, on this thread's connection."""
    with db.atomic():
        feed.publish("ticket", entity_id, "reply")


class SlowWrite:
    """A write on another connection that makes its change, then waits to commit or roll back."""

    def __init__(self, entity_id: str) -> None:
        self.made = threading.Event()
        self.finish = threading.Event()
        self.commit = True
        self.thread = threading.Thread(target=self._write, args=(entity_id,))
        self.thread.start()
        assert self.made.wait(10), "the slow write did not start"

    def _write(self, entity_id: str) -> None:
        try:
            with db.atomic() as transaction:
                feed.publish("ticket", entity_id, "reply")
                self.made.set()
                self.finish.wait(10)
                if not self.commit:
                    transaction.rollback()
        finally:
            close_database()

    def end(self, *, commit: bool) -> None:
        """Commit (or roll back) and wait until it is done."""
        self.commit = commit
        self.finish.set()
        self.thread.join(10)


def ids_of(read: tuple[list, FeedPlace]) -> list[str]:
    return [change.entity_id for change in read[0]]


@POSTGRES_ONLY
def test_a_change_committed_after_a_newer_one_was_read_still_arrives_once(desk: str) -> None:
    place = FeedPlace(latest_change())
    slow = SlowWrite("first")  # its event has the lower id, but it commits last
    publish("second")
    changes, place = changes_since(place)
    assert [c.entity_id for c in changes] == ["second"]
    behind = changes_after(changes[-1].id)  # reading after the newest seen, as desks used to

    slow.end(commit=True)
    assert changes_after(changes[-1].id) == behind == []  # ... would never see "first"
    changes, place = changes_since(place)
    assert [c.entity_id for c in changes] == ["first"]
    assert place.unseen == ()
    publish("third")
    assert ids_of(changes_since(place)) == ["third"]  # and "first" only once


@POSTGRES_ONLY
def test_an_id_whose_write_rolled_back_is_given_up_after_a_while(desk: str) -> None:
    place = FeedPlace(latest_change())
    slow = SlowWrite("never")
    publish("kept")
    changes, place = changes_since(place, now=100.0)
    slow.end(commit=False)
    assert [c.entity_id for c in changes] == ["kept"]
    assert [since for _, since in place.unseen] == [100.0]

    changes, place = changes_since(place, now=100.0 + UNSEEN_SECONDS - 1)
    assert changes == [] and len(place.unseen) == 1  # still asked for a while
    changes, place = changes_since(place, now=100.0 + UNSEEN_SECONDS)
    assert changes == [] and place.unseen == ()


def test_changes_in_order_come_from_a_place_as_after_the_newest(desk: str) -> None:
    start = latest_change()
    for name in ("a", "b", "c"):
        publish(name)
    changes, place = changes_since(FeedPlace(start))
    assert changes == changes_after(start)
    assert place == FeedPlace(changes[-1].id)
    assert changes_since(place) == ([], place)


def test_a_page_at_a_time(desk: str) -> None:
    start = latest_change()
    for name in ("a", "b", "c"):
        publish(name)
    first, place = changes_since(FeedPlace(start), limit=2)
    second, place = changes_since(place, limit=2)
    assert [c.entity_id for c in first + second] == ["a", "b", "c"]
    assert place.unseen == ()
