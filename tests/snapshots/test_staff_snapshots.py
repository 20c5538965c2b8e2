"""Snapshots of the sign-in screen and the staff list, in the smallest terminal the desk
promises (80 x 24), with frozen time.

The sign-in screen is shown for a shared desk whose name is fixed here (a test PostgreSQL
database has a random name); the demo's SQLite desk answers the password check behind it.

Update with `pytest FILE --snapshot-update`, then look at the SVGs in
__snapshots__/ beside this file before accepting them.
"""

from __future__ import annotations

from collections.abc import Callable

from pilot_helpers import settle, wait_for
from textual.pilot import Pilot
from textual.widgets import Button, Input

from deskapp.db import DatabaseInfo
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.commands import show_staff

SIZE = (80, 24)
TEAM_DESK = DatabaseInfo(
    url="postgresql://desk.bluebay.example/bluebay",
    backend="postgresql",
    label="desk.bluebay.example/bluebay",
)
"""The shared desk the sign-in screen names."""


def shared(preselect: str = "") -> DeskSession:
    """A shared desk's session before anyone signed in (`--staff` preselecting)."""
    return DeskSession("shared", TEAM_DESK, None, preselect)


def still(pilot: Pilot[None]) -> None:
    """No blinking cursors in a picture."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def signing_in(*keys: str) -> Callable[[Pilot[None]], object]:
    """Type `keys` on the sign-in screen; after a refusal, wait for the pause to end (so the
    picture does not depend on how long the check took)."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
            button = pilot.app.screen.query_one("#sign-in", Button)
            await wait_for(pilot, lambda: not button.disabled, what="the pause to end")
            await settle(pilot)
        still(pilot)

    return run


def in_staff_list(*keys: str) -> Callable[[Pilot[None]], object]:
    """Open the staff list, press `keys`, wait for what they load."""

    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        show_staff(pilot.app)
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        still(pilot)

    return run


class TestSignInSnapshots:
    """What a person sees first on a shared desk."""

    def test_sign_in(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(shared())
        assert snap_compare(app, terminal_size=SIZE, run_before=signing_in())

    def test_sign_in_refused(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(shared(preselect="sam"))
        keys = (*"not my password", "enter")
        assert snap_compare(app, terminal_size=SIZE, run_before=signing_in(*keys))


class TestStaffSnapshots:
    """The staff list as an admin sees it, and the form that adds someone."""

    def test_staff_list(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_staff_list("j", "j"))

    def test_add_staff_form(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=in_staff_list("n"))
