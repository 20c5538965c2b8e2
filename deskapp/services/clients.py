"""Clients: the list, the profile, adding and editing, and the status that decides what a
client may still do. Lookup is in client_search, merge and delete in client_merge."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deskapp import clock
from deskapp.db import feed
from deskapp.errors import Conflict, NotFound
from deskapp.ids import format_number, parse_number, uuid7
from deskapp.models import Client, ClientStatus, Entity
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.conflicts import changed_meanwhile
from deskapp.services.numbers import next_number
from deskapp.services.rights import Right, acting
from deskapp.text import one_line
from deskapp.wording import counted

if TYPE_CHECKING:
    from deskapp.services.client_form import ClientForm
    from deskapp.services.client_profile import ClientProfile

__all__ = [
    "STATUSES",
    "ClientForm",
    "ClientProfile",
    "ClientSummary",
    "change_status",
    "client_summary",
    "create_client",
    "ensure_client_open",
    "find_client_by_number",
    "get_client",
    "list_clients",
    "update_client",
]


def __getattr__(name: str) -> Any:
    """ClientProfile lives in client_profile and ClientForm in client_form, each imported on
    first use: the client list (the first screen) needs neither, and they cost start-up some
    6 ms."""
    if name == "ClientProfile":
        from deskapp.services.client_profile import ClientProfile

        return ClientProfile
    if name == "ClientForm":
        from deskapp.services.client_form import ClientForm

        return ClientForm
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_client(client_id: uuid.UUID) -> ClientProfile:
    """The client's profile (see deskapp.services.client_profile.get_client)."""
    from deskapp.services.client_profile import get_client as profile

    return profile(client_id)


@dataclass(frozen=True)
class ClientSummary:
    """One row of the client list."""

    id: uuid.UUID
    """The client's key."""
    number: int
    """The client number; shown as C-1042 (see `label`)."""
    name: str
    """First and last name."""
    company: str
    """The company, or empty for a private person."""
    email: str
    """The client's own email."""
    status: str
    """Active, Inactive or Closed."""
    credit_cents: int
    """The cached credit balance."""

    @property
    def label(self) -> str:
        """The client number as people say it: C-1042."""
        return format_number("client", self.number)


STATUSES = tuple(status.value for status in ClientStatus)
"""The statuses a list can be filtered by (None means all)."""


def client_summary(row: Client) -> ClientSummary:
    """The list row for a client row."""
    return ClientSummary(
        id=row.id,
        number=row.number,
        name=f"{row.first_name} {row.last_name}".strip(),
        company=row.company,
        email=row.email,
        status=row.status,
        credit_cents=row.credit_cents,
    )


def list_clients(
    status: str | None = None, after: ClientSummary | None = None, limit: int = 100
) -> list[ClientSummary]:
    """A page of clients in number order, after the client `after` (keyset paging)."""
    query = Client.select(
        Client.id,
        Client.number,
        Client.first_name,
        Client.last_name,
        Client.company,
        Client.email,
        Client.status,
        Client.credit_cents,
    )
    if status:
        query = query.where(Client.status == status)
    if after is not None:
        query = query.where(Client.number > after.number)
    return [client_summary(row) for row in query.order_by(Client.number).limit(limit)]


def find_client_by_number(number: int | str) -> ClientSummary | None:
    """The client with this number ("C-1042", "1042" or 1042), or None."""
    value = number if isinstance(number, int) else parse_number("client", number)
    if value is None:
        return None
    row = Client.get_or_none(Client.number == value)
    return client_summary(row) if row is not None else None


OPEN_SERVICE_STATUSES = ("Active", "Pending", "Suspended")
"""Services that stop a client from being closed until they are cancelled (ServiceStatus's
values: the billing models load only when a client is closed)."""


def _client_row(client_id: uuid.UUID) -> Client:
    row = Client.get_or_none(Client.id == client_id)
    if row is None:
        raise NotFound("That client no longer exists; it may have been merged or deleted.")
    return row


def create_client(
    actor: Actor, fields: ClientForm | Mapping[str, Any], queue_welcome: bool = False
) -> ClientProfile:
    """Add a client (status Active) with the next client number; optionally queue a welcome
    mail to its email. ValidationError names the field at fault."""
    from deskapp.services.client_form import validated

    values = validated(fields, None)
    with acting(actor, Right.EDIT_CLIENTS) as actor:
        number = next_number("client")
        row = Client.create(number=number, status=ClientStatus.ACTIVE, **values)
        if queue_welcome:
            _queue_welcome(row)
        audit.record(
            actor,
            "client.create",
            "client",
            row.id,
            f"{format_number('client', number)} added",
            after={**values, "number": number, "welcome_mail": queue_welcome},
        )
        feed.publish(Entity.CLIENT, row.id, "created")
    return get_client(row.id)


