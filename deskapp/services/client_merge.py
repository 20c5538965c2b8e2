"""Merging two clients into one, and deleting a client: the admin's destructive actions.

Merge moves everything of the discarded client to the kept one, whose profile survives:
- contacts move; a contact whose email (any case) the kept client already has is folded into
  that contact (its tickets, messages and subscriptions follow) instead of being duplicated;
- when the discarded client's own email is not yet known to the kept client, its person
  becomes a contact of the kept client, so the address is not lost;
- services, orders, invoices, payments and tickets move as they are;
- credit: the discarded ledger moves with everything else and is never deleted. Its balance
  leaves it by one "Merge transfer" entry (so the moved entries, still marked with the
  discarded client's number, add up to zero) and arrives on the kept client by another; the
  kept balance stays the sum of all its entries, and credit applied to a moved invoice still
  explains its amount due;
- prepaid support minutes add up.
Delete removes everything of a client except its money history: payment transactions (income)
and ledger entries stay, detached from the client (no key, nothing to reach the person by) with
only the client's name kept on them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.errors import NotFound, ValidationError
from deskapp.ids import format_number, parse_number
from deskapp.models import (
    Client,
    Contact,
    CreditEntry,
    CreditKind,
    Entity,
    Invoice,
    Message,
    Order,
    OutboxMail,
    PaymentTransaction,
    Service,
    Subscriber,
    Ticket,
)
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import append_entry
from deskapp.services.client_profile import ClientProfile, get_client
from deskapp.services.clients import ClientSummary, client_summary
from deskapp.services.rights import Right, acting

AUDIT_LEDGER_LIMIT = 1000
"""How many of the discarded client's ledger entries the merge's audit entry keeps verbatim."""


@dataclass(frozen=True)
class MergePreview:
    """What a merge will move, shown before the admin confirms."""

    keep: ClientSummary
    """The client whose profile survives."""
    discard: ClientSummary
    """The client that is merged away."""
    contacts: int
    """Contacts of the discarded client."""
    duplicate_contacts: int
    """Of those, how many the kept client already has (same email): they are folded in."""
    profile_becomes_contact: bool
    """Whether the discarded client's own person is added as a contact of the kept client."""
    services: int
    """Services that move."""
    orders: int
    """Orders that move."""
    invoices: int
    """Invoices that move."""
    payments: int
    """Payment transactions that move."""
    tickets: int
    """Tickets that move."""
    credit_cents: int
    """The discarded client's credit balance, transferred by one ledger entry."""
    support_minutes: int
    """Prepaid support minutes that move."""


def _client(client_id: uuid.UUID, *, lock: bool = False) -> Client:
    query = Client.select().where(Client.id == client_id)
    if lock and is_postgres():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound("That client no longer exists; it may have been merged or deleted.")
    return row


