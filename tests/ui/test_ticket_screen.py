"""The ticket screen through Pilot, on SQLite and PostgreSQL: the three kinds of message, the
composer's two modes, drafts, sending (and failing to), the editor, canned replies, files, each
dialog reaching its service, and hostile bodies shown literally and doing nothing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hostile import CORPUS
from pilot_helpers import (
    choose,
    notices,
    offered,
    screen_text,
    settle,
    style_of,
    use_tmp_user_dirs,
    wait_for,
)
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Input, OptionList, Select, Static
from ticket_screen_data import SIZE, demo_app, open_ticket

from deskapp.db import open_database
from deskapp.drafts import DraftStore
from deskapp.models import Client, Message, Ticket
from deskapp.services.conversation import (
    find_ticket,
    get_ticket,
    list_messages,
    record_client_message,
)
from deskapp.services.outbox import list_outbox
from screens.client_detail import ClientScreen
from screens.client_ledger import ClientLedgerScreen
from screens.conversation_dialogs import AttachFileDialog, CannedReplyDialog, SaveAttachmentDialog
from screens.ticket_client_dialogs import (
    DecideEstimateDialog,
    LogTimeDialog,
    ProposeEstimateDialog,
    SubscribersDialog,
    parse_minutes,
)
from screens.ticket_detail import TicketScreen
from screens.ticket_dialogs import (
    AssignDialog,
    MergeTicketDialog,
    PriorityDialog,
    StatusDialog,
    TagsDialog,
)
from screens.widgets.conversation_view import NOTE_LABEL
from screens.widgets.external_editor import EditorFailed, edit_in_editor
from screens.widgets.untrusted import untrusted

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
"""For what only the screen does (the services behind it are tested on both backends)."""
TICKET = "T-20046"
"""In the demo under the frozen clock: Stewart & Fraser's mailbox migration, with a client
message, a staff reply, another client message and an internal note, and a proposed estimate."""


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences, logs and drafts under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


def outbox_subjects() -> list[str]:
    """Subjects of every mail the outbox holds."""
    return [row.subject for row in list_outbox(limit=1000)]


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type `text` into the focused widget, key by key (newlines as enter)."""
    keys = ["enter" if char == "\n" else "space" if char == " " else char for char in text]
    await pilot.press(*keys)


