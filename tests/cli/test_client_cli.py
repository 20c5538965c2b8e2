"""`deskapp client add`, `deskapp contact add` and `deskapp invoice pay` in-process against a
migrated desk on each backend: what a script sees, and bad input as one sentence (exit 1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from ledger_helpers import client, invoice, staff

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Client, Contact, Invoice, Role, Staff
from deskapp.passwords import hash_password

PASSWORD = "staff password"


@pytest.fixture
def desk_url(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The migrated test desk with an agent; the CLI opens it itself."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    for variable, folder in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        monkeypatch.setenv(variable, str(tmp_path / folder))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)
    Staff.create(
        username="sam", name="Sam Reyes", role=Role.AGENT, password_hash=hash_password(PASSWORD)
    )
    close_database()
    yield desk
    keyring.set_keyring(previous)
    open_database(desk)


def deskapp(url: str, *args: str) -> int:
    return main(["--staff", "sam", *args, "--db", url])


def test_an_agent_adds_a_client_and_its_invoice_contact(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    person = ["--first-name", "Ada", "--last-name", "Okafor", "--email", "ada@okafor.example"]
    assert deskapp(desk_url, "client", "add", *person, "--company", "Okafor AB") == 0
    assert capsys.readouterr().out == "Added C-1001 Okafor AB (Ada Okafor) <ada@okafor.example>.\n"
    bo = ["--first-name", "Bo", "--last-name", "Lind", "--email", "bo@okafor.example"]
    assert deskapp(desk_url, "contact", "add", "C-1001", *bo, "--mail", "invoice", "--billing") == 0
    assert capsys.readouterr().out == (
        "Added Bo Lind <bo@okafor.example> to C-1001 (invoice, the billing contact).\n"
    )

    open_database(desk_url)
    added = Client.get(Client.number == 1001)
    contact = Contact.get(Contact.client == added.id)
    assert (added.company, added.email) == ("Okafor AB", "ada@okafor.example")
    assert (contact.mail_invoice, contact.mail_general, contact.is_billing) == (True, False, True)


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["client", "add", "--first-name", " ", "--last-name", "X", "--email", "x@y.example"],
            "First name is required.",
        ),
        (
            [
                "contact",
                "add",
                "C-4242",
                "--first-name",
                "A",
                "--last-name",
                "B",
                "--email",
                "a@b.c",
            ],
            "There is no client C-4242.",
        ),
        (
            ["contact", "add", "C-1001", "--first-name", "A", "--last-name", "B"]
            + ["--email", "a@b.example", "--mail", "invoices"],
            "“invoices” is not a mail category",
        ),
        (["invoice", "pay", "INV-2026-00042", "--amount", "5.00"], "There is no invoice"),
    ],
)
def test_bad_input_is_one_sentence_and_changes_nothing(
    desk_url: str, args: list[str], sentence: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, *args) == 1

    err = capsys.readouterr().err
    assert err.startswith("deskapp: ") and sentence in err and err.count("\n") == 1
    open_database(desk_url)
    assert Client.select().count() == 0 and Contact.select().count() == 0


def test_a_payment_recorded_from_the_command_line_pays_the_invoice(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_database(desk_url)
    unpaid = invoice(staff(Role.ADMIN, "ann"), client(), 3100)
    close_database()

    assert deskapp(desk_url, "invoice", "pay", unpaid.number, "--amount", "10.00") == 0
    assert (
        capsys.readouterr().out
        == f"Recorded 10.00 against {unpaid.number}: Unpaid, 21.00 still due.\n"
    )
    args = ["--amount", "25", "--method", "cash", "--reference", "Till 3"]
    assert deskapp(desk_url, "invoice", "pay", unpaid.number, *args) == 0
    assert capsys.readouterr().out == (
        f"Recorded 21.00 against {unpaid.number}: Paid; 4.00 more went to the client's credit.\n"
    )
    open_database(desk_url)
    assert Invoice.get_by_id(unpaid.id).status == "Paid"