def _counts(client_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each kind belong to the client."""
    return {
        "contacts": Contact.select().where(Contact.client == client_id).count(),
        "services": Service.select().where(Service.client == client_id).count(),
        "orders": Order.select().where(Order.client == client_id).count(),
        "invoices": Invoice.select().where(Invoice.client == client_id).count(),
        "payments": PaymentTransaction.select()
        .where(PaymentTransaction.client == client_id)
        .count(),
        "tickets": Ticket.select().where(Ticket.client == client_id).count(),
        "credit_entries": CreditEntry.select().where(CreditEntry.client == client_id).count(),
    }


def _emails(client_id: uuid.UUID) -> dict[str, Contact]:
    """The client's contacts by lower-cased email."""
    return {row.email.lower(): row for row in Contact.select().where(Contact.client == client_id)}


def _pair(keep_id: uuid.UUID, discard_id: uuid.UUID, *, lock: bool) -> tuple[Client, Client]:
    if keep_id == discard_id:
        raise ValidationError("discard", "Pick two different clients to merge.")
    # Lock in key order so two merges of the same pair cannot deadlock.
    first, second = sorted((keep_id, discard_id))
    rows = {first: _client(first, lock=lock), second: _client(second, lock=lock)}
    return rows[keep_id], rows[discard_id]


def merge_preview(keep_id: uuid.UUID, discard_id: uuid.UUID) -> MergePreview:
    """What merging `discard_id` into `keep_id` would move."""
    keep, discard = _pair(keep_id, discard_id, lock=False)
    counts = _counts(discard_id)
    kept_emails = _emails(keep_id)
    discarded = Contact.select(Contact.email).where(Contact.client == discard_id)
    duplicates = sum(1 for row in discarded if row.email.lower() in kept_emails)
    return MergePreview(
        keep=client_summary(keep),
        discard=client_summary(discard),
        contacts=counts["contacts"],
        duplicate_contacts=duplicates,
        profile_becomes_contact=_profile_is_new(keep, discard, kept_emails),
        services=counts["services"],
        orders=counts["orders"],
        invoices=counts["invoices"],
        payments=counts["payments"],
        tickets=counts["tickets"],
        credit_cents=discard.credit_cents,
        support_minutes=discard.support_minutes,
    )


def _profile_is_new(keep: Client, discard: Client, kept_emails: dict[str, Contact]) -> bool:
    address = discard.email.lower()
    return address != keep.email.lower() and address not in kept_emails


def merge_clients(actor: Actor, keep_id: uuid.UUID, discard_id: uuid.UUID) -> ClientProfile:
    """Move everything of `discard_id` to `keep_id`, then delete it; one transaction, admin only."""
    with acting(actor, Right.MERGE_CLIENTS) as actor:
        keep, discard = _pair(keep_id, discard_id, lock=True)
        keep_label = format_number("client", keep.number)
        discard_label = format_number("client", discard.number)
        before = {"kept": _counts(keep_id), "discarded": _counts(discard_id)}
        discard_profile = {f: getattr(discard, f) for f in Client._meta.fields if f != "id"}
        ledger = _ledger(discard_id)
        kept_emails = _emails(keep_id)
        profile_is_new = _profile_is_new(keep, discard, kept_emails)
        folded = _move_contacts(keep_id, discard_id, kept_emails)
        if profile_is_new:
            _profile_contact(keep_id, discard)
        now = clock.now()
        for model in (Service, Order, Invoice, Ticket):
            model.update(client=keep_id, version=model.version + 1, updated_at=now).where(
                model.client == discard_id
            ).execute()
        PaymentTransaction.update(client=keep_id).where(
            PaymentTransaction.client == discard_id
        ).execute()
        _move_ledger(actor, keep, discard)
        Client.update(
            support_minutes=keep.support_minutes + discard.support_minutes,
            version=Client.version + 1,
            updated_at=now,
        ).where(Client.id == keep_id).execute()
        Client.delete().where(Client.id == discard_id).execute()
        audit.record(
            actor,
            "client.merge",
            "client",
            keep_id,
            f"{discard_label} merged into {keep_label}",
            before={**before, "discarded_profile": discard_profile, "discarded_ledger": ledger},
            after={
                "kept": _counts(keep_id),
                "folded_contacts": folded,
                "profile_became_contact": profile_is_new,
            },
        )
        feed.publish(Entity.CLIENT, keep_id, "updated")
        feed.publish(Entity.CLIENT, discard_id, "deleted")
    return get_client(keep_id)


def _move_ledger(actor: Actor, keep: Client, discard: Client) -> None:
    """Move the discarded ledger to the kept client, its balance by a pair of transfers."""
    keep_label = format_number("client", keep.number)
    discard_label = format_number("client", discard.number)
    amount = discard.credit_cents
    moved = CreditEntry.select().where(CreditEntry.client == discard.id).count()
    if amount:
        append_entry(
            actor,
            discard,
            CreditKind.MERGE,
            -amount,
            f"Credit moved to {keep_label} when {discard_label} was merged into it.",
        )
    CreditEntry.update(client=keep.id).where(CreditEntry.client == discard.id).execute()
    if moved or amount:
        append_entry(
            actor,
            keep,
            CreditKind.MERGE,
            amount,
            f"Credit of {discard_label} moved here when it was merged into "
            f"{keep_label} ({moved} ledger entries).",
        )


def _ledger(client_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = (
        CreditEntry.select()
        .where(CreditEntry.client == client_id)
        .order_by(CreditEntry.created_at, CreditEntry.id)
        .limit(AUDIT_LEDGER_LIMIT)
    )
    fields = ("id", "created_at", "kind", "amount_cents", "balance_after_cents", "description")
    return [{name: getattr(row, name) for name in fields} for row in rows]


def _move_contacts(
    keep_id: uuid.UUID, discard_id: uuid.UUID, kept_emails: dict[str, Contact]
) -> int:
    """Move the discarded client's contacts; fold those whose email the kept client has.
    Returns how many were folded."""
    keep_has_billing = any(row.is_billing for row in kept_emails.values())
    folded = 0
    now = clock.now()
    for row in Contact.select().where(Contact.client == discard_id):
        twin = kept_emails.get(row.email.lower())
        if twin is None:
            Contact.update(
                client=keep_id,
                is_billing=row.is_billing and not keep_has_billing,
                version=Contact.version + 1,
                updated_at=now,
            ).where(Contact.id == row.id).execute()
            kept_emails[row.email.lower()] = row
            continue
        folded += 1
        Ticket.update(contact=twin.id).where(Ticket.contact == row.id).execute()
        Message.update(contact=twin.id).where(Message.contact == row.id).execute()
        already = Subscriber.select(Subscriber.ticket).where(Subscriber.contact == twin.id)
        Subscriber.delete().where(
            Subscriber.contact == row.id, Subscriber.ticket.in_(already)
        ).execute()
        Subscriber.update(contact=twin.id).where(Subscriber.contact == row.id).execute()
        if row.is_billing and not keep_has_billing:
            Contact.update(is_billing=True, version=Contact.version + 1, updated_at=now).where(
                Contact.id == twin.id
            ).execute()
        Contact.delete().where(Contact.id == row.id).execute()
    return folded


def _profile_contact(keep_id: uuid.UUID, discard: Client) -> None:
    town = " ".join(part for part in (discard.postcode, discard.city) if part)
    lines = (discard.address1, discard.address2, town, discard.region, discard.country)
    Contact.create(
        client=keep_id,
        first_name=discard.first_name,
        last_name=discard.last_name,
        email=discard.email,
        phone=discard.phone,
        position=discard.company[:100],
        address="\n".join(line for line in lines if line),
    )


def delete_client(actor: Actor, client_id: uuid.UUID, typed_number: str) -> None:
    """Delete a client and everything of it but its payment transactions and ledger entries,
    which stay detached with the client's name. `typed_number` must be the client's number
    (C-1042 or 1042). Admin only."""
    with acting(actor, Right.DELETE_CLIENT) as actor:
        row = _client(client_id, lock=True)
        label = format_number("client", row.number)
        typed = typed_number if isinstance(typed_number, str) else ""
        if parse_number("client", typed) != row.number:
            raise ValidationError(
                "typed_number", f"Type {label} exactly to confirm deleting this client."
            )
        name = row.company or f"{row.first_name} {row.last_name}".strip()
        counts = _counts(client_id)
        PaymentTransaction.update(client_name=name[:300]).where(
            PaymentTransaction.client == client_id, PaymentTransaction.client_name == ""
        ).execute()
        PaymentTransaction.update(client=None).where(
            PaymentTransaction.client == client_id
        ).execute()
        CreditEntry.update(client=None, client_name=name[:300]).where(
            CreditEntry.client == client_id
        ).execute()
        tickets = Ticket.select(Ticket.id).where(Ticket.client == client_id)
        prefix = f"<welcome-{row.id.hex}-"
        welcome = peewee.fn.substr(OutboxMail.message_id, 1, len(prefix)) == prefix
        OutboxMail.delete().where(OutboxMail.ticket.in_(tickets) | welcome).execute()
        # Contacts, services, orders, invoices and tickets go by ON DELETE CASCADE.
        Client.delete().where(Client.id == client_id).execute()
        profile = {f: getattr(row, f) for f in Client._meta.fields if f != "id"}
        audit.record(
            actor,
            "client.delete",
            "client",
            client_id,
            f"{label} deleted",
            before={**profile, **counts},
        )
        feed.publish(Entity.CLIENT, client_id, "deleted")


__all__ = ["MergePreview", "delete_client", "merge_clients", "merge_preview"]
