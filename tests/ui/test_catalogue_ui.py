"""The catalogue screen through Pilot on the demo desk (SQLite; the service is tested on both
backends): agents read, admins add, edit and retire, everything usable at 80 x 24."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pilot_helpers import notices, palette_hit, screen_text, settle, use_tmp_user_dirs, wait_for
from textual.pilot import Pilot
from textual.widgets import Input, Select

from deskapp.db import close_database, db
from deskapp.demo import load_demo
from deskapp.models import Staff
from deskapp.services import catalogue
from deskapp.services.actors import actor_from
from deskapp.services.session import DeskSession, open_desk
from screens.app import DeskApp
from screens.catalogue_list import CatalogueScreen, DeleteProductDialog, RetireProductDialog
from screens.commands import desk_commands
from screens.product_form import ProductFormDialog, price_field_id

SMALL = (80, 24)
"""The smallest terminal the desk promises to be usable in."""


@pytest.fixture
def desk_path(tmp_path: Path, frozen_time: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local desk.db with the demo business; user dirs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    open_desk(f"sqlite:///{tmp_path / 'desk.db'}")
    load_demo()
    return tmp_path / "desk.db"


def signed_in(path: Path, staff: str) -> Iterator[DeskSession]:
    yield open_desk(f"sqlite:///{path}", staff=staff)
    close_database()
    db.initialize(None)


@pytest.fixture
def admin(desk_path: Path) -> Iterator[DeskSession]:
    """The demo desk as its admin."""
    yield from signed_in(desk_path, "admin")


@pytest.fixture
def agent(desk_path: Path) -> Iterator[DeskSession]:
    """The demo desk as sam, an agent."""
    yield from signed_in(desk_path, "sam")


async def open_catalogue(pilot: Pilot[None]) -> CatalogueScreen:
    """From the first screen, through the command palette."""
    await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"Catalogue")
    await wait_for(pilot, lambda: "Catalogue" in palette_hit(pilot), what="the palette's hit")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CatalogueScreen)
    return screen


def words(text: str) -> str:
    """The screen's text with each run of spaces as one (columns' widths aside)."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def codes(screen: CatalogueScreen) -> list[str]:
    return [product.code for product in screen.records.records]


async def test_an_agent_reads_the_catalogue_and_cannot_change_it(agent: DeskSession) -> None:
    async with DeskApp(agent).run_test(size=SMALL) as pilot:
        screen = await open_catalogue(pilot)
        assert codes(screen)[:3] == ["ADSL-8", "BUSINESS-FIBRE", "DOMAIN-COM"]
        text = screen_text(pilot)
        assert "Showing all 17 current products." in text
        assert "ADSL-8 ADSL 8 (legacy) Internet no 25.00/mo" in words(text)  # not orderable
        assert "No longer sold; kept for its users." in text  # the highlighted one's description
        for action in ("new_product", "edit_product", "retire_product", "delete_product"):
            assert screen.check_action(action, ()) is None  # dimmed
        assert "Catalogue" not in [c.title for c in desk_commands(screen)]
        await pilot.press("n", "e", "r", "x", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CatalogueScreen)


async def test_an_admin_adds_a_product_and_sees_the_services_sentence(
    admin: DeskSession,
) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_catalogue(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ProductFormDialog)
        form.query_one("#code", Input).value = "lte-50"
        form.query_one("#name", Input).value = "LTE 50"
        form.query_one("#type", Select).value = "Internet"
        form.query_one("#support_minutes", Input).value = "60"
        form.query_one(f"#{price_field_id('Monthly')}", Input).value = "29.50"
        await pilot.click("#submit")
        await settle(pilot)
        assert "Only a Support hours product adds support minutes" in screen_text(pilot)
        assert pilot.app.screen is form
        form.query_one("#support_minutes", Input).value = ""
        await pilot.click("#submit")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Added LTE-50 (LTE 50)." in notices(pilot)
        assert "LTE-50" in codes(screen)
        assert catalogue.find_product("lte-50").price_for("Monthly") == 2950


async def test_only_an_unused_product_is_deleted(admin: DeskSession) -> None:
    catalogue.save_product(
        admin.actor,
        code="AAA-MISTAKE",
        name="Typo",
        type="Voice",
        description="",
        orderable=True,
        support_minutes=0,
        prices={"Monthly": 100},
    )
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_catalogue(pilot)
        assert screen.records.highlighted_record.code == "AAA-MISTAKE"
        await pilot.press("j", "x")  # ADSL-8: the demo's clients still have it
        await settle(pilot)
        assert isinstance(pilot.app.screen, DeleteProductDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert "ADSL-8 is used by 25 services, so it cannot be deleted;" in screen_text(pilot)
        assert isinstance(pilot.app.screen, DeleteProductDialog)
        await pilot.press("escape", "k", "x")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert codes(screen)[:2] == ["ADSL-8", "BUSINESS-FIBRE"]
        assert "Deleted AAA-MISTAKE." in notices(pilot)


async def test_an_admin_edits_with_enter_and_retires_after_asking(admin: DeskSession) -> None:
    async with DeskApp(admin).run_test(size=SMALL) as pilot:
        screen = await open_catalogue(pilot)
        while screen.records.highlighted_record.code != "FIBRE-1000":
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, ProductFormDialog)
        assert form.query_one(f"#{price_field_id('Quarterly')}", Input).value == "189.00"
        form.query_one(f"#{price_field_id('Monthly')}", Input).value = "69.00"
        await pilot.press("enter")  # in a one-line field: sends the form
        await settle(pilot)
        fibre = catalogue.find_product("FIBRE-1000")
        assert (fibre.price_for("Monthly"), fibre.version) == (6900, 2)
        assert pilot.app.screen is screen

        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RetireProductDialog)
        assert "Retire FIBRE-1000 (Fibre 1000)?" in screen_text(pilot)
        await pilot.press("escape")  # asked, and said no
        await settle(pilot)
        assert not catalogue.find_product("FIBRE-1000").retired
        await pilot.press("r", "enter")
        await settle(pilot)
        assert catalogue.find_product("FIBRE-1000").retired
        assert "FIBRE-1000" not in codes(screen)
        await pilot.press("slash", "right", "escape")  # "With retired"
        await settle(pilot)
        assert "FIBRE-1000" in codes(screen)
        assert "Fibre 1000 Internet retired 69.00/mo +2" in words(screen_text(pilot))


async def test_a_product_another_desk_adds_shows_without_a_key(
    agent: DeskSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)
    async with DeskApp(agent).run_test(size=SMALL) as pilot:
        screen = await open_catalogue(pilot)
        admin = actor_from(Staff.get(Staff.username == "admin"))  # at another desk
        catalogue.save_product(
            admin,
            code="AAA-NEW",
            name="Fresh",
            type="Voice",
            description="",
            orderable=True,
            support_minutes=0,
            prices={"Monthly": 100},
        )
        await wait_for(pilot, lambda: "AAA-NEW" in codes(screen), what="the new product")
