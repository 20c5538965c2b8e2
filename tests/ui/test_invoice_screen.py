"""An invoice as a document through Pilot, on SQLite and PostgreSQL: opened with Enter from the
client screen and the client's ledger; an admin cancels, refunds to credit and gives a credit
note, each with a reason; an agent's keys refuse with the rights sentence; an empty reason is
refused and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from invoice_screen_data import InvoiceStory, add_invoice_story
from ledger_helpers import balance
from pilot_helpers import notices, screen_text, settle, use_tmp_user_dirs, wait_for
from signed_in import open_as
from textual.pilot import Pilot
from textual.widgets import Input

from deskapp.models import AuditEntry
from deskapp.services import credit, invoices
from deskapp.services.invoice_document import load_invoice_document
from screens.app import DeskApp
from screens.client_detail import ClientScreen
from screens.client_ledger import ClientLedgerScreen
from screens.invoice_decisions import CancelInvoiceDialog, CreditNoteDialog, RefundInvoiceDialog
from screens.invoice_detail import InvoiceScreen

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preferences, logs and drafts under tmp_path; the desk reads the change feed every
    200 ms (as test_following_changes does)."""
    use_tmp_user_dirs(tmp_path, monkeypatch)
    monkeypatch.setattr(DeskApp, "CHANGES_POLL_SECONDS", 0.2)


@pytest.fixture
def story(desk: str) -> Iterator[InvoiceStory]:
    """C-1042 with INV-2026-00001 (74.00 due) and INV-2026-00002 (Paid)."""
    yield add_invoice_story()


def desk_as(desk: str, staff: str) -> DeskApp:
    """The desk signed in as kim (admin) or sam (agent)."""
    return DeskApp(open_as(desk, staff))


async def open_invoice(pilot: Pilot[None], invoice_id: object) -> InvoiceScreen:
    """Push the invoice's screen and wait until it shows the document."""
    screen = InvoiceScreen(invoice_id)  # type: ignore[arg-type]
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert screen.document is not None
    return screen


async def shown_again(pilot: Pilot[None], screen: InvoiceScreen, status: str) -> None:
    """Wait for the screen (back on top) to show the invoice with `status`."""
    await settle(pilot)
    assert pilot.app.screen is screen
    await wait_for(
        pilot,
        lambda: screen.document is not None and screen.document.status == status,
        what=f"the invoice shown {status}",
    )
    await settle(pilot)


async def whole(pilot: Pilot[None], screen: InvoiceScreen) -> str:
    """What the invoice screen shows at its top and scrolled to its end (the history)."""
    document = screen.query_one("#document")
    top = screen_text(pilot)
    document.scroll_end(animate=False)
    await pilot.pause()
    end = screen_text(pilot)
    document.scroll_home(animate=False)
    await pilot.pause()
    return top + "\n" + end


def type_into(pilot: Pilot[None], **values: str) -> None:
    """Type into the dialog's inputs by id."""
    for field, value in values.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value


def error_under(pilot: Pilot[None], field: str) -> str:
    """The sentence under a dialog field."""
    return str(pilot.app.screen.query_one(f"#{field}-error").render())


async def test_enter_on_an_invoice_of_the_client_screen_opens_it(
    desk: str, story: InvoiceStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE) as pilot:
        await settle(pilot)
        client = ClientScreen(story.client_id)
        await pilot.app.push_screen(client)
        await settle(pilot)
        listed = client.section("invoices")
        listed.focus()
        numbers = [record.number for record in listed.records]
        listed.cursor_row = numbers.index(story.unpaid.number)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen) and screen.invoice_id == story.unpaid.id
        text = screen_text(pilot)
        for expected in (
            "INV-2026-00001  Unpaid  ·  C-1042  Northwind Hosting",
            "Issued 2026-03-02",
            "Bill to Mina Okafor, Northwind Hosting, Harbour Street 12, 411 04 Göteborg, SE",
            "Fibre 500 installation",
            "Voice line",
            "Credit applied",
            "-20.00",
            "Bank transfer",
            "NW-2026-0312",
            "Sam Reyes",
            "Amount due",
            "74.00",
            "Issued       Kim Adler",
        ):
            assert expected in text, expected
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is client


async def test_enter_on_an_invoice_of_the_ledger_opens_it(desk: str, story: InvoiceStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        await settle(pilot)
        ledger = ClientLedgerScreen(story.client_id)
        await pilot.app.push_screen(ledger)
        await settle(pilot)
        ledger.invoices.focus()
        await pilot.press("enter")  # the newest first: INV-2026-00002
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen) and screen.invoice_id == story.paid.id
        assert "INV-2026-00002  Paid" in screen_text(pilot)
        assert "Cash" in screen_text(pilot)


