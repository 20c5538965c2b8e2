"""The desk's settings through Pilot at 80 x 24: an admin sets up a department with two fields
and a canned reply previewed on a real ticket (both backends); an agent reads every setting
with the keys dimmed and the reason said; the services' refusals and someone else's save show
in the forms."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from ledger_helpers import client
from pilot_helpers import notices, palette_hit, screen_text, settle, use_tmp_user_dirs, wait_for
from signed_in import open_as
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Select, TextArea

from deskapp.models import Role, Staff
from deskapp.services.canned import list_canned_reply_views
from deskapp.services.departments import (
    ExtraField,
    get_department_view,
    list_department_views,
    save_department,
)
from deskapp.services.desk_setup import billing_settings
from deskapp.services.session import DeskSession
from deskapp.services.ticket_open import open_ticket
from screens.app import DeskApp
from screens.billing_settings import BillingSettingsDialog
from screens.canned_form import CannedReplyFormDialog
from screens.canned_list import CannedRepliesScreen
from screens.commands import desk_commands
from screens.department_form import DepartmentFormDialog
from screens.department_list import DepartmentsScreen
from screens.mail_settings import MailSettingsDialog
from screens.widgets.field_rows import FieldRow, FieldRows

SMALL = (80, 24)
"""The smallest terminal the desk promises to be usable in."""


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences and logs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)


@pytest.fixture
def ticket_id(desk: str) -> uuid.UUID:
    """A General department with one open ticket in it, for the preview."""
    admin = Staff.create(username="root", name="Root Admin", role=Role.ADMIN)
    from deskapp.services.actors import actor_from

    general = save_department(actor_from(admin), name="General", email="", signature="", fields=())
    customer = client("Mina", "Okafor")
    opened = open_ticket(
        actor_from(admin), customer, general.id, "Router keeps rebooting", "It reboots hourly."
    )
    return opened.id


@pytest.fixture
def admin(desk: str, ticket_id: uuid.UUID) -> DeskSession:
    """The test desk (either backend) opened by an admin."""
    return open_as(desk, "root")


@pytest.fixture
def agent(desk: str, ticket_id: uuid.UUID) -> DeskSession:
    """The test desk (either backend) opened by sam, an agent."""
    Staff.create(username="sam", name="Sam Okoye", role=Role.AGENT)
    return open_as(desk, "sam")


async def from_palette(pilot: Pilot[None], title: str) -> None:
    """Choose `title` in the command palette."""
    await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*title)
    await wait_for(
        pilot, lambda: palette_hit(pilot).startswith(title), what=f"the palette's {title}"
    )
    await pilot.press("enter")
    await settle(pilot)


def row(pilot: Pilot[None], index: int) -> FieldRow:
    return pilot.app.screen.query_one(FieldRows).rows[index]


async def test_an_admin_sets_up_a_department_with_two_fields_and_a_canned_reply(
    admin: DeskSession,
) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        await from_palette(pilot, "Departments")
        assert isinstance(pilot.app.screen, DepartmentsScreen)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, DepartmentFormDialog)
        await pilot.press(*"Hosting")
        form.query_one("#email", Input).value = "hosting@example.net"
        form.query_one("#signature", TextArea).text = "The hosting team\nExample Net"
        for count in (1, 2):  # by the keyboard: at 80x24 the button may be scrolled away
            await settle(pilot)  # the last row's label has taken the focus it asks for
            form.query_one("#add-field", Button).focus()
            await pilot.pause()
            await pilot.press("enter")
            await wait_for(
                pilot, lambda n=count: len(form.query_one(FieldRows).rows) == n, what="a row"
            )
        await settle(pilot)
        row(pilot, 0).query_one(".row-label", Input).value = "Domain name"
        row(pilot, 0).query_one(".row-required", Checkbox).value = True
        plan = row(pilot, 1)
        plan.query_one(".row-label", Input).value = "Plan"
        plan.query_one(".row-kind", Select).value = "choice"
        await settle(pilot)
        choices = plan.query_one(".row-choices", Input)
        assert not choices.disabled
        choices.value = "Basic, Pro"
        assert plan.query_one(".row-key", Input).value == "plan"  # the key follows the label
        choices.focus()
        await pilot.press("enter")  # Enter in the last field sends the form
        await settle(pilot)
        assert isinstance(pilot.app.screen, DepartmentsScreen)
        assert "Added the Hosting department; it asks for 2 fields." in notices(pilot)
        hosting = next(d for d in list_department_views() if d.name == "Hosting")
        assert hosting.fields == (
            ExtraField("domain_name", "Domain name", True),
            ExtraField("plan", "Plan", False, "choice", ("Basic", "Pro")),
        )
        assert (hosting.email, hosting.signature) == (
            "hosting@example.net",
            "The hosting team\nExample Net",
        )

        await from_palette(pilot, "Canned replies")
        assert isinstance(pilot.app.screen, CannedRepliesScreen)
        await pilot.press("n")
        await settle(pilot)
        reply_form = pilot.app.screen
        assert isinstance(reply_form, CannedReplyFormDialog)
        reply_form.query_one("#title", Input).value = "Domain received"
        reply_form.query_one("#department", Select).value = hosting.id.hex
        body = reply_form.query_one("#body", TextArea)
        body.text = "Hi {first_name}, about {subject}: {nope}"
        await wait_for(
            pilot,
            lambda: "Hi Mina, about Router keeps rebooting: {nope}" in screen_text(pilot),
            what="the preview filled on the newest open ticket",
        )
        await pilot.click("#submit")
        await settle(pilot)
        flat = " ".join(screen_text(pilot).replace("│", " ").split())
        assert "The desk cannot fill {nope}; the fields a reply may use are" in flat, flat
        assert pilot.app.screen is reply_form
        body.text = "Hi {first_name}, we have your domain for {subject}."
        await pilot.click("#submit")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CannedRepliesScreen)
        saved = next(r for r in list_canned_reply_views() if r.title == "Domain received")
        assert (saved.department_id, saved.department) == (hosting.id, "Hosting")
        assert saved.body == "Hi {first_name}, we have your domain for {subject}."


async def test_an_agent_reads_the_settings_with_the_keys_dimmed_and_why(
    agent: DeskSession,
) -> None:
    why = "Only an admin can change the desk's settings; ask an admin to do it."
    async with DeskApp(agent).run_test(size=SMALL) as pilot:
        titles = [c.title for c in desk_commands(pilot.app.screen)]
        assert {"Departments", "Canned replies", "Mail settings", "Billing settings"} <= set(titles)
        await from_palette(pilot, "Departments")
        screen = pilot.app.screen
        assert isinstance(screen, DepartmentsScreen)
        assert "General" in screen_text(pilot)
        assert why in screen_text(pilot)
        for action in ("new_department", "edit_department", "delete_department"):
            assert screen.check_action(action, ()) is None  # dimmed
        await pilot.press("n", "e", "x", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen

        await from_palette(pilot, "Billing settings")
        dialog = pilot.app.screen
        assert isinstance(dialog, BillingSettingsDialog)
        assert dialog.query_one("#lead_days", Input).value == "7"
        assert dialog.query_one("#lead_days", Input).disabled
        assert dialog.query_one("#submit", Button).disabled
        assert why in screen_text(pilot)
        await pilot.press("escape")
        await from_palette(pilot, "Mail settings")
        assert isinstance(pilot.app.screen, MailSettingsDialog)
        assert pilot.app.screen.query_one("#submit", Button).disabled
        assert why in screen_text(pilot)
    assert billing_settings().lead_days == 7


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_saving_over_someone_elses_change_shows_their_version(admin: DeskSession) -> None:
    general = next(d for d in list_department_views() if d.name == "General")
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        await from_palette(pilot, "Departments")
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, DepartmentFormDialog)
        save_department(
            admin.actor,
            name="General",
            email="hello@example.net",
            signature="",
            fields=(),
            department_id=general.id,
        )
        form.query_one("#email", Input).value = "desk@example.net"
        await pilot.click("#submit")
        await settle(pilot)
        text = screen_text(pilot)
        flat = " ".join(text.replace("│", " ").split())
        assert "after you opened it, so nothing of yours was saved" in flat
        assert "Save Cancel" in flat  # the buttons stay on screen
        assert "hello@example.net" in text  # theirs, beside yours
        assert pilot.app.screen is form
        await pilot.click("#submit")  # seen theirs: saving again replaces it
        await settle(pilot)
        assert isinstance(pilot.app.screen, DepartmentsScreen)
    assert get_department_view(general.id).email == "desk@example.net"
