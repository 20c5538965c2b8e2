"""The client lookup through Pilot, on SQLite and PostgreSQL: the search box as you type, its
ranking, the status filter with it, paging, `/`, j/k/arrows and Enter, stale results, and
hostile names shown as they are."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from client_ui_data import HOSTILE_COMPANY, ClientStory, add_client_story
from pilot_helpers import screen_text, settle, use_tmp_user_dirs, wait_for
from shell_data import add_clients
from signed_in import open_as
from textual.pilot import Pilot

from deskapp.models import Client, Contact
from deskapp.services.client_search import search_clients
from deskapp.services.clients import list_clients
from deskapp.services.session import DeskSession
from screens.app import DeskApp
from screens.client_detail import ClientScreen
from screens.client_list import ClientListScreen, ClientSearchPages
from screens.widgets import search_box
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.record_table import RecordTable
from screens.widgets.search_box import SearchBox

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences and logs go under tmp_path, never into the real home."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture(autouse=True)
def quick_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 10 ms debounce keeps the tests quick (the desk waits 100 ms for more keys)."""
    monkeypatch.setattr(search_box, "SEARCH_DELAY", 0.01)


@pytest.fixture
def story(desk: str) -> Iterator[ClientStory]:
    """The client story's desk."""
    yield add_client_story()


@pytest.fixture
def session(desk: str, story: ClientStory) -> DeskSession:
    """The story's desk opened as `deskapp` opens it (signed in as kim, the first admin)."""
    return open_as(desk, "kim")


def lookup(pilot: Pilot[None]) -> ClientListScreen:
    """The client list screen."""
    screen = pilot.app.screen
    assert isinstance(screen, ClientListScreen)
    return screen


def shown(pilot: Pilot[None]) -> list[str]:
    """The client numbers in the list, in order."""
    return [record.label for record in lookup(pilot).records.records]


async def search(pilot: Pilot[None], text: str) -> None:
    """Focus the search with `/`, replace what it holds with `text`, wait for the results."""
    await pilot.press("slash")
    box = lookup(pilot).search_box
    box.value = ""
    await pilot.press(*text)
    await settle(pilot)


async def test_typing_an_exact_email_shows_that_client_first(
    session: DeskSession, story: ClientStory
) -> None:
    other = Client.get(Client.number == 1005)
    Contact.create(
        client=other, first_name="Al", last_name="Prefix", email="client1001@example.net.au"
    )
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "Client1001@Example.NET")
        assert shown(pilot)[:2] == ["C-1001", "C-1005"]  # exact, then the contact's prefix
        matched = [record.matched for record in lookup(pilot).records.records[:2]]
        assert matched == ["email", "starts with"]
        text = screen_text(pilot)
        assert "Showing all 2 clients matching “Client1001@Example.NET”." in text
        assert "email" in text and "prefix" in text


async def test_a_client_number_finds_it(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "C-1007")
        assert shown(pilot)[0] == "C-1007"
        assert lookup(pilot).records.records[0].matched == "number"


async def test_part_of_a_company_name_finds_it(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "fjord")  # "Blue Fjord ISP": neither a prefix nor a whole word
        assert shown(pilot) == ["C-1003", "C-1009"]
        assert "Blue Fjord ISP" in screen_text(pilot)


async def test_the_status_filter_combines_with_the_search(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "kestrel")
        assert shown(pilot) == ["C-1005", "C-1011"]
        await pilot.press("shift+tab")  # from the search to the status choice
        assert isinstance(pilot.app.focused, ChoiceBar)
        await pilot.press("right", "right", "right")  # All -> Active -> Inactive -> Closed
        await settle(pilot)
        assert shown(pilot) == ["C-1005"]
        assert {record.status for record in lookup(pilot).records.records} == {"Closed"}
        assert "Showing 1 closed client matching “kestrel”." in screen_text(pilot)
        await pilot.press("slash")
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await pilot.press("backspace", "backspace", "backspace")
        await settle(pilot)
        statuses = {record.status for record in lookup(pilot).records.records}
        assert statuses == {"Closed"} and len(shown(pilot)) == 2  # every closed client
        assert "Showing all 2 closed clients." in screen_text(pilot)


