"""The Peewee models of the whole domain, one module per area.

Clients, staff, the feed and the number counters load with the package; billing and tickets
load when one of their names is first asked for (`from deskapp.models import Ticket` works as
ever): the first screen needs neither, and they cost start-up about 4 ms.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from deskapp.models.base import BaseModel, Versioned, dict_rows, tuple_rows
from deskapp.models.clients import Client, ClientStatus, Contact
from deskapp.models.feed import AuditEntry, ChangeEvent, Entity, Presence
from deskapp.models.numbers import NumberSequence
from deskapp.models.settings import DeskSetting
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
        PaymentEvent,
        PaymentMethod,
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
        OutboxStatus,
        Priority,
        Subscriber,
        Ticket,
        TicketStatus,
        TimeEntry,
    )
    from deskapp.models.triage import UnassignedFile, UnassignedMail

_BILLING = (
    "CreditEntry",
    "CreditKind",
    "Cycle",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "Order",
    "OrderItem",
    "OrderStatus",
    "PaymentEvent",
    "PaymentMethod",
    "PaymentStatus",
    "PaymentTransaction",
    "Product",
    "ProductPrice",
    "ProductType",
    "Service",
    "ServiceStatus",
)
_TICKETS = (
    "Attachment",
    "CannedReply",
    "Department",
    "Estimate",
    "EstimateStatus",
    "Message",
    "MessageKind",
    "OutboxMail",
    "OutboxStatus",
    "Priority",
    "Subscriber",
    "Ticket",
    "TicketStatus",
    "TimeEntry",
)
_TRIAGE = ("UnassignedFile", "UnassignedMail")
_LOADED_WHEN_ASKED = (
    {name: "billing" for name in _BILLING}
    | {name: "tickets" for name in _TICKETS}
    | {name: "triage" for name in _TRIAGE}
)
"""The names of the areas loaded on first use, and their module."""

_TABLES = (
    "Staff",
    "Client",
    "Contact",
    "Product",
    "ProductPrice",
    "Order",
    "OrderItem",
    "Service",
    "Invoice",
    "InvoiceLine",
    "PaymentTransaction",
    "CreditEntry",
    "NumberSequence",
    "Department",
    "Ticket",
    "Message",
    "Attachment",
    "Subscriber",
    "Estimate",
    "TimeEntry",
    "CannedReply",
    "AuditEntry",
    "ChangeEvent",
    "Presence",
    "OutboxMail",
    "UnassignedMail",
    "UnassignedFile",
)
"""Every table's model, parents before children (the order tables are created in)."""


def __getattr__(name: str) -> Any:
    if name == "ALL_MODELS":
        return [_model(table) for table in _TABLES]
    area = _LOADED_WHEN_ASKED.get(name)
    if area is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"deskapp.models.{area}"), name)
    globals()[name] = value
    return value


def _model(name: str) -> type[BaseModel]:
    return globals().get(name) or __getattr__(name)


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
    "DeskSetting",
    "Entity",
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
    "OutboxStatus",
    "PaymentEvent",
    "PaymentMethod",
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
    "UnassignedFile",
    "UnassignedMail",
    "Versioned",
    "dict_rows",
    "tuple_rows",
]