async def test_an_admin_cancels_with_a_reason_and_an_empty_one_is_refused(
    desk: str, story: InvoiceStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_invoice(pilot, story.unpaid.id)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CancelInvoiceDialog)
        assert "the 70.00 of credit and payments put into it" in screen_text(pilot)
        await pilot.press("enter")  # Enter in the reason, still empty
        await settle(pilot)
        assert isinstance(pilot.app.screen, CancelInvoiceDialog)
        assert error_under(pilot, "reason") == "Reason is required."
        assert load_invoice_document(story.unpaid.id).status == "Unpaid"
        type_into(pilot, reason="Ordered twice by mistake")
        await pilot.press("enter")
        await shown_again(pilot, screen, "Cancelled")
        assert balance(story.client_id) == 7_000
        text = await whole(pilot, screen)
        assert "INV-2026-00001  Cancelled" in text
        assert "Cancelled    Kim Adler" in text  # the reason may sit under the notification
        assert screen.document is not None
        assert screen.document.history[-1].reason == "Ordered twice by mistake"
        assert "Refund to credit" in text  # the 70.00 back, under Refunds
        assert "INV-2026-00001 cancelled." in notices(pilot)
        audit = AuditEntry.get(
            (AuditEntry.entity_id == str(story.unpaid.id))
            & (AuditEntry.action == "invoice.cancelled")
        )
        assert audit.staff_name == "Kim Adler"
        assert json.loads(audit.before)["reason"] == "Ordered twice by mistake"
        assert not screen.active_bindings["x"].enabled  # nothing left to cancel
        await pilot.press("x")
        await pilot.pause()
        assert pilot.app.screen is screen
        assert "INV-2026-00001 is Cancelled; there is nothing to cancel." in notices(pilot)


async def test_an_admin_refunds_a_paid_invoice_to_credit(desk: str, story: InvoiceStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_invoice(pilot, story.paid.id)
        before = balance(story.client_id)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RefundInvoiceDialog)
        assert "60.00 goes back to C-1042's credit (no card paid it)." in screen_text(pilot)
        await pilot.press(*"Static", "space", *"IP", "space", *"never", "space", *"worked")
        await pilot.press("enter")
        await shown_again(pilot, screen, "Refunded")
        assert balance(story.client_id) == before + 6_000
        text = await whole(pilot, screen)
        assert "Refunded     Kim Adler" in text
        assert screen.document is not None
        assert screen.document.history[-1].reason == "Static IP never worked"
        assert "Client credit now 60.00" in text
        assert "INV-2026-00002 refunded: 60.00 to C-1042's credit." in notices(pilot)


async def test_an_admin_gives_a_credit_note_the_invoice_lists(
    desk: str, story: InvoiceStory
) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_invoice(pilot, story.unpaid.id)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CreditNoteDialog)
        type_into(pilot, amount="200")
        pilot.app.screen.query_one("#reason", Input).focus()
        await pilot.press(*"Three", "space", *"days", "space", *"down", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CreditNoteDialog)
        assert error_under(pilot, "amount") == (
            "Credit notes for INV-2026-00001 add up to at most its total, 144.00; "
            "0.00 is given already."
        )
        type_into(pilot, amount="15")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        await wait_for(pilot, lambda: screen.document is not None and screen.document.credit_notes)
        await settle(pilot)
        assert balance(story.client_id) == 1_500
        text = await whole(pilot, screen)
        assert "Credit notes  1" in text and "INV-2026-00001: Three days down" in text
        assert "Credit note of 15.00 for INV-2026-00001; C-1042's credit is 15.00." in notices(
            pilot
        )


async def test_an_agents_keys_refuse_with_the_sentence_and_change_nothing(
    desk: str, story: InvoiceStory
) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_invoice(pilot, story.unpaid.id)
        bindings = screen.active_bindings
        assert not bindings["x"].enabled and not bindings["f"].enabled
        assert not bindings["n"].enabled
        assert bindings["p"].enabled and bindings["m"].enabled
        await pilot.press("x", "f", "n")
        await pilot.pause()
        assert pilot.app.screen is screen
        said = notices(pilot)
        for sentence in (
            "Only an admin can cancel an invoice; ask an admin to do it.",
            "Only an admin can refund money; ask an admin to do it.",
            "Only an admin can give a credit note; ask an admin to do it.",
        ):
            assert sentence in said
        assert load_invoice_document(story.unpaid.id).status == "Unpaid"
        assert balance(story.client_id) == 0
        # Forced past the screen, the service refuses too, in the dialog.
        from screens.invoice_decisions import InvoiceFacts

        facts = InvoiceFacts.of(load_invoice_document(story.unpaid.id))
        await pilot.app.push_screen(CancelInvoiceDialog(facts))
        type_into(pilot, reason="Because")
        await pilot.press("enter")
        await settle(pilot)
        assert "Only an admin can cancel an invoice" in error_under(pilot, "form")
        assert load_invoice_document(story.unpaid.id).status == "Unpaid"


async def test_an_agent_records_a_payment_from_the_invoice(desk: str, story: InvoiceStory) -> None:
    async with desk_as(desk, "sam").run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_invoice(pilot, story.unpaid.id)
        await pilot.press("m")
        await settle(pilot)
        type_into(pilot, amount="74", reference="NW-2026-0320")
        pilot.app.screen.query_one("#reference", Input).focus()
        await pilot.press("enter")
        await shown_again(pilot, screen, "Paid")
        text = await whole(pilot, screen)
        assert "NW-2026-0320" in text and "Paid         Sam Reyes" in text
        assert not screen.active_bindings["p"].enabled


async def test_the_screen_follows_another_desks_change(desk: str, story: InvoiceStory) -> None:
    async with desk_as(desk, "kim").run_test(size=SIZE) as pilot:
        screen = await open_invoice(pilot, story.unpaid.id)

        credit.credit_note(story.kim, story.client_id, "5", "Late install", invoice=story.unpaid.id)
        invoices.record_manual_payment(story.sam, story.unpaid.id, "74", "Cheque", "CH-881")

        await wait_for(
            pilot,
            lambda: screen.document is not None and screen.document.status == "Paid",
            what="the payment another desk recorded",
        )
        await settle(pilot)
        assert screen.document is not None and len(screen.document.credit_notes) == 1
        text = await whole(pilot, screen)
        assert "INV-2026-00001  Paid" in text and "CH-881" in text
        assert "Client credit now 5.00" in text
