"""`deskapp serve`: what it refuses (a local desk, a person named, the network without an HTTPS
proxy, a desk nobody can sign in to), and a real server on 127.0.0.1 answering a browser: the
app page, a session's terminal showing the sign-in, and WebSockets from elsewhere or beyond the
limit turned away."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from mail_helpers import free_port

from deskapp.browser import (
    LOCAL_DESK,
    PLAIN_NETWORK,
    SIGNS_NOBODY_IN,
    allowed_origins,
    is_loopback,
    serve_refusal,
)
from deskapp.cli import NO_STAFF_YET, main
from deskapp.models import Role, Staff
from deskapp.passwords import hash_password

ON_POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
SHARED = "postgresql://desk@db.example.net:5432/desk"
"""A shared desk's URL for the rules alone (never opened)."""
STARTING_SECONDS = 60
"""How long the server and a session may take to answer (a loaded machine)."""


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No DESKAPP_* setting from outside; user dirs under tmp_path. Returns the environment
    for a subprocess."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    for variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(tmp_path / variable.lower()))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `deskapp ARGS`, expect exit 1, return the one line it said."""
    assert main(list(args)) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("deskapp: ") and err.count("\n") == 1
    return err.removeprefix("deskapp: ").strip()


def test_a_local_desk_is_never_served(
    clean_environment: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = tmp_path / "desk.db"

    assert refused(capsys, "serve", "--db", f"sqlite:///{local}") == LOCAL_DESK
    assert not local.exists()  # refused before anything was opened or made


def test_serving_names_nobody_and_stays_off_the_network_without_https(
    clean_environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert refused(capsys, "--signed-in-as", "ann", "serve", "--db", SHARED) == SIGNS_NOBODY_IN
    assert refused(capsys, "--staff", "ann", "serve", "--db", SHARED) == SIGNS_NOBODY_IN
    assert refused(capsys, "serve", "--host", "0.0.0.0", "--db", SHARED) == PLAIN_NETWORK
    plain = ("serve", "--host", "192.0.2.7", "--public-url", "http://desk.example.net")
    assert refused(capsys, *plain, "--db", SHARED) == PLAIN_NETWORK
    assert "is not an address like https://" in refused(
        capsys, "serve", "--public-url", "ftp://desk.example.net", "--db", SHARED
    )


def test_the_rules_in_short() -> None:
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "[::1]", "localhost", "127.8.0.1")] == [
        True
    ] * 5
    assert [is_loopback(h) for h in ("0.0.0.0", "192.0.2.7", "desk.example.net", "")] == [False] * 4
    assert serve_refusal(SHARED, "127.0.0.1", None, names_a_person=False) is None
    proxied = serve_refusal(SHARED, "0.0.0.0", "https://desk.example.net", names_a_person=False)
    assert proxied is None
    assert allowed_origins("127.0.0.1", 8000, None) == {
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
    }
    assert allowed_origins("0.0.0.0", 8000, "https://Desk.example.net/desk") == {
        "https://desk.example.net"
    }


@ON_POSTGRES
def test_a_shared_desk_nobody_can_sign_in_to_is_not_served(
    desk: str, clean_environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert refused(capsys, "serve", "--db", desk) == NO_STAFF_YET


@pytest.fixture
def served(desk: str, clean_environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`deskapp serve --max-sessions 1` on a free port of 127.0.0.1 for a shared desk with one
    admin; yields its address. The server is always stopped, killed if it will not stop."""
    Staff.create(
        username="ann", name="Ann Lee", role=Role.ADMIN, password_hash=hash_password("x" * 12)
    )
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "deskapp", "serve", "--port", str(port), "--max-sessions", "1"]
        + ["--db", desk],
        env=clean_environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)
        log.close()


@ON_POSTGRES
async def test_a_browser_gets_the_page_and_a_session_that_asks_who_it_is(served: str) -> None:
    async with aiohttp.ClientSession() as browser:
        page = await _first_answer(browser, served)
        assert page.status == 200 and page.content_type == "text/html"
        html = await page.text()
        assert "textual.js" in html and f"ws://{served.removeprefix('http://')}/ws" in html

        with pytest.raises(aiohttp.WSServerHandshakeError) as elsewhere:
            await browser.ws_connect(f"{served}/ws", headers={"Origin": "http://evil.example"})
        assert elsewhere.value.status == 403

        own = {"Origin": served}
        async with browser.ws_connect(f"{served}/ws?width=80&height=24", headers=own) as session:
            assert b"Username" in await _terminal_until(session, b"Username")
            with pytest.raises(aiohttp.WSServerHandshakeError) as beyond:
                await browser.ws_connect(f"{served}/ws", headers=own)
            assert beyond.value.status == 503


async def _first_answer(browser: aiohttp.ClientSession, address: str) -> aiohttp.ClientResponse:
    """The page, once the server listens (it is polled, for at most STARTING_SECONDS)."""
    deadline = time.monotonic() + STARTING_SECONDS
    while True:
        try:
            return await browser.get(address)
        except aiohttp.ClientConnectionError:
            assert time.monotonic() < deadline, "deskapp serve did not answer"
            await asyncio.sleep(0.1)


async def _terminal_until(session: aiohttp.ClientWebSocketResponse, wanted: bytes) -> bytes:
    """What the session's terminal wrote, until `wanted` shows (at most STARTING_SECONDS)."""
    written = b""
    deadline = time.monotonic() + STARTING_SECONDS
    while wanted not in written and time.monotonic() < deadline:
        try:
            message = await session.receive(timeout=1)
        except TimeoutError:
            continue
        if message.type == aiohttp.WSMsgType.BINARY:
            written += message.data
        elif message.type != aiohttp.WSMsgType.TEXT:
            break
    return written
