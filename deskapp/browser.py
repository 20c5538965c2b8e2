"""The desk in a browser (`deskapp serve`): textual-serve runs one `deskapp` process per browser
session and carries its terminal over a WebSocket.

Each session is a desk of its own, started as `python -m deskapp` with no person named, so the
rules that keep it safe are about who that process lets in:
- only a shared (PostgreSQL) desk is served: it asks every session for a username and password
  (the sign-in screen, with its pauses after failures). A local desk opens as whoever runs it,
  so serving one would give every visitor the rights of the person who ran `serve`;
- nobody is signed in for the sessions: `--signed-in-as` and `--staff` are refused;
- it listens on this machine only (a loopback address) unless an HTTPS proxy stands in front
  (`--public-url https://…`), so a password typed in a browser never crosses the network in
  the clear;
- a session's WebSocket must come from the page's own origin, so another web site open in the
  same browser cannot start sessions on the desk (cross-site WebSocket hijacking, DNS
  rebinding);
- at most `max_sessions` sessions run at once (each is a process).
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
import urllib.parse

from aiohttp import web
from textual_serve.server import Server

from deskapp.db import describe

__all__ = ["LOOPBACK_NAMES", "DeskServer", "allowed_origins", "is_loopback", "serve_refusal"]

LOOPBACK_NAMES = ("localhost",)
"""Host names that always mean this machine (addresses are checked as addresses)."""

LOCAL_DESK = (
    "Only a shared desk can be served to browsers: a local desk opens as whoever runs it, so "
    "every browser would get your rights without a password. Point serve at the team's "
    "PostgreSQL (--db postgresql://…), where each session signs in."
)
SIGNS_NOBODY_IN = (
    "Serving signs nobody in: each browser session asks for a username and password; leave "
    "out --signed-in-as and --staff."
)
PLAIN_NETWORK = (
    "Serving listens on this machine only (127.0.0.1, ::1 or localhost) unless an HTTPS proxy "
    "stands in front: a password typed in a browser must not cross the network in the clear. "
    "Give the proxy's address with --public-url https://…"
)


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only: localhost or a loopback address."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_refusal(
    database_url: str,
    host: str,
    public_url: str | None,
    *,
    names_a_person: bool,
) -> str | None:
    """Why `deskapp serve` must not serve this, in a sentence; None when it may.

    `names_a_person`: --signed-in-as or --staff was given."""
    if describe(database_url).backend != "postgresql":
        return LOCAL_DESK
    if names_a_person:
        return SIGNS_NOBODY_IN
    if public_url is not None:
        parts = urllib.parse.urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"--public-url: “{public_url[:60]}” is not an address like https://desk.example.net."
    if not is_loopback(host) and not (public_url or "").startswith("https://"):
        return PLAIN_NETWORK
    return None


def allowed_origins(host: str, port: int, public_url: str | None) -> frozenset[str]:
    """The origins a session's WebSocket may come from: the public address's, and on this
    machine without one, the page opened as localhost, 127.0.0.1 or [::1]."""
    if public_url is not None:
        parts = urllib.parse.urlsplit(public_url)
        return frozenset({f"{parts.scheme}://{parts.netloc}".lower()})
    names = {host.lower()}
    if is_loopback(host):
        names |= {"localhost", "127.0.0.1", "[::1]"}
    return frozenset(f"http://{name}:{port}" for name in names)


def session_command() -> str:
    """The command each session runs: this Python's deskapp, naming nobody (the database
    comes from DESKAPP_DATABASE_URL, which `deskapp serve` sets for its sessions)."""
    return shlex.join([sys.executable, "-m", "deskapp"])


class DeskServer(Server):
    """textual-serve's server, refusing WebSockets from other origins and sessions beyond the
    limit (textual-serve itself starts a process for any WebSocket that reaches it)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        public_url: str | None,
        max_sessions: int,
    ) -> None:
        super().__init__(
            session_command(), host=host, port=port, title="deskapp", public_url=public_url
        )
        self.origins = allowed_origins(host, port, public_url)
        """Where a session's WebSocket may come from."""
        self.max_sessions = max_sessions
        """How many sessions (processes) may run at once."""
        self.sessions = 0
        """How many run now."""

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Start a session for a WebSocket from the page's own origin, within the limit."""
        origin = request.headers.get("Origin", "").lower()
        if origin not in self.origins:
            raise web.HTTPForbidden(text="This desk opens only from its own page.")
        if self.sessions >= self.max_sessions:
            raise web.HTTPServiceUnavailable(
                text=f"The desk runs {self.max_sessions} sessions already; try again later."
            )
        self.sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1
