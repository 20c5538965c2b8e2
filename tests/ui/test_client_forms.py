"""The client forms through Pilot, on SQLite and PostgreSQL: add and edit a client, its status,
merging two clients and deleting one (the contact forms are in test_contact_forms). Every
refusal is a sentence on the form, with what was typed still there."""

from __future__ import annotations

import uuid
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
    submit_enabled,
)
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs
from textual.widgets import Button, Checkbox, Input, OptionList, RadioButton, TextArea

from deskapp.models import Client, Contact, OutboxMail, PaymentTransaction, Service, Ticket
from deskapp.services.client_profile import get_client
from deskapp.services.clients import ClientForm, update_client
from screens.client_delete import DeleteClientDialog
from screens.client_form import ClientFormScreen
from screens.client_merge import MergeClientsScreen
from screens.client_status import CancelServicesAndCloseDialog, ChangeStatusDialog
from screens.contact_form import ContactFormDialog


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Preferences and logs under tmp_path."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    return tmp_path


@pytest.fixture
def story(desk: str) -> Iterator[FormStory]:
    """C-1042 and C-1043 (see client_forms_data)."""
    yield add_form_story()


def client_count() -> int:
    """How many clients the desk has."""
    return Client.select().count()


NEW_CLIENT = {
    "first_name": "Ada",
    "last_name": "Lindqvist",
    "company": "Blue Fjord ISP",
    "email": "ada@bluefjord.example",
    "phone": "+47 22 33 44 55",
    "country": "no",
    "address1": "Fjordgata 1",
    "address2": "",
    "city": "Oslo",
    "region": "",
    "postcode": "0150",
}


async def test_a_new_client_is_added_with_a_welcome_mail_queued(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, ClientFormScreen())
        fill(pilot, **NEW_CLIENT)
        pilot.app.screen.query_one("#notes", TextArea).text = "Met at [bold]NetConf[/]."
        pilot.app.screen.query_one("#welcome", Checkbox).value = True
        await press_button(pilot, "submit")

        assert len(results) == 1 and isinstance(results[0], uuid.UUID)
        added = get_client(results[0])
        assert (added.label, added.name, added.company) == (
            "C-1044",
            "Ada Lindqvist",
            "Blue Fjord ISP",
        )
        assert (added.country, added.city, added.status) == ("NO", "Oslo", "Active")
        assert added.notes == "Met at [bold]NetConf[/]."
        mail = OutboxMail.get(OutboxMail.to_address == "ada@bluefjord.example")
        assert "C-1044" in mail.subject and mail.status == "queued"
        assert "Added C-1044 (Ada Lindqvist); a welcome email is queued." in notices(pilot)


async def test_no_welcome_mail_unless_asked(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ClientFormScreen())
        assert not pilot.app.screen.query_one("#welcome", Checkbox).value
        fill(pilot, first_name="Bo", last_name="Tanaka", email="bo@example.net")
        await pilot.press("enter")
        await settle(pilot)
        assert get_client(results[0]).name == "Bo Tanaka"
        assert not OutboxMail.select().where(OutboxMail.to_address == "bo@example.net").exists()


CLIENT_REFUSALS = [
    ("first_name", "  ", "First name is required."),
    ("last_name", "", "Last name is required."),
    ("email", "ada@", "“ada@” is not an email address; type it like name@example.com."),
    ("phone", "call me", "Phone must be digits with spaces or dashes, like +44 20 7946 0958."),
    ("country", "Norway", "“NORWAY” is not a country code; use two letters such as GB, DE or US."),
    ("company", "x" * 201, "Company is 201 characters long; the most is 200."),
    ("address1", "a" * 201, "Address is 201 characters long; the most is 200."),
    ("address2", "b" * 201, "Address line 2 is 201 characters long; the most is 200."),
    ("city", "c" * 101, "City is 101 characters long; the most is 100."),
    ("region", "r" * 101, "Region is 101 characters long; the most is 100."),
    ("postcode", "1" * 21, "Postcode is 21 characters long; the most is 20."),
    ("notes", "n" * 20_001, "Notes is 20,001 characters long; the most is 20,000."),
]


