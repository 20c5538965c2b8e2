"""Shared by the mail tests: a real aiosmtpd server on 127.0.0.1 that records what it receives
(or refuses some recipients, or stalls), and a small desk with a client, a contact, departments
and a ticket."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from deskapp.mail import MailSettings
from deskapp.models import Department, OutboxMail, Staff, Ticket
from deskapp.services.actors import Actor, actor_from
from deskapp.services.clients import ClientForm, create_client
from deskapp.services.contacts import ContactForm, add_contact
from deskapp.services.numbers import next_number

SENDER = "Example Support <support@example.net>"


@dataclass
class Received:
    """One mail as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    """Accepts everything, except: recipients whose local part is "later" get 451, "gone" get
    550. With `stall_at` = N, the N-th accepted mail is recorded and then not answered until
    `release` is set (a sender waiting for that answer can be killed)."""

    received: list[Received] = field(default_factory=list)
    rcpt_attempts: list[str] = field(default_factory=list)
    stall_at: int | None = None
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201
        self.rcpt_attempts.append(address)
        local = address.partition("@")[0].lower()
        if local == "later":
            return "451 4.7.1 Greylisted, try again later"
        if local == "gone":
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.stall_at is not None and len(self.received) == self.stall_at:
            deadline = time.monotonic() + 30
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"only {len(self.received)} of {count} arrived"
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(handler: object, **options: object) -> Iterator[Controller]:
    """A real SMTP server on 127.0.0.1 (a free port) for the duration."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller
    finally:
        if isinstance(handler, RecordingHandler):
            handler.release.set()
        controller.stop()


def mail_to(port: int, **changes: object) -> MailSettings:
    """Settings for the test server: no TLS, no login, a short timeout."""
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "user": None,
        "from_address": SENDER,
        "timeout": 5.0,
    }
    values.update(changes)
    return MailSettings(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SmallDesk:
    agent: Actor
    client_id: uuid.UUID
    client_number: int
    client_email: str
    contact_id: uuid.UUID
    contact_email: str
    support_id: uuid.UUID
    billing_id: uuid.UUID
    ticket_id: uuid.UUID
    ticket_number: int


def small_desk() -> SmallDesk:
    """An agent, client C-… (mina@example.net) with contact ola@okafor.example, departments
    Support (support@example.net) and Billing (billing@example.net), and one open ticket."""
    agent = actor_from(
        Staff.create(username="ana", name="Ana Agent", role="agent", signature="Ana\nSupport")
    )
    client = create_client(
        agent, ClientForm("Mina", "Okafor", "mina@example.net", company="Okafor Hosting")
    )
    contact = add_contact(agent, client.id, ContactForm("Ola", "Okafor", "ola@okafor.example"))
    support = Department.create(name="Support", email="support@example.net", sort_order=1)
    billing = Department.create(
        name="Billing",
        email="billing@example.net",
        sort_order=2,
        extra_fields='[{"name": "invoice_number", "label": "Invoice number", "required": true}]',
    )
    number = next_number("ticket")
    ticket = Ticket.create(
        number=number,
        client=client.id,
        contact=contact.id,
        department=support.id,
        subject="Mail bounces since Monday",
    )
    return SmallDesk(
        agent=agent,
        client_id=client.id,
        client_number=client.number,
        client_email="mina@example.net",
        contact_id=contact.id,
        contact_email="ola@okafor.example",
        support_id=support.id,
        billing_id=billing.id,
        ticket_id=ticket.id,
        ticket_number=number,
    )


def queue_mail(
    to_address: str, *, ticket_id: uuid.UUID | None = None, subject: str = "Hello", n: int = 0
) -> OutboxMail:
    """One queued outbox row, as a reply would leave it."""
    return OutboxMail.create(
        ticket=ticket_id,
        to_address=to_address,
        subject=subject,
        body=f"Body of mail {n}\n\n-- \nAna\n",
        message_id=f"<{uuid.uuid4().hex}.{n}@deskapp>",
    )