def _queue_welcome(row: Client) -> None:
    from deskapp.models import OutboxMail, OutboxStatus

    label = format_number("client", row.number)
    OutboxMail.create(
        to_address=row.email,
        subject=f"Welcome, {one_line(row.first_name, 80)} — your client number is {label}",
        body=(
            f"Hello {one_line(row.first_name, 80)},\n\n"
            f"welcome aboard. Your client number is {label}; please quote it whenever you "
            "contact us.\n"
        ),
        message_id=f"<welcome-{row.id.hex}-{uuid7().hex}@deskapp>",
        status=OutboxStatus.QUEUED,
    )


def update_client(
    actor: Actor, client_id: uuid.UUID, version: int, fields: ClientForm | Mapping[str, Any]
) -> ClientProfile:
    """Change the profile read at `version`; Conflict if someone changed it since."""
    from deskapp.services.client_form import validated

    with acting(actor, Right.EDIT_CLIENTS) as actor:
        current = _client_row(client_id)
        values = validated(fields, current)
        before = {name: getattr(current, name) for name in values}
        _update_versioned(current, version, values)
        audit.record(
            actor,
            "client.update",
            "client",
            client_id,
            f"{format_number('client', current.number)} edited",
            before,
            values,
        )
        feed.publish(Entity.CLIENT, client_id, "updated")
    return get_client(client_id)


def _update_versioned(current: Client, version: int, values: dict[str, Any]) -> None:
    changed = (
        Client.update(**values, version=Client.version + 1, updated_at=clock.now())
        .where(Client.id == current.id, Client.version == version)
        .execute()
    )
    if not changed:
        raise changed_meanwhile(
            Client,
            current.id,
            entity="client",
            label=format_number("client", current.number),
            fields=values,
        )


def change_status(
    actor: Actor,
    client_id: uuid.UUID,
    version: int,
    status: str,
    cancel_services: bool = False,
) -> ClientProfile:
    """Set Active, Inactive or Closed. Closing a client whose services are active, pending or
    suspended is refused unless `cancel_services`, which cancels them in the same transaction."""
    from deskapp.models import Service, ServiceStatus

    status = validation.choice("status", status, "Status", STATUSES)
    right = Right.CLOSE_CLIENT if status == ClientStatus.CLOSED else Right.EDIT_CLIENTS
    with acting(actor, right) as actor:
        current = _client_row(client_id)
        label = format_number("client", current.number)
        cancelled: list[uuid.UUID] = []
        if status == ClientStatus.CLOSED and current.status != ClientStatus.CLOSED:
            open_services = Service.select(Service.id).where(
                Service.client == client_id, Service.status.in_(OPEN_SERVICE_STATUSES)
            )
            cancelled = [service.id for service in open_services]
            if cancelled and not cancel_services:
                one = len(cancelled) == 1
                are, them = ("is", "it") if one else ("are", "them")
                raise Conflict(
                    f"{label} has {_services_phrase(len(cancelled))} that {are} active, pending "
                    f"or suspended; cancel {them} first, or close the client and cancel {them} "
                    "together."
                )
            if cancelled:
                Service.update(
                    status=ServiceStatus.CANCELLED,
                    version=Service.version + 1,
                    updated_at=clock.now(),
                ).where(Service.id.in_(cancelled)).execute()
        _update_versioned(current, version, {"status": status})
        audit.record(
            actor,
            "client.status",
            "client",
            client_id,
            f"{label}: {current.status} → {status}",
            {"status": current.status},
            {"status": status, "cancelled_services": [str(key) for key in cancelled]},
        )
        for key in cancelled:
            feed.publish(Entity.SERVICE, key, "updated")
        feed.publish(Entity.CLIENT, client_id, "updated")
    return get_client(client_id)


def _services_phrase(count: int) -> str:
    return counted(count, "service")


def ensure_client_open(client_id: uuid.UUID) -> Client:
    """The client's row, unless it is gone (NotFound) or Closed (Conflict): the one rule for
    Closed clients. A Closed client has ended its business with the desk, so it gets no new
    tickets or orders until staff set it Active again. Opening a ticket and placing an order
    call this inside their own transaction."""
    row = Client.get_or_none(Client.id == client_id)
    if row is None:
        raise NotFound("That client no longer exists; it may have been merged or deleted.")
    if row.status == ClientStatus.CLOSED:
        raise Conflict(
            f"{format_number('client', row.number)} is Closed: no new tickets or orders. "
            "Set it to Active first if it should have one."
        )
    return row
