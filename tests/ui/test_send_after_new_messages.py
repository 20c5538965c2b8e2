"""A reply is not sent over the client's newer messages unseen: when the client wrote since the
reply was begun, sending asks first ("2 new messages since you started writing") and shows
them; going back to writing counts them as read, sending anyway sends. Both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from ticket_screen_data import demo_app, open_ticket

from deskapp.services.conversation import (
    client_messages_since,
    find_ticket,
    record_client_message,
    writing_mark,
)
from screens.app import DeskApp
from screens.new_messages_dialog import NewMessagesDialog


@pytest.fixture(autouse=True)
def quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """User dirs under tmp_path; the feed is read every 200 ms."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)


def test_the_messages_after_a_mark_are_the_clients_new_ones(desk: str) -> None:
    demo_app(desk)
    ticket = find_ticket("T-20056")
    mark = writing_mark(ticket.id)
    assert client_messages_since(mark) == []
    record_client_message(ticket.id, "First, the address.")
    record_client_message(ticket.id, "Second, the phone.")
    assert [m.body for m in client_messages_since(mark)] == [
        "First, the address.",
        "Second, the phone.",
    ]
    assert client_messages_since(writing_mark(ticket.id)) == []


async def test_sending_after_new_messages_asks_and_shows_them(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        shown = len(screen.conversation.messages)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"We will move the mailboxes")
        record_client_message(screen.ticket_id, "Actually it is six mailboxes.")
        record_client_message(screen.ticket_id, "And one is shared.")

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, NewMessagesDialog), what="question")
        text = screen_text(pilot)
        assert "2 new messages since you started writing" in text
        assert "Actually it is six mailboxes." in text and "And one is shared." in text

        await pilot.press("escape")  # keep writing: nothing sent, the text as it was
        await settle(pilot)
        assert app.screen is screen and screen.composing
        assert screen.composer.text == "We will move the mailboxes"
        await pilot.press(*" (all six)")

        await pilot.press("ctrl+s")  # the messages were seen: no question this time
        await wait_for(pilot, lambda: not screen.composing, what="the reply sent")
        await settle(pilot)
        bodies = [m.body for m in screen.conversation.messages]
        assert bodies[-1] == "We will move the mailboxes (all six)"
        assert len(bodies) == shown + 3


async def test_send_anyway_sends(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Done")
        record_client_message(screen.ticket_id, "Is it done?")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, NewMessagesDialog), what="question")
        assert "1 new message since you started writing" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.composing, what="the reply sent")
        await settle(pilot)
        assert screen.conversation.messages[-1].body == "Done"


async def test_a_note_never_asks(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Client keeps writing")
        record_client_message(screen.ticket_id, "Hello again.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.composing, what="the note saved")
        assert app.screen is screen
