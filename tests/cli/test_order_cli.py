"""`deskapp order place|list|approve|reject` in-process against a migrated desk on each backend:
what scripts see on stdout, and bad input as one line on stderr with exit status 1 or 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from ledger_helpers import client
from localstripe_server import CARD_DECLINED, CARD_SUCCEEDS, attach_test_card
from order_rows import add_catalogue

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Client, ClientStatus, Order, PaymentTransaction, Role, Staff
from deskapp.passwords import hash_password
from deskapp.services.order_card import NO_KEY

PASSWORD = "staff password"
"""Everyone's password here (the CLI reads DESKAPP_PASSWORD on a shared desk)."""


@pytest.fixture
def desk_url(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The migrated test desk with the order catalogue, an admin, an agent and clients C-1001
        (Active) and C-1002 (Closed); the CLI opens it itself. No keyring: a Stripe key comes only
    from the environment (the localstripe fixture sets one)."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # secrets only from the environment (localstripe's)
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)  # a shared desk checks it
    hashed = hash_password(PASSWORD)
    Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN, password_hash=hashed)
    Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT, password_hash=hashed)
    add_catalogue()
    client()
    client("Otto", "Berg", status=ClientStatus.CLOSED)
    close_database()
    yield desk
    keyring.set_keyring(previous)
    open_database(desk)


def deskapp(url: str, *args: str, staff: str = "sam") -> int:
    return main(["--staff", staff, *args, "--db", url])


