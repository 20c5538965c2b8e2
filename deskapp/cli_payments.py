"""`deskapp payments sync|webhook`: card payments brought up to date from cron, and Stripe's
events received over HTTP.

Like deskapp.cli, this module imports only the standard library at the top: the parser is
built on every run, the database layer and stripe only when a payments command runs. Keys come
from the keyring or the environment (deskapp.secrets) and are never printed.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from deskapp.errors import ConfigError
from deskapp.text import is_number

if TYPE_CHECKING:
    import argparse
    from http.server import HTTPServer

MAX_BODY_BYTES = 512 * 1024
"""The largest webhook request read; Stripe's events are far smaller."""
REQUEST_TIMEOUT_SECONDS = 10
"""How long the webhook waits for a slow client before dropping the connection."""
WEBHOOK_PATH = "/"
"""Where Stripe posts its events (any path is accepted; this is the one shown)."""


def add_payments_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `payments sync|webhook` to `commands`, the `deskapp` parser's subparsers (argparse's
    action for them has no public type); `database` is the parent giving --db."""
    payments = commands.add_parser("payments", help="card payments: sync and Stripe's webhook")
    verbs = payments.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp payments"
    )
    sync = verbs.add_parser(
        "sync", parents=[database], help="bring pending card payments up to date (for cron)"
    )
    sync.add_argument(
        "--limit", metavar="N", type=int, default=500, help="check at most N orders (500)"
    )
    sync.set_defaults(run=_sync)
    webhook = verbs.add_parser(
        "webhook", parents=[database], help="receive Stripe's events over HTTP"
    )
    webhook.add_argument(
        "--listen",
        metavar="HOST:PORT",
        type=_address,
        required=True,
        help="where to listen, e.g. 127.0.0.1:8421 (behind your HTTPS proxy)",
    )
    webhook.set_defaults(run=_webhook)


def _address(text: str) -> tuple[str, int]:
    import argparse

    host, _, port = text.strip().rpartition(":")
    if not host or not is_number(port) or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"“{text[:40]}” is not HOST:PORT like 127.0.0.1:8421")
    return host.strip("[]"), int(port)


def _open(settings: Any) -> None:
    from deskapp import migrations
    from deskapp.cli import open_configured

    open_configured(settings)
    migrations.ensure_current()


def _sync(args: argparse.Namespace) -> int:
    from deskapp.cli import _settings
    from deskapp.services.audit import as_job
    from deskapp.services.order_card import (
        card_payments_available,
        payment_gateway,
        sync_pending_payments,
    )

    settings = _settings(args)
    available, why = card_payments_available(settings)
    if not available:
        raise ConfigError(why)
    _open(settings)
    with as_job("payments sync"):
        result = sync_pending_payments(payment_gateway(settings), limit=max(args.limit, 1))
    print(result.message)
    return 1 if result.problems else 0


def _webhook(args: argparse.Namespace) -> int:
    from deskapp.cli import _settings
    from deskapp.secrets import lookup_secret
    from deskapp.services.audit import as_job
    from deskapp.services.stripe_events import NO_SECRET

    secret, _ = lookup_secret("stripe-webhook-secret")
    if not secret:
        raise ConfigError(NO_SECRET)
    _open(_settings(args))
    host, port = args.listen
    try:
        server = webhook_server(host, port, secret)
    except OSError as error:
        raise ConfigError(f"Cannot listen on {host}:{port}: {error.strerror or error}.") from None
    bound_port = server.server_address[1]
    print(
        f"Listening on http://{host}:{bound_port}{WEBHOOK_PATH} for Stripe's events; Ctrl+C stops.",
        flush=True,
    )
    try:
        with as_job("payments webhook"):  # one thread serves every request: it sees the job
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def webhook_server(host: str, port: int, secret: str) -> HTTPServer:
    """An HTTP server (one request at a time, so one database connection) applying each
    signed event it is sent: 200 when applied or already applied, 400 for a bad signature or a
    request that is not an event, 413 for a body over MAX_BODY_BYTES, 405 for anything but
    POST, 500 (Stripe tries again later) when the desk could not apply it."""
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from deskapp.errors import DeskError
    from deskapp.payments.gateway import WebhookRefused
    from deskapp.services.stripe_events import handle_webhook

    class StripeEvents(BaseHTTPRequestHandler):
        timeout = REQUEST_TIMEOUT_SECONDS
        server_version = "deskapp"
        sys_version = ""

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = self.headers.get("Content-Length", "")
            if not is_number(length):
                self._answer(411, "A Content-Length is required.")
                return
            if int(length) > MAX_BODY_BYTES:
                self._answer(413, f"The body is over {MAX_BODY_BYTES} bytes.")
                self.close_connection = True
                return
            payload = self.rfile.read(int(length))
            signature = self.headers.get("Stripe-Signature", "")
            try:
                outcome = handle_webhook(payload, signature, secret)
            except WebhookRefused as refused:
                self._answer(400, str(refused))
                return
            except DeskError as error:
                self._answer(500, str(error))
                return
            except Exception as error:  # noqa: BLE001 - one bad event must not stop the server
                self._answer(500, f"The event could not be applied ({type(error).__name__}).")
                return
            self._answer(200, outcome)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._answer(405, "Stripe's events are POSTed here.")

        do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET  # noqa: N815

        def _answer(self, status: int, text: str) -> None:
            body = (" ".join(text.split()) + "\n").encode()
            self.send_response(status)
            if status == 405:
                self.send_header("Allow", "POST")
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            print(f"{status} {' '.join(text.split())[:300]}", flush=True)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - its signature
            """Each answer is printed by _answer; http.server's own access log is not wanted."""

        def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - its signature
            print(f"webhook: {format % args}", file=sys.stderr, flush=True)

    return HTTPServer((host, port), StripeEvents)
