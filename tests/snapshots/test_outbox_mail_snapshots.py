"""The outbox mail opened (issue 13), at 80 x 24 with frozen time: a failed reply with a long
error and hostile text, the footer showing its keys, esc and ?.

Update with `pytest FILE --snapshot-update`, then look at the SVG in __snapshots__/ beside this
file before accepting it.
"""

from __future__ import annotations

from outbox_mail_data import failed_reply
from pilot_helpers import settle
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.models import OutboxMail
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.commands import show_outbox

SIZE = (80, 24)


async def open_the_mail(pilot: Pilot[None]) -> None:
    await settle(pilot)
    show_outbox(pilot.app)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


class TestOutboxMailSnapshots:
    """One mail of the outbox, opened."""

    def test_failed_mail(self, snap_compare, demo_session: DeskSession) -> None:  # type: ignore[no-untyped-def]
        OutboxMail.delete().execute()
        failed_reply()
        app = DeskApp(demo_session)
        assert snap_compare(app, terminal_size=SIZE, run_before=open_the_mail)