def test_orders_placed_from_the_command_line_then_listed(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        deskapp(desk_url, "order", "place", "C-1001", "FIBRE-1G", "VOIP-LINEx2", "--request") == 0
    )
    assert capsys.readouterr().out == (
        "Placed O-5001 for C-1001: 55.00, sent for approval (ticket T-20001).\n"
    )
    placed = deskapp(
        desk_url,
        "order",
        "place",
        "c1001",
        "HOURS-5",
        "--pay",
        "manual",
        "--method",
        "cash",
        "--reference",
        "Till 3",
    )
    assert placed == 0
    assert capsys.readouterr().out == (
        "Placed O-5002 for C-1001: 250.00, paid by Cash (ticket T-20002, INV-2026-00001).\n"
    )

    assert deskapp(desk_url, "order", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["O-5002", "O-5001"]
    assert listed[0].split()[1:5] == ["C-1001", "Mina", "Okafor", "Pending"]
    assert "Successful (manual)" in listed[0] and listed[0].endswith("5 support hours")
    assert listed[1].endswith("2026-03-14  Fibre 1G, 2 × VoIP Line")

    open_database(desk_url)
    Order.update(status="Active").where(Order.number == 5001).execute()
    close_database()
    assert deskapp(desk_url, "order", "list", "--pending") == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == ["O-5002"]


def test_an_empty_queue_says_so(desk_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert deskapp(desk_url, "order", "list", "--pending") == 0
    assert capsys.readouterr().out == "No order is waiting for an admin.\n"


@pytest.mark.parametrize(
    ("args", "status", "sentence"),
    [
        (["C-1001", "VOIP-LINEx0", "--request"], 1,
         "The quantity must be at least 1; take the line out instead."),
        (["C-1001", "VOIP-LINEx-3", "--request"], 1,
         "The quantity must be at least 1; take the line out instead."),
        (["C-1001", "VOIP-LINEx5000", "--request"], 1,
         "5,000 is more than one order takes (100); check the number."),
        (["C-1001", "VOIP-LINExtwo", "--request"], 1,
         "There is no product with the code “VOIP-LINExtwo”."),
        (["C-1001", "NOPE", "--request"], 1, "There is no product with the code “NOPE”."),
        (["C-1001", "OLD-ADSL", "--request"], 1,
         "OLD-ADSL is retired; it can no longer be ordered."),
        (["C-1001", "VOIP-LINE:Weekly", "--request"], 1, "“Weekly” is not a billing cycle"),
        (["C-1002", "VOIP-LINE", "--request"], 1, "C-1002 is Closed: no new tickets or orders."),
        (["C-9999", "VOIP-LINE", "--request"], 1,
         "There is no client C-9999; write it like C-1042."),
        (["C-1001", "VOIP-LINE", "--pay", "manual"], 1,
         "Say how it was paid: Bank transfer, Cash, Cheque."),
        (["C-1001", "VOIP-LINE", "--request", "--method", "Cash"], 1,
         "--method and --reference go only with --pay manual."),
        (["C-1001", "VOIP-LINE"], 2, "one of the arguments --request --pay is required"),
        (["C-1001", "VOIP-LINE", "--request", "--pay", "card"], 2, "not allowed with argument"),
        (["C-1001", "VOIP-LINE", "--pay", "cheque"], 2, "invalid choice: 'cheque'"),
        (["C-1001", "--request"], 2, "the following arguments are required"),
    ],
)  # fmt: skip
def test_bad_orders_are_one_line_and_an_exit_status(
    desk_url: str,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
    sentence: str,
) -> None:
    assert deskapp(desk_url, "order", "place", *args) == status
    said = capsys.readouterr()
    assert said.out == "" and said.err.count("\n") == 1, said.err
    assert sentence in said.err and "Traceback" not in said.err
    open_database(desk_url)
    assert not Order.select().exists()
    close_database()


def test_admins_approve_and_reject_from_the_command_line(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, "order", "place", "C-1001", "FIBRE-1G", "--request") == 0
    assert deskapp(desk_url, "order", "place", "C-1001", "VOIP-LINE", "--request") == 0
    assert (
        deskapp(
            desk_url, "order", "place", "C-1001", "HOURS-5", "--pay", "manual", "--method", "Cheque"
        )
        == 0
    )
    capsys.readouterr()

    assert deskapp(desk_url, "order", "approve", "O-5001") == 1
    assert capsys.readouterr().err == (
        "deskapp: Only an admin can approve or reject an order; ask an admin to do it.\n"
    )
    assert (
        deskapp(desk_url, "order", "approve", "O-5001", "--start", "2026-03-20", staff="kim") == 0
    )
    assert capsys.readouterr().out == (
        "O-5001 approved, services Active from 2026-03-20; invoiced on INV-2026-00002.\n"
    )
    assert deskapp(desk_url, "order", "approve", "o5001", staff="kim") == 1
    assert "O-5001 was already approved by Kim Adler" in capsys.readouterr().err
    reason = ["--reason", "No line at that address"]
    assert deskapp(desk_url, "order", "reject", "O-5002", *reason, staff="kim") == 0
    assert capsys.readouterr().out == "O-5002 rejected.\n"
    assert deskapp(desk_url, "order", "reject", "O-5003", *reason, staff="kim") == 1
    assert "choose a refund to the card or to credit" in capsys.readouterr().err
    refund = ["--refund", "credit"]
    assert deskapp(desk_url, "order", "reject", "O-5003", *reason, *refund, staff="kim") == 0
    assert capsys.readouterr().out == "O-5003 rejected, its payment refunded to credit.\n"

    assert deskapp(desk_url, "order", "list") == 0
    statuses = [line.split()[4] for line in capsys.readouterr().out.splitlines()]
    assert statuses == ["Rejected", "Rejected", "Active"]


@pytest.mark.parametrize(
    ("args", "status", "sentence"),
    [
        (["approve", "O-5001", "--start", "14/03/2026"], 2, "is not a date like 2026-03-14"),
        (["approve", "O-5001", "--start", "2026-02-30"], 2, "is not a date like 2026-03-14"),
        (["approve", "O-9999"], 1, "There is no order O-9999."),
        (["approve", "FIBRE"], 1, "“FIBRE” is not an order number; write it like O-5531."),
        (["reject", "O-5001"], 2, "the following arguments are required: --reason"),
        (["reject", "O-5001", "--reason", "x", "--refund", "cash"], 2, "invalid choice: 'cash'"),
    ],
)
def test_bad_decisions_are_one_line_and_an_exit_status(
    desk_url: str,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
    sentence: str,
) -> None:
    assert deskapp(desk_url, "order", *args, staff="kim") == status
    said = capsys.readouterr()
    assert said.out == "" and said.err.count("\n") == 1, said.err
    assert sentence in said.err and "Traceback" not in said.err


def give_card(url: str, client_number: int, card: str) -> None:
    open_database(url)
    attach_test_card(Client.get(Client.number == client_number).id, card)
    close_database()


def test_card_orders_are_charged_and_refunded_through_stripe(
    desk_url: str, localstripe: str, capsys: pytest.CaptureFixture[str]
) -> None:
    give_card(desk_url, 1001, CARD_SUCCEEDS)

    assert deskapp(desk_url, "order", "place", "C-1001", "VOIP-LINEx2", "--pay", "card") == 0
    assert capsys.readouterr().out.splitlines() == [
        "Placed O-5001 for C-1001: 10.00, to be paid by card (ticket T-20001).",
        "O-5001 is paid by card: 10.00.",
    ]
    assert deskapp(desk_url, "order", "list", "--pending") == 0
    assert "Successful (card)" in capsys.readouterr().out

    reject = ["reject", "O-5001", "--reason", "No line there", "--refund", "card"]
    assert deskapp(desk_url, "order", *reject, staff="kim") == 0
    assert capsys.readouterr().out == "O-5001 rejected, 10.00 refunded to the card.\n"
    open_database(desk_url)
    assert PaymentTransaction.get().refunded_cents == 1_000
    close_database()


def test_a_declined_card_leaves_the_order_placed_and_failed(
    desk_url: str, localstripe: str, capsys: pytest.CaptureFixture[str]
) -> None:
    give_card(desk_url, 1001, CARD_DECLINED)

    assert deskapp(desk_url, "order", "place", "C-1001", "VOIP-LINE", "--pay", "card") == 1

    said = capsys.readouterr().out.splitlines()
    assert said[0] == "Placed O-5001 for C-1001: 5.00, to be paid by card (ticket T-20001)."
    assert said[1].startswith("O-5001: Declined: Your card was declined.")
    open_database(desk_url)
    assert Order.get().payment_status == "Failed"
    close_database()


def test_no_card_on_file_says_so_after_placing(
    desk_url: str, localstripe: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, "order", "place", "C-1001", "VOIP-LINE", "--pay", "card") == 1

    said = capsys.readouterr()
    assert said.out.startswith("Placed O-5001")
    assert said.err.startswith("deskapp: C-1001 has no card on file with Stripe")
    assert said.err.count("\n") == 1


def test_without_a_stripe_key_a_card_order_is_not_placed(
    desk_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert deskapp(desk_url, "order", "place", "C-1001", "VOIP-LINE", "--pay", "card") == 1

    said = capsys.readouterr()
    assert said.out == "" and said.err == f"deskapp: {' '.join(NO_KEY.split())}\n"
    open_database(desk_url)
    assert not Order.select().exists()
    close_database()


def test_bad_input_from_a_real_process_is_one_line(desk_url: str) -> None:
    for args, status in (
        (["order", "place", "C-1001", "VOIP-LINEx0", "--request"], 1),
        (["order", "approve", "O-5001", "--start", "tomorrow"], 2),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "deskapp", "--staff", "kim", *args, "--db", desk_url],
            input="",
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (result.returncode, result.stdout) == (status, ""), result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_reader_that_goes_away_ends_the_listing_quietly(desk_url: str) -> None:
    """`deskapp order list | head -1`: the pipe closes early; no traceback, no "unexpected
    error", and the status says so the Unix way (141, as a shell reports SIGPIPE)."""
    for _ in range(3):
        assert deskapp(desk_url, "order", "place", "C-1001", "VOIP-LINE", "--request") == 0
    reader = subprocess.Popen(
        [sys.executable, "-m", "deskapp", "order", "list", "--db", desk_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.close()  # before anything is written: every write meets a closed pipe
    status = reader.wait(timeout=60)
    assert (status, reader.stderr.read()) == (141, b"")
