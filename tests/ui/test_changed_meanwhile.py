"""Saving a record someone else saved while the form was open, through Pilot on both backends:
the form names who and when, shows their version beside what was typed (kept), and saving
again replaces theirs, as a choice made seeing it. The client, status, contact, product
and ticket tags forms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from client_forms_data import (
    SIZE,
    FormStory,
    add_form_story,
    desk_as,
    error_under,
    fill,
    open_dialog,
    press_button,
)
from pilot_helpers import screen_text, use_tmp_user_dirs
from signed_in import open_as
from textual.widgets import Input, RadioButton

from deskapp.demo import load_demo
from deskapp.models import Staff
from deskapp.services import catalogue
from deskapp.services.actors import actor_from
from deskapp.services.client_profile import get_client
from deskapp.services.clients import update_client
from deskapp.services.contacts import get_contact, update_contact
from deskapp.services.conversation import find_ticket
from deskapp.services.ticket_actions import set_tags
from screens.app import DeskApp
from screens.client_form import ClientFormScreen
from screens.client_status import ChangeStatusDialog
from screens.contact_form import ContactFormDialog
from screens.product_form import ProductFormDialog
from screens.ticket_dialogs import TagsDialog


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences and logs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)


@pytest.fixture
def story(desk: str) -> Iterator[FormStory]:
    """C-1042 and C-1043 (see client_forms_data); Kim Adler is at another desk."""
    yield add_form_story()


async def test_the_client_form_names_kim_keeps_both_and_a_second_save_is_yours(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ClientFormScreen(story.client_id))
        typed_phone = pilot.app.screen.query_one("#phone", Input).value
        update_client(story.kim, story.client_id, 1, {"phone": "+44 20 0000 0000"})
        fill(pilot, city="York")
        await press_button(pilot, "submit")

        assert results == []
        assert error_under(pilot, "form").startswith("Kim Adler changed C-1042 at ")
        shown = screen_text(pilot)
        assert "Their version (yours is in the form):" in shown
        assert "+44 20 0000 0000" in shown and typed_phone in shown
        assert pilot.app.screen.query_one("#city", Input).value == "York"
        assert get_client(story.client_id).city == "Leeds"  # nothing of sam's was written

        await press_button(pilot, "submit")  # seen theirs: save sam's over it
        assert results == [story.client_id]
    saved = get_client(story.client_id)
    assert (saved.city, saved.phone, saved.version) == ("York", typed_phone, 3)


async def test_the_status_dialog_names_who_changed_the_client(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ChangeStatusDialog(story.client_id))
        update_client(story.kim, story.client_id, 1, {"city": "Bradford"})
        pilot.app.screen.query_one("#Inactive", RadioButton).value = True
        await press_button(pilot, "submit")
        assert error_under(pilot, "form").startswith("Kim Adler changed C-1042 at ")
        assert get_client(story.client_id).status == "Active"
        await press_button(pilot, "submit")
        assert results == ["Inactive"]
    assert get_client(story.client_id).status == "Inactive"


async def test_the_contact_form_names_kim_and_shows_her_version(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(
            pilot, ContactFormDialog(story.client_id, story.other_contact_id)
        )
        contact = get_contact(story.other_contact_id)
        update_contact(story.kim, contact.id, contact.version, {"position": "Head of IT"})
        fill(pilot, position="CTO")
        await press_button(pilot, "submit")
        assert results == []
        assert error_under(pilot, "form").startswith(f"Kim Adler changed {contact.name} at ")
        shown = screen_text(pilot)
        assert "Head of IT" in shown and "CTO" in shown
        assert get_contact(contact.id).position == "Head of IT"
        await press_button(pilot, "submit")
        assert results == [contact.id]
    assert get_contact(story.other_contact_id).position == "CTO"


async def test_the_product_form_names_who_retired_it_meanwhile(desk: str) -> None:
    load_demo()
    admin = actor_from(Staff.get(Staff.username == "admin"))
    fibre = catalogue.find_product("FIBRE-1000")
    async with DeskApp(open_as(desk, "admin")).run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ProductFormDialog(fibre.id))
        pilot.app.screen.query_one("#name", Input).value = "Fibre 1000 Plus"
        catalogue.retire_product(admin, fibre.id)  # another desk, meanwhile
        await press_button(pilot, "submit")
        assert results == []
        assert error_under(pilot, "form").startswith(f"{admin.name} changed FIBRE-1000 at ")
        assert catalogue.find_product("FIBRE-1000").name == fibre.name
        await press_button(pilot, "submit")
        assert len(results) == 1
    assert catalogue.find_product("FIBRE-1000").name == "Fibre 1000 Plus"


async def test_the_tags_dialog_names_who_changed_the_tags_meanwhile(desk: str) -> None:
    load_demo()
    kim = actor_from(Staff.get(Staff.username == "kim"))
    ticket = find_ticket("T-20056")
    async with DeskApp(open_as(desk, "sam")).run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, TagsDialog(ticket))
        pilot.app.screen.query_one("#tags", Input).value = "migration, mail"
        set_tags(kim, ticket.id, "urgent")  # another desk, meanwhile
        await press_button(pilot, "submit")
        assert results == []
        assert error_under(pilot, "form").startswith("Kim Larsen changed T-20056 at ")
        shown = screen_text(pilot)
        assert "urgent" in shown and "migration, mail" in shown
        assert find_ticket("T-20056").tags == "urgent"
        await press_button(pilot, "submit")
        assert len(results) == 1
    assert find_ticket("T-20056").tags == "migration, mail"
