"""A client's mail whose sender the desk's mail server could not verify is marked in red on the
ticket (issue 14); the others are not marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import screen_text, style_of, use_tmp_user_dirs
from ticket_screen_data import SIZE, demo_app, open_ticket

from deskapp.models import Message, Ticket
from screens.widgets.conversation_view import UNVERIFIED_LABEL

TICKET = "T-20046"
"""A demo ticket with two client messages (see tests/ui/test_ticket_screen.py)."""


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_an_unverified_sender_is_marked_in_red(
    desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_tmp_user_dirs(tmp_path, monkeypatch)
    app = demo_app(desk)  # loads the demo into the desk
    ticket = Ticket.get(Ticket.number == int(TICKET.removeprefix("T-")))
    newest = (
        Message.select()
        .where(Message.ticket == ticket.id, Message.kind == "client")
        .order_by(Message.created_at.desc())
        .first()
    )
    Message.update(sender_unverified=True).where(Message.id == newest.id).execute()

    async with app.run_test(size=SIZE) as pilot:
        await open_ticket(pilot, TICKET)
        assert screen_text(pilot).count(UNVERIFIED_LABEL) == 1
        colour = style_of(pilot, UNVERIFIED_LABEL).color
        assert colour is not None
        red, green, blue = colour.get_truecolor()
        assert red > max(green, blue) + 50, colour  # the theme's error colour
