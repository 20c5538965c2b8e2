"""The ledger's and the audit log's hash chains, on both backends: intact books verify; a row
rewritten, removed or cut off at the end is named; an earlier head digest proves the history up
to it unchanged, and stops proving it once the past was rewritten, even with every hash after
it recomputed (what an owner could do)."""

from __future__ import annotations

import pytest
from ledger_helpers import client, staff
from tamper import guards_off

from deskapp.db import chain, db
from deskapp.db.transaction import write_transaction
from deskapp.models import AuditEntry, Client, CreditEntry, Role
from deskapp.services import credit
from deskapp.services.chain import check_chains, prove_digest


@pytest.fixture
def books(desk: str) -> dict[str, object]:
    """Two clients with a few movements: every row chained."""
    agent, admin = staff(Role.AGENT), staff(Role.ADMIN)
    mina, ola = client(), client("Ola")
    credit.add_credit(agent, mina, "10", "Prepayment")
    credit.add_credit(agent, ola, "20", "Goodwill")
    credit.adjust_credit(admin, mina, "-2.50", "Rounding")
    return {"mina": mina, "ola": ola, "agent": agent}


def _ledger(reports):  # type: ignore[no-untyped-def]
    return reports[0]


def _audit(reports):  # type: ignore[no-untyped-def]
    return reports[1]


def _entries() -> list[CreditEntry]:
    return list(CreditEntry.select().order_by(CreditEntry.chain_seq))


def test_intact_books_verify_and_the_head_is_the_newest_hash(books) -> None:
    ledger, audit = check_chains()
    assert (ledger.problem, audit.problem) == (None, None)
    assert ledger.length == CreditEntry.select().count() == 3
    assert audit.length == AuditEntry.select().count() >= 3
    assert ledger.head_digest == _entries()[-1].chain_hash
    assert [e.chain_seq for e in _entries()] == [1, 2, 3]
    assert CreditEntry.select().where(CreditEntry.chain_seq.is_null()).count() == 0


def test_a_rewritten_entry_is_named(books) -> None:
    second = _entries()[1]
    with guards_off("credit_entry"):
        CreditEntry.update(description="Bonus").where(CreditEntry.id == second.id).execute()
    number = Client.get_by_id(books["ola"]).number

    ledger, audit = check_chains()

    assert ledger.problem == (
        f"Ledger entry #2 (C-{number}, “Credit added” 20.00 of 2026-03-14 09:30) was changed "
        "after it was written: it no longer matches its hash."
    )
    assert ledger.verified_through == 1
    assert audit.problem is None


def test_a_rewritten_audit_entry_is_named(books) -> None:
    first = AuditEntry.select().order_by(AuditEntry.chain_seq).first()
    with guards_off("audit_entry"):
        AuditEntry.update(staff_name="someone else").where(AuditEntry.id == first.id).execute()

    assert _audit(check_chains()).problem == (
        f"Audit entry #1 ({first.action} on credit_entry {first.entity_id} of 2026-03-14 09:30) "
        "was changed after it was written: it no longer matches its hash."
    )


def test_a_removed_entry_and_a_cut_off_end_are_named(books) -> None:
    entries = _entries()
    with guards_off("credit_entry"):
        CreditEntry.delete().where(CreditEntry.id == entries[1].id).execute()
    assert _ledger(check_chains()).problem == (
        "Ledger entry #2 is missing: the chain goes from #1 to #3."
    )
    with guards_off("credit_entry"):
        CreditEntry.delete().where(CreditEntry.id == entries[2].id).execute()
    problem = _ledger(check_chains()).problem
    assert problem is not None
    assert problem.startswith("The ledger entry chain's head says 3 entries ending in ")
    assert problem.endswith("but the last one chained is #1 (" + entries[0].chain_hash[:16] + "…): "
                            "entries at its end were removed.")  # fmt: skip


def test_an_earlier_digest_proves_the_history_until_the_past_is_rewritten(books) -> None:
    earlier = [report.head_digest for report in check_chains()]
    credit.add_credit(books["agent"], books["mina"], "1", "Later")
    reports = check_chains()
    assert all(report.problem is None for report in reports)
    for digest in earlier:
        proof = prove_digest(digest.upper(), reports)
        assert proof.unchanged, proof.sentence
    assert prove_digest(earlier[0], reports).sentence == (
        f"The history up to digest {earlier[0][:16]}… (ledger entry #3 of 4) is unchanged."
    )

    _rewrite_and_rehash(second_description="Bonus")

    reports = check_chains()
    assert all(report.problem is None for report in reports)  # every hash recomputed…
    proof = prove_digest(earlier[0], reports)
    assert not proof.unchanged  # …but the digest written down no longer appears
    assert proof.sentence == (
        f"No ledger or audit entry has the digest {earlier[0][:16]}…: the history it stood for "
        "was rewritten (or the digest is mistyped)."
    )
    assert prove_digest(earlier[1], reports).unchanged  # the audit log was not touched


def _rewrite_and_rehash(second_description: str) -> None:
    """What an owner could do: change an entry, then recompute every hash from it on."""
    with guards_off("credit_entry", "chain_head"):
        second = _entries()[1]
        CreditEntry.update(description=second_description).where(
            CreditEntry.id == second.id
        ).execute()
        previous = chain.GENESIS
        for row in db.execute_sql(
            f'SELECT "id", "chain_seq", {chain.content_sql("credit_entry")} FROM "credit_entry" '
            'ORDER BY "chain_seq"'
        ).fetchall():
            previous = chain.row_digest("credit_entry", previous, int(row[1]), row[2:])
            CreditEntry.update(chain_hash=None, chain_seq=None).where(
                CreditEntry.id == row[0]
            ).execute()
            CreditEntry.update(chain_hash=previous, chain_seq=row[1]).where(
                CreditEntry.id == row[0]
            ).execute()
        db.execute_sql(
            f'UPDATE "chain_head" SET "digest" = {db.param} WHERE "name" = {db.param}',
            (previous, "credit_entry"),
        )


def test_a_digest_that_is_not_hex_is_refused(books) -> None:
    from deskapp.errors import ValidationError

    with pytest.raises(ValidationError):
        prove_digest("not a digest", check_chains())


def test_rows_written_outside_the_desk_are_named_until_the_next_write_joins_them(books) -> None:
    AuditEntry.create(action="note", entity="client", entity_id="x", staff_name="script")
    assert _audit(check_chains()).problem == (
        "1 audit entry is not in the chain: written outside the desk's transactions."
    )
    with write_transaction():
        pass
    assert _audit(check_chains()).problem is None


def test_a_refused_write_leaves_nothing_to_chain(books) -> None:
    before = check_chains()
    with pytest.raises(RuntimeError), write_transaction():
        credit.add_credit(books["agent"], books["mina"], "3", "Rolled back")
        raise RuntimeError("the rest of the action failed")
    after = check_chains()
    assert [r.head_digest for r in after] == [r.head_digest for r in before]
    assert all(r.problem is None for r in after)


def test_an_audit_entry_recorded_outside_a_transaction_is_chained_at_once(books) -> None:
    from deskapp.services import audit

    audit.record(None, "note", "client", books["mina"], "Written by a script")
    assert _audit(check_chains()).problem is None
    assert AuditEntry.select().where(AuditEntry.chain_seq.is_null()).count() == 0
