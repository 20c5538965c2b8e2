"""`deskapp db check` on both backends: the chains' head digests printed, a rewritten entry
named, and `--digest` proving (or no longer proving) the history up to an earlier head."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ledger_helpers import client, staff
from tamper import guards_off

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Client, CreditEntry, Role
from deskapp.services import credit


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file or DESKAPP_* setting from the machine running the tests."""
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("DESKAPP_DATABASE_URL", raising=False)


def _heads(out: str) -> dict[str, str]:
    return dict(
        re.findall(
            r"^(Ledger|Audit log) chain: [\d,]+ entr(?:y|ies), head digest (\w+)$", out, re.M
        )
    )


def test_db_check_prints_heads_names_a_rewrite_and_proves_digests(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--db", database_url]) == 0
    open_database(database_url)
    agent = staff(Role.AGENT)
    mina = client()
    credit.add_credit(agent, mina, "10", "Prepayment")
    number = Client.get_by_id(mina).number
    close_database()
    capsys.readouterr()

    assert main(["db", "check", "--db", database_url]) == 0
    out = capsys.readouterr().out
    assert "Ledger chain: 1 entry, head digest " in out
    earlier = _heads(out)
    assert set(earlier) == {"Ledger", "Audit log"}

    open_database(database_url)
    credit.add_credit(agent, mina, "5", "Goodwill")
    close_database()
    assert main(["db", "check", "--db", database_url, "--digest", earlier["Ledger"]]) == 0
    out = capsys.readouterr().out
    assert f"The history up to digest {earlier['Ledger'][:16]}… (ledger entry #1 of 2)" in out
    assert _heads(out)["Ledger"] != earlier["Ledger"]

    open_database(database_url)
    first = CreditEntry.select().order_by(CreditEntry.chain_seq).first()
    with guards_off("credit_entry"):
        CreditEntry.update(amount_cents=100_000).where(CreditEntry.id == first.id).execute()
    close_database()

    assert main(["db", "check", "--db", database_url, "--digest", earlier["Ledger"]]) == 1
    out = capsys.readouterr().out
    assert re.search(
        rf"^Ledger entry #1 \(C-{number}, “Credit added” 1,000.00 of [\d-]+ [\d:]+\) was changed "
        r"after it was written: it no longer matches its hash.$",
        out,
        re.M,
    )
    assert f"Digest {earlier['Ledger'][:16]}… is ledger entry #1, but the chain breaks" in out
    assert "problems found." in out
