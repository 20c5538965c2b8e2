"""Snapshots of the client forms (SQLite, frozen time, fixed data), each dialog over an empty
screen so the snapshots do not change with the screens behind them.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from client_forms_data import SIZE, FormHost, FormStory, add_form_story
from pilot_helpers import settle, use_tmp_user_dirs
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, RadioButton

from deskapp.db import close_database, db
from deskapp.services.session import open_desk
from screens.client_delete import DeleteClientDialog
from screens.client_form import ClientFormScreen
from screens.client_merge import MergeClientsScreen
from screens.client_status import ChangeStatusDialog
from screens.contact_form import ContactFormDialog


@dataclass(frozen=True)
class FormDesk:
    """The desk of the story."""

    url: str
    """The SQLite database."""
    story: FormStory
    """C-1042 and C-1043."""

    def app(self, dialog: Callable[[], Screen[Any]], staff: str = "kim") -> FormHost:
        """`dialog` over an empty screen, signed in as kim (admin) or sam (agent)."""
        return FormHost(open_desk(self.url, staff=staff), dialog)


@pytest.fixture
def form_desk(
    tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FormDesk]:
    """A local desk.db holding the story."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    open_desk(url)
    story = add_form_story()
    yield FormDesk(url, story)
    close_database()
    db.initialize(None)


def then(
    *keys: str,
    typed: dict[str, str] | None = None,
    ticked: dict[str, bool] | None = None,
    press: str | None = None,
) -> Callable[[Pilot[None]], object]:
    """Once the dialog has loaded: press `keys`, type into fields, tick boxes, press a button
    (no blinking cursors)."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # a picture taken mid-blink would differ
        await pilot.press(*keys)
        await settle(pilot)
        for field, value in (typed or {}).items():
            pilot.app.screen.query_one(f"#{field}", Input).value = value
        for box, value in (ticked or {}).items():
            toggle = pilot.app.screen.query_one(f"#{box}")
            assert isinstance(toggle, Checkbox | RadioButton)
            toggle.value = value
        await settle(pilot)
        if press:
            pilot.app.screen.query_one(f"#{press}", Button).press()
            await settle(pilot)

    return run


class TestClientFormSnapshots:
    """Adding and editing a client, and its status."""

    def test_edit_refuses_a_phone(self, snap_compare, form_desk: FormDesk) -> None:  # type: ignore[no-untyped-def]
        app = form_desk.app(lambda: ClientFormScreen(form_desk.story.client_id))
        run = then(typed={"phone": "call me", "region": "West Yorkshire"}, press="submit")
        assert snap_compare(app, terminal_size=SIZE, run_before=run)

    def test_add_with_the_welcome_mail(self, snap_compare, form_desk: FormDesk) -> None:  # type: ignore[no-untyped-def]
        typed = {"first_name": "Ada", "last_name": "Lindqvist", "email": "ada@bluefjord"}
        run = then(typed=typed, ticked={"welcome": True}, press="submit")
        assert snap_compare(form_desk.app(ClientFormScreen), terminal_size=SIZE, run_before=run)

    def test_closing_offers_to_cancel_services(self, snap_compare, form_desk: FormDesk) -> None:  # type: ignore[no-untyped-def]
        app = form_desk.app(lambda: ChangeStatusDialog(form_desk.story.client_id))
        run = then(ticked={"Closed": True}, press="submit")
        assert snap_compare(app, terminal_size=SIZE, run_before=run)


class TestContactFormSnapshots:
    """A contact of C-1042."""

    def test_edit_the_billing_contact(self, snap_compare, form_desk: FormDesk) -> None:  # type: ignore[no-untyped-def]
        story = form_desk.story
        app = form_desk.app(lambda: ContactFormDialog(story.client_id, story.billing_id), "sam")
        run = then(ticked={"is_billing": False, "mail_product": True}, press="submit")
        assert snap_compare(app, terminal_size=SIZE, run_before=run)


class TestMergeAndDeleteSnapshots:
    """The admin's destructive actions, just before they are confirmed."""

    def test_merge_preview(self, snap_compare, form_desk: FormDesk) -> None:  # type: ignore[no-untyped-def]
        app = form_desk.app(lambda: MergeClientsScreen(form_desk.story.client_id))
        run = then(*"okafor", "enter")
        assert snap_compare(app, terminal_size=SIZE, run_before=run)

    def test_delete_confirmation(self, snap_compare, form_desk: FormDesk) -> None:  # type: ignore[no-untyped-def]
        app = form_desk.app(lambda: DeleteClientDialog(form_desk.story.client_id))
        run = then(*"C-1042")
        assert snap_compare(app, terminal_size=SIZE, run_before=run)
