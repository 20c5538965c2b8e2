"""The credit ledger: adding, adjusting, reversing, applying, merging; pages, chart and export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat

import pytest
from ledger_helpers import balance, client, invoice, staff

from deskapp import clock
from deskapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, CreditEntry, CreditKind, InvoiceStatus, Role
from deskapp.money import Money
from deskapp.services import credit, credit_history
from deskapp.services.integrity import check_ledger
from deskapp.services.invoices import get_invoice


@pytest.fixture
def agent(desk: str):  # type: ignore[no-untyped-def]
    return staff(Role.AGENT, "sam")


@pytest.fixture
def admin(desk: str):  # type: ignore[no-untyped-def]
    return staff(Role.ADMIN, "kim")


def test_whmcs_credit_added_with_a_description_shows_in_the_list_and_the_balance(agent) -> None:
    mina = client()

    added = credit.add_credit(agent, mina, Money.parse("25.00"), "Goodwill for the 3 h outage")

    page = credit.ledger_page(mina)
    assert page.balance_cents == 2500 == balance(mina)
    assert [(e.kind, e.amount_cents, e.description) for e in page.entries] == [
        (CreditKind.ADDED, 2500, "Goodwill for the 3 h outage")
    ]
    assert page.entries[0].id == added.id
    assert page.entries[0].balance_after_cents == 2500
    assert page.entries[0].staff_name == agent.name
    assert check_ledger() == []


def test_amounts_are_accepted_as_money_cents_or_typed_text(admin) -> None:
    mina = client()
    credit.add_credit(admin, mina, Money(100), "a")
    credit.add_credit(admin, mina, 250, "b")
    credit.add_credit(admin, mina, "1,000.5", "c")
    assert balance(mina) == 100 + 250 + 100050


@pytest.mark.parametrize(
    ("amount", "sentence"),
    [
        ("0", "more than 0.00"),
        (0, "more than 0.00"),
        ("-5", "more than 0.00"),
        (-500, "more than 0.00"),
        ("12.345", "at most two decimals"),
        ("ten", "is not an amount"),
        ("12 euros", "is not an amount"),
        ("", "is not an amount"),
        ("99999999999999", "too large to be real"),
        (10**15, "too large to be real"),
        (12.5, "typed like 12.50"),
        (True, "typed like 12.50"),
        (None, "typed like 12.50"),
    ],
)
def test_bad_amounts_are_refused_with_a_sentence(agent, amount: object, sentence: str) -> None:
    mina = client()
    with pytest.raises(ValidationError, match=sentence) as refused:
        credit.add_credit(agent, mina, amount, "Goodwill")  # type: ignore[arg-type]
    assert refused.value.field == "amount"
    assert CreditEntry.select().count() == 0 and balance(mina) == 0


@pytest.mark.parametrize(
    ("description", "sentence"),
    [
        ("", "Description is required"),
        ("   ", "Description is required"),
        ("x" * 501, "the most is 500"),
        ("a\x00b", "NUL"),
        ("two\nlines", "on one line"),
    ],
)
def test_credit_needs_a_sensible_description(agent, description: str, sentence: str) -> None:
    with pytest.raises(ValidationError, match=sentence):
        credit.add_credit(agent, client(), "5", description)


def test_unknown_client_is_not_found(agent) -> None:
    with pytest.raises(NotFound):
        credit.add_credit(agent, "not-a-key", "5", "x")
    with pytest.raises(NotFound):
        credit.ledger_page("0190c5b4-1b2c-7d3e-8f40-123456789abc")


def test_adjustment_is_for_admins_with_a_reason(agent, admin) -> None:
    mina = client()
    with pytest.raises(PermissionDenied, match="Only an admin can adjust credit"):
        credit.adjust_credit(agent, mina, "10", "Correction")
    with pytest.raises(ValidationError, match="Reason is required"):
        credit.adjust_credit(admin, mina, "10", " ")
    with pytest.raises(ValidationError, match="changes nothing"):
        credit.adjust_credit(admin, mina, "0", "Correction")

    credit.adjust_credit(admin, mina, "10", "Migrated from the old system")
    down = credit.adjust_credit(admin, mina, "-2.50", "Typo in the migration")

    assert down.amount_cents == -250 and down.balance_after_cents == 750 == balance(mina)
    with pytest.raises(ValidationError, match="only 7.50 credit; it cannot go below zero"):
        credit.adjust_credit(admin, mina, "-7.51", "Too much")
    assert balance(mina) == 750


def test_credit_note_and_refund_to_credit_have_their_kinds(admin) -> None:
    mina = client()
    note = credit.credit_note(admin, mina, 1_300, "13 unused days of Fibre 500")
    refund = credit.refund_to_credit(admin, mina, "20", "O-5531 rejected after payment")
    assert (note.kind, refund.kind) == (CreditKind.CREDIT_NOTE, CreditKind.REFUND)
    assert balance(mina) == 3_300
    with pytest.raises(ValidationError, match="more than 0.00"):
        credit.credit_note(admin, mina, "-1", "x")


def test_reversal_is_a_new_entry_for_admins_once(agent, admin) -> None:
    mina = client()
    added = credit.add_credit(agent, mina, "40", "Prepayment")

    with pytest.raises(PermissionDenied):
        credit.reverse_entry(agent, added.id, "Wrong client")
    reversal = credit.reverse_entry(admin, added.id, "Booked on the wrong client")

    assert reversal.kind == CreditKind.REVERSAL
    assert reversal.amount_cents == -4000 and reversal.reverses_id == added.id
    assert "Booked on the wrong client" in reversal.description
    assert balance(mina) == 0
    original = CreditEntry.get_by_id(added.id)
    assert (original.amount_cents, original.balance_after_cents) == (4000, 4000)
    with pytest.raises(Conflict, match="already reversed"):
        credit.reverse_entry(admin, added.id, "Wrong client")
    with pytest.raises(Conflict, match="A reversal cannot be reversed"):
        credit.reverse_entry(admin, reversal.id, "Wrong client")
    shown = {entry.id: entry for entry in credit.ledger_page(mina).entries}
    assert shown[added.id].reversed and not shown[added.id].can_reverse
    assert not shown[reversal.id].can_reverse
    assert check_ledger() == []


@pytest.mark.parametrize("reason", ["", "   ", "\t"])
def test_a_reversal_without_a_reason_is_refused_like_an_adjustment(agent, admin, reason) -> None:
    mina = client()
    added = credit.add_credit(agent, mina, "40", "Prepayment")
    with pytest.raises(ValidationError, match="Say why the entry is reversed") as refused:
        credit.reverse_entry(admin, added.id, reason)
    assert refused.value.field == "reason" and "as an adjustment does" in str(refused.value)
    assert balance(mina) == 4000
    assert not CreditEntry.select().where(CreditEntry.kind == CreditKind.REVERSAL).exists()


def test_a_reversal_keeps_its_reason_on_the_entry_and_in_the_audit(agent, admin) -> None:
    mina = client()
    added = credit.add_credit(agent, mina, "40", "Prepayment")

    reversal = credit.reverse_entry(admin, added.id, "  Booked on the wrong client ")

    stored = CreditEntry.get_by_id(reversal.id)
    assert stored.description.endswith(": Booked on the wrong client")
    audit = AuditEntry.get(
        (AuditEntry.entity == "credit_entry") & (AuditEntry.entity_id == str(reversal.id))
    )
    assert audit.action == "credit.reversal" and audit.staff_name == admin.name
    assert json.loads(audit.after)["description"].endswith(": Booked on the wrong client")


def test_used_credit_cannot_be_reversed(agent, admin) -> None:
    mina = client()
    added = credit.add_credit(agent, mina, "40", "Prepayment")
    invoice(agent, mina, 3_000)
    with pytest.raises(Conflict, match="has only 10.00 credit left"):
        credit.reverse_entry(admin, added.id, "Wrong client")
    assert balance(mina) == 1_000


def test_reversing_applied_credit_reopens_the_invoice(agent, admin) -> None:
    mina = client()
    credit.add_credit(agent, mina, "50", "Prepayment")
    paid = invoice(agent, mina, 3_000)
    assert paid.status == InvoiceStatus.PAID
    applied = credit.ledger_page(mina, kind=CreditKind.APPLIED).entries[0]

    reversal = credit.reverse_entry(admin, applied.id, "Client wants to pay by card")

    reopened = get_invoice(paid.id).summary
    assert (reopened.status, reopened.amount_due_cents, reopened.paid_on) == ("Unpaid", 3000, None)
    assert reversal.invoice_number == paid.number
    assert balance(mina) == 5_000
    assert check_ledger() == []


def test_apply_credit_takes_what_fits_or_what_is_asked(admin) -> None:
    mina = client()
    bill = invoice(admin, mina, 10_000)
    with pytest.raises(Conflict, match="has no credit to apply"):
        credit.apply_credit(admin, bill.id)
    credit.add_credit(admin, mina, "30", "Prepayment")

    with pytest.raises(ValidationError, match="only 30.00 credit; apply at most that"):
        credit.apply_credit(admin, bill.id, "30.01")
    with pytest.raises(ValidationError, match="more than 0.00"):
        credit.apply_credit(admin, bill.id, "0")
    part = credit.apply_credit(admin, bill.id, "12.50")
    assert (part.invoice_status, part.amount_due_cents) == ("Unpaid", 8_750)
    rest = credit.apply_credit(admin, bill.id)
    assert (rest.entry.amount_cents, rest.amount_due_cents) == (-1_750, 7_000)
    assert balance(mina) == 0

    credit.add_credit(admin, mina, "100", "Bank transfer came in")
    with pytest.raises(ValidationError, match="only 70.00 left to pay"):
        credit.apply_credit(admin, bill.id, "70.01")
    done = credit.apply_credit(admin, bill.id)
    assert (done.invoice_status, done.amount_due_cents) == ("Paid", 0)
    assert balance(mina) == 3_000
    with pytest.raises(Conflict, match="is Paid; credit goes only to unpaid ones"):
        credit.apply_credit(admin, bill.id)
    assert check_ledger() == []


def test_merge_transfer_moves_the_whole_balance(agent, admin) -> None:
    kept, discarded = client("Kept"), client("Gone")
    credit.add_credit(agent, kept, "5", "a")
    credit.add_credit(agent, discarded, "12.34", "b")

    with pytest.raises(PermissionDenied):
        credit.record_merge_transfer(agent, discarded, kept)
    with pytest.raises(ValidationError, match="into itself"):
        credit.record_merge_transfer(admin, kept, kept)
    moved = credit.record_merge_transfer(admin, discarded, kept)

    assert moved is not None and moved.moved_cents == 1_234
    assert (moved.out_entry.kind, moved.out_entry.amount_cents) == (CreditKind.MERGE, -1_234)
    assert (balance(kept), balance(discarded)) == (1_734, 0)
    assert credit.record_merge_transfer(admin, discarded, kept) is None
    assert not credit.ledger_page(kept).entries[0].can_reverse
    with pytest.raises(Conflict, match="merge transfer cannot be reversed"):
        credit.reverse_entry(admin, moved.in_entry.id, "Wrong client")
    assert check_ledger() == []


def test_every_entry_is_audited_with_before_and_after(agent, admin) -> None:
    mina = client()
    added = credit.add_credit(agent, mina, "8", "Goodwill")
    credit.adjust_credit(admin, mina, "-3", "Half was a mistake")

    audits = list(AuditEntry.select().where(AuditEntry.entity == "credit_entry"))
    assert {a.action for a in audits} == {"credit.credit_added", "credit.adjustment"}
    first = next(a for a in audits if a.entity_id == str(added.id))
    assert first.staff_name == agent.name
    assert json.loads(first.before)["credit_cents"] == 0
    assert json.loads(first.after)["credit_cents"] == 800


def test_ledger_pages_newest_first_with_running_balance_and_kind_filter(agent, admin) -> None:
    mina = client()
    for cents in (100, 200, 300, 400, 500):
        credit.add_credit(agent, mina, cents, f"Top-up {cents}")
    credit.adjust_credit(admin, mina, "-1", "Fee")

    first = credit.ledger_page(mina, limit=4)
    second = credit.ledger_page(mina, after=first.entries[-1], limit=4)

    shown = first.entries + second.entries
    assert [e.balance_after_cents for e in shown] == [1400, 1500, 1000, 600, 300, 100]
    assert credit.ledger_page(mina, after=second.entries[-1]).entries == ()
    only = credit.ledger_page(mina, kind=CreditKind.ADJUSTMENT)
    assert [e.amount_cents for e in only.entries] == [-100]
    with pytest.raises(ValidationError, match="is not a kind of credit entry"):
        credit.ledger_page(mina, kind="[bold]x")


def test_balance_history_gives_the_end_of_each_day(agent) -> None:
    mina = client()
    for day, cents in ((1, 1000), (1, 500), (3, 250)):
        at = dt.datetime(2026, 3, day, 10, 0)
        clock.set_clock(clock.frozen_clock(at))
        credit.add_credit(agent, mina, cents, "Top-up")

    points = credit.balance_history(mina)

    assert [(p.day, p.balance_cents) for p in points] == [
        (dt.date(2026, 3, 1), 1500),
        (dt.date(2026, 3, 3), 1750),
    ]
    assert credit.balance_history(mina, points=1)[0].day == dt.date(2026, 3, 3)


def test_export_csv_streams_the_whole_ledger_oldest_first(agent, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(credit_history, "EXPORT_BATCH", 2)
    mina = client()
    credit.add_credit(agent, mina, "10", '=HYPERLINK("http://evil")')
    credit.add_credit(agent, mina, "2", "+cmd")
    credit.add_credit(agent, mina, "3", "Plain, with a comma")
    bill = invoice(agent, mina, 1_200)

    written = credit.export_csv(mina, tmp_path / "ledger.csv")
    buffer = io.StringIO()
    assert credit.export_csv(mina, buffer) == written == 4

    rows = list(csv.reader(io.StringIO((tmp_path / "ledger.csv").read_text())))
    assert rows[0] == list(credit.CSV_COLUMNS)
    assert [row[2] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil")',
        "'+cmd",
        "Plain, with a comma",
        f"Applied to {bill.number}",
    ]
    assert [(row[3], row[4], row[5]) for row in rows[1:]] == [
        ("10.00", "10.00", ""),
        ("2.00", "12.00", ""),
        ("3.00", "15.00", ""),
        ("-12.00", "3.00", bill.number),
    ]
    assert buffer.getvalue().replace("\r\n", "\n") == (tmp_path / "ledger.csv").read_text()


def test_export_csv_makes_terminal_escapes_visible(agent, tmp_path) -> None:
    """`cat ledger.csv` must not retitle the terminal or write the clipboard."""
    mina = client()
    credit.add_credit(agent, mina, "1", "refund \x1b]0;owned\x07 \x1b]52;c;ZXZpbA==\x07 done")

    credit.export_csv(mina, tmp_path / "ledger.csv")

    text = (tmp_path / "ledger.csv").read_text()
    assert "\x1b" not in text and "\x07" not in text
    assert "refund ␛]0;owned" in text


def test_export_csv_is_private_whole_and_never_follows_a_symlink(agent, tmp_path) -> None:
    mina = client()
    credit.add_credit(agent, mina, "1", "goodwill")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone else's file\n")
    target = tmp_path / "ledger.csv"
    target.symlink_to(elsewhere)
    previous = os.umask(0o022)
    try:
        assert credit.export_csv(mina, target) == 1
    finally:
        os.umask(previous)
    assert not target.is_symlink() and elsewhere.read_text() == "someone else's file\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "goodwill" in target.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
