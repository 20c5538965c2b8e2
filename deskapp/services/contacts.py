"""The contacts of a client: who receives which mail, and who invoices are addressed to.

An email appears once per client (whatever its case). One contact may be the billing contact;
invoices are addressed to it, and to the client's own profile when there is none.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed
from deskapp.db.transaction import write_transaction
from deskapp.errors import NotFound, ValidationError
from deskapp.models import Client, Contact, Entity
from deskapp.services import audit, validation
from deskapp.services.actors import Actor
from deskapp.services.conflicts import changed_meanwhile
from deskapp.services.rights import Right, acting

MAIL_CATEGORIES = {
    "mail_general": "General",
    "mail_invoice": "Invoice",
    "mail_support": "Support",
    "mail_product": "Product",
    "mail_domain": "Domain",
}
"""The five email categories a contact subscribes to, by field."""

CONTACTS_LIMIT = 200
"""The most contacts a list returns; a client with more is a data problem, not a use case."""


@dataclass(frozen=True)
class ContactForm:
    """What the contact form edits."""

    first_name: str
    """Required."""
    last_name: str
    """Required."""
    email: str
    """Required; unique within the client, whatever its case."""
    phone: str = ""
    """Optional."""
    position: str = ""
    """Optional job title."""
    address: str = ""
    """Optional, multi-line."""
    mail_general: bool = True
    """Receives general mail."""
    mail_invoice: bool = False
    """Receives invoices."""
    mail_support: bool = True
    """Receives ticket replies."""
    mail_product: bool = False
    """Receives product news."""
    mail_domain: bool = False
    """Receives domain notices."""
    is_billing: bool = False
    """Make this the billing contact (the previous one stops being it)."""


FORM_FIELDS = {field.name for field in dataclasses.fields(ContactForm)}


@dataclass(frozen=True)
class ContactDetails:
    """A contact as lists and forms show it."""

    id: uuid.UUID
    """The contact's key."""
    client_id: uuid.UUID
    """The client it belongs to."""
    version: int
    """Pass back to update_contact."""
    first_name: str
    """First name (untrusted text)."""
    last_name: str
    """Last name."""
    email: str
    """Email."""
    phone: str
    """Phone, may be empty."""
    position: str
    """Job title, may be empty."""
    address: str
    """Postal address, may be several lines."""
    mail_general: bool
    """Subscribed to General mail."""
    mail_invoice: bool
    """Subscribed to Invoice mail."""
    mail_support: bool
    """Subscribed to Support mail."""
    mail_product: bool
    """Subscribed to Product mail."""
    mail_domain: bool
    """Subscribed to Domain mail."""
    is_billing: bool
    """Invoices are addressed to this contact."""

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def categories(self) -> tuple[str, ...]:
        """The names of the categories subscribed to, in the usual order."""
        return tuple(label for field, label in MAIL_CATEGORIES.items() if getattr(self, field))


@dataclass(frozen=True)
class BillTo:
    """Who an invoice is addressed to: the billing contact, else the client's own profile."""

    name: str
    """The addressee: the person's name."""
    email: str
    """Where the invoice is mailed."""
    address: str
    """The postal address, one line per row, the company's name (if any) first."""
    contact_id: uuid.UUID | None
    """The billing contact, or None when the profile is used."""


def _details(row: Contact) -> ContactDetails:
    return ContactDetails(
        id=row.id,
        client_id=row.client_id,
        version=row.version,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        phone=row.phone,
        position=row.position,
        address=row.address,
        mail_general=row.mail_general,
        mail_invoice=row.mail_invoice,
        mail_support=row.mail_support,
        mail_product=row.mail_product,
        mail_domain=row.mail_domain,
        is_billing=row.is_billing,
    )


def list_contacts(client_id: uuid.UUID) -> list[ContactDetails]:
    """The client's contacts, the billing contact first, then by name."""
    rows = (
        Contact.select()
        .where(Contact.client == client_id)
        .order_by(Contact.is_billing.desc(), Contact.last_name, Contact.first_name, Contact.id)
        .limit(CONTACTS_LIMIT)
    )
    return [_details(row) for row in rows]


