"""At 80x24 (an SSH session's default): lists give way column by column in their stated order,
the footer keeps esc and ? first, a dialog's buttons stay in reach while its fields scroll,
Enter sends a dialog from a last choice, loaded dropdowns stop saying "Loading…", decisions
sit together before Cancel, and the composer counts the recipients it cannot show."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import screen_text, settle, use_tmp_user_dirs
from rich.text import Text
from textual.widgets import Button, Input, Select
from ticket_screen_data import demo_app, open_ticket

from deskapp.services import ticket_actions
from deskapp.services.clients import find_client_by_number
from deskapp.services.conversation import find_ticket
from screens.client_detail import ClientScreen
from screens.client_form import ClientFormScreen
from screens.ticket_client_dialogs import DecideEstimateDialog
from screens.ticket_dialogs import AssignDialog, MergeTicketDialog
from screens.widgets.desk_footer import DeskFooter, DeskKey
from screens.widgets.recipients_line import recipients_text
from screens.widgets.record_lines import RecordColumn, columns_that_fit
from screens.widgets.record_table import RecordTable

SMALL = (80, 24)


@pytest.fixture(autouse=True)
def _user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_tmp_user_dirs(tmp_path, monkeypatch)


def _column(label: str, width: int, drop_rank: int = 0) -> RecordColumn[object]:
    return RecordColumn(label, lambda record: Text(""), width, drop_rank=drop_rank)


def test_columns_give_way_in_their_stated_order() -> None:
    columns = [_column("Number", 8), _column("Email", 20, 2), _column("Credit", 9, 1)]
    widths = [10, 22, 11]
    assert columns_that_fit(columns, widths, 43) == (0, 1, 2)
    assert columns_that_fit(columns, widths, 42) == (0, 1)  # credit goes first
    assert columns_that_fit(columns, widths, 20) == (0,)
    assert columns_that_fit(columns, widths, 5) == (0,)  # the number never goes


def footer_keys(app: object) -> list[str]:
    """The keys the footer shows, left to right ("escape", "question_mark", ...)."""
    footer = app.screen.query_one(DeskFooter)  # type: ignore[attr-defined]
    return [key.entry.key for key in footer.query(DeskKey)]


async def test_lists_keep_number_name_and_status_and_the_footer_esc_and_keys(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        clients = app.screen.query_one("#records", RecordTable)
        assert clients.shown_columns == ("Number", "Name", "Email", "Status")
        await pilot.press("2")
        await settle(pilot)
        tickets = app.screen.query_one("#records", RecordTable)
        assert {"Number", "Subject", "Status"} <= set(tickets.shown_columns)
        assert "Department" not in tickets.shown_columns  # the first to go
        keys = footer_keys(app)
        assert keys[:2] == ["escape", "question_mark"]
        assert keys[-1] == "ctrl+p"
        assert "esc Back  ? Keys" in screen_text(pilot).splitlines()[-1]
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        assert "Department" in tickets.shown_columns
        assert len(footer_keys(app)) > len(keys)  # the width now holds more keys


async def test_in_the_composer_f1_stands_for_the_question_mark(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=SMALL) as pilot:
        await open_ticket(pilot, "T-20046")
        await pilot.press("r")
        await settle(pilot)
        assert footer_keys(app)[:2] == ["escape", "f1"]
        await pilot.press("f1")
        await settle(pilot)
        assert "Keys: Ticket" in screen_text(pilot)


async def test_a_tall_dialog_scrolls_its_fields_under_its_buttons(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        client = find_client_by_number("C-1002")
        assert client is not None
        await app.push_screen(ClientScreen(client.id))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ClientFormScreen)
        body = dialog.query_one("#dialog-body")
        buttons = list(dialog.query("#dialog-buttons Button").results(Button))
        for button in buttons:
            assert button.region.bottom <= SMALL[1] and button.region.right <= SMALL[0]
        assert dialog.focused is not None and dialog.focused.id == "first_name"
        body.scroll_end(animate=False, immediate=True)  # the last field comes into view
        await pilot.pause()
        last = list(body.query(Input).results(Input))[-1]
        assert 0 < last.region.height and last.region.bottom <= buttons[0].region.y


async def test_enter_on_a_last_choice_sends_and_loaded_choices_do_not_say_loading(
    desk: str,
) -> None:
    app = demo_app(desk)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_ticket(pilot, "T-20046")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeTicketDialog)
        assert "Loading…" not in screen_text(pilot)
        target = app.screen.query_one("#target", Select)
        assert target.prompt != "Loading…"
        await pilot.press("enter")  # a merge is never sent from a choice: the menu opens
        await settle(pilot)
        assert isinstance(app.screen, MergeTicketDialog) and target.expanded
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AssignDialog)
        select = dialog.query_one("#assignee", Select)
        assert select.prompt != "Loading…" and "Loading…" not in screen_text(pilot)
        assert dialog.focused is select and dialog.last_field() is select
        before = find_ticket("T-20046").assignee_id
        other = next(staff.id for staff in ticket_actions.list_staff() if staff.id != before)
        select.value = str(other)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen  # sent, not a menu opened
        assert find_ticket("T-20046").assignee_id == other


async def test_decline_sits_beside_approve_and_cancel_comes_last(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=SMALL) as pilot:
        await open_ticket(pilot, "T-20046")
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, DecideEstimateDialog)
        buttons = list(app.screen.query("#dialog-buttons Button").results(Button))
        assert [button.id for button in buttons] == ["submit", "decline", "cancel"]


def test_recipients_are_counted_when_the_line_is_short() -> None:
    everyone = ["ann@example.com", "bo@example.com", "cy@example.org", "dee@example.io"]
    label = "REPLY · mailed to the client"
    wide = recipients_text(label, everyone, 120).plain
    assert wide == f"{label}: " + ", ".join(everyone)
    narrow = recipients_text(label, everyone, 72).plain
    assert narrow == f"{label}: ann@example.com, bo@example.com and 2 more"
    tiny = recipients_text(label, everyone, 50).plain
    assert tiny.endswith(" and 3 more") and len(tiny) <= 50
