"""README's "First day on a real desk", run as written, on an empty database of each backend.

The files and commands come out of README.md itself, so the section cannot drift from what
works: the settings file, the catalogue and the first mail are written where the commands read
them, each `deskapp …` line runs through the real entry point, and the part in the desk (Sam
answers with the canned reply) is the app driven through Pilot with the keys the README names.
The mail goes to a real SMTP server on 127.0.0.1. No demo, no rows made behind the desk's back.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from mail_helpers import SENDER, RecordingHandler, smtp_server
from pilot_helpers import settle, use_tmp_user_dirs, wait_for
from signed_in import open_as
from textual.widgets import OptionList

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.migrations import m0010_starting_set
from deskapp.models import Invoice, Message, Ticket
from screens.app import DeskApp
from screens.conversation_dialogs import CannedReplyDialog
from screens.ticket_detail import TicketScreen

README = Path(__file__).resolve().parents[2] / "README.md"
PASSWORD = "first day password"


def first_day_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("\n## First day on a real desk\n", 1)[1].split("\n## ", 1)[0]


def blocks(section: str) -> list[tuple[str, str, str]]:
    """(the file the paragraph before names, or "", the block's language, its text)."""
    found = []
    for match in re.finditer(r"((?:[^\n]+\n)+)\n```(\w+)\n(.*?)```", section, re.DOTALL):
        names = re.findall(r"`([\w.-]+\.(?:toml|eml))`", match.group(1))
        found.append((names[-1] if names else "", match.group(2), match.group(3)))
    return found


@pytest.fixture
def first_day(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, list[str], list[str]]]:
    """The README's files written in a fresh working directory, the environment a person would
    have, and the two command blocks."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(m0010_starting_set, "SEED_NEW_DESKS", True)  # a real desk gets them
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("DESKAPP_DATABASE_URL", database_url)
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    commands = []
    for name, language, text in blocks(first_day_section()):
        if language == "sh":
            commands.append([line for line in text.splitlines() if line.strip()])
        elif name:
            (work / name).write_text(text, encoding="utf-8")
    assert len(commands) == 2, "the section has its two command blocks"
    yield database_url, commands[0], commands[1]
    keyring.set_keyring(previous)


def run(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One README line through the real entry point; `staff add` gets its password piped."""
    args = shlex.split(line)
    assert args[0] == "deskapp", line
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(args[1:]) == 0, line
    close_database()


async def sam_answers_with_the_canned_reply(url: str) -> None:
    """`deskapp --staff sam`; 2, Enter on T-20001, r, ctrl+r, "Welcome aboard", ctrl+s."""
    app = DeskApp(open_as(url, "sam"))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TicketScreen), what="T-20001")
        await settle(pilot)
        await pilot.press("r", "ctrl+r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, CannedReplyDialog))
        await settle(pilot)
        options = pilot.app.screen.query_one(OptionList)
        titles = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        options.highlighted = next(i for i, t in enumerate(titles) if "Welcome aboard" in t)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TicketScreen))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_for(
            pilot,
            lambda: Message.select().where(Message.kind == "reply").exists(),
            what="the reply to be saved",
        )
    close_database()


async def test_the_first_day_of_the_readme(
    first_day: tuple[str, list[str], list[str]],
    frozen_time: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, setting_up, selling = first_day
    for line in setting_up:
        run(line, monkeypatch)
    open_database(url)
    ticket = Ticket.get()
    assert (ticket.number, ticket.department.name) == (20001, "Hosting")
    close_database()

    await sam_answers_with_the_canned_reply(url)

    handler = RecordingHandler()
    with smtp_server(handler) as server:
        monkeypatch.setenv("DESKAPP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DESKAPP_SMTP_TLS", "none")
        monkeypatch.setenv("DESKAPP_SMTP_SENDER", SENDER)
        for line in selling:
            run(line, monkeypatch)
    shown = capsys.readouterr().out

    to_ada = [m for m in handler.received if m.rcpt_tos == ["ada@okafor.example"]]
    to_bo = [m for m in handler.received if m.rcpt_tos == ["bo@okafor.example"]]
    assert len(to_ada) == 1
    reply = to_ada[0].message
    body = reply.get_content().replace("\r\n", "\n")
    assert "Welcome aboard! Your request is ticket T-20001" in body
    assert body.rstrip().endswith("-- \nSam Reyes\n\nKind regards,\nThe hosting team")
    assert reply["From"] == "Hosting desk <hosting@desk.example>"  # the desk's, not [smtp]'s
    assert sorted(str(m.message["Subject"]) for m in to_bo) == [
        "Invoice INV-2026-00001 — amount due 19.00",
        "Invoice INV-2026-00002 — amount due 19.00",
        "[T-20002] Order O-5001: Web hosting, Business",  # the approval: nobody ticked Product
    ]
    invoice_mail = next(m for m in to_bo if "INV-2026-00002" in str(m.message["Subject"]))
    assert "AMOUNT DUE" in invoice_mail.message.get_content().upper()
    open_database(url)
    paid = Invoice.get(Invoice.number == "INV-2026-00002")
    assert (paid.status, paid.amount_due_cents) == ("Paid", 0)
    assert "Paid" in shown.rsplit("INV-2026-00002", 1)[-1]
