"""Snapshots of an invoice as a document and of an admin's three decisions on it, at 120x36 and
80x24 (SQLite, frozen time, the rows of invoice_screen_data).

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
from invoice_screen_data import add_invoice_story
from pilot_helpers import settle, use_tmp_user_dirs
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.db import close_database, db
from deskapp.services.session import open_desk
from screens.app import DeskApp
from screens.invoice_detail import InvoiceScreen

SIZES = pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=["120x36", "80x24"])


@dataclass(frozen=True)
class InvoiceDesk:
    """The desk of the story and its two invoices."""

    url: str
    """The SQLite database."""
    unpaid: uuid.UUID
    """INV-2026-00001, 74.00 due."""
    paid: uuid.UUID
    """INV-2026-00002, Paid."""

    def app(self, staff: str = "kim") -> DeskApp:
        """The desk signed in as kim (admin) or sam (agent)."""
        return DeskApp(open_desk(self.url, staff=staff))


@pytest.fixture
def invoice_desk(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InvoiceDesk]:
    """A local desk.db holding the invoice story."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_desk(url)
    story = add_invoice_story()
    yield InvoiceDesk(url, story.unpaid.id, story.paid.id)
    close_database()
    db.initialize(None)


def on_invoice(invoice_id: uuid.UUID, *keys: str) -> Callable[[Pilot[None]], object]:
    """Open the invoice, press `keys`, and keep the inputs' cursors still."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(InvoiceScreen(invoice_id))
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    return run


class TestInvoiceSnapshots:
    """INV-2026-00001 (two lines, credit applied, a bank transfer) and its decisions."""

    @SIZES
    def test_invoice_as_admin(  # type: ignore[no-untyped-def]
        self, snap_compare, invoice_desk: InvoiceDesk, size: tuple[int, int]
    ) -> None:
        run_before = on_invoice(invoice_desk.unpaid)
        assert snap_compare(invoice_desk.app(), terminal_size=size, run_before=run_before)

    @SIZES
    def test_invoice_as_agent(  # type: ignore[no-untyped-def]
        self, snap_compare, invoice_desk: InvoiceDesk, size: tuple[int, int]
    ) -> None:
        run_before = on_invoice(invoice_desk.unpaid)
        assert snap_compare(invoice_desk.app("sam"), terminal_size=size, run_before=run_before)

    @SIZES
    def test_cancel_dialog(  # type: ignore[no-untyped-def]
        self, snap_compare, invoice_desk: InvoiceDesk, size: tuple[int, int]
    ) -> None:
        run_before = on_invoice(invoice_desk.unpaid, "x")
        assert snap_compare(invoice_desk.app(), terminal_size=size, run_before=run_before)

    @SIZES
    def test_credit_note_dialog(  # type: ignore[no-untyped-def]
        self, snap_compare, invoice_desk: InvoiceDesk, size: tuple[int, int]
    ) -> None:
        run_before = on_invoice(invoice_desk.unpaid, "n")
        assert snap_compare(invoice_desk.app(), terminal_size=size, run_before=run_before)

    @SIZES
    def test_refund_dialog(  # type: ignore[no-untyped-def]
        self, snap_compare, invoice_desk: InvoiceDesk, size: tuple[int, int]
    ) -> None:
        run_before = on_invoice(invoice_desk.paid, "f")
        assert snap_compare(invoice_desk.app(), terminal_size=size, run_before=run_before)