async def test_every_refusal_shows_under_its_field_and_keeps_what_was_typed(
    desk: str, story: FormStory
) -> None:
    before = client_count()
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        await open_dialog(pilot, ClientFormScreen())
        dialog = pilot.app.screen
        notes = dialog.query_one("#notes", TextArea)
        for field, typed, sentence in CLIENT_REFUSALS:
            fill(pilot, **NEW_CLIENT)
            notes.text = "Fine notes"
            if field == "notes":
                notes.text = typed
            else:
                fill(pilot, **{field: typed})
            await press_button(pilot, "submit")
            assert pilot.app.screen is dialog, field
            shown = [(e.id, str(e.render())) for e in dialog.query(".field-error.-shown")]
            assert error_under(pilot, field) == sentence, shown
            assert pilot.app.focused is dialog.query_one(f"#{field}")
            kept = {**NEW_CLIENT, field: typed} if field != "notes" else NEW_CLIENT
            for name, value in kept.items():
                assert dialog.query_one(f"#{name}", Input).value == value
            assert notes.text == (typed if field == "notes" else "Fine notes")
            others = [e for e in dialog.query(".field-error.-shown")]
            assert [e.id for e in others] == [f"{field}-error"]
            assert submit_enabled(pilot)
        assert sentence in screen_text(pilot)
    assert client_count() == before


async def test_an_edit_saves_the_profile_read(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, ClientFormScreen(story.client_id))
        dialog = pilot.app.screen
        assert dialog.query_one("#email", Input).value == "mina@northwind.example"
        assert dialog.query_one("#notes", TextArea).text == "Prefers email.\nCall after 10:00."
        assert not dialog.query("#welcome")
        assert "Edit C-1042 (Mina Okafor)" in screen_text(pilot)
        fill(pilot, phone="+44 113 496 0000", region="West Yorkshire")
        await press_button(pilot, "submit")
        assert results == [story.client_id]
        saved = get_client(story.client_id)
        assert (saved.phone, saved.region, saved.version) == (
            "+44 113 496 0000",
            "West Yorkshire",
            2,
        )
        assert saved.notes == "Prefers email.\nCall after 10:00."
        assert "Saved C-1042 (Mina Okafor)." in notices(pilot)


async def test_an_edit_after_someone_elses_change_is_refused_with_the_sentence(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ClientFormScreen(story.client_id))
        update_client(story.kim, story.client_id, 1, {"phone": "+44 20 0000 0000"})
        fill(pilot, city="York")
        await press_button(pilot, "submit")
        assert results == []
        assert error_under(pilot, "form").startswith("Kim Adler changed C-1042 at 2026-"), (
            error_under(pilot, "form")
        )
        assert "nothing of yours was saved" in error_under(pilot, "form")
        theirs = screen_text(pilot)
        assert "Their version" in theirs and "+44 20 0000 0000" in theirs  # beside yours
        assert pilot.app.screen.query_one("#city", Input).value == "York"
        assert submit_enabled(pilot)
    profile = get_client(story.client_id)
    assert (profile.city, profile.phone) == ("Leeds", "+44 20 0000 0000")


async def test_closing_a_client_with_services_offers_to_cancel_them(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, ChangeStatusDialog(story.client_id))
        dialog = pilot.app.screen
        assert "Now Active; 1 active, pending or suspended service." in screen_text(pilot)
        offer = dialog.query_one("#cancel-services", Button)
        assert not offer.display
        dialog.query_one("#Closed", RadioButton).value = True
        await press_button(pilot, "submit")
        assert error_under(pilot, "form") == (
            "C-1042 has 1 service that is active, pending or suspended; cancel it first, "
            "or close the client and cancel it together."
        )
        assert offer.display and get_client(story.client_id).status == "Active"

        await press_button(pilot, "cancel-services")
        assert isinstance(pilot.app.screen, CancelServicesAndCloseDialog)
        assert "Cancel its service and close C-1042?" in screen_text(pilot)
        await press_button(pilot, "cancel")  # "Keep them": nothing changes
        assert pilot.app.screen is dialog
        assert Service.get_by_id(story.service_id).status == "Active"

        await press_button(pilot, "cancel-services")
        await press_button(pilot, "submit")
        assert results == ["Closed"]
        assert get_client(story.client_id).status == "Closed"
        assert Service.get_by_id(story.service_id).status == "Cancelled"
        assert "C-1042 is Closed now; its services are cancelled." in notices(pilot)


