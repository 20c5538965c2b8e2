"""Outages on a shared desk: the server cuts the desk's connections (pg_terminate_backend, on
this test's own database only) or restarts (a private cluster, never the machine's server).
The next action reconnects instead of failing; the header says "reconnecting" and then
"connected" within 5 s of the server being back; the screen keeps what it showed; a reply or a
form that could not be saved says so and what was typed stays."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from client_forms_data import SIZE, add_form_story, desk_as, fill, open_dialog, press_button
from pg_databases import admin_connection
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs, wait_for
from private_postgres import PrivateCluster, why_not
from textual.pilot import Pilot
from textual.widgets import Input
from ticket_screen_data import demo_app, open_ticket
from ticket_ui_data import go_to_queue

from deskapp import migrations
from deskapp.db import close_database, db, open_database
from deskapp.services.client_profile import get_client
from deskapp.services.conversation import record_client_message
from screens.app import DeskApp
from screens.client_form import ClientFormScreen

ON_POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

BACK_WITHIN = 5.0
"""Seconds within which the desk must say "connected" once the server answers again."""


@pytest.fixture(autouse=True)
def quick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """User dirs under tmp_path; the feed is read every 200 ms (the reconnect checks keep the
    desk's own pace)."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)


def cut_connections(url: str) -> int:
    """Terminate every connection to this test's database (and no other); how many went."""
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    with admin_connection() as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return int(row[0]) if row else 0


def header_says(pilot: Pilot[None], words: str) -> bool:
    """Whether the screen (its header) shows `words`."""
    return words in screen_text(pilot)


@ON_POSTGRES
async def test_cut_connections_the_next_reply_goes_through_on_a_new_one(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        shown = len(screen.conversation.messages)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Checked your invoice")

        assert cut_connections(desk) >= 2  # the desk's workers' and its listener's

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.composing, what="the reply sent")
        await settle(pilot)
        bodies = [m.body for m in screen.conversation.messages]
        assert "Checked your invoice" in bodies
        assert len(bodies) == shown + 1
        assert not [n for n in notices(pilot) if "database" in n]
        assert "● connected" in screen_text(pilot)

        # The listener listens again on a new connection: a mail that comes in still shows.
        record_client_message(screen.ticket_id, "And the address changed too.")

        def shows_it() -> bool:
            return "And the address changed too." in [m.body for m in screen.conversation.messages]

        await wait_for(pilot, shows_it, what="the client's message after the cut")


@ON_POSTGRES
async def test_cut_connections_the_queue_and_ticket_load_again(desk: str) -> None:
    app = demo_app(desk)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        cut_connections(desk)
        await pilot.press("f5")
        await settle(pilot)
        assert screen.ticket is not None and screen.conversation.messages
        assert not notices(pilot)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    """A started private cluster, removed after the test (skipped where none can be made)."""
    if reason := why_not():
        pytest.skip(f"no private PostgreSQL cluster here: {reason}")
    cluster = PrivateCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        if db.obj is not None:
            try:
                close_database()
            except Exception:  # noqa: BLE001 (the server is going away anyway)
                pass
        db.initialize(None)
        cluster.remove()


@pytest.mark.postgres
async def test_a_server_restart_while_writing_a_reply(
    private_cluster: PrivateCluster, frozen_time: dt.datetime
) -> None:
    url = private_cluster.create_database("desk")
    open_database(url)
    migrations.upgrade()
    app = demo_app(url)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        shown = [m.body for m in screen.conversation.messages]
        await pilot.press("r")
        await settle(pilot)
        await pilot.press(*"Typed while the server restarts")

        private_cluster.stop()
        await wait_for(pilot, lambda: header_says(pilot, "○ reconnecting"), what="reconnecting")

        await pilot.press("ctrl+s")  # the server is down: it says so, the text stays
        await wait_for(pilot, lambda: not screen.composer.sending, what="the send to fail")
        assert screen.composing
        assert screen.composer.text == "Typed while the server restarts"
        assert "Not sent" in screen_text(pilot)
        assert [m.body for m in screen.conversation.messages] == shown  # still shown

        private_cluster.start()
        await wait_for(
            pilot,
            lambda: header_says(pilot, "● connected"),
            timeout=BACK_WITHIN,
            what="connected again",
        )

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not screen.composing, what="the reply sent")
        await settle(pilot)
        assert [m.body for m in screen.conversation.messages] == [
            *shown,
            "Typed while the server restarts",
        ]


@pytest.mark.postgres
async def test_the_queue_keeps_its_rows_while_the_server_is_down(
    private_cluster: PrivateCluster, frozen_time: dt.datetime
) -> None:
    url = private_cluster.create_database("desk")
    open_database(url)
    migrations.upgrade()
    app = demo_app(url)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        queue = await go_to_queue(pilot)
        await pilot.press("j", "j")
        shown = [t.id for t in queue.records.records]
        on = queue.records.highlighted_record
        assert shown and on is not None

        private_cluster.stop()
        await pilot.press("r")
        await settle(pilot)
        assert [t.id for t in queue.records.records] == shown
        assert queue.records.highlighted_record == on
        assert "could not be loaded" in screen_text(pilot)
        assert "○ reconnecting" in screen_text(pilot)

        private_cluster.start()
        await wait_for(
            pilot,
            lambda: header_says(pilot, "● connected"),
            timeout=BACK_WITHIN,
            what="connected again",
        )
        await pilot.press("r")
        await settle(pilot)
        assert [t.id for t in queue.records.records] == shown
        assert "could not be loaded" not in screen_text(pilot)


async def test_a_form_whose_save_fails_says_so_and_keeps_what_was_typed(desk: str) -> None:
    story = add_form_story()
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, ClientFormScreen(story.client_id))
        fill(pilot, city="York")
        # The database goes away: the desk now points at a server that refuses connections.
        open_database("postgresql://postgres@127.0.0.1:9/gone", connect=False)
        try:
            await press_button(pilot, "submit")
            await settle(pilot)
            assert results == []
            assert any("The database does not answer" in n for n in notices(pilot))
            assert pilot.app.screen.query_one("#city", Input).value == "York"
            assert "○ reconnecting" in screen_text(pilot)
        finally:
            open_database(desk)
        await wait_for(pilot, lambda: header_says(pilot, "● connected"), what="connected")
        await press_button(pilot, "submit")
        assert results == [story.client_id]
    assert get_client(story.client_id).city == "York"
