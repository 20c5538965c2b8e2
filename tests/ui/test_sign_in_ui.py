"""The sign-in screen through Pilot, on a real PostgreSQL desk (shared mode): shown first, the
username preselected by --staff, the password masked, refusals and the growing pause told as
sentences, and the desk opening as the person who signed in, at 80 x 24."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_databases import admin_connection
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from sign_in_data import PASSWORD, audit_text, shared_session, sign_in_audit
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from deskapp import clock
from deskapp.services.session import DeskSession, open_desk
from deskapp.services.staff import add_staff, set_active
from screens.app import DeskApp
from screens.client_list import ClientListScreen
from screens.commands import desk_commands, show_staff
from screens.sign_in import NO_STAFF_YET, SignInScreen, seconds
from screens.staff_list import StaffScreen

ANSWERS = ("sign-in-answer", "sign-in-wait")
"""The lines where the sign-in screen answers."""
SMALL = (80, 24)
"""The smallest terminal the desk promises to be usable in."""

ON_POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
"""Sign-in is shared mode's: these tests run on a real PostgreSQL desk."""


@pytest.fixture
def staffed_desk(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A shared desk with an admin (dana) and an agent (sam), both with PASSWORD."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    add_staff(None, "dana", "admin", name="Dana Admin", password=PASSWORD)
    add_staff(None, "sam", "agent", name="Sam Agent", password=PASSWORD)
    return desk


@pytest.fixture
def session(staffed_desk: str) -> Iterator[DeskSession]:
    """The desk as `deskapp --db URL` opens it: nobody signed in yet."""
    yield shared_session(staffed_desk)


@pytest.fixture
def preselected(staffed_desk: str) -> Iterator[DeskSession]:
    """The desk as `deskapp --db URL --staff sam` opens it."""
    yield shared_session(staffed_desk, staff="sam")


def field(pilot: Pilot[None], name: str) -> Input:
    return pilot.app.screen.query_one(f"#{name}", Input)


async def type_into(pilot: Pilot[None], name: str, text: str) -> None:
    """Click the field and type, as a person does."""
    await pilot.click(f"#{name}")
    await pilot.press(*text)


async def sign_in_as(pilot: Pilot[None], username: str, password: str) -> None:
    """Fill both fields and press enter in the password field; wait for the answer."""
    field(pilot, "username").value = ""
    await type_into(pilot, "username", username)
    await type_into(pilot, "password", password)
    await pilot.press("enter")
    await settle(pilot)


def flat(pilot: Pilot[None]) -> str:
    """What the sign-in panel says under its fields, each line's words joined (the panel
    wraps the service's sentences)."""
    lines = [str(pilot.app.screen.query_one(f"#{name}", Static).content) for name in ANSWERS]
    return " ".join(" ".join(lines).split())


def sign_in_button(pilot: Pilot[None]) -> Button:
    return pilot.app.screen.query_one("#sign-in", Button)


@ON_POSTGRES
async def test_a_shared_desk_asks_who_you_are_before_anything_else(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        app = pilot.app
        assert isinstance(app, DeskApp)
        await wait_for(pilot, lambda: not app.starting_up, what="start-up to end on sign-in")
        text = screen_text(pilot)
        assert "Sign in to the desk" in text
        assert "shared desk" in text
        assert field(pilot, "username").has_focus  # nothing preselected
        await pilot.press("1", "2", "ctrl+p")  # no area, no palette before signing in
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        titles = {command.title for command in desk_commands(pilot.app.screen)}
        assert not titles & {"Clients", "Tickets", "New ticket", "Catalogue", "Staff"}
        assert "C-" not in screen_text(pilot)


@ON_POSTGRES
async def test_staff_preselects_the_username_and_the_password_is_masked(
    preselected: DeskSession,
) -> None:
    async with DeskApp(preselected).run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert field(pilot, "username").value == "sam"
        password = field(pilot, "password")
        assert password.has_focus
        assert password.password
        await pilot.press(*PASSWORD)
        await pilot.pause()
        assert PASSWORD not in screen_text(pilot)
        assert "•" * len(PASSWORD) in screen_text(pilot)


@ON_POSTGRES
async def test_the_desk_opens_as_the_person_who_signed_in(preselected: DeskSession) -> None:
    async with DeskApp(preselected).run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, ClientListScreen),
            what="the client list",
        )
        app = pilot.app
        assert isinstance(app, DeskApp)
        assert app.session.signed_in_as is not None
        assert app.session.actor.username == "sam"
        await wait_for(pilot, lambda: "Sam Agent (agent)" in screen_text(pilot), what="header")
        assert "Sign in" not in screen_text(pilot)
        assert sign_in_audit() == {"signed in": 1}
        await pilot.press("2")  # the areas work now
        await settle(pilot)
        assert app.current_mode == "tickets"
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, ClientListScreen)