async def test_closed_is_dimmed_for_an_agent_with_the_reason(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        await open_dialog(pilot, ChangeStatusDialog(story.twin_id))
        dialog = pilot.app.screen
        assert dialog.query_one("#Closed", RadioButton).disabled
        assert not dialog.query_one("#Inactive", RadioButton).disabled
        assert "Only an admin can close a client; ask an admin to do it." in screen_text(pilot)
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_dialog(pilot, ChangeStatusDialog(story.twin_id))
        assert not pilot.app.screen.query_one("#Closed", RadioButton).disabled
        assert not pilot.app.screen.query("#close-note")


async def test_a_status_change_without_services(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, ChangeStatusDialog(story.twin_id))
        await press_button(pilot, "submit")
        assert error_under(pilot, "status") == "C-1043 is Active already; choose another status."
        pilot.app.screen.query_one("#Inactive", RadioButton).value = True
        await press_button(pilot, "submit")
        assert results == ["Inactive"]
    assert get_client(story.twin_id).status == "Inactive"


def owned(client_id: uuid.UUID) -> dict[str, int]:
    """How many contacts, services, tickets and payments the client has."""
    return {
        "contacts": Contact.select().where(Contact.client == client_id).count(),
        "services": Service.select().where(Service.client == client_id).count(),
        "tickets": Ticket.select().where(Ticket.client == client_id).count(),
        "payments": PaymentTransaction.select()
        .where(PaymentTransaction.client == client_id)
        .count(),
    }


async def test_merging_finds_the_other_client_previews_and_moves_everything(
    desk: str, story: FormStory
) -> None:
    kept, moved = owned(story.client_id), owned(story.twin_id)
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, MergeClientsScreen(story.client_id))
        assert not submit_enabled(pilot)
        await pilot.press(*"okafor")
        await settle(pilot)
        matches = pilot.app.screen.query_one("#lookup-matches", OptionList)
        assert matches.option_count == 1  # C-1042 itself is never offered
        await pilot.press("enter")
        await settle(pilot)
        text = " ".join(screen_text(pilot).split())
        assert "Moves everything of C-1043 Mina Okafor" in text
        assert "to C-1042 Mina Okafor, Northwind Hosting, whose profile stays:" in text
        for pair in (
            "Contacts 1 Payments 1",
            "Services 1 Tickets 1",
            "Orders 1 Credit 10.00",
            "Invoices 1 Support hours 0.00",
        ):
            assert pair in text
        assert "The name and email of C-1043 become a contact of C-1042." in text
        assert submit_enabled(pilot)
        await press_button(pilot, "submit")

        assert results == [story.client_id]
        assert "Merged C-1043 into C-1042." in notices(pilot)
    assert Client.get_or_none(Client.id == story.twin_id) is None
    assert owned(story.twin_id) == {name: 0 for name in kept}
    after = owned(story.client_id)
    assert after == {
        "contacts": kept["contacts"] + moved["contacts"] + 1,  # + C-1043's own person
        "services": kept["services"] + moved["services"],
        "tickets": kept["tickets"] + moved["tickets"],
        "payments": kept["payments"] + moved["payments"],
    }
    assert get_client(story.client_id).credit_cents == 2500 + 1000


