"""The staff list through Pilot on the demo desk (SQLite; the service is tested on both
backends): admins add people, change roles, set passwords, disable and enable; agents cannot
open it; the service's refusals show in the dialogs; everything usable at 80 x 24."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import notices, palette_hit, screen_text, settle, use_tmp_user_dirs, wait_for
from sign_in_data import PASSWORD
from textual.pilot import Pilot
from textual.widgets import Input, Select

from deskapp import migrations
from deskapp.db import close_database, db, open_database
from deskapp.demo import load_demo
from deskapp.services.session import DeskSession, open_desk
from deskapp.services.staff import add_staff, authenticate, get_staff, list_staff, set_role
from screens.app import DeskApp
from screens.commands import desk_commands
from screens.staff_form import AddStaffDialog, ChangeRoleDialog, SetActiveDialog, SetPasswordDialog
from screens.staff_list import ONLY_ADMINS, StaffScreen

SMALL = (80, 24)
"""The smallest terminal the desk promises to be usable in."""
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def desk_path(tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local desk.db with the demo business (admin, kim and sam); user dirs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    migrations.upgrade()
    load_demo()
    close_database()
    return tmp_path / "desk.db"


def signed_in(path: Path, staff: str) -> Iterator[DeskSession]:
    yield open_desk(f"sqlite:///{path}", staff=staff)
    close_database()
    db.initialize(None)


@pytest.fixture
def admin(desk_path: Path) -> Iterator[DeskSession]:
    """The demo desk as its admin (Alex Carter)."""
    yield from signed_in(desk_path, "admin")


@pytest.fixture
def agent(desk_path: Path) -> Iterator[DeskSession]:
    """The demo desk as sam, an agent."""
    yield from signed_in(desk_path, "sam")


async def choose_staff_in_palette(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"Staff")
    await wait_for(pilot, lambda: palette_hit(pilot).startswith("Staff"), what="the palette's hit")
    await pilot.press("enter")
    await settle(pilot)


async def open_staff(pilot: Pilot[None]) -> StaffScreen:
    """From the first screen, through the command palette."""
    await choose_staff_in_palette(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, StaffScreen)
    return screen


def usernames(screen: StaffScreen) -> list[str]:
    return [member.username for member in screen.records.records]


def words(text: str) -> str:
    """The screen's text with each run of spaces as one (columns' widths aside)."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


async def highlight(pilot: Pilot[None], screen: StaffScreen, username: str) -> None:
    """Move the list's cursor to `username` with j, as a person does."""
    for _ in range(len(screen.records.records)):
        member = screen.highlighted_member
        if member is not None and member.username == username:
            return
        await pilot.press("j")
        await pilot.pause()
    raise AssertionError(f"{username} is not in the list")


async def test_an_admin_sees_everyone_with_role_status_and_how_they_sign_in(
    admin: DeskSession,
) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        assert usernames(screen) == ["admin", "kim", "sam"]
        text = words(screen_text(pilot))
        assert "Showing all 3 staff members." in text
        assert "sam Sam Okoye agent active sam@bluebay.example" in text
        assert "No password: signs in only by SSH key; p sets a password." in text  # demo's
        for action in ("add_staff", "change_role", "set_password", "disable_staff"):
            assert screen.check_action(action, ()) is True
        assert screen.check_action("enable_staff", ()) is False  # admin is active: hidden
        assert "Staff" not in [c.title for c in desk_commands(screen)]  # already here
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, StaffScreen)


async def test_an_agent_is_told_the_staff_list_is_for_admins(agent: DeskSession) -> None:
    async with DeskApp(agent).run_test(size=SMALL) as pilot:
        await settle(pilot)
        (entry,) = [c for c in desk_commands(pilot.app.screen) if c.title == "Staff"]
        assert "Admins only" in entry.help
        await choose_staff_in_palette(pilot)
        assert not isinstance(pilot.app.screen, StaffScreen)
        assert ONLY_ADMINS in notices(pilot)
        # Even put in front of them, every key that changes someone is dimmed.
        screen = StaffScreen()
        await pilot.app.push_screen(screen)
        await settle(pilot)
        for action in ("add_staff", "change_role", "set_password", "disable_staff"):
            assert screen.check_action(action, ()) is None
        await pilot.press("n", "o", "p", "d", "e")
        await settle(pilot)
        assert pilot.app.screen is screen


async def test_an_admin_adds_someone_who_can_then_sign_in(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AddStaffDialog)
        form.query_one("#username", Input).value = "lee"
        form.query_one("#name", Input).value = "Lee Chan"
        form.query_one("#email", Input).value = "lee@bluebay.example"
        form.query_one("#role", Select).value = "admin"
        form.query_one("#password", Input).value = PASSWORD
        form.query_one("#password_again", Input).value = PASSWORD + "x"
        await pilot.click("#submit")
        await settle(pilot)
        assert "The two passwords differ; type them again." in screen_text(pilot)
        form.query_one("#password", Input).value = "short"
        form.query_one("#password_again", Input).value = "short"
        await pilot.click("#submit")
        await settle(pilot)
        assert "A password needs at least 10 characters." in screen_text(pilot)
        assert pilot.app.screen is form
        form.query_one("#password", Input).value = PASSWORD
        form.query_one("#password_again", Input).value = PASSWORD
        assert PASSWORD not in screen_text(pilot)  # masked
        await pilot.click("#submit")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert usernames(screen) == ["admin", "kim", "lee", "sam"]
        assert "Added lee (Lee Chan) as an admin." in notices(pilot)
        assert not any(PASSWORD in notice for notice in notices(pilot))
    assert authenticate("lee", PASSWORD).role == "admin"