async def test_search_results_page_in_as_you_scroll(desk: str, story: ClientStory) -> None:
    add_clients(120, first_name="Samira")
    session = open_as(desk, "kim")
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "samira")
        records = lookup(pilot).records
        assert records.row_count == 50 and not records.complete
        assert "Showing 50 clients matching “samira”; more load as you scroll." in screen_text(
            pilot
        )
        await pilot.press("escape")  # to the list
        assert pilot.app.focused is records
        for _ in range(3):
            await pilot.press("ctrl+end")
            await settle(pilot)
        assert records.row_count == 120 and records.complete
        expected = [hit.number for hit in search_clients("samira", None, 500)]
        assert [record.number for record in records.records] == expected
        assert "Showing all 120 clients matching “samira”." in screen_text(pilot)


def test_search_pages_continue_after_any_record_shown(story: ClientStory) -> None:
    add_clients(30, first_name="Samira")
    pages = ClientSearchPages(" samira ", None)
    first = pages(None, 10)
    second = pages(first[-1], 10)
    again = pages(first[4], 5)
    everything = search_clients("samira", None, 500)
    assert first + second == everything[:20]
    assert again == everything[5:10]
    plain = ClientSearchPages("", "Closed")
    page = plain(None, 1)
    listed = page + plain(page[-1], 5)
    assert [c.number for c in listed] == [c.number for c in list_clients("Closed", None, 6)]
    assert {c.status for c in listed} == {"Closed"}


async def test_slash_focuses_the_search_from_anywhere(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert pilot.app.focused is lookup(pilot).records
        await pilot.press("slash")
        assert isinstance(pilot.app.focused, SearchBox)
        await pilot.press("shift+tab")
        assert isinstance(pilot.app.focused, ChoiceBar)
        await pilot.press("slash")
        assert isinstance(pilot.app.focused, SearchBox)
        await pilot.press("slash")  # in the box, a slash is text
        assert lookup(pilot).search_box.value == "/"
        await pilot.press("escape")
        assert pilot.app.focused is lookup(pilot).records


async def test_arrows_and_j_k_move_and_enter_opens(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "client10")  # prefix of every demo email: C-1001 … C-1012
        records = lookup(pilot).records
        await pilot.press("down", "down", "up")  # in the search box: move the results
        assert records.cursor_row == 1
        assert isinstance(pilot.app.focused, SearchBox)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientScreen)
        assert pilot.app.screen.client_id == records.records[1].id
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # from the search to the list
        await pilot.press("j", "j", "k", "down")
        assert records.cursor_row == 3
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ClientScreen) and screen.client_id == records.records[3].id


async def test_enter_right_after_typing_opens_the_best_match_for_what_was_typed(
    session: DeskSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(search_box, "SEARCH_DELAY", 60.0)  # Enter comes first, for sure
        await pilot.press("slash", *"C-1004", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ClientScreen)
        assert screen.profile is not None and screen.profile.label == "C-1004"


async def test_stale_results_never_replace_newer_ones(session: DeskSession) -> None:
    released = threading.Event()

    def slow_kestrel(last: object, limit: int) -> list[object]:
        released.wait(10)
        return list(search_clients("kestrel", None, limit))

    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = lookup(pilot)
        screen.records.reload(slow_kestrel)  # a search still on its way ...
        await pilot.press("slash", *"fjord")  # ... when a newer one is typed
        try:
            await wait_for(pilot, lambda: shown(pilot) == ["C-1003", "C-1009"], what="fjord")
        finally:
            released.set()
        await settle(pilot)
        assert shown(pilot) == ["C-1003", "C-1009"]
        assert "matching “fjord”" in screen_text(pilot)


async def test_hostile_names_show_literally_in_the_lookup(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "hostile")
        assert shown(pilot) == ["C-1013"]
        text = screen_text(pilot)
        assert "[@click=app.quit]Ev…" in text  # the name column's 20 characters, as typed
        assert HOSTILE_COMPANY in text and "\x1b" not in text
        await search(pilot, "[bold red]")  # markup typed as a query is only text, too
        assert shown(pilot) == ["C-1013"]
        assert "matching “[bold red]”" in screen_text(pilot)
        await pilot.press("escape")
        await pilot.click(RecordTable, offset=(2, 1))
        assert pilot.app.is_running


async def test_a_query_that_matches_nothing_says_so(session: DeskSession) -> None:
    async with DeskApp(session).run_test(size=SIZE) as pilot:
        await settle(pilot)
        await search(pilot, "zzzzqq")
        assert shown(pilot) == []
        assert "No clients match “zzzzqq”." in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ClientListScreen)
