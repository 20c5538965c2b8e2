"""Snapshots of the approval queue (tests/order_ui_data.py's orders, signed in as ann, under
the frozen clock, SQLite): the queue with the highlighted order's preview, the approve dialog
with a later start and its credit note, the reject dialog of a paid order; each at the usual
size and at 80x24, the smallest the desk is made for.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from order_ui_data import SIZE, SMALL, OrderDesk, sqlite_order_desk
from pilot_helpers import settle, use_tmp_user_dirs, wait_for
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp import clock
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.order_dialogs import ApproveOrderDialog
from screens.order_preview import ApprovalPreviewView

SIZES = pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x36", "80x24"])


@pytest.fixture
def order_desk(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[DeskSession, OrderDesk]]:
    """The order desk as ann, with no Stripe key and no config file."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.delenv("DESKAPP_STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "no-config.toml"))
    yield from sqlite_order_desk(tmp_path)


def in_the_queue(*keys: str, later_start: bool = False) -> Callable[[Pilot[None]], object]:
    """Go to the orders, press `keys` (settling after each); with `later_start`, type a start
    date two days after the payment into the approve dialog and wait for its preview."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        dialog = pilot.app.screen
        if later_start and isinstance(dialog, ApproveOrderDialog):
            start = clock.today()
            await pilot.press("end", *["backspace"] * 10, *f"{start:%Y-%m-%d}")
            view = dialog.query_one("#dialog-preview", ApprovalPreviewView)
            await wait_for(pilot, lambda: view.preview is not None and view.preview.start == start)
            dialog.query_one("#start", Input).cursor_blink = False
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await settle(pilot)

    return run


class TestOrderQueueSnapshots:
    """What an admin sees before and while deciding an order."""

    @SIZES
    def test_queue_with_preview(  # type: ignore[no-untyped-def]
        self, snap_compare, order_desk: tuple[DeskSession, OrderDesk], size: tuple[int, int]
    ) -> None:
        session, _ = order_desk
        run_before = in_the_queue("j")  # the order paid by bank transfer
        assert snap_compare(DeskApp(session), terminal_size=size, run_before=run_before)

    @SIZES
    def test_approve_dialog(  # type: ignore[no-untyped-def]
        self, snap_compare, order_desk: tuple[DeskSession, OrderDesk], size: tuple[int, int]
    ) -> None:
        session, _ = order_desk
        run_before = in_the_queue("j", "a", later_start=True)
        assert snap_compare(DeskApp(session), terminal_size=size, run_before=run_before)

    @SIZES
    def test_reject_dialog(  # type: ignore[no-untyped-def]
        self, snap_compare, order_desk: tuple[DeskSession, OrderDesk], size: tuple[int, int]
    ) -> None:
        session, _ = order_desk
        run_before = in_the_queue("j", "x")
        assert snap_compare(DeskApp(session), terminal_size=size, run_before=run_before)