async def test_a_username_taken_is_refused_in_the_form(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        await open_staff(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, AddStaffDialog)
        form.query_one("#username", Input).value = "sam"
        await pilot.click("#submit")
        await settle(pilot)
        assert "There is already a staff member called “sam”." in screen_text(pilot)
        assert pilot.app.screen is form


async def test_an_admin_changes_a_role_and_the_desk_keeps_an_admin(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        await highlight(pilot, screen, "admin")
        await pilot.press("o")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ChangeRoleDialog)
        form.query_one("#role", Select).value = "agent"
        await pilot.click("#submit")
        await settle(pilot)
        assert "admin is the last active admin; make another admin first." in screen_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await highlight(pilot, screen, "sam")
        await pilot.press("o")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ChangeRoleDialog)
        assert form.query_one("#role", Select).value == "agent"
        form.query_one("#role", Select).value = "admin"
        await pilot.click("#submit")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "sam is now an admin." in notices(pilot)
        assert "sam Sam Okoye admin active" in words(screen_text(pilot))
    assert get_staff("sam").role == "admin"


async def test_an_admin_sets_a_new_password(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        await highlight(pilot, screen, "kim")
        await pilot.press("p")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, SetPasswordDialog)
        await pilot.click("#submit")
        await settle(pilot)
        assert "Type the new password, twice." in screen_text(pilot)
        form.query_one("#password", Input).value = "kim"
        form.query_one("#password_again", Input).value = "kim"
        await pilot.click("#submit")
        await settle(pilot)
        assert "A password needs at least 10 characters." in screen_text(pilot)
        form.query_one("#password", Input).value = NEW_PASSWORD
        form.query_one("#password_again", Input).value = NEW_PASSWORD
        await pilot.click("#submit")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Set a new password for kim." in notices(pilot)
        assert "Signs in with a password" in screen_text(pilot)
    assert authenticate("kim", NEW_PASSWORD).username == "kim"


async def test_an_admin_disables_and_enables_someone(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        await highlight(pilot, screen, "kim")
        await pilot.press("d")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, SetActiveDialog)
        assert "Disable kim (Kim Larsen)?" in screen_text(pilot)
        await pilot.click("#submit")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Disabled kim." in notices(pilot)
        assert "kim Kim Larsen agent disabled" in words(screen_text(pilot))
        assert "Disabled: cannot sign in or act" in screen_text(pilot)
        await pilot.press("slash", "right")  # the filter: active people only
        await settle(pilot)
        assert usernames(screen) == ["admin", "sam"]
        assert "Showing all 2 active staff members." in screen_text(pilot)
        await pilot.press("left")
        await settle(pilot)
        await pilot.press("escape")
        await highlight(pilot, screen, "kim")
        assert screen.check_action("disable_staff", ()) is False
        await pilot.press("e")
        await settle(pilot)
        assert "Enable kim (Kim Larsen)?" in screen_text(pilot)
        await pilot.click("#submit")
        await settle(pilot)
        assert "Enabled kim." in notices(pilot)
        assert "kim Kim Larsen agent active" in words(screen_text(pilot))
    assert get_staff("kim").active


async def test_an_admin_cannot_disable_themselves(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        await highlight(pilot, screen, "admin")
        await pilot.press("d")
        await settle(pilot)
        await pilot.click("#submit")
        await settle(pilot)
        assert "You cannot disable yourself; ask another admin." in screen_text(pilot)
        assert isinstance(pilot.app.screen, SetActiveDialog)
    assert get_staff("admin").active


async def test_an_admin_demoted_meanwhile_is_refused_by_the_service(
    desk_path: Path,
) -> None:
    """The screen trusts the session's role to dim keys; the service reads the role now."""
    open_database(f"sqlite:///{desk_path}")
    set_role(None, "sam", "admin")
    close_database()
    for session in signed_in(desk_path, "sam"):
        async with DeskApp(session).run_test(size=SMALL) as pilot:
            await open_staff(pilot)
            set_role(None, "sam", "agent")  # another desk demotes sam
            await pilot.press("n")
            await settle(pilot)
            form = pilot.app.screen
            assert isinstance(form, AddStaffDialog)
            form.query_one("#username", Input).value = "lee"
            await pilot.click("#submit")
            await settle(pilot)
            assert "Only an admin can manage staff; ask an admin to do it." in screen_text(pilot)
            assert pilot.app.screen is form
        assert [member.username for member in list_staff()] == ["admin", "kim", "sam"]


async def test_someone_added_on_another_desk_shows_in_the_list(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_staff(pilot)
        add_staff(None, "lee", "agent", name="Lee Chan")  # `deskapp staff add`, elsewhere
        await wait_for(
            pilot, lambda: "lee" in usernames(screen), what="the list to follow the change"
        )
        await wait_for(
            pilot,
            lambda: "Showing all 4 staff members." in screen_text(pilot),
            what="the count to follow",
        )
