"""Issue 13: a draft keeps its attached files across closing the ticket screen (and a new app);
a file deleted meanwhile is shown as missing and the send says so, never dropped in silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs
from textual.widgets import Input
from ticket_screen_data import SIZE, demo_app, open_ticket

from deskapp.drafts import DraftStore
from deskapp.services.conversation import list_messages
from screens.conversation_dialogs import AttachFileDialog
from screens.ticket_detail import TicketScreen

TICKET = "T-20046"


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_a_drafts_files_come_back_and_a_deleted_one_is_named(
    desk: str, tmp_path: Path
) -> None:
    upload = tmp_path / "speedtest.txt"
    upload.write_text("down 940 up 920\n")
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        await pilot.press("r")
        screen.composer.text_area.insert("Results attached")
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AttachFileDialog)
        pilot.app.screen.query_one("#path", Input).value = str(upload)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "escape")  # leave the composer, then the ticket
        await settle(pilot)
        assert not isinstance(pilot.app.screen, TicketScreen)
        draft = DraftStore().load(screen.ticket_id)
        assert draft is not None and draft.attachments == (str(upload),)

    # A new app, as after a crash: the hint counts the file, r brings text and file back.
    async with demo_app(desk, load=False).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, TICKET)
        assert "1 file attached): press r to go on with it." in screen_text(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert screen.composer.text == "Results attached"
        assert screen.composer.attachments == [upload]
        assert "Attached: speedtest.txt  (ctrl+l drops them)" in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)

        upload.unlink()
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(pilot)
        assert "Attached: speedtest.txt (missing)" in text
        assert "A file is no longer where it was attached from" in text
        before = len(list_messages(screen.ticket_id))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not sent: There is no file at" in screen_text(pilot)
        assert len(list_messages(screen.ticket_id)) == before
        await pilot.press("ctrl+l")  # drop the files: the draft keeps the text alone
        await settle(pilot)
        draft = DraftStore().load(screen.ticket_id)
        assert draft is not None and (draft.text, draft.attachments) == ("Results attached", ())
