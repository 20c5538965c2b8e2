"""localstripe for the tests: its own aiohttp app, served on 127.0.0.1 from a thread, state in
the test's directory; test cards attached to a client's Stripe customer.

localstripe's command listens on every interface and keeps its state in /tmp/localstripe.pickle,
shared by whoever runs it. Here its `server.app` is served by an AppRunner on a free loopback
port. localstripe keeps its objects in one module-level store (per process, so per xdist
worker); each test starts from an empty store whose file is under the test's tmp_path.

aiohttp binds an Application to the first event loop that serves it, so one loop thread per
process serves every test's site in turn.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import threading
import urllib.parse
import urllib.request
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

with warnings.catch_warnings():
    # localstripe registers plain functions as handlers, which aiohttp warns about on import.
    warnings.simplefilter("ignore", DeprecationWarning)
    from localstripe import resources, server, webhooks

TEST_SECRET_KEY = "sk_test_deskapp_localstripe"
"""The secret key the tests use (localstripe takes any sk_... key)."""

CARD_SUCCEEDS = "4242424242424242"
"""Charges succeed."""
CARD_DECLINED = "4000000000000341"
"""Attaches, but every charge is declined (a CardError, "Your card was declined.")."""
CARD_NEEDS_AUTHENTICATION = "4000002500003155"
"""Every payment asks the customer to authenticate (requires_action) until they do."""

START_TIMEOUT_SECONDS = 10.0
"""How long starting or stopping the server may take before the test fails."""
REQUEST_TIMEOUT_SECONDS = 10.0
"""How long a helper's request to localstripe may take."""


class _StoreInFile(resources.Store):
    """localstripe's store, kept in `state_file` instead of the fixed /tmp file."""

    state_file: Path | None = None
    """Where the store is written after each change; None while no test runs."""

    def try_load_from_disk(self) -> None:
        """Every test starts from an empty store: nothing is loaded."""

    def dump_to_disk(self) -> None:
        if self.state_file is not None:
            with self.state_file.open("wb") as file:
                pickle.dump(dict(self), file, protocol=pickle.HIGHEST_PROTOCOL)


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _event_loop() -> asyncio.AbstractEventLoop:
    """The process's one loop serving localstripe, started on first use in a daemon thread."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="localstripe", daemon=True).start()
        return _loop


def _in_loop(coroutine: Any) -> Any:
    return asyncio.run_coroutine_threadsafe(coroutine, _event_loop()).result(START_TIMEOUT_SECONDS)


async def _start(state_file: Path, sock: socket.socket) -> web.AppRunner:
    resources.store.__class__ = _StoreInFile
    _StoreInFile.state_file = state_file
    resources.store.clear()
    webhooks._webhooks.clear()  # webhook targets of an earlier test must not be called
    runner = web.AppRunner(server.app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return runner


async def _stop(runner: web.AppRunner) -> None:
    await runner.cleanup()
    current = asyncio.current_task()
    # localstripe schedules webhook deliveries as tasks; none outlives its test.
    for task in asyncio.all_tasks():
        if task is not current:
            task.cancel()
    resources.store.clear()
    _StoreInFile.state_file = None


@contextmanager
def serve_localstripe(state_dir: Path) -> Iterator[str]:
    """Serve localstripe on a free 127.0.0.1 port, state in `state_dir`; yields the api base."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    runner = _in_loop(_start(state_dir / "localstripe.pickle", sock))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _in_loop(_stop(runner))
        sock.close()


def stripe_client(api_base: str | None = None) -> Any:
    """A StripeClient for the test's localstripe (api base from DESKAPP_STRIPE_API_BASE)."""
    import stripe

    base = api_base or os.environ["DESKAPP_STRIPE_API_BASE"]
    return stripe.StripeClient(
        TEST_SECRET_KEY,
        base_addresses={"api": base},
        http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT_SECONDS),
        max_network_retries=0,
    )


def client_customer(client_id: uuid.UUID, api_base: str | None = None) -> str:
    """The client's Stripe customer id, creating the customer (and keeping its id) if needed."""
    from deskapp.models import Client

    client = Client.get_by_id(client_id)
    if client.stripe_customer_id:
        return str(client.stripe_customer_id)
    customer = stripe_client(api_base).v1.customers.create(
        {"name": f"{client.first_name} {client.last_name}", "metadata": {"client": str(client.id)}}
    )
    Client.update(stripe_customer_id=customer.id).where(Client.id == client_id).execute()
    return str(customer.id)


