"""`deskapp payments sync` and `deskapp payments webhook`: in-process with main([...]) and as a
real process, against localstripe on 127.0.0.1 and both backends."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from ledger_helpers import client, staff
from localstripe_server import (
    CARD_NEEDS_AUTHENTICATION,
    attach_test_card,
    authenticate_payment,
    closed_port_base,
    sign_payload,
    stripe_client,
    stripe_event,
)
from order_rows import add_catalogue

from deskapp.cli import main
from deskapp.cli_payments import MAX_BODY_BYTES, webhook_server
from deskapp.db import close_database, open_database
from deskapp.models import Order, PaymentEvent, PaymentMethod, PaymentStatus, Role
from deskapp.services.order_card import NO_KEY, charge_order, payment_gateway
from deskapp.services.order_place import parse_cart_item, place_order

SECRET = "whsec_deskapp_cli_test"
"""The webhook secret of these tests."""
TIMEOUT_SECONDS = 20
"""The longest any request or process here may take."""


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """User dirs under tmp_path, no DESKAPP_* settings, no keyring (here and in subprocesses)."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    root = tmp_path / "home"
    for variable, folder in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(variable, str(root / folder))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield root
    keyring.set_keyring(previous)
    close_database()


def waiting_order() -> tuple[uuid.UUID, str]:
    """A card order whose payment waits for the customer's authentication; (order, intent)."""
    add_catalogue()
    admin = staff(Role.ADMIN, "kim")
    mina = client()
    attach_test_card(mina, CARD_NEEDS_AUTHENTICATION)
    order = place_order(admin, mina, [parse_cart_item("SETUP")], PaymentMethod.CARD)
    from deskapp.config import load_settings

    charge_order(admin, order.id, payment_gateway(load_settings(read_file=False)))
    return order.id, Order.get_by_id(order.id).payment_intent


def payment_status(url: str, order_id: uuid.UUID) -> str:
    open_database(url)
    return str(Order.get_by_id(order_id).payment_status)


def test_payments_sync_without_a_key_says_so_in_one_line(
    desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["payments", "sync", "--db", desk]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"deskapp: {NO_KEY}\n")

    process = subprocess.run(
        [sys.executable, "-m", "deskapp", "payments", "sync", "--db", desk],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert (process.returncode, process.stdout, process.stderr) == (1, "", f"deskapp: {NO_KEY}\n")


def test_payments_sync_records_a_payment_the_customer_has_since_authenticated(
    desk: str, localstripe: str, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, intent_id = waiting_order()
    capsys.readouterr()
    assert main(["payments", "sync", "--db", desk]) == 0
    assert capsys.readouterr().out == (
        "Checked 1 pending card payment: 0 paid, 0 failed, 1 still pending.\n"
    )
    authenticate_payment(intent_id)

    assert main(["payments", "sync", "--db", desk]) == 0

    assert capsys.readouterr().out == (
        "Checked 1 pending card payment: 1 paid, 0 failed, 0 still pending.\n"
    )
    assert payment_status(desk, order_id) == PaymentStatus.SUCCESSFUL


def test_payments_sync_with_stripe_unreachable_says_so_and_fails(
    desk: str, localstripe: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id, _ = waiting_order()
    monkeypatch.setenv("DESKAPP_STRIPE_API_BASE", closed_port_base())
    capsys.readouterr()

    assert main(["payments", "sync", "--db", desk]) == 1

    out = capsys.readouterr().out
    assert out.startswith("Checked 0 pending card payments: 0 paid, 0 failed, 0 still pending.")
    assert "Stripe could not be reached (connection refused)" in out
    assert out.count("\n") == 1
    assert payment_status(desk, order_id) == PaymentStatus.PENDING


def post(port: int, body: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(method, "/", body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def signed_success(intent_id: str, event_id: str = "evt_cli_1") -> tuple[bytes, str]:
    intent = stripe_client().v1.payment_intents.retrieve(intent_id)
    payload = stripe_event(event_id, "payment_intent.succeeded", intent)
    return payload, sign_payload(payload, SECRET)


def test_the_webhook_refuses_bad_requests_and_applies_an_event_sent_twice_once(
    desk: str, localstripe: str
) -> None:
    order_id, intent_id = waiting_order()
    authenticate_payment(intent_id)
    payload, signature = signed_success(intent_id)
    server = webhook_server("127.0.0.1", 0, SECRET)
    port = server.server_address[1]
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        forged = post(port, payload, {"Stripe-Signature": sign_payload(payload, "whsec_other")})
        too_big = post(port, b"", {"Content-Length": str(MAX_BODY_BYTES + 1)})
        fetched = post(port, b"", {}, method="GET")
        first = post(port, payload, {"Stripe-Signature": signature})
        second = post(port, payload, {"Stripe-Signature": signature})
    finally:
        server.shutdown()
        server.server_close()
        serving.join(TIMEOUT_SECONDS)

    assert forged[0] == 400 and "does not match the webhook secret" in forged[1]
    assert too_big[0] == 413
    assert fetched[0] == 405
    assert first[0] == 200 and "is paid by card: 99.00" in first[1]
    assert second == (200, "Event evt_cli_1 (payment_intent.succeeded) was already applied.\n")
    assert payment_status(desk, order_id) == PaymentStatus.SUCCESSFUL
    assert PaymentEvent.select().count() == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_deskapp_payments_webhook_listens_on_loopback_and_applies_a_signed_event(
    desk: str, localstripe: str
) -> None:
    order_id, intent_id = waiting_order()
    authenticate_payment(intent_id)
    payload, signature = signed_success(intent_id)
    port = free_port()
    command = [sys.executable, "-m", "deskapp", "payments", "webhook"]
    command += ["--listen", f"127.0.0.1:{port}", "--db", desk]

    refused = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    assert refused.returncode == 1
    assert refused.stderr.startswith("deskapp: No Stripe webhook secret is configured;")
    assert refused.stderr.count("\n") == 1

    environment = {**os.environ, "DESKAPP_STRIPE_WEBHOOK_SECRET": SECRET}
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert banner == (
            f"Listening on http://127.0.0.1:{port}/ for Stripe's events; Ctrl+C stops.\n"
        )
        assert post(port, payload, {"Stripe-Signature": "t=1,v1=0"})[0] == 400
        status, text = post(port, payload, {"Stripe-Signature": signature})
    finally:
        process.terminate()
        process.communicate(timeout=TIMEOUT_SECONDS)

    assert status == 200 and "is paid by card: 99.00" in text
    assert SECRET not in banner
    assert payment_status(desk, order_id) == PaymentStatus.SUCCESSFUL
