"""The palette offers every action of the screen in front of you (the composer's too, keys in
the footer or not) and finds them by words of their description; an agent pressing an admin's
key is told why, on every screen that has such keys. Screen behaviour only: SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from pilot_helpers import notices, palette_hit, settle, use_tmp_user_dirs, wait_for
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from ticket_screen_data import demo_app, open_ticket

from deskapp.services.clients import find_client_by_number
from deskapp.services.orders import list_orders
from screens.catalogue_list import CatalogueScreen
from screens.client_detail import ClientScreen
from screens.client_ledger import ClientLedgerScreen
from screens.commands import DeskCommands, described_by, desk_commands
from screens.order_detail import OrderScreen
from screens.order_list import OrderListScreen
from screens.outbox_list import OutboxScreen
from screens.staff_list import StaffScreen

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Drafts, preferences and logs go under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


async def search(screen: Screen[object], query: str) -> list[str]:
    """The titles the desk's palette provider finds for `query`, best first."""
    provider = DeskCommands(screen)
    hits = [hit async for hit in provider.search(query)]
    hits.sort(key=lambda hit: hit.score, reverse=True)
    return [str(getattr(hit.prompt, "plain", hit.prompt)) for hit in hits]


async def test_the_palette_offers_the_composers_actions_and_keys_not_in_the_footer(
    desk: str,
) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        closed = {command.title for command in desk_commands(screen)}
        assert {"Reply", "Note", "Status", "Its client", "Its ledger"} <= closed
        assert {"Subscribers", "Estimate", "Save file", "Refresh"} & closed  # not in the footer
        assert "Send" not in closed  # no composer open, nothing to send

        await pilot.press("r")
        await pilot.pause()
        composing = {command.title: command for command in desk_commands(screen)}
        assert {"Send", "Editor", "Canned", "Attach", "Drop files"} <= set(composing)
        # Keys the composer takes for typing are still reachable from the palette.
        assert {"Status", "Assign", "Its client", "Back"} <= set(composing)
        assert "(ctrl+s)" in composing["Send"].help or "^s" in composing["Send"].help

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"canned")
        await wait_for(pilot, lambda: "Canned" in palette_hit(pilot), what="the canned entry")
        await pilot.press("enter")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "CannedReplyDialog"


async def test_the_palette_matches_words_of_the_description(desk: str) -> None:
    async with demo_app(desk).run_test(size=SIZE) as pilot:
        screen = await open_ticket(pilot, "T-20056")
        assert await search(screen, "mailed") == ["Reply"]  # "it is mailed to the client"
        assert "Note" in await search(screen, "staff see")  # "only staff see it"
        assert (await search(screen, "status"))[0] == "Status"  # the title still ranks first
        assert await search(screen, "zzz") == []
        assert described_by("who ASK", "Open the client who asked.")
        assert not described_by("", "Open the client who asked.")

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"prepaid")  # only in Log time's description
        await wait_for(pilot, lambda: "Log time" in palette_hit(pilot), what="Log time")


async def agent_presses(pilot: Pilot[None], screen: Screen[object], key: str) -> str:
    """Open `screen` as the agent, press `key`; the notification it gave."""
    await pilot.app.push_screen(screen)
    await settle(pilot)
    pilot.app.clear_notifications()
    await pilot.press(key)
    await wait_for(pilot, lambda: notices(pilot), what=f"the refusal of {key}")
    assert pilot.app.screen is screen  # nothing opened
    said = notices(pilot)
    assert len(said) == 1, said
    return str(said[0])


async def test_an_agent_pressing_an_admins_key_is_told_why_on_every_screen(desk: str) -> None:
    async with demo_app(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        client = find_client_by_number(1001)
        assert client is not None
        pending = list_orders("pending", limit=1)[0]
        cases = [
            (OrderListScreen(), "a", "Only an admin can approve or reject an order"),
            (OrderListScreen(), "x", "Only an admin can approve or reject an order"),
            (OrderScreen(pending.id), "a", "Only an admin can approve or reject an order"),
            (ClientLedgerScreen(client.id), "d", "Only an admin can adjust credit"),
            (ClientLedgerScreen(client.id), "v", "Only an admin can reverse a credit entry"),
            (ClientScreen(client.id), "M", "Only an admin can merge clients"),
            (ClientScreen(client.id), "D", "Only an admin can delete clients"),
            (CatalogueScreen(), "n", "Only an admin can change the product catalogue"),
            (CatalogueScreen(), "r", "Only an admin can change the product catalogue"),
            (StaffScreen(), "n", "Only an admin can manage staff"),
            (OutboxScreen(), "x", "Only an admin can discard a mail of the outbox"),
        ]
        for screen, key, sentence in cases:
            said = await agent_presses(pilot, screen, key)
            assert said.startswith(sentence) and said.endswith("ask an admin to do it."), said
            bindings = screen.active_bindings
            assert not bindings[key].enabled  # dimmed in the footer, still there
            offered = {c.title: c for c in desk_commands(screen)}
            refused = offered[bindings[key].binding.description]
            assert f"Admins only: {sentence}" in refused.help  # the palette says why too
            screen.dismiss()
            await settle(pilot)


async def test_choosing_a_refused_entry_in_the_palette_says_why(desk: str) -> None:
    async with demo_app(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"approve")
        await wait_for(pilot, lambda: "Approve" in palette_hit(pilot), what="Approve")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, OrderListScreen)
        assert any("Only an admin can approve" in str(n) for n in notices(pilot))


async def test_an_admin_uses_the_same_keys(desk: str) -> None:
    async with demo_app(desk, "admin").run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        client = find_client_by_number(1001)
        assert client is not None
        screen = ClientScreen(client.id)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "MergeClientsScreen"
        assert not any("Only an admin" in str(n) for n in notices(pilot))