async def test_merging_the_other_way_keeps_the_other_profile(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        results = await open_dialog(pilot, MergeClientsScreen(story.client_id))
        await pilot.press(*"C-1043", "enter")
        await settle(pilot)
        pilot.app.screen.query_one("#keep-other", RadioButton).value = True
        await settle(pilot)
        assert "Moves everything of C-1042 Mina Okafor, Northwind Hosting" in screen_text(pilot)
        await press_button(pilot, "submit")
        assert results == [story.twin_id]
    assert Client.get_or_none(Client.id == story.client_id) is None
    assert owned(story.twin_id)["services"] == 2


async def test_an_agent_sees_the_preview_but_cannot_merge(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        await open_dialog(pilot, MergeClientsScreen(story.client_id))
        assert "Only an admin can merge clients" in screen_text(pilot)
        await pilot.press(*"m.okafor@fastmail.example", "enter")
        await settle(pilot)
        assert "Moves everything of C-1043" in screen_text(pilot)
        assert not submit_enabled(pilot)
        await pilot.press("enter")  # on the radio set: nothing
        await settle(pilot)
    assert client_count() == 2


async def test_delete_waits_for_the_number_then_deletes_and_payments_stay(
    desk: str, story: FormStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        results = await open_dialog(pilot, DeleteClientDialog(story.client_id))
        text = screen_text(pilot)
        assert "Delete C-1042 (Mina Okafor) and everything of it?" in text
        assert "2 contacts, 1 service, every ticket (1 open)" in text
        assert "Its payment transactions stay (income), keeping the client's name" in text
        for typed in ("", "C-104", "c-1042", "1042", "C-1042 ", "C-1043"):
            fill(pilot, typed_number=typed)
            await pilot.pause()
            assert not submit_enabled(pilot), typed
        await pilot.press("enter")
        await settle(pilot)
        assert results == []
        fill(pilot, typed_number="C-1042")
        await pilot.pause()
        assert submit_enabled(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert results == [True]
        assert "Deleted C-1042 (Mina Okafor)." in notices(pilot)
    assert Client.get_or_none(Client.id == story.client_id) is None
    assert owned(story.client_id) == {"contacts": 0, "services": 0, "tickets": 0, "payments": 0}
    kept = PaymentTransaction.get(PaymentTransaction.reference == "TRF 0311")
    assert kept.client_id is None and kept.client_name == "Northwind Hosting (Mina Okafor)"


async def test_an_agent_cannot_delete(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        await open_dialog(pilot, DeleteClientDialog(story.client_id))
        assert "Only an admin can delete clients." in screen_text(pilot)
        fill(pilot, typed_number="C-1042")
        await pilot.pause()
        assert not submit_enabled(pilot)
    assert Client.get_or_none(Client.id == story.client_id) is not None


async def test_a_client_gone_meanwhile_is_said_on_the_form(desk: str, story: FormStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await open_dialog(pilot, ClientFormScreen(story.client_id))
        Client.delete().where(Client.id == story.client_id).execute()
        await press_button(pilot, "submit")
        assert error_under(pilot, "form") == (
            "That client no longer exists; it may have been merged or deleted."
        )
        await pilot.press("escape")
        await settle(pilot)
        await open_dialog(pilot, DeleteClientDialog(story.client_id))
        assert error_under(pilot, "form") == (
            "That client no longer exists; it may have been merged or deleted."
        )
        fill(pilot, typed_number="C-1042")
        await pilot.pause()
        assert not submit_enabled(pilot)


async def test_hostile_names_stay_inert_on_every_form(desk: str, story: FormStory) -> None:
    hostile = "[bold red]Mina[/] \x1b]0;owned\x07 [@click=app.quit]x[/]"
    update_client(
        story.kim,
        story.twin_id,
        1,
        ClientForm(hostile, "[/b]", "m.okafor@fastmail.example", company="[b]"),
    )
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        for dialog in (
            ClientFormScreen(story.twin_id),
            ChangeStatusDialog(story.twin_id),
            DeleteClientDialog(story.twin_id),
            ContactFormDialog(story.twin_id),
        ):
            await open_dialog(pilot, dialog)
            text = screen_text(pilot)
            assert "[bold red]Mina[/]" in text and "\x1b" not in text, type(dialog)
            await pilot.press("escape")
            await settle(pilot)
        # Editing shows the name inert but keeps it exactly: saving another field changes
        # nothing else (the placeholders are only what is shown).
        await open_dialog(pilot, ClientFormScreen(story.twin_id))
        assert "␛]0;owned [@click=app.quit]x[/]" in screen_text(pilot)
        assert pilot.app.screen.query_one("#first_name", Input).value == hostile.strip()
        fill(pilot, city="York")
        await press_button(pilot, "submit")
        await open_dialog(pilot, MergeClientsScreen(story.client_id))
        await pilot.press(*"C-1043", "enter")
        await settle(pilot)
        assert "[bold red]Mina[/]" in screen_text(pilot)
        assert pilot.app.is_running
    saved = get_client(story.twin_id)
    assert (saved.first_name, saved.city) == (hostile.strip(), "York")