def get_contact(contact_id: uuid.UUID) -> ContactDetails:
    """One contact, or NotFound."""
    return _details(_contact_row(contact_id))


def _contact_row(contact_id: uuid.UUID) -> Contact:
    row = Contact.get_or_none(Contact.id == contact_id)
    if row is None:
        raise NotFound("That contact no longer exists; someone may have deleted it.")
    return row


def _validated(fields: ContactForm | Mapping[str, Any], current: Contact | None) -> dict[str, Any]:
    """The form's values checked and ready to store; a mapping may leave out unchanged fields."""
    if isinstance(fields, ContactForm):
        given: dict[str, Any] = dataclasses.asdict(fields)
    elif isinstance(fields, Mapping):
        given = dict(fields)
        validation.unknown_fields(given, FORM_FIELDS)
        defaults = ContactForm("", "", "")
        for name in FORM_FIELDS - given.keys():
            given[name] = getattr(current, name) if current is not None else getattr(defaults, name)
    else:
        raise TypeError("fields must be a ContactForm or a mapping of field names")
    values = {
        "first_name": validation.text(
            "first_name", given["first_name"], "First name", limit=100, required=True
        ),
        "last_name": validation.text(
            "last_name", given["last_name"], "Last name", limit=100, required=True
        ),
        "email": validation.email("email", given["email"]),
        "phone": validation.phone("phone", given["phone"]),
        "position": validation.text("position", given["position"], "Position", limit=100),
        "address": validation.text(
            "address", given["address"], "Address", limit=1000, multiline=True
        ),
        "is_billing": validation.flag("is_billing", given["is_billing"], "Billing contact"),
    }
    for field, label in MAIL_CATEGORIES.items():
        values[field] = validation.flag(field, given[field], f"{label} mail")
    return values


def _check_email_free(client_id: uuid.UUID, email: str, except_id: uuid.UUID | None) -> None:
    query = Contact.select(Contact.id).where(
        Contact.client == client_id, peewee.fn.lower(Contact.email) == peewee.fn.lower(email)
    )
    if except_id is not None:
        query = query.where(Contact.id != except_id)
    if query.exists():
        raise _taken(email)


def _clear_billing(client_id: uuid.UUID, except_id: uuid.UUID) -> None:
    Contact.update(is_billing=False, version=Contact.version + 1, updated_at=clock.now()).where(
        Contact.client == client_id,
        Contact.is_billing == True,  # noqa: E712 (a peewee expression, not a truth test)
        Contact.id != except_id,
    ).execute()


def add_contact(
    actor: Actor, client_id: uuid.UUID, fields: ContactForm | Mapping[str, Any]
) -> ContactDetails:
    """Add a contact to a client; ValidationError names the field at fault."""
    values = _validated(fields, None)
    with acting(actor, Right.EDIT_CLIENTS) as actor:
        if not Client.select().where(Client.id == client_id).exists():
            raise NotFound("That client no longer exists; it may have been merged or deleted.")
        _check_email_free(client_id, values["email"], None)
        try:
            with write_transaction():
                row = Contact.create(client=client_id, **values)
        except peewee.IntegrityError:
            raise _taken(values["email"]) from None
        if row.is_billing:
            _clear_billing(client_id, row.id)
        audit.record(actor, "contact.create", "contact", row.id, _summary(row), after=values)
        feed.publish(Entity.CONTACT, row.id, "created")
        feed.publish(Entity.CLIENT, client_id, "updated")
    return _details(row)


