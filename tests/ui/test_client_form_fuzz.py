"""Every field of the client form and the contact form, fuzzed: whatever is typed is either
saved or refused with a sentence under a field; never a traceback. The merge lookup and the
delete confirmation take anything too.

Two layers, on SQLite and PostgreSQL: many examples through the functions the forms call with
what was typed (`save_client`, `save_contact`), and fewer through the real dialogs, one app run
per test (the Pilot fixture stays up while Hypothesis types into the same dialog again and again).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from client_forms_data import SIZE, FormStory, add_form_story
from hostile import HOSTILE
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pilot_helpers import notices, settle
from signed_in import open_as
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Static, TextArea

from deskapp.errors import ValidationError
from deskapp.services.client_profile import get_client
from deskapp.services.contacts import get_contact
from screens.app import DeskApp
from screens.client_delete import DeleteClientDialog
from screens.client_form import CLIENT_FIELDS, ClientFormScreen, save_client
from screens.client_merge import MergeClientsScreen
from screens.contact_form import (
    CONTACT_FLAGS,
    CONTACT_TEXT_FIELDS,
    ContactFormDialog,
    save_contact,
)
from screens.widgets.client_lookup import ClientLookup
from screens.widgets.form_dialog import FORM_ERROR

SERVICE_FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FORM_FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

VALID_CLIENT = {
    "first_name": "Ada",
    "last_name": "Lindqvist",
    "company": "Blue Fjord ISP",
    "email": "ada@bluefjord.example",
    "phone": "+47 22 33 44 55",
    "country": "NO",
    "address1": "Fjordgata 1",
    "address2": "",
    "city": "Oslo",
    "region": "",
    "postcode": "0150",
    "notes": "Met at NetConf.\nCall after 10.",
}
VALID_CONTACT = {
    "first_name": "Liv",
    "last_name": "Berg",
    "email": "liv@bluefjord.example",
    "phone": "+47 22 33 44 56",
    "position": "CFO",
    "address": "Fjordgata 1\n0150 Oslo",
}
MULTILINE = {"notes", "address"}

typed_text = st.one_of(
    st.text(max_size=40),
    st.text(max_size=300),
    st.sampled_from(HOSTILE),
    st.sampled_from(["", " ", "gb", "Ω", "a@b.co", "+1 (555) 010-9999 x12", "x" * 20_001]),
    st.emails().map(str),
)
"""What a person (or a paste) may put in any field."""


def typed_values(valid: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """Valid values with some fields (or all of them) replaced by fuzz. The valid email differs
    each time, so a contact that may be saved is not refused for an address already used."""
    names = sorted(valid)
    some = st.sets(st.sampled_from(names), min_size=1, max_size=3)
    chosen = st.one_of(some, st.just(set(names)))
    fresh_email = st.uuids().map(lambda key: valid["email"].replace("@", f".{key.hex[:10]}@"))

    def fields(fuzzed: set[str]) -> st.SearchStrategy[dict[str, str]]:
        return st.fixed_dictionaries(
            {
                name: typed_text
                if name in fuzzed
                else fresh_email
                if name == "email"
                else st.just(valid[name])
                for name in names
            }
        )

    return chosen.flatmap(fields)


def stored_as_typed(typed: str, stored: str, field: str) -> None:
    """A saved value is what was typed, trimmed on one-line fields (a country upper-cased)."""
    expected = typed if field in MULTILINE else typed.strip()
    if field == "country":
        expected = expected.upper()
    assert stored == expected, field


@pytest.fixture
def story(desk: str) -> FormStory:
    """C-1042 and C-1043 (see client_forms_data)."""
    return add_form_story()


@SERVICE_FUZZ
@given(typed=typed_values(VALID_CLIENT), welcome=st.booleans(), edit=st.booleans())
def test_whatever_the_client_form_sends_is_saved_or_refused_by_field(
    story: FormStory, typed: dict[str, str], welcome: bool, edit: bool
) -> None:
    client_id = story.twin_id if edit else None
    version = get_client(story.twin_id).version
    try:
        saved = save_client(story.sam, client_id, version, typed, welcome)
    except ValidationError as error:
        assert error.field in CLIENT_FIELDS and str(error).endswith(".")
        event(f"refused: {error.field}")
        return
    event("saved")
    for field in CLIENT_FIELDS:
        stored_as_typed(typed[field], getattr(saved, field), field)


@SERVICE_FUZZ
@given(typed=typed_values(VALID_CONTACT), flags=st.lists(st.booleans(), min_size=6, max_size=6))
def test_whatever_the_contact_form_sends_is_saved_or_refused_by_field(
    story: FormStory, typed: dict[str, str], flags: list[bool]
) -> None:
    values: dict[str, Any] = {**typed, **dict(zip(CONTACT_FLAGS, flags, strict=True))}
    try:
        saved = save_contact(story.sam, story.twin_id, None, 0, values)
    except ValidationError as error:
        assert error.field in CONTACT_TEXT_FIELDS and str(error).endswith(".")
        event(f"refused: {error.field}")
        return
    event("saved")
    for field in CONTACT_TEXT_FIELDS:
        stored_as_typed(typed[field], getattr(saved, field), field)
    assert [getattr(saved, flag) for flag in CONTACT_FLAGS] == flags


class FormRun:
    """One app run with a form dialog that is opened again after each save."""

    def __init__(self, pilot: Pilot[Any], opener: Callable[[], Any]) -> None:
        self.pilot = pilot
        self.opener = opener
        self.saved: list[uuid.UUID] = []

    async def dialog(self) -> Any:
        """The dialog, opened (again) if the last example saved and closed it."""
        screen = self.pilot.app.screen
        if not isinstance(screen, ClientFormScreen | ContactFormDialog):
            await self.pilot.app.push_screen(self.opener(), self.saved.append)
            await settle(self.pilot)
        return self.pilot.app.screen

    async def send(
        self, typed: dict[str, str], flags: dict[str, bool]
    ) -> tuple[str | None, dict[str, str]]:
        """Type everything and press the submit button. Returns the sentence shown (None if it
        was saved) and what the fields held (a TextArea keeps line breaks its own way)."""
        dialog = await self.dialog()
        for name, value in typed.items():
            widget = dialog.query_one(f"#{name}")
            if isinstance(widget, TextArea):
                widget.text = value
            else:
                assert isinstance(widget, Input)
                widget.value = value
        for name, value in flags.items():
            dialog.query_one(f"#{name}", Checkbox).value = value
        held = {name: field_value(dialog, name) for name in typed}
        before = len(self.saved)
        dialog.query_one("#submit", Button).press()
        await settle(self.pilot)
        app = self.pilot.app
        assert app.is_running and not [n for n in notices(self.pilot) if "went wrong" in n]
        if len(self.saved) > before:
            assert app.screen is not dialog
            event("saved")
            return None, held
        assert app.screen is dialog
        shown = list(dialog.query(".field-error.-shown").results(Static))
        assert len(shown) == 1
        field = (shown[0].id or "").removesuffix("-error")
        assert field != FORM_ERROR and dialog.query_one(f"#{field}")
        sentence = str(shown[0].render())
        assert sentence.endswith(".")
        event(f"refused: {field}")
        assert {name: field_value(dialog, name) for name in typed} == held  # nothing lost
        return sentence, held


def field_value(dialog: Any, name: str) -> str:
    """What a text field holds."""
    widget = dialog.query_one(f"#{name}")
    return widget.text if isinstance(widget, TextArea) else widget.value


@pytest.fixture
async def client_form(desk: str, story: FormStory) -> AsyncIterator[FormRun]:
    """The add-client form in one app run for all examples."""
    async with DeskApp(open_as(desk, "sam")).run_test(size=SIZE, notifications=True) as pilot:
        yield FormRun(pilot, ClientFormScreen)


@pytest.fixture
async def contact_form(desk: str, story: FormStory) -> AsyncIterator[FormRun]:
    """The add-contact form (for C-1043) in one app run for all examples."""
    async with DeskApp(open_as(desk, "sam")).run_test(size=SIZE, notifications=True) as pilot:
        yield FormRun(pilot, lambda: ContactFormDialog(story.twin_id))


@FORM_FUZZ
@given(typed=typed_values(VALID_CLIENT), welcome=st.booleans())
async def test_the_client_form_answers_anything_typed_with_a_save_or_a_sentence(
    client_form: FormRun, typed: dict[str, str], welcome: bool
) -> None:
    sentence, held = await client_form.send(typed, {"welcome": welcome})
    if sentence is None:
        saved = get_client(client_form.saved[-1])
        for field in CLIENT_FIELDS:
            stored_as_typed(held[field], getattr(saved, field), field)


@FORM_FUZZ
@given(typed=typed_values(VALID_CONTACT), flags=st.lists(st.booleans(), min_size=6, max_size=6))
async def test_the_contact_form_answers_anything_typed_with_a_save_or_a_sentence(
    contact_form: FormRun, typed: dict[str, str], flags: list[bool]
) -> None:
    ticked = dict(zip(CONTACT_FLAGS, flags, strict=True))
    sentence, held = await contact_form.send(typed, ticked)
    if sentence is None:
        saved = get_contact(contact_form.saved[-1])
        for field in CONTACT_TEXT_FIELDS:
            stored_as_typed(held[field], getattr(saved, field), field)
        assert all(getattr(saved, flag) == value for flag, value in ticked.items())


@pytest.fixture
async def admin_desk(desk: str, story: FormStory) -> AsyncIterator[Pilot[Any]]:
    """The desk signed in as kim (admin), for all examples of a test."""
    async with DeskApp(open_as(desk, "kim")).run_test(size=SIZE, notifications=True) as pilot:
        yield pilot


async def on_top(pilot: Pilot[Any], kind: type[Any], make: Callable[[], Any]) -> Any:
    """The dialog of `kind` on top, pushed the first time."""
    if not isinstance(pilot.app.screen, kind):
        await pilot.app.push_screen(make())
        await settle(pilot)
    return pilot.app.screen


@FORM_FUZZ
@given(lookup=typed_text)
async def test_the_merge_lookup_takes_anything(
    admin_desk: Pilot[Any], story: FormStory, lookup: str
) -> None:
    merge = await on_top(
        admin_desk, MergeClientsScreen, lambda: MergeClientsScreen(story.client_id)
    )
    merge.query_one("#lookup", Input).value = lookup
    merge.query_one("#lookup", Input).focus()
    await admin_desk.press("enter")
    await settle(admin_desk)
    assert admin_desk.app.screen is merge
    assert story.client_id not in {hit.id for hit in merge.query_one(ClientLookup).hits}
    assert not [n for n in notices(admin_desk) if "went wrong" in n]


@FORM_FUZZ
@given(typed_number=typed_text)
async def test_the_delete_confirmation_takes_anything(
    admin_desk: Pilot[Any], story: FormStory, typed_number: str
) -> None:
    dialog = await on_top(
        admin_desk, DeleteClientDialog, lambda: DeleteClientDialog(story.client_id)
    )
    dialog.query_one("#typed_number", Input).value = typed_number
    await admin_desk.press("enter")
    await settle(admin_desk)
    assert admin_desk.app.screen is dialog  # only C-1042 itself deletes
    assert dialog.query_one("#submit", Button).disabled
    assert get_client(story.client_id).label == "C-1042"
    assert not [n for n in notices(admin_desk) if "went wrong" in n]
