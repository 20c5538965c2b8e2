"""A client's credit ledger through Pilot, on SQLite and PostgreSQL: opening it, every money
action and its dialog, refusals that change nothing, the CSV export, inert hostile text."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_helpers import balance
from ledger_screen_data import HOSTILE, LedgerStory, add_ledger_story
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs
from signed_in import open_as
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from deskapp.services import credit
from deskapp.services.credit import BalancePoint
from deskapp.services.invoices import get_invoice
from screens.app import DeskApp
from screens.client_ledger import ClientLedgerScreen
from screens.commands import desk_commands
from screens.credit_dialogs import AddCreditDialog, AdjustCreditDialog, ReverseEntryDialog
from screens.invoice_dialogs import ApplyCreditDialog, ManualPaymentDialog
from screens.ledger_dialog import LedgerDialog
from screens.ledger_list import LedgerListScreen
from screens.widgets.balance_chart import daily_balances
from screens.widgets.record_table import RecordTable

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences, logs and the export's home folder under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def story(desk: str) -> Iterator[LedgerStory]:
    """C-1042 with two months of credit history, 25.00 left and two unpaid invoices."""
    yield add_ledger_story()


async def open_ledger(pilot: Pilot[None], story: LedgerStory) -> ClientLedgerScreen:
    """Push C-1042's ledger and wait until it is loaded."""
    screen = ClientLedgerScreen(story.client_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def entries(screen: ClientLedgerScreen) -> list[tuple[str, int, int]]:
    """(kind, amount, balance after) of the entries shown, newest first."""
    return [(e.kind, e.amount_cents, e.balance_after_cents) for e in screen.entries.records]


def dialog(pilot: Pilot[None]) -> LedgerDialog[object]:
    """The dialog on top."""
    assert isinstance(pilot.app.screen, LedgerDialog)
    return pilot.app.screen


def fill(pilot: Pilot[None], **values: str) -> None:
    """Type into the dialog's inputs by id."""
    for field, value in values.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value


def error_under(pilot: Pilot[None], field: str) -> str:
    """The sentence under a dialog field."""
    return str(pilot.app.screen.query_one(f"#{field}-error").render())


def desk_as(desk: str, staff: str) -> DeskApp:
    """The desk opened as `deskapp` opens it, signed in as kim (admin) or sam (agent)."""
    return DeskApp(open_as(desk, staff))


async def test_enter_on_a_ledger_entry_opens_that_clients_ledger(
    desk: str, story: LedgerStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LedgerListScreen)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ClientLedgerScreen) and screen.client_id == story.client_id
        text = screen_text(pilot)
        assert "C-1042  Northwind Hosting (Mina Okafor)" in text
        assert "Credit balance  25.00" in text and "Showing all 6 entries." in text
        assert "INV-2026-00002" in text and "70.00" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LedgerListScreen)


