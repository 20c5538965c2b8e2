"""The Peewee models of the whole domain, one module per area."""

from deskapp.models.base import BaseModel, Versioned
from deskapp.models.billing import (
    CreditEntry,
    CreditKind,
    Cycle,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
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
from deskapp.models.clients import Client, ClientStatus, Contact
from deskapp.models.feed import AuditEntry, ChangeEvent, OutboxMail, Presence
from deskapp.models.staff import Role, Staff
from deskapp.models.tickets import (
    Attachment,
    CannedReply,
    Department,
    Estimate,
    EstimateStatus,
    Message,
    MessageKind,
    Priority,
    Subscriber,
    Ticket,
    TicketStatus,
    TimeEntry,
)

ALL_MODELS = [
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
"""Every table, parents before children (the order tables are created in)."""

__all__ = [model.__name__ for model in ALL_MODELS] + [
    "ALL_MODELS",
    "BaseModel",
    "ClientStatus",
    "CreditKind",
    "Cycle",
    "EstimateStatus",
    "InvoiceStatus",
    "MessageKind",
    "OrderStatus",
    "PaymentStatus",
    "Priority",
    "ProductType",
    "Role",
    "ServiceStatus",
    "TicketStatus",
    "Versioned",
]
