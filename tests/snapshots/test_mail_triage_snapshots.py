"""Snapshots at 80x24 (a terminal over SSH): the client form opened with `n` on an empty desk,
and the triage of mail from unknown senders (the list, one mail, attach, create, discard).
SQLite, frozen time, fixed data.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from client_forms_data import add_form_story
from pilot_helpers import settle, use_tmp_user_dirs
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.db import close_database, db
from deskapp.models import Role, Staff
from deskapp.models.triage import UnassignedMail
from deskapp.services.incoming_mail import import_message
from deskapp.services.session import open_desk
from screens.app import DeskApp

SIZE = (80, 24)
"""The default terminal of an SSH session."""


def a_mail(sender: str, subject: str, message_id: str, *, unverified: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@example.net"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if unverified:
        message["Authentication-Results"] = "mx.example.net; dmarc=fail header.from=example.org"
    message.set_content(
        "Hello,\n\nwe are five people and need mail and a website.\n"
        "What does it cost? [bold]Soon please[/bold].\n\nAda Lindqvist\nBluefjord\n"
    )
    if unverified:
        message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="p.pdf")
    return bytes(message)


@pytest.fixture
def desk_url(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A local desk.db, closed after the test."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_desk(url)
    yield url
    close_database()
    db.initialize(None)


@pytest.fixture
def triage_desk(desk_url: str, frozen_time: dt.datetime) -> str:
    """C-1042 and C-1043 (client_forms_data's story), and two mails waiting for triage."""
    add_form_story()
    import_message(
        a_mail("Ada Lindqvist <ada@bluefjord.example>", "Mail for five people?", "<a@bf>")
    )
    import_message(
        a_mail("win@prizes.example.org", "You have won [blink]!!![/]", "<w@x>", unverified=True),
        authserv_id="mx.example.net",
    )
    ages = {"ada@bluefjord.example": 26, "win@prizes.example.org": 3}
    for address, hours in ages.items():
        UnassignedMail.update(received_at=frozen_time - dt.timedelta(hours=hours)).where(
            UnassignedMail.from_address == address
        ).execute()
    return desk_url


def after(*keys: str) -> Callable[[Pilot[None]], object]:
    """Load, press `keys` (each its own step), steady cursors."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a picture taken mid-blink would differ
        await settle(pilot)

    return run


class TestNewClientSnapshots:
    """The first client of an empty desk."""

    def test_client_form_from_n_on_an_empty_desk(self, snap_compare, desk_url: str) -> None:  # type: ignore[no-untyped-def]
        Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT)
        app = DeskApp(open_desk(desk_url, staff="sam"))
        assert snap_compare(app, terminal_size=SIZE, run_before=after("n"))


class TestTriageSnapshots:
    """Mail from unknown senders, as an agent triages it."""

    def test_the_list(self, snap_compare, triage_desk: str) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(open_desk(triage_desk, staff="sam"))
        assert snap_compare(app, terminal_size=SIZE, run_before=after("2", "u"))

    def test_one_mail(self, snap_compare, triage_desk: str) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(open_desk(triage_desk, staff="sam"))
        assert snap_compare(app, terminal_size=SIZE, run_before=after("2", "u", "j", "enter"))

    def test_attach_dialog(self, snap_compare, triage_desk: str) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(open_desk(triage_desk, staff="sam"))
        keys = ("2", "u", "enter", "a", *"okafor")
        assert snap_compare(app, terminal_size=SIZE, run_before=after(*keys))

    def test_create_client_dialog(self, snap_compare, triage_desk: str) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(open_desk(triage_desk, staff="sam"))
        assert snap_compare(app, terminal_size=SIZE, run_before=after("2", "u", "enter", "c"))

    def test_discard_dialog(self, snap_compare, triage_desk: str) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(open_desk(triage_desk, staff="sam"))
        keys = ("2", "u", "j", "enter", "d")
        assert snap_compare(app, terminal_size=SIZE, run_before=after(*keys))
