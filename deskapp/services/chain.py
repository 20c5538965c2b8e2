"""Verifying the ledger's and the audit log's hash chains, for `deskapp db check`.

Every chained row is read once, in chain order, and its hash recomputed from its content and
the hash of the row before it (deskapp.db.chain). The first row that does not match is named;
what follows a broken row proves nothing, so the walk of that chain stops there. A digest
written down earlier (`db check` prints each chain's head) is then looked up: found at a place
the walk verified, the history up to it is exactly what it was when the digest was printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deskapp.db import chain, db
from deskapp.errors import ValidationError
from deskapp.ids import format_number
from deskapp.money import Money

BATCH = 2000
"""Rows read per query while walking a chain."""

NOUNS = {"credit_entry": "ledger entry", "audit_entry": "audit entry"}
"""What one row of each chained table is called in a sentence."""


@dataclass(frozen=True)
class ChainReport:
    """What the walk of one chain found."""

    table: str
    """credit_entry or audit_entry."""
    title: str
    """"Ledger" or "Audit log", for the line `db check` prints."""
    length: int
    """How many rows are in the chain (the last place walked)."""
    head_digest: str
    """The newest row's hash: write it down to prove this history later."""
    problem: str | None
    """The first break, as a sentence naming the row; None when the whole chain holds."""
    verified_through: int
    """The last place whose hash (and every one before it) was verified."""


@dataclass(frozen=True)
class DigestProof:
    """Whether the history up to an earlier digest is unchanged."""

    digest: str
    """The digest as given, lower-cased."""
    unchanged: bool
    """True when a verified row carries that digest."""
    sentence: str
    """What `db check --digest` prints."""


def check_chains() -> list[ChainReport]:
    """Walk both chains; one report each, ledger first."""
    return [_walk(table) for table in chain.CHAINS]


def prove_digest(digest: str, reports: Sequence[ChainReport]) -> DigestProof:
    """Whether `digest` (an earlier head) is a verified place in one of the walked chains."""
    wanted = digest.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", wanted):
        raise ValidationError(
            "digest", "A digest is 64 hexadecimal characters, as db check prints."
        )
    short = wanted[:16] + "…"
    for report in reports:
        if wanted == chain.GENESIS:
            return DigestProof(wanted, True, f"Digest {short} is the empty history's.")
        found = db.execute_sql(
            f'SELECT "chain_seq" FROM "{report.table}" WHERE "chain_hash" = {db.param}',
            (wanted,),
        ).fetchone()
        if found is None:
            continue
        place, noun = int(found[0]), NOUNS[report.table]
        if place <= report.verified_through:
            return DigestProof(
                wanted,
                True,
                f"The history up to digest {short} ({noun} #{place:,} of {report.length:,}) "
                "is unchanged.",
            )
        return DigestProof(
            wanted,
            False,
            f"Digest {short} is {noun} #{place:,}, but the chain breaks before it: the history "
            "up to it was changed.",
        )
    return DigestProof(
        wanted,
        False,
        f"No ledger or audit entry has the digest {short}: the history it stood for was "
        "rewritten (or the digest is mistyped).",
    )


def _walk(table: str) -> ChainReport:
    title = "Ledger" if table == "credit_entry" else "Audit log"
    noun = NOUNS[table]
    previous, place = chain.GENESIS, 0
    problem = None
    while problem is None:
        rows = db.execute_sql(
            f'SELECT "chain_seq", "chain_hash", {chain.content_sql(table)} FROM "{table}" '
            f'WHERE "chain_seq" > {db.param} ORDER BY "chain_seq" LIMIT {BATCH}',
            (place,),
        ).fetchall()
        for row in rows:
            seq, stored, content = int(row[0]), row[1], row[2:]
            if seq != place + 1:
                problem = (
                    f"{noun.capitalize()} #{place + 1:,} is missing: the chain goes from "
                    f"#{place:,} to #{seq:,}."
                )
                break
            if chain.row_digest(table, previous, seq, content) != stored:
                problem = (
                    f"{_describe(table, seq, content)} was changed after it was written: it "
                    "no longer matches its hash."
                )
                break
            previous, place = stored, seq
        if len(rows) < BATCH:
            break
    if problem is None:
        problem = _head_problem(table, noun, place, previous) or _unchained(table, noun)
    return ChainReport(table, title, place, previous, problem, place)


def _head_problem(table: str, noun: str, place: int, digest: str) -> str | None:
    head = db.execute_sql(
        f'SELECT "length", "digest" FROM "chain_head" WHERE "name" = {db.param}', (table,)
    ).fetchone()
    if head is None:
        return f"The {noun} chain has no head row."
    length, head_digest = int(head[0]), head[1]
    if (length, head_digest) == (place, digest):
        return None
    return (
        f"The {noun} chain's head says {length:,} entries ending in {head_digest[:16]}…, but "
        f"the last one chained is #{place:,} ({digest[:16]}…): entries at its end were removed."
    )


def _unchained(table: str, noun: str) -> str | None:
    count = int(
        db.execute_sql(f'SELECT COUNT(*) FROM "{table}" WHERE "chain_seq" IS NULL').fetchone()[0]
    )
    if not count:
        return None
    many = f"{count:,} {noun[:-1]}ies are" if count > 1 else f"1 {noun} is"
    return f"{many} not in the chain: written outside the desk's transactions."


def _describe(table: str, seq: int, content: Sequence[Any]) -> str:
    """A row by its place and what a person would recognise it by."""
    values = dict(zip((c.name for c in chain.CHAINS[table]), content, strict=True))
    at = str(values["created_at"])[:16]
    if table == "credit_entry":
        client = format_number("client", int(values["client_number"]))
        return (
            f"Ledger entry #{seq:,} ({client}, “{values['kind']}” "
            f"{Money(int(values['amount_cents']))} of {at})"
        )
    return (
        f"Audit entry #{seq:,} ({values['action']} on {values['entity']} "
        f"{values['entity_id']} of {at})"
    )
