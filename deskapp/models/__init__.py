"""The Peewee models of the whole domain, one module per area.

Clients, staff, the feed and the number counters load with the package; billing and tickets
load when one of their names is first asked for (`from deskapp.models import Ticket` works as
ever): the first screen needs neither, and they cost start-up about 4 ms.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from deskapp.models.base import BaseModel, Versioned
from deskapp.models.clients import Client, ClientStatus, Contact
from deskapp.models.feed import AuditEntry, ChangeEvent, Presence
from deskapp.models.numbers import NumberSequence
from deskapp.models.staff import Role, Staff

if TYPE_CHECKING:
    from deskapp.models.billing import (
        CreditEntry,
        CreditKind,
        Cycle,
        Invoice,
        InvoiceLine,
        InvoiceStatus,
        Order,
        OrderItem,
        OrderStatus,
        PaymentStatus,
        PaymentTransaction,
        Product,
        ProductPrice,
        ProductType,
        Service,
        ServiceStatus,
    )
    from deskapp.models.tickets import (
        Attachment,
        CannedReply,
        Department,
        Estimate,
        EstimateStatus,
        Message,
        MessageKind,
        OutboxMail,
        Priority,
        Subscriber,
        Ticket,
        TicketStatus,
        TimeEntry,
    )

_LOADED_WHEN_ASKED = {
    "CreditEntry": "billing",
    "CreditKind": "billing",
    "Cycle": "billing",
    "Invoice": "billing",
    "InvoiceLine": "billing",
    "InvoiceStatus": "billing",
    "Order": "billing",
    "OrderItem": "billing",
    "OrderStatus": "billing",
    "PaymentStatus": "billing",
    "PaymentTransaction": "billing",
    "Product": "billing",
    "ProductPrice": "billing",
    "ProductType": "billing",
    "Service": "billing",
    "ServiceStatus": "billing",
    "Attachment": "tickets",
    "CannedReply": "tickets",
    "Department": "tickets",
    "Estimate": "tickets",
    "EstimateStatus": "tickets",
    "Message": "tickets",
    "MessageKind": "tickets",
    "OutboxMail": "tickets",
    "Priority": "tickets",
    "Subscriber": "tickets",
    "Ticket": "tickets",
    "TicketStatus": "tickets",
    "TimeEntry": "tickets",
}
"""The names of the areas loaded on first use, and their module."""


def __getattr__(name: str) -> Any:
    if name == "ALL_MODELS":
        return _all_models()
    area = _LOADED_WHEN_ASKED.get(name)
    if area is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"deskapp.models.{area}"), name)
    globals()[name] = value
    return value


def _all_models() -> list[type[BaseModel]]:
    """Every table, parents before children (the order tables are created in)."""
    from deskapp.models.billing import (
        CreditEntry,
        Invoice,
        InvoiceLine,
        Order,
        OrderItem,
        PaymentTransaction,
        Product,
        ProductPrice,
        Service,
    )
    from deskapp.models.tickets import (
        Attachment,
        CannedReply,
        Department,
        Estimate,
        Message,
        OutboxMail,
        Subscriber,
        Ticket,
        TimeEntry,
    )

    return [
        Staff,
        Client,
        Contact,
        Product,
        ProductPrice,
        Order,
        OrderItem,
        Service,
        Invoice,
        InvoiceLine,
        PaymentTransaction,
        CreditEntry,
        NumberSequence,
        Department,
        Ticket,
        Message,
        Attachment,
        Subscriber,
        Estimate,
        TimeEntry,
        CannedReply,
        AuditEntry,
        ChangeEvent,
        Presence,
        OutboxMail,
    ]


__all__ = [
    "ALL_MODELS",
    "Attachment",
    "AuditEntry",
    "BaseModel",
    "CannedReply",
    "ChangeEvent",
    "Client",
    "ClientStatus",
    "Contact",
    "CreditEntry",
    "CreditKind",
    "Cycle",
    "Department",
    "Estimate",
    "EstimateStatus",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "Message",
    "MessageKind",
    "NumberSequence",
    "Order",
    "OrderItem",
    "OrderStatus",
    "OutboxMail",
    "PaymentStatus",
    "PaymentTransaction",
    "Presence",
    "Priority",
    "Product",
    "ProductPrice",
    "ProductType",
    "Role",
    "Service",
    "ServiceStatus",
    "Staff",
    "Subscriber",
    "Ticket",
    "TicketStatus",
    "TimeEntry",
    "Versioned",
]
