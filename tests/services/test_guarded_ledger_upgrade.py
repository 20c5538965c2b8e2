"""Migration 0007 on a desk with history, on both backends: every entry and its reversal link
are kept, each entry learns its client's number, old rows join the chains in key order, and
from then on deleting a client detaches its ledger instead of erasing it."""

from __future__ import annotations

from old_rows import insert_old

from deskapp import migrations
from deskapp.db import open_database
from deskapp.models import AuditEntry, Client, CreditEntry
from deskapp.services.chain import check_chains
from deskapp.services.integrity import check_ledger


def test_an_older_desk_keeps_its_ledger_and_joins_the_chains(database_url: str) -> None:
    open_database(database_url)
    migrations.upgrade(target=6)
    client = Client(
        number=1042, first_name="Mina", last_name="Okafor", email="m@x", credit_cents=300
    )
    insert_old(client)
    added = CreditEntry(
        client=client, kind="Credit added", amount_cents=500, balance_after_cents=500,
        description="Prepayment",
    )  # fmt: skip
    insert_old(added)
    insert_old(
        CreditEntry(
            client=client, kind="Reversal", amount_cents=-200, balance_after_cents=300,
            description="Too much", reverses=added,
        )
    )  # fmt: skip
    insert_old(AuditEntry(action="credit.added", entity="credit_entry", entity_id="1"))

    assert [m.number for m in migrations.upgrade()][0] == 7

    entries = list(CreditEntry.select().order_by(CreditEntry.chain_seq))
    assert [(e.chain_seq, e.client_number, e.amount_cents) for e in entries] == [
        (1, 1042, 500),
        (2, 1042, -200),
    ]
    assert entries[1].reverses_id == added.id
    assert [r.problem for r in check_chains()] == [None, None]
    assert check_ledger() == []

    Client.delete().where(Client.id == client.id).execute()
    assert [(e.client_id, e.amount_cents) for e in CreditEntry.select()] != []
    assert {e.client_id for e in CreditEntry.select()} == {None}
    assert [r.problem for r in check_chains()] == [None, None]