def attach_card(customer_id: str, number: str = CARD_SUCCEEDS, api_base: str | None = None) -> str:
    """Attach a test card to a Stripe customer as its default payment method; returns its id."""
    stripe = stripe_client(api_base)
    method = stripe.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    stripe.v1.payment_methods.attach(method.id, {"customer": customer_id})
    stripe.v1.customers.update(
        customer_id, {"invoice_settings": {"default_payment_method": method.id}}
    )
    return str(method.id)


def attach_test_card(
    client_id: uuid.UUID, number: str = CARD_SUCCEEDS, api_base: str | None = None
) -> str:
    """Give a client a card on file with Stripe (its customer made if needed); the card's id."""
    return attach_card(client_customer(client_id, api_base), number, api_base)


def authenticate_payment(
    intent_id: str, *, success: bool = True, api_base: str | None = None
) -> str:
    """What the customer does for a requires_action payment: authenticate (or fail to).

    localstripe's own endpoint for what Stripe.js does in the customer's browser. Returns the
    intent's status afterwards ("succeeded" for an authenticated card that charges).
    """
    intent = stripe_client(api_base).v1.payment_intents.retrieve(intent_id)
    base = api_base or os.environ["DESKAPP_STRIPE_API_BASE"]
    request = urllib.request.Request(
        f"{base}/v1/payment_intents/{intent_id}/_authenticate",
        data=urllib.parse.urlencode(
            {"client_secret": intent.client_secret, "success": "true" if success else "false"}
        ).encode(),
        headers={"Authorization": f"Bearer {TEST_SECRET_KEY}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS):
        pass
    return str(stripe_client(api_base).v1.payment_intents.retrieve(intent_id).status)


def payment_intents(api_base: str | None = None) -> list[Any]:
    """Every PaymentIntent localstripe holds (a test's store starts empty)."""
    return list(stripe_client(api_base).v1.payment_intents.list({"limit": 100}).data)


def closed_port_base() -> str:
    """An api base on 127.0.0.1 where nothing listens: Stripe unreachable, refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe sends with `payload`: t=TIME,v1=HMAC-SHA256 of
    "TIME.PAYLOAD" under the webhook secret."""
    import hashlib
    import hmac
    import time

    when = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{when}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={when},v1={mac}"


def stripe_event(event_id: str, kind: str, obj: Any) -> bytes:
    """A Stripe event's JSON body about `obj` (a StripeObject or a dict)."""
    import json

    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    event = {"id": event_id, "object": "event", "type": kind, "data": {"object": data}}
    return json.dumps(event).encode()


_SKIPPED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@contextmanager
def losing_once(api_base: str, path_suffix: str, *, forward: bool) -> Iterator[str]:
    """A proxy on 127.0.0.1 in front of localstripe that loses the first request whose path ends
    with `path_suffix`: with `forward` Stripe acts on it and its answer never comes back (a
    timeout after the charge; answers refusing the request pass), without it the request never
    reaches Stripe. Every other request passes. Yields the proxy's api base; the client's own
    timeout ends the wait."""
    import aiohttp

    released = asyncio.Event()
    lost: list[str] = []

    async def relay(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _SKIPPED_HEADERS}
        matches = not lost and request.path.endswith(path_suffix)
        status, text = 0, b""
        if forward or not matches:
            timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.request(
                    request.method, f"{api_base}{request.path_qs}", data=body, headers=headers
                ) as answer:
                    status, text = answer.status, await answer.read()
        # Forwarded, only an answer Stripe acted on (2xx) is lost: a refusal changed nothing.
        if matches and (not forward or status < 300):
            lost.append(request.path)
            await released.wait()
            raise web.HTTPServiceUnavailable()
        return web.Response(status=status, body=text, content_type="application/json")

    async def start(sock: socket.socket) -> web.AppRunner:
        proxy = web.Application()
        proxy.router.add_route("*", "/{tail:.*}", relay)
        runner = web.AppRunner(proxy, access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        return runner

    async def stop(runner: web.AppRunner) -> None:
        released.set()
        await runner.cleanup()

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    runner = _in_loop(start(sock))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        _in_loop(stop(runner))
        sock.close()