def update_contact(
    actor: Actor, contact_id: uuid.UUID, version: int, fields: ContactForm | Mapping[str, Any]
) -> ContactDetails:
    """Change a contact read at `version`; Conflict if someone changed it since."""
    with acting(actor, Right.EDIT_CLIENTS) as actor:
        current = _contact_row(contact_id)
        values = _validated(fields, current)
        if current.is_billing and not values["is_billing"]:
            raise ValidationError("is_billing", _billing_message(current))
        _check_email_free(current.client_id, values["email"], contact_id)
        before = {name: getattr(current, name) for name in values}
        try:
            with write_transaction():
                changed = (
                    Contact.update(**values, version=Contact.version + 1, updated_at=clock.now())
                    .where(Contact.id == contact_id, Contact.version == version)
                    .execute()
                )
        except peewee.IntegrityError:
            raise _taken(values["email"]) from None
        if not changed:
            raise changed_meanwhile(
                Contact,
                contact_id,
                entity="contact",
                label=f"{current.first_name} {current.last_name}",
                fields=values,
            )
        if values["is_billing"]:
            _clear_billing(current.client_id, contact_id)
        row = _contact_row(contact_id)
        audit.record(actor, "contact.update", "contact", contact_id, _summary(row), before, values)
        feed.publish(Entity.CONTACT, contact_id, "updated")
        feed.publish(Entity.CLIENT, current.client_id, "updated")
    return _details(row)


def delete_contact(actor: Actor, contact_id: uuid.UUID) -> None:
    """Delete a contact; the billing contact is refused until another is chosen."""
    with acting(actor, Right.EDIT_CLIENTS) as actor:
        row = _contact_row(contact_id)
        if row.is_billing:
            raise ValidationError("is_billing", _billing_message(row))
        before = _details(row)
        Contact.delete().where(Contact.id == contact_id).execute()
        audit.record(
            actor,
            "contact.delete",
            "contact",
            contact_id,
            _summary(row),
            before=dataclasses.asdict(before),
        )
        feed.publish(Entity.CONTACT, contact_id, "deleted")
        feed.publish(Entity.CLIENT, row.client_id, "updated")


def set_billing_contact(actor: Actor, contact_id: uuid.UUID) -> ContactDetails:
    """Make this contact the one invoices are addressed to from now on."""
    with acting(actor, Right.EDIT_CLIENTS) as actor:
        row = _contact_row(contact_id)
        if not row.is_billing:
            _clear_billing(row.client_id, contact_id)
            Contact.update(
                is_billing=True, version=Contact.version + 1, updated_at=clock.now()
            ).where(Contact.id == contact_id).execute()
            audit.record(actor, "contact.billing", "contact", contact_id, _summary(row))
            feed.publish(Entity.CONTACT, contact_id, "updated")
            feed.publish(Entity.CLIENT, row.client_id, "updated")
        row = _contact_row(contact_id)
    return _details(row)


def bill_to(client_id: uuid.UUID) -> BillTo:
    """Who the client's next invoice is addressed to, as issuing it snapshots it on the invoice:
    the billing contact's name and email (else the client's own), and the postal address under
    the company's name (the contact's address, else the client's)."""
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise NotFound("That client no longer exists; it may have been merged or deleted.")
    contact = (
        Contact.select()
        .where((Contact.client == client_id) & (Contact.is_billing == True))  # noqa: E712
        .order_by(Contact.created_at, Contact.id)
        .first()
    )
    town = " ".join(part for part in (client.postcode, client.city) if part)
    address = [client.address1, client.address2, town, client.region, client.country]
    if contact is not None:
        person, email = f"{contact.first_name} {contact.last_name}", contact.email
        address = contact.address.strip().splitlines() or address
    else:
        person, email = f"{client.first_name} {client.last_name}", client.email
    lines = (line.strip() for line in (client.company, *address))
    return BillTo(
        person.strip()[:300],
        email,
        "\n".join(line for line in lines if line),
        contact.id if contact is not None else None,
    )


def _summary(row: Contact) -> str:
    return f"{row.first_name} {row.last_name} <{row.email}>"


def _billing_message(row: Contact) -> str:
    return (
        f"{row.first_name} {row.last_name} is the billing contact; "
        "choose another billing contact first."
    )


def _taken(email: str) -> ValidationError:
    return ValidationError("email", f"Another contact of this client already uses {email}.")