@ON_POSTGRES
async def test_a_wrong_password_is_refused_with_a_sentence_and_a_pause(
    session: DeskSession,
) -> None:
    async with DeskApp(session).run_test(size=SMALL) as pilot:
        await settle(pilot)
        await sign_in_as(pilot, "dana", "not the password")
        assert isinstance(pilot.app.screen, SignInScreen)
        text = flat(pilot)
        assert "Wrong username or password." in text
        assert "Wait 1 second before trying again." in text
        assert field(pilot, "password").value == ""  # typed again, never kept
        assert sign_in_button(pilot).disabled
        # An unknown username gets the same sentence (after the pause).
        await wait_for(pilot, lambda: not sign_in_button(pilot).disabled, what="the pause")
        assert "You can try again now." in flat(pilot)


@ON_POSTGRES
async def test_the_pause_grows_and_the_right_password_then_opens_the_desk(
    session: DeskSession,
) -> None:
    async with DeskApp(session).run_test(size=SMALL) as pilot:
        await settle(pilot)
        for attempt, wait in ((1, "1 second"), (2, "2 seconds"), (3, "4 seconds")):
            clock.set_clock(clock.frozen_clock(clock.now() + dt.timedelta(minutes=10)))
            screen = pilot.app.screen
            assert isinstance(screen, SignInScreen)
            screen.wait_until = 0.0  # the screen's own countdown runs in real time
            await sign_in_as(pilot, "nobody", f"wrong {attempt}")
            said = f"Wrong username or password. Wait {wait} before trying again."
            assert said in flat(pilot), attempt
        screen.wait_until = 0.0
        await sign_in_as(pilot, "nobody", "wrong again")  # still inside the pause
        assert "Too many failed sign-ins for this username: wait 4 seconds" in flat(pilot)
        clock.set_clock(clock.frozen_clock(clock.now() + dt.timedelta(minutes=10)))
        screen.wait_until = 0.0
        await sign_in_as(pilot, "dana", PASSWORD)
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ClientListScreen), what="the desk"
        )
        app = pilot.app
        assert isinstance(app, DeskApp) and app.session.signed_in_as is not None
        assert app.session.actor.username == "dana"
    assert sign_in_audit() == {"sign-in failed": 3, "sign-in paused": 1, "signed in": 1}
    assert PASSWORD not in audit_text()


@ON_POSTGRES
async def test_empty_fields_are_asked_for_without_asking_the_service(
    session: DeskSession,
) -> None:
    async with DeskApp(session).run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Type your username." in flat(pilot)
        await pilot.press(*"dana", "enter", "enter")
        await settle(pilot)
        assert "Type your password." in flat(pilot)
        assert field(pilot, "password").has_focus
    assert sign_in_audit() == {}


@ON_POSTGRES
async def test_a_disabled_person_gets_the_same_answer_as_a_wrong_password(
    preselected: DeskSession,
) -> None:
    set_active(None, "sam", False)
    async with DeskApp(preselected).run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        assert flat(pilot).startswith("Wrong username or password.")


@ON_POSTGRES
async def test_an_admin_signs_in_and_manages_staff_on_the_shared_desk(
    session: DeskSession,
) -> None:
    async with DeskApp(session).run_test(size=SMALL) as pilot:
        await settle(pilot)
        await sign_in_as(pilot, "dana", PASSWORD)
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, ClientListScreen), what="the desk"
        )
        show_staff(pilot.app)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, StaffScreen)
        assert [member.username for member in screen.records.records] == ["dana", "sam"]
        assert screen.check_action("add_staff", ()) is True


@ON_POSTGRES
async def test_the_ssh_entry_opens_the_desk_without_asking(staffed_desk: str) -> None:
    signed_in_by_key = open_desk(staffed_desk, signed_in_as="sam")
    async with DeskApp(signed_in_by_key).run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientListScreen)
        assert "Sam Agent (agent)" in screen_text(pilot)


@ON_POSTGRES
async def test_a_check_that_cannot_reach_the_database_leaves_the_screen_usable(
    preselected: DeskSession, staffed_desk: str
) -> None:
    name = staffed_desk.rsplit("/", 1)[1]
    async with DeskApp(preselected).run_test(size=SMALL) as pilot:
        await settle(pilot)
        with admin_connection() as server:  # only this test's database, no one else's
            server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            server.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        try:
            await pilot.press(*PASSWORD, "enter")
            await settle(pilot)
            await wait_for(pilot, lambda: not sign_in_button(pilot).disabled, what="the button")
            assert isinstance(pilot.app.screen, SignInScreen)
            assert flat(pilot)  # a sentence says what happened
        finally:
            with admin_connection() as server:
                server.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@ON_POSTGRES
async def test_a_new_shared_desk_says_how_to_add_the_first_admin(desk: str) -> None:
    async with DeskApp(shared_session(desk)).run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, SignInScreen)
        assert NO_STAFF_YET in flat(pilot)
        await sign_in_as(pilot, "admin", "anything at all")
        assert "Wrong username or password." in flat(pilot)  # no default admin, ever
        assert isinstance(pilot.app.screen, SignInScreen)


def test_a_pause_is_said_in_words() -> None:
    assert seconds(0.2) == "1 second"
    assert seconds(1) == "1 second"
    assert seconds(7.5) == "8 seconds"
    assert seconds(300) == "5 minutes"
