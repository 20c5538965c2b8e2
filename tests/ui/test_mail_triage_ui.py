"""Adding a client from the client list (`n`, even on an empty desk) and triaging mail from
unknown senders (attach it to a client, or create the client from it), through Pilot on both
backends, as an agent."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from client_forms_data import SIZE, FormStory, add_form_story, desk_as, fill, press_button
from pilot_helpers import notices, palette_hit, screen_text, settle, use_tmp_user_dirs, wait_for
from textual.command import CommandPalette
from textual.widgets import Input

from deskapp.models import Client, Message, Role, Staff, Ticket
from deskapp.services.incoming_mail import import_message
from deskapp.services.mail_triage import count_unassigned_mail
from screens.client_detail import ClientScreen
from screens.client_form import ClientFormScreen
from screens.client_list import EMPTY_DESK
from screens.commands import desk_commands
from screens.mail_triage import UnassignedMailScreen
from screens.mail_triage_detail import UnassignedMailDetailScreen
from screens.mail_triage_dialogs import AttachMailDialog, ClientFromMailScreen, DiscardMailDialog


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences and logs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


def stranger_mail(message_id: str = "<q.1@bluefjord.example>") -> bytes:
    message = EmailMessage()
    message["From"] = "Ada Lindqvist <ada@bluefjord.example>"
    message["To"] = "support@example.net"
    message["Subject"] = "Mail for [bold]five[/bold] people?"
    message["Message-ID"] = message_id
    message.set_content("Hello,\n\ndo you host mail? [@click=app.quit]price[/]\n\nAda\n")
    return bytes(message)


async def test_n_adds_the_first_client_of_an_empty_desk_and_opens_it(desk: str) -> None:
    Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT)
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert EMPTY_DESK.plain in screen_text(pilot)

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientFormScreen)
        fill(pilot, first_name="Ada", last_name="Lindqvist", email="ada@bluefjord.example")
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(pilot.app.screen, ClientScreen)
        client = Client.get(Client.email == "ada@bluefjord.example")
        assert pilot.app.screen.client_id == client.id
        assert "Ada Lindqvist" in screen_text(pilot)
        assert any("Added C-" in notice for notice in notices(pilot))


async def test_an_agent_attaches_waiting_mail_to_a_client(desk: str) -> None:
    story: FormStory = add_form_story()
    import_message(stranger_mail())
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert "1 mail from unknown senders waits for triage: press u." in screen_text(pilot)

        await pilot.press("u")
        await settle(pilot)
        assert isinstance(pilot.app.screen, UnassignedMailScreen)
        assert "1 mail waits for triage." in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, UnassignedMailDetailScreen)
        text = screen_text(pilot)
        assert "[@click=app.quit]price[/]" in text  # shown as written, never run
        assert "Mail for [bold]five[/bold] people?" in text

        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AttachMailDialog)
        await pilot.press(*"C-1042")
        await settle(pilot)
        await pilot.press("enter")  # picks the client found
        await settle(pilot)
        await press_button(pilot, "submit")

        assert isinstance(pilot.app.screen, UnassignedMailScreen)
        assert "No mail waits for triage." in screen_text(pilot)
        ticket = Ticket.get(Ticket.subject == "Mail for [bold]five[/bold] people?")
        assert ticket.client_id == story.client_id
        message = Message.get(Message.ticket == ticket.id)
        assert message.message_id == "<q.1@bluefjord.example>"
        assert any(f"T-{ticket.number} for C-1042" in notice for notice in notices(pilot))
        await pilot.press("escape")
        await settle(pilot)
        assert "waits for triage" not in screen_text(pilot)  # the queue's line is gone


async def test_creating_the_client_from_waiting_mail_fills_the_form(desk: str) -> None:
    add_form_story()
    import_message(stranger_mail())
    clients = Client.select().count()
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"Unassigned mail")
        await wait_for(pilot, lambda: "Unassigned mail" in palette_hit(pilot), what="the hit")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

        assert isinstance(pilot.app.screen, ClientFromMailScreen)
        typed = {
            name: pilot.app.screen.query_one(f"#{name}", Input).value
            for name in ("first_name", "last_name", "email")
        }
        assert typed == {
            "first_name": "Ada",
            "last_name": "Lindqvist",
            "email": "ada@bluefjord.example",
        }
        fill(pilot, company="Bluefjord")
        await press_button(pilot, "submit")

        assert isinstance(pilot.app.screen, UnassignedMailScreen)
        assert Client.select().count() == clients + 1
        client = Client.get(Client.email == "ada@bluefjord.example")
        assert (client.first_name, client.last_name, client.company) == (
            "Ada",
            "Lindqvist",
            "Bluefjord",
        )
        assert Ticket.get(Ticket.client == client.id).subject.startswith("Mail for")
        assert count_unassigned_mail() == 0
        assert any("and opened T-" in notice for notice in notices(pilot))


async def test_discarding_asks_then_the_mail_is_gone(desk: str) -> None:
    add_form_story()
    import_message(stranger_mail())
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        titles = {command.title for command in desk_commands(pilot.app.screen)}
        assert {"New client", "Unassigned mail"} <= titles
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DiscardMailDialog)
        assert count_unassigned_mail() == 1  # nothing happens before the answer

        await press_button(pilot, "submit")

        assert isinstance(pilot.app.screen, UnassignedMailScreen)
        assert count_unassigned_mail() == 0 and Message.select().count() == 0
        assert "Discarded the mail from ada@bluefjord.example." in notices(pilot)
