"""Snapshots of a client's credit ledger and its dialogs (SQLite, frozen time, fixed data).

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ledger_screen_data import add_ledger_story
from pilot_helpers import settle, use_tmp_user_dirs
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.db import close_database, db
from deskapp.services.session import open_desk
from screens.app import DeskApp
from screens.client_ledger import ClientLedgerScreen

SIZE = (120, 36)


@dataclass(frozen=True)
class LedgerDesk:
    """The desk of the story, and C-1042's key."""

    url: str
    """The SQLite database."""
    client_id: uuid.UUID
    """C-1042."""

    def app(self, staff: str = "kim") -> DeskApp:
        """The desk signed in as kim (admin) or sam (agent)."""
        return DeskApp(open_desk(self.url, staff=staff))


@pytest.fixture
def ledger_desk(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LedgerDesk]:
    """A local desk.db holding the ledger story; the home folder is /home/kim on screen."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setenv("HOME", "/home/kim")
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_desk(url)
    story = add_ledger_story()
    yield LedgerDesk(url, story.client_id)
    close_database()
    db.initialize(None)


def on_ledger(
    client_id: uuid.UUID, *keys: str, typed: dict[str, str] | None = None, send: bool = False
) -> Callable[[Pilot[None]], object]:
    """Open C-1042's ledger, press `keys`, type into the dialog's fields, maybe send it."""

    async def run(pilot: Pilot[None]) -> None:
        await pilot.app.push_screen(ClientLedgerScreen(client_id))
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        for field, value in (typed or {}).items():
            pilot.app.screen.query_one(f"#{field}", Input).value = value
        if send:
            await pilot.press("enter")
            await settle(pilot)

    return run


class TestClientLedgerSnapshots:
    """C-1042: 25.00 credit, six entries (one with hostile text), two unpaid invoices."""

    def test_ledger_as_admin(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id)
        assert snap_compare(ledger_desk.app(), terminal_size=SIZE, run_before=run)

    def test_ledger_as_agent_dims_admin_keys(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id, "slash", "right")
        assert snap_compare(ledger_desk.app("sam"), terminal_size=SIZE, run_before=run)


class TestCreditDialogSnapshots:
    """The credit dialogs over the ledger."""

    def test_add_credit_refuses_an_amount(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        typed = {"description": "Goodwill for the outage", "amount": "1.234"}
        run = on_ledger(ledger_desk.client_id, "a", typed=typed, send=True)
        assert snap_compare(ledger_desk.app(), terminal_size=SIZE, run_before=run)

    def test_adjust_credit(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id, "d", typed={"amount": "-5.00"})
        assert snap_compare(ledger_desk.app(), terminal_size=SIZE, run_before=run)

    def test_reverse_entry(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id, "v")
        assert snap_compare(ledger_desk.app(), terminal_size=SIZE, run_before=run)

    def test_export(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id, "e")
        assert snap_compare(ledger_desk.app(), terminal_size=SIZE, run_before=run)


class TestInvoiceDialogSnapshots:
    """Paying an unpaid invoice from credit or by hand."""

    def test_apply_credit(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id, "p")
        assert snap_compare(ledger_desk.app(), terminal_size=SIZE, run_before=run)

    def test_manual_payment(self, snap_compare, ledger_desk: LedgerDesk) -> None:  # type: ignore[no-untyped-def]
        run = on_ledger(ledger_desk.client_id, "m", typed={"reference": "TRF 2026-0311"})
        assert snap_compare(ledger_desk.app("sam"), terminal_size=SIZE, run_before=run)
