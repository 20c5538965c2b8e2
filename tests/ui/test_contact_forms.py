"""The contact forms through Pilot, on SQLite and PostgreSQL: add, edit and delete a contact,
an email unique within its client, and the billing contact that stays until another is chosen."""

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
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs
from textual.widgets import Checkbox, Input, TextArea

from deskapp.models import Contact, Ticket
from deskapp.services.contacts import get_contact, list_contacts
from screens.contact_form import ContactFormDialog, DeleteContactDialog


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences and logs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def story(desk: str) -> Iterator[FormStory]:
    """C-1042 and C-1043 (see client_forms_data)."""
    yield add_form_story()


async def test_a_contact_is_added_with_its_categories_and_becomes_the_billing_contact(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, ContactFormDialog(story.client_id))
        dialog = pilot.app.screen
        assert "Add a contact to C-1042 (Mina Okafor)" in screen_text(pilot)
        ticked = {box.id for box in dialog.query(Checkbox) if box.value}
        assert ticked == {"mail_general", "mail_support"}
        fill(
            pilot, first_name="Liv", last_name="Berg", email="liv@northwind.example", position="CFO"
        )
        dialog.query_one("#address", TextArea).text = "12 Harbour Street\nLeeds"
        for box in ("mail_support", "mail_invoice", "mail_domain", "is_billing"):
            dialog.query_one(f"#{box}", Checkbox).toggle()
        await press_button(pilot, "submit")

        liv = get_contact(results[0])
        assert (liv.name, liv.position, liv.address) == (
            "Liv Berg",
            "CFO",
            "12 Harbour Street\nLeeds",
        )
        assert liv.categories == ("General", "Invoice", "Domain") and liv.is_billing
        assert not get_contact(story.billing_id).is_billing
        assert "Added the contact Liv Berg to C-1042." in notices(pilot)


async def test_an_email_is_unique_within_a_client(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ContactFormDialog(story.client_id))
        fill(pilot, first_name="Ola", last_name="Again", email="OLA@northwind.example")
        await press_button(pilot, "submit")
        assert error_under(pilot, "email") == (
            "Another contact of this client already uses OLA@northwind.example."
        )
        assert pilot.app.screen.query_one("#last_name", Input).value == "Again"
        pilot.app.screen.dismiss(None)
        await settle(pilot)
        # The same address at another client is fine.
        results = await open_dialog(pilot, ContactFormDialog(story.twin_id))
        fill(pilot, first_name="Ola", last_name="Okafor", email="ola@northwind.example")
        await press_button(pilot, "submit")
        assert len(results) == 1
    assert len(list_contacts(story.client_id)) == 2


async def test_a_contact_is_edited_and_the_billing_contact_cannot_be_unticked(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ContactFormDialog(story.client_id, story.billing_id))
        dialog = pilot.app.screen
        assert dialog.query_one("#email", Input).value == "ola@northwind.example"
        assert dialog.query_one("#is_billing", Checkbox).value
        assert dialog.query_one("#mail_invoice", Checkbox).value
        dialog.query_one("#is_billing", Checkbox).value = False
        fill(pilot, position="Finance lead")
        await press_button(pilot, "submit")
        assert error_under(pilot, "is_billing") == (
            "Ola Okafor is the billing contact; choose another billing contact first."
        )
        assert get_contact(story.billing_id).position == "Finance"
        dialog.query_one("#is_billing", Checkbox).value = True
        await press_button(pilot, "submit")
        assert results == [story.billing_id]
    assert get_contact(story.billing_id).position == "Finance lead"


async def test_the_billing_contact_is_deleted_only_after_another_is_chosen(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(
            pilot, DeleteContactDialog(story.billing_id, "Ola Okafor <ola@northwind.example>")
        )
        assert "Delete the contact Ola Okafor <ola@northwind.example>?" in screen_text(pilot)
        await press_button(pilot, "submit")
        assert error_under(pilot, "form") == (
            "Ola Okafor is the billing contact; choose another billing contact first."
        )
        assert results == [] and Contact.get_or_none(Contact.id == story.billing_id)
        await press_button(pilot, "cancel")
        assert results == [None]

        ben = await open_dialog(pilot, ContactFormDialog(story.client_id, story.other_contact_id))
        pilot.app.screen.query_one("#is_billing", Checkbox).value = True
        await press_button(pilot, "submit")
        assert ben == [story.other_contact_id]

        results = await open_dialog(pilot, DeleteContactDialog(story.billing_id, "Ola Okafor"))
        await press_button(pilot, "submit")
        assert results == [True]
        assert "Deleted the contact Ola Okafor." in notices(pilot)
    assert [c.name for c in list_contacts(story.client_id)] == ["Ben Obi"]
    assert Ticket.select().where(Ticket.client == story.client_id).count() == 1