async def test_added_credit_shows_in_the_list_and_the_balance(
    desk: str, story: LedgerStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_ledger(pilot, story)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(pilot.app.screen, AddCreditDialog)
        await pilot.press(*"Goodwill", "space", *"for", "space", *"downtime", "tab", *"12.50")
        await pilot.press("enter", "enter")  # a second Enter must not book it twice
        await settle(pilot)
        assert pilot.app.screen is screen
        assert entries(screen)[0] == ("Credit added", 1250, 3750)
        assert screen.entries.records[0].description == "Goodwill for downtime"
        assert screen.entries.records[0].staff_name == "Sam Reyes"
        assert balance(story.client_id) == 3750
        text = screen_text(pilot)
        assert "Credit balance  37.50" in text and "Showing all 7 entries." in text
        assert "Added 12.50 credit to C-1042; the balance is 37.50." in notices(pilot)


BAD_AMOUNTS = [
    ("0", "The amount must be more than 0.00."),
    ("-5", "The amount must be more than 0.00."),
    ("1.234", "An amount has at most two decimals (cents)."),
    ("abc", "“abc” is not an amount; type it like 12.50."),
    ("99999999999999", "That amount is too large to be real; check the digits."),
]


async def test_bad_amounts_are_explained_in_the_dialog_and_change_nothing(
    desk: str, story: LedgerStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_ledger(pilot, story)
        before = entries(screen)
        await pilot.press("a")
        await pilot.pause()
        for typed, sentence in BAD_AMOUNTS:
            fill(pilot, description="Goodwill", amount=typed)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(pilot.app.screen, AddCreditDialog), typed
            assert error_under(pilot, "amount") == sentence
            assert sentence in screen_text(pilot)
            assert pilot.app.screen.query_one("#description", Input).value == "Goodwill"
            assert pilot.app.screen.query_one("#amount", Input).value == typed
            assert pilot.app.focused is pilot.app.screen.query_one("#amount")
        fill(pilot, description="  ", amount="5")
        await pilot.press("enter")
        await settle(pilot)
        assert error_under(pilot, "description") == "Description is required."
        assert error_under(pilot, "amount") == ""
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen and entries(screen) == before
        assert balance(story.client_id) == 2500


async def test_an_admin_adjusts_with_a_reason(desk: str, story: LedgerStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_ledger(pilot, story)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, AdjustCreditDialog)
        fill(pilot, amount="-5")
        await pilot.press("enter")
        await settle(pilot)
        assert error_under(pilot, "reason") == "Reason is required."
        assert balance(story.client_id) == 2500
        fill(pilot, reason="Duplicate goodwill credit")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert entries(screen)[0] == ("Adjustment", -500, 2000)
        assert screen.entries.records[0].description == "Duplicate goodwill credit"
        assert "Credit balance  20.00" in screen_text(pilot)


async def test_an_agent_cannot_adjust(desk: str, story: LedgerStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_ledger(pilot, story)
        bindings = screen.active_bindings
        assert not bindings["d"].enabled and not bindings["v"].enabled
        assert bindings["a"].enabled and bindings["p"].enabled
        commands = {command.title: command for command in desk_commands(screen)}
        assert "Add credit" in commands and commands["Add credit"].run is None
        assert "Admins only: Only an admin can adjust credit" in commands["Adjust"].help
        await pilot.press("d", "v")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert "Only an admin can reverse a credit entry; ask an admin to do it." in notices(pilot)
        # Forced past the screen, the service still refuses.
        await pilot.app.push_screen(AdjustCreditDialog(story.client_id, "C-1042", 2500))
        fill(pilot, amount="100", reason="Because")
        await pilot.press("enter")
        await settle(pilot)
        assert "Only an admin can adjust credit; ask an admin to do it." in notices(pilot)
        assert isinstance(pilot.app.screen, AdjustCreditDialog)
        assert not pilot.app.screen.working  # the form is usable again
        assert balance(story.client_id) == 2500


async def test_reversing_an_entry(desk: str, story: LedgerStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_ledger(pilot, story)
        assert screen.entries.highlighted_record.description == HOSTILE
        await pilot.press("v")
        await pilot.pause()
        text = screen_text(pilot)
        assert "Reverse this entry?" in text and "[bold red]Refund[/] ␛]0;owned" in text
        fill(pilot, reason="   ")  # a reversal needs a reason, as an adjustment does
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReverseEntryDialog)
        assert "Say why the entry is reversed" in screen_text(pilot)
        assert entries(screen)[0] == ("Credit added", 2500, 2500)
        fill(pilot, reason="Booked on the wrong client")
        await pilot.press("enter")
        await settle(pilot)
        # The reversal comes back through the change feed too: let that reload land first
        # (it keeps the cursor where it is).
        pilot.app.read_changes()
        await settle(pilot)
        assert pilot.app.screen is screen
        assert entries(screen)[:2] == [("Reversal", -2500, 0), ("Credit added", 2500, 2500)]
        assert screen.entries.records[0].description.endswith(": Booked on the wrong client")
        assert screen.entries.records[1].reversed
        assert "reversed" in screen_text(pilot) and "Credit balance  0.00" in screen_text(pilot)
        assert not screen.active_bindings["v"].enabled  # a reversal cannot be reversed
        await pilot.press("j")
        await pilot.pause()
        assert not screen.active_bindings["v"].enabled  # nor reversed twice
        await pilot.press("j", "j")
        await pilot.pause()
        assert screen.active_bindings["v"].enabled  # the adjustment can


async def test_applying_credit_lowers_the_amount_due_or_pays_the_invoice(
    desk: str, story: LedgerStory
) -> None:
    credit.add_credit(story.kim, story.client_id, "100", "Prepayment")
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_ledger(pilot, story)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ApplyCreditDialog)
        assert pilot.app.screen.chosen.number == "INV-2026-00003"  # the newest unpaid
        assert pilot.app.screen.query_one("#amount", Input).value == "60.00"
        await pilot.press("down")  # INV-2026-00002, 70.00 due: the amount follows
        assert pilot.app.screen.query_one("#amount", Input).value == "70.00"
        fill(pilot, amount="30")
        await pilot.press("enter", "enter")  # choose the invoice, then send
        await settle(pilot)
        assert "Applied 30.00 credit to INV-2026-00002: Unpaid, 40.00 left to pay." in notices(
            pilot
        )
        assert get_invoice(story.invoices[1].id).summary.amount_due_cents == 4000
        # From the invoice list: the highlighted invoice is the one offered, fully covered.
        screen.invoices.focus()
        await pilot.press("home")
        await pilot.press("p")
        await settle(pilot)
        assert pilot.app.screen.chosen.number == "INV-2026-00003"
        await pilot.press("enter", "enter")
        await settle(pilot)
        paid = get_invoice(story.invoices[2].id).summary
        assert (paid.status, paid.amount_due_cents) == ("Paid", 0)
        assert screen.invoices.records[0].status == "Paid"
        assert entries(screen)[0] == ("Applied to invoice", -6000, 3500)
        assert "Credit balance  35.00" in screen_text(pilot)


async def test_a_manual_overpayment_becomes_credit(desk: str, story: LedgerStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        screen = await open_ledger(pilot, story)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ManualPaymentDialog)
        assert pilot.app.screen.query_one("#amount", Input).value == "60.00"
        fill(pilot, amount="75", reference="CHQ 00412")
        pilot.app.screen.query_one("#method", Select).value = "Cheque"
        pilot.app.screen.query_one("#reference", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert entries(screen)[0] == ("Overpayment", 1500, 4000)
        assert screen.entries.records[0].description == "Overpayment of INV-2026-00003 (Cheque)"
        assert "Overpayment of INV-2026-00003…" in screen_text(pilot)
        assert screen.invoices.records[0].status == "Paid"
        assert balance(story.client_id) == 4000


async def test_a_payment_dialog_without_unpaid_invoices_says_so(
    desk: str, story: LedgerStory
) -> None:
    for unpaid in story.invoices[1:]:
        credit.add_credit(story.kim, story.client_id, "200", "Top-up")
        credit.apply_credit(story.kim, unpaid.id)
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_ledger(pilot, story)
        await pilot.press("m")
        await settle(pilot)
        assert "C-1042 has no unpaid invoices." in screen_text(pilot)
        assert pilot.app.screen.query_one(OptionList).option_count == 0
        assert pilot.app.screen.query_one("#submit").disabled


async def test_export_writes_the_csv_where_asked(
    desk: str, story: LedgerStory, tmp_path: Path
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await open_ledger(pilot, story)
        await pilot.press("e")
        await pilot.pause()
        default = tmp_path / "C-1042-ledger.csv"
        assert pilot.app.screen.query_one("#path", Input).value == str(default)
        fill(pilot, path=str(tmp_path / "missing" / "x.csv"))
        await pilot.press("enter")
        await settle(pilot)
        assert error_under(pilot, "path") == f"There is no folder {tmp_path / 'missing'}."
        fill(pilot, path="~/C-1042-ledger.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert f"Wrote 6 entries of C-1042 to {default}." in notices(pilot)
        rows = list(csv.reader(default.open(newline="", encoding="utf-8")))
        assert rows[0][:2] == ["Booked (UTC)", "Kind"] and len(rows) == 7
        assert [row[1] for row in rows[1:3]] == ["Credit added", "Applied to invoice"]
        # Asked again: an existing file is replaced only on a second press.
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert "exists; press Export again to replace it." in error_under(pilot, "path")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, LedgerDialog)


async def test_hostile_text_shows_as_typed_and_the_filter_narrows(
    desk: str, story: LedgerStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_ledger(pilot, story)
        text = screen_text(pilot)
        assert "[bold red]Refund[/] ␛]0;owned…" in text
        assert "\x1b" not in text and "\x07" not in text
        await pilot.press("slash", "right")  # All -> Added
        await settle(pilot)
        assert {kind for kind, _, _ in entries(screen)} == {"Credit added"}
        assert "Showing all 3 “Credit added” entries." in screen_text(pilot)
        await pilot.press("escape")
        assert pilot.app.focused is screen.entries
        assert isinstance(pilot.app.focused, RecordTable)


def test_the_chart_carries_each_balance_over_the_quiet_days() -> None:
    today = dt.date(2026, 3, 14)
    points = [
        BalancePoint(dt.date(2026, 3, 10), 500),
        BalancePoint(dt.date(2026, 3, 12), 200),
    ]
    assert daily_balances(points, today) == (dt.date(2026, 3, 10), [500, 500, 200, 200, 200])
    old = [BalancePoint(dt.date(2025, 1, 1), 900), *points]
    start, series = daily_balances(old, today, days=6)
    assert start == dt.date(2026, 3, 9) and series == [900, 500, 500, 200, 200, 200]
    assert daily_balances([], today) == (today, [])