async def write(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Put `text` in at the composer's cursor at once (as a paste does)."""
    pilot.app.screen.composer.text_area.insert(text)
    await pilot.pause()


# The conversation ---------------------------------------------------------------------------


@SQLITE_ONLY
async def test_messages_of_all_three_kinds_are_shown_and_labelled(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        text = screen_text(pilot)
        assert "Ticket · T-20046" in text
        assert "T-20046  Help moving mailboxes from old provider" in text
        assert "C-1199 Stewart & Fraser AB" in text
        assert "Contact Björn Stewart <bjorn.stewart@stewart.example>" in text
        assert "Tags migration  ·  following Louis Kelly" in text
        for state in ("In Progress", "High", "Sam Okoye", "7d 11h", "none left", "1 (1 waiting)"):
            assert state in text, state
        assert "CLIENT MESSAGE  Björn Stewart  2026-03-05 17:29" in text
        assert "STAFF REPLY · sent to the client  Sam Okoye" in text
        assert f"{NOTE_LABEL}  Sam Okoye" in text
        assert "Client has prepaid hours, log the time." in text
        assert "Start of the conversation · 4 messages" in text
        # The note has its own background, unlike the reply and the client's messages.
        view = screen.conversation
        backgrounds = {
            label: style_of(pilot, label).bgcolor
            for label in ("CLIENT MESSAGE", "STAFF REPLY", "INTERNAL NOTE")
        }
        assert backgrounds["INTERNAL NOTE"] != backgrounds["STAFF REPLY"]
        assert backgrounds["CLIENT MESSAGE"] == backgrounds["STAFF REPLY"]
        assert view.scroll_y == view.max_scroll_y  # opened on the newest


@SQLITE_ONLY
async def test_a_long_conversation_opens_on_the_newest_page_and_loads_older_at_the_top(
    desk: str,
) -> None:
    app = demo_app(desk)
    ticket = find_ticket(TICKET)
    for number in range(450):
        record_client_message(ticket.id, f"Follow-up number {number}")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        view = screen.conversation
        assert len(view.messages) == view.page_size and view.has_older
        assert "Follow-up number 449" in screen_text(pilot)
        view.scroll_to(y=0, animate=False)
        await settle(pilot)
        assert len(view.messages) == 2 * view.page_size  # the page before came in
        text = screen_text(pilot)
        # The lines read before stay on screen; the new page is above them.
        assert "Follow-up number 250" in text and "Follow-up number 449" not in text
        view.focus()
        for _ in range(4):  # home: the top of what is loaded; the page before comes in there
            await pilot.press("home")
            await settle(pilot)
        assert len(view.messages) == 454 and not view.has_older
        assert "Start of the conversation · 454 messages" in screen_text(pilot)
        assert view.messages[0].body.startswith("We are moving five mailboxes")
        assert [m.id for m in view.messages] == [m.id for m in _all_messages(ticket.id)]


def _all_messages(ticket_id):  # type: ignore[no-untyped-def]
    return list_messages(ticket_id, limit=1000)


@SQLITE_ONLY
async def test_hostile_bodies_show_literally_and_do_nothing(desk: str) -> None:
    app = demo_app(desk)
    ticket = find_ticket(TICKET)
    stored = [
        record_client_message(ticket.id, f"<<{sample['what']}>> {sample['text']} <<end>>")
        for sample in CORPUS
    ]
    async with app.run_test(size=(160, 50)) as pilot:
        screen = await open_ticket(pilot, TICKET)
        view = screen.conversation
        seen = ""
        for _ in range(60):  # read the whole conversation, a screen at a time
            seen += screen_text(pilot)
            if view.scroll_y == 0:
                break
            view.scroll_to(y=max(view.scroll_y - view.size.height + 1, 0), animate=False)
            await pilot.pause()
        assert "\x1b" not in seen and "\x07" not in seen and "\x9b" not in seen
        for sample in ("[bold red]urgent[/bold red]", "[@click=app.quit]click me[/]"):
            assert sample in seen
        assert "␛]52;c;ZWNobyBwd25lZA==" in seen
        assert "⟪U+202E⟫" in seen
        for message in stored:  # each message's first line as stored, as untrusted() shows it
            assert message is not None
            first = untrusted(message.body, multiline=True).plain.split("\n")[0]
            marker, _, rest = first.expandtabs(4).partition(">> ")
            assert f"{marker}>>" in seen and rest.strip()[:12] in seen, first
        await pilot.click("#conversation", offset=(10, 5))
        await pilot.click("#conversation", offset=(30, 10))
        await settle(pilot)
        assert pilot.app.is_running and pilot.app.screen is screen


# The composer -------------------------------------------------------------------------------


@SQLITE_ONLY
async def test_r_opens_a_reply_and_n_a_note_each_labelled(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        composer = screen.composer
        assert not composer.display
        await pilot.press("r")
        await settle(pilot)
        assert composer.display and composer.mode == "reply" and composer.has_class("-reply")
        text = screen_text(pilot)
        assert "REPLY · mailed to the client: bjorn.stewart@stewart.example" in text
        assert "ctrl+s send the reply" in text
        await pilot.press("escape")
        await settle(pilot)
        assert not composer.display and pilot.app.screen is screen
        await pilot.press("n")
        await settle(pilot)
        assert composer.mode == "note" and composer.has_class("-note")
        assert not composer.has_class("-reply")
        text = screen_text(pilot)
        assert "INTERNAL NOTE · not sent to the client; only staff see it" in text
        assert "ctrl+s save the note" in text and "mailed to the client" not in text


async def test_a_note_never_queues_mail_and_a_reply_does(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        before = outbox_subjects()
        await pilot.press("n")
        await type_text(pilot, "Quota ok")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert outbox_subjects() == before
        last = list_messages(screen.ticket_id)[-1]
        assert (last.kind, last.body) == ("note", "Quota ok")
        assert not screen.composer.display
        assert "Quota ok" in screen_text(pilot)
        assert get_ticket(screen.ticket_id).status == "In Progress"  # a note changes nothing

        await pilot.press("r")
        await type_text(pilot, "Sat ok")
        await pilot.press("ctrl+s")
        await settle(pilot)
        queued = [s for s in outbox_subjects() if s not in before]
        assert queued and all(s.startswith("[T-20046] ") for s in queued)
        last = list_messages(screen.ticket_id)[-1]
        assert (last.kind, last.body.splitlines()[0]) == ("reply", "Sat ok")
        assert "Answered" in screen_text(pilot)  # the header loaded again


@SQLITE_ONLY
async def test_the_draft_is_saved_while_typing_and_restored_in_a_new_app(desk: str) -> None:
    ticket_id = None
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        ticket_id = screen.ticket_id
        await pilot.press("r")
        await type_text(pilot, "Half")

        def saved() -> bool:  # once the debounce passes: on disk while the app runs
            draft = DraftStore().load(ticket_id)
            return draft is not None and (draft.kind, draft.text) == ("reply", "Half")

        await wait_for(pilot, saved, what="the draft on disk")
    # A new app (as after a crash): the ticket says a draft waits, r brings it back.
    async with demo_app(desk, load=False).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        assert "An unsent reply is kept" in screen_text(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert screen.composer.text == "Half"
        await pilot.press("space", "o", "k")
        await pilot.press("escape")  # leaving the composer writes the draft at once
        await settle(pilot)
        assert DraftStore().load(ticket_id).text == "Half ok"  # type: ignore[union-attr]
        await pilot.press("escape")  # and escape goes back, keeping it
        await settle(pilot)
        assert not isinstance(pilot.app.screen, TicketScreen)
    assert DraftStore().load(ticket_id) is not None


@SQLITE_ONLY
async def test_a_note_draft_is_offered_with_n_and_r_warns_it_becomes_a_reply(desk: str) -> None:
    app = demo_app(desk)
    DraftStore().save(find_ticket(TICKET).id, "note", "Only for staff")  # left on an earlier visit
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_ticket(pilot, TICKET)
        text = screen_text(pilot)
        assert "An unsent note is kept" in text and "press n" in text
        await pilot.press("r")
        await settle(pilot)
        assert screen.composer.mode == "reply" and screen.composer.text == "Only for staff"
        assert any("it WILL be mailed to the client" in notice for notice in notices(pilot))


async def test_a_failed_send_keeps_the_text_and_the_draft(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        await write(pilot, "Will this go")
        Message.delete().where(Message.ticket == screen.ticket_id).execute()
        Ticket.delete().where(Ticket.id == screen.ticket_id).execute()  # gone meanwhile
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.composer.text == "Will this go" and screen.composer.display
        assert "Not sent:" in screen_text(pilot)
        assert DraftStore().load(screen.ticket_id).text == "Will this go"  # type: ignore[union-attr]


async def test_a_dropped_database_keeps_the_text_and_says_so(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("n")
        await write(pilot, "Still here")
        # The database goes away: the desk now points at a server that refuses connections.
        open_database("postgresql://postgres@127.0.0.1:9/gone", connect=False)
        try:
            await pilot.press("ctrl+s")
            await settle(pilot)
            text = screen_text(pilot)
            assert "Not sent: The database does not answer" in text
            assert "○ reconnecting" in text
            assert screen.composer.text == "Still here" and not screen.composer.sending
            draft = DraftStore().load(screen.ticket_id)
            assert draft is not None and (draft.kind, draft.text) == ("note", "Still here")
        finally:
            open_database(desk)
        await pilot.press("ctrl+s")  # back again: the same text goes through
        await settle(pilot)
        assert list_messages(screen.ticket_id)[-1].body == "Still here"
        assert DraftStore().load(screen.ticket_id) is None


def test_the_editor_gets_the_text_and_gives_back_what_it_saved(tmp_path: Path) -> None:
    script = _editor_script(tmp_path, "printf '\\nSigned, the editor\\n' >> \"$1\"")
    assert edit_in_editor("Hello", {"EDITOR": str(script)}) == "Hello\nSigned, the editor"
    assert edit_in_editor("Hi\n", {"VISUAL": str(script), "EDITOR": "false"}) == (
        "Hi\n\nSigned, the editor\n"
    )
    failing = _editor_script(tmp_path, "exit 3", name="failing")
    with pytest.raises(EditorFailed, match="stopped with status 3"):
        edit_in_editor("Hello", {"EDITOR": str(failing)})
    with pytest.raises(EditorFailed, match="Could not start the editor"):
        edit_in_editor("Hello", {"EDITOR": str(tmp_path / "no-such-editor")})
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("deskapp-draft-*.txt"))


def _editor_script(tmp_path: Path, line: str, name: str = "editor") -> Path:
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\n{line}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@SQLITE_ONLY
async def test_ctrl_o_round_trips_the_text_through_the_editor(
    desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = _editor_script(tmp_path, "printf '\\nSigned, the editor\\n' >> \"$1\"")
    monkeypatch.setenv("VISUAL", str(script))
    # The headless test driver cannot give the terminal away; this one pretends to, so the
    # real App.suspend() path runs around the editor.
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))
    monkeypatch.setattr(HeadlessDriver, "suspend_application_mode", lambda self: None)
    monkeypatch.setattr(HeadlessDriver, "resume_application_mode", lambda self: None)
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        await write(pilot, "Hello")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert screen.composer.text == "Hello\nSigned, the editor"
        draft = DraftStore().load(screen.ticket_id)
        assert draft is not None and draft.text == "Hello\nSigned, the editor"


@SQLITE_ONLY
async def test_without_a_terminal_to_give_away_ctrl_o_says_so(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        await write(pilot, "Hello")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "This terminal cannot hand over to an editor." in screen_text(pilot)
        assert screen.composer.text == "Hello"


@SQLITE_ONLY
async def test_ctrl_r_inserts_a_filled_canned_reply_at_the_cursor(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        await write(pilot, "Dear")
        await pilot.press("enter", "ctrl+r")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CannedReplyDialog)
        text = screen_text(pilot)
        assert "Greeting" in text and "Router restart steps" in text
        assert "Refund issued" not in text  # Billing's, not Support's
        options = dialog.query_one("#canned", OptionList)
        options.highlighted = next(
            index
            for index in range(options.option_count)
            if "Greeting" in str(options.get_option_at_index(index).prompt)
        )
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.composer.text.startswith("Dear\nHi ")
        assert "about ticket T-20046." in screen.composer.text


@SQLITE_ONLY
async def test_files_are_attached_when_sent_and_saved_from_the_ticket(
    desk: str, tmp_path: Path
) -> None:
    upload = tmp_path / "speedtest.txt"
    upload.write_text("down 940 up 920\n")
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        await write(pilot, "Results attached")
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AttachFileDialog)
        path_input = pilot.app.screen.query_one("#path", Input)
        path_input.value = str(tmp_path / "missing.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert "There is no file at" in screen_text(pilot)
        path_input.value = str(upload)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen and screen.composer.attachments == [upload]
        assert "Attached: speedtest.txt" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        last = list_messages(screen.ticket_id)[-1]
        assert [a.filename for a in last.attachments] == ["speedtest.txt"]
        assert "Attachment: speedtest.txt (16 B)" in screen_text(pilot)

        folder = tmp_path / "saved"
        folder.mkdir()
        await pilot.press("w")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SaveAttachmentDialog)
        dialog.query_one("#path", Input).value = str(folder)
        await pilot.click("#submit")
        await settle(pilot)
        assert (folder / "speedtest.txt").read_text() == "down 940 up 920\n"
        await pilot.press("w")
        await settle(pilot)
        pilot.app.screen.query_one("#path", Input).value = str(folder)
        await pilot.click("#submit")
        await settle(pilot)
        sentence = str(pilot.app.screen.query_one("#path-error", Static).content)
        assert sentence == f"{folder / 'speedtest.txt'} exists; press Save again to replace it."


# The dialogs --------------------------------------------------------------------------------


async def _dialog(pilot, key: str, kind: type) -> object:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, kind), type(dialog)
    return dialog


async def test_status_and_priority_reach_their_services(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await _dialog(pilot, "s", StatusDialog)
        await pilot.press("left", "enter")  # In Progress -> On Hold
        await settle(pilot)
        assert pilot.app.screen is screen
        assert get_ticket(screen.ticket_id).status == "On Hold"
        assert "On Hold" in screen_text(pilot)
        await _dialog(pilot, "p", PriorityDialog)
        await pilot.press("right", "enter")  # High -> Urgent
        await settle(pilot)
        assert get_ticket(screen.ticket_id).priority == "Urgent"
        # A ticket gone meanwhile: the dialog shows the service's sentence and stays.
        await _dialog(pilot, "s", StatusDialog)
        Message.delete().where(Message.ticket == screen.ticket_id).execute()
        Ticket.delete().where(Ticket.id == screen.ticket_id).execute()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, StatusDialog)
        assert "no longer exists" in screen_text(pilot)


async def test_assign_reaches_its_service(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        dialog = await _dialog(pilot, "a", AssignDialog)
        select = dialog.query_one("#assignee", Select)  # type: ignore[attr-defined]
        await choose(pilot, select, "(sam)")
        await pilot.click("#submit")
        await settle(pilot)
        assert get_ticket(screen.ticket_id).assignee == "Sam Okoye"
        assert "Sam Okoye" in screen_text(pilot)


async def test_tags_reach_their_service_and_show_its_refusal(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        dialog = await _dialog(pilot, "t", TagsDialog)
        tags = dialog.query_one("#tags", Input)  # type: ignore[attr-defined]
        tags.value = "x" * 400
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TagsDialog)
        assert "tag" in screen_text(pilot).lower()  # the service's sentence about the tags
        tags.value = "Mail, migration, mail"
        await pilot.press("enter")
        await settle(pilot)
        assert get_ticket(screen.ticket_id).tags == "mail, migration"


async def test_subscribers_reach_their_service_and_show_its_refusal(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        dialog = await _dialog(pilot, "u", SubscribersDialog)
        select = dialog.query_one("#contact", Select)  # type: ignore[attr-defined]
        await choose(pilot, select, "ticket's contact")
        await pilot.click("#submit")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SubscribersDialog)
        assert "contact" in screen_text(pilot).lower()
        await choose(pilot, select, "Louis")  # following already: the button unsubscribes
        await pilot.click("#submit")
        await settle(pilot)
        assert get_ticket(screen.ticket_id).subscribers == ()
        assert "following Louis Kelly" not in screen_text(pilot)


async def test_estimates_are_proposed_and_answered(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        dialog = await _dialog(pilot, "e", ProposeEstimateDialog)
        dialog.query_one("#amount", Input).value = "abc"  # type: ignore[attr-defined]
        dialog.query_one("#minutes", Input).value = "2h"  # type: ignore[attr-defined]
        await pilot.click("#submit")
        await settle(pilot)
        assert "is not an amount" in screen_text(pilot)
        dialog.query_one("#amount", Input).value = "150.00"  # type: ignore[attr-defined]
        await pilot.click("#submit")  # no description: the service says so
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProposeEstimateDialog)
        assert "description" in screen_text(pilot).lower()
        dialog.query_one("#description", Input).value = "Weekend migration"  # type: ignore[attr-defined]
        await pilot.click("#submit")
        await settle(pilot)
        estimates = get_ticket(screen.ticket_id).estimates
        assert [(e.description, e.amount_cents, e.minutes) for e in estimates][-1] == (
            "Weekend migration",
            15000,
            120,
        )
        dialog = await _dialog(pilot, "E", DecideEstimateDialog)
        select = dialog.query_one("#estimate", Select)  # type: ignore[attr-defined]
        await choose(pilot, select, "Weekend migration")
        await pilot.click("#decline")
        await settle(pilot)
        decided = {e.description: e.status for e in get_ticket(screen.ticket_id).estimates}
        assert decided["Weekend migration"] == "Declined"


async def test_log_time_reaches_its_service_and_names_what_is_left(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        assert get_ticket(screen.ticket_id).support_minutes_left == 0
        dialog = await _dialog(pilot, "l", LogTimeDialog)
        minutes = dialog.query_one("#minutes", Input)  # type: ignore[attr-defined]
        minutes.value = "30"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LogTimeDialog)
        assert "C-1199 has 0 h 0 min of prepaid support left" in screen_text(pilot)
        client_id = get_ticket(screen.ticket_id).client_id
        Client.update(support_minutes=120).where(Client.id == client_id).execute()
        minutes.value = "1h 30m"
        await pilot.press("enter")
        await settle(pilot)
        assert get_ticket(screen.ticket_id).support_minutes_left == 30
        assert "30m left · 90m logged" in screen_text(pilot)


async def test_merge_moves_the_conversation_and_shows_the_kept_ticket(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        merged_id = screen.ticket_id
        dialog = await _dialog(pilot, "m", MergeTicketDialog)
        await pilot.click("#submit")  # nothing chosen
        await settle(pilot)
        assert "Choose the ticket to merge into." in screen_text(pilot)
        select = dialog.query_one("#target", Select)  # type: ignore[attr-defined]
        await choose(pilot, select, offered(select)[0])
        kept = select.value
        await pilot.click("#submit")
        await settle(pilot)
        assert pilot.app.screen is screen and str(screen.ticket_id) == kept
        assert get_ticket(merged_id).status == "Completed"
        bodies = [m.body for m in screen.conversation.messages]
        assert "Can we do it over the weekend?" in bodies
        assert f"Merged into {get_ticket(screen.ticket_id).label}" in " ".join(
            m.body for m in list_messages(merged_id)
        )


def test_minutes_are_read_as_people_type_them() -> None:
    assert [parse_minutes(t) for t in ("45", "45m", "1h 30m", "1.5h", "1:30", "2h")] == [
        45,
        45,
        90,
        90,
        90,
        120,
    ]
    for typed in ("", "abc", "0", "1:75", "-5"):
        with pytest.raises(Exception, match="Type the time like"):
            parse_minutes(typed)


async def test_the_area_keys_work_on_a_ticket_but_leave_the_footer_to_its_keys(
    desk: str,
) -> None:
    async with demo_app(desk).run_test(size=(120, 36)) as pilot:
        await open_ticket(pilot, "T-20056")
        footer = screen_text(pilot).splitlines()[-1]
        assert "r Reply" in footer and "? Keys" in footer
        assert "1 Clients" not in footer and "2 Tickets" not in footer
        await pilot.press("2")
        await settle(pilot)
        assert pilot.app.current_mode == "tickets"


@SQLITE_ONLY
async def test_c_opens_the_tickets_client_and_shift_l_its_ledger(desk: str) -> None:
    async with demo_app(desk).run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        client_id = screen.ticket.client_id
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientScreen)
        assert pilot.app.screen.client_id == client_id
        assert screen.ticket.client_label in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen

        await pilot.press("L")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientLedgerScreen)
        assert pilot.app.screen.client_id == client_id
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen


@SQLITE_ONLY
async def test_an_area_key_on_a_ticket_goes_to_the_list_and_keeps_the_draft(desk: str) -> None:
    async with demo_app(desk).run_test(size=(120, 36)) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        await pilot.press("r")
        await write(pilot, "Half-written answer")
        await pilot.press("escape")  # out of the composer; the draft is kept
        await pilot.press("1")
        await settle(pilot)
        assert pilot.app.current_mode == "clients"
        assert len(pilot.app.screen_stack) == 1 and not screen.is_attached
        draft = DraftStore().load(screen.ticket_id)
        assert draft is not None and draft.text == "Half-written answer"
