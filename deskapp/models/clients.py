"""Clients and their contacts."""

from __future__ import annotations

import uuid
from enum import StrEnum

import peewee

from deskapp.models.base import Versioned, money_field


class ClientStatus(StrEnum):
    """Active: can log in, has services. Inactive: can log in, no active services.
    Closed: no active services, cannot log in, no new orders or tickets."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    CLOSED = "Closed"


class Client(Versioned):
    """A customer of the business: a person or a company."""

    number = peewee.BigIntegerField(unique=True)
    status = peewee.CharField(max_length=16, default=ClientStatus.ACTIVE, index=True)
    first_name = peewee.CharField(max_length=100)
    last_name = peewee.CharField(max_length=100)
    company = peewee.CharField(max_length=200, default="")
    email = peewee.CharField(max_length=254, index=True)
    phone = peewee.CharField(max_length=40, default="")
    address1 = peewee.CharField(max_length=200, default="")
    address2 = peewee.CharField(max_length=200, default="")
    city = peewee.CharField(max_length=100, default="")
    region = peewee.CharField(max_length=100, default="")
    postcode = peewee.CharField(max_length=20, default="")
    country = peewee.CharField(max_length=2, default="")
    credit_cents = money_field()
    support_minutes = peewee.IntegerField(default=0)
    """Prepaid support left; bought = left + the time logged on the client's tickets."""
    stripe_customer_id = peewee.CharField(max_length=64, default="")
    notes = peewee.TextField(default="")

    class Meta:
        indexes = ((("last_name", "first_name"), False),)


class Contact(Versioned):
    """A person at a client who receives mail in the categories they subscribe to."""

    client = peewee.ForeignKeyField(Client, backref="contacts", on_delete="CASCADE")
    client_id: uuid.UUID
    first_name = peewee.CharField(max_length=100)
    last_name = peewee.CharField(max_length=100)
    email = peewee.CharField(max_length=254, index=True)
    phone = peewee.CharField(max_length=40, default="")
    position = peewee.CharField(max_length=100, default="")
    address = peewee.TextField(default="")
    mail_general = peewee.BooleanField(default=True)
    mail_invoice = peewee.BooleanField(default=False)
    mail_support = peewee.BooleanField(default=True)
    mail_product = peewee.BooleanField(default=False)
    mail_domain = peewee.BooleanField(default=False)
    is_billing = peewee.BooleanField(default=False)

    class Meta:
        indexes = ((("client", "email"), True),)
