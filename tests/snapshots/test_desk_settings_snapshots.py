"""Snapshots of the desk's settings on the demo desk at 80 x 24, with frozen time (SQLite): the
departments and canned replies lists, their forms and delete questions, the mail and billing
dialogs, and the billing dialog as an agent reads it.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pilot_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from deskapp.services.session import DeskSession, open_desk
from screens.app import DeskApp
from screens.settings_access import settings_places

SIZE = (80, 24)


def in_settings(title: str, *keys: str) -> Callable[[Pilot[None]], object]:
    """Open the settings place `title`, press `keys`, wait for what they load; no blinking."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        opener = next(
            run for place, run in settings_places(pilot.app.screen) if place.title == title
        )
        opener()
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False
        await pilot.pause()

    return run


class TestDepartmentSnapshots:
    """Departments as an admin sees them: the list, a department's form, the delete question."""

    def test_departments(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(
            app, terminal_size=SIZE, run_before=in_settings("Departments", "j", "j")
        )

    def test_department_form(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        keys = ("j", "j", "e")  # Outage: two fields
        assert snap_compare(app, terminal_size=SIZE, run_before=in_settings("Departments", *keys))

    def test_delete_department(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        keys = ("j", "x", "enter")  # Billing has tickets: the service's refusal
        assert snap_compare(app, terminal_size=SIZE, run_before=in_settings("Departments", *keys))


class TestCannedReplySnapshots:
    """Canned replies as an admin sees them: the list, a reply's form with its preview, the
    delete question."""

    def test_canned_replies(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_settings("Canned replies", "j"))

    def test_canned_reply_form(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        run = in_settings("Canned replies", "j", "j", "e")  # Greeting
        assert snap_compare(app, terminal_size=SIZE, run_before=run)

    def test_delete_canned_reply(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        run = in_settings("Canned replies", "x")
        assert snap_compare(app, terminal_size=SIZE, run_before=run)


class TestMailAndBillingSnapshots:
    """The mail and billing dialogs; the billing one as an agent reads it."""

    def test_mail_settings(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_settings("Mail settings"))

    def test_billing_settings(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_settings("Billing settings"))

    def test_billing_settings_as_an_agent(  # type: ignore[no-untyped-def]
        self, snap_compare, demo_session: DeskSession, tmp_path: Path
    ) -> None:
        agent = open_desk(f"sqlite:///{tmp_path / 'desk.db'}", staff="sam")
        app = DeskApp(agent)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_settings("Billing settings"))
