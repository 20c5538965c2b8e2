"""Who may do what: the one table of rights (DESIGN.md, "Staff and rights"), and its check.

A service checks a right with `acting(actor, right)`, which opens the action's transaction and
reads the person's role and `active` from the database inside it: a person demoted or disabled a
moment ago has lost the right at once, whatever role the caller's `Actor` still carries. A
refusal raises `Refused` and is audited in a transaction of its own, written after the refused
action's transaction has rolled back, so the rollback cannot take the audit entry with it.

Screens ask the same table through `allows` and `why_not` (no query: the role the session
signed in with), so what a screen dims is exactly what the service refuses.

The command-line jobs act as a named system actor (`system_actor("billing run")`): not a
person (no staff row), never anonymous in the audit, and with only the rights its jobs need.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from enum import StrEnum

from deskapp.db import db, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import PermissionDenied, ValidationError
from deskapp.models import Role, Staff
from deskapp.money import Money
from deskapp.services import audit
from deskapp.services.actors import SYSTEM_ROLE, Actor, actor_from
from deskapp.services.bookkeeping import cents
from deskapp.services.desk_settings import credit_limit_cents, store_credit_limit


class Right(StrEnum):
    """One thing a person may or may not do; the value ends "Only an admin can …"."""

    WORK_TICKETS = "work tickets"
    EDIT_CLIENTS = "add or edit clients and contacts"
    ADD_CREDIT = "add credit"
    RECORD_PAYMENT = "record a manual payment"
    ADJUST_CREDIT = "adjust credit"
    CREDIT_NOTE = "give a credit note"
    REFUND = "refund money"
    CANCEL_INVOICE = "cancel an invoice"
    REVERSE_ENTRY = "reverse a credit entry"
    CLOSE_CLIENT = "close a client"
    MERGE_CLIENTS = "merge clients"
    DELETE_CLIENT = "delete clients"
    DECIDE_ORDERS = "approve or reject an order"
    MANAGE_CATALOGUE = "change the product catalogue"
    MANAGE_STAFF = "manage staff"
    MANAGE_SETTINGS = "change the desk's settings"
    RESEND_MAIL = "send a mail of the outbox again"
    DISCARD_MAIL = "discard a mail of the outbox"


EVERYONE = frozenset({Role.AGENT.value, Role.ADMIN.value})
ADMINS = frozenset({Role.ADMIN.value})

RIGHTS: Mapping[Right, frozenset[str]] = {
    Right.WORK_TICKETS: EVERYONE | {SYSTEM_ROLE},
    Right.EDIT_CLIENTS: EVERYONE,
    Right.ADD_CREDIT: EVERYONE,
    Right.RECORD_PAYMENT: EVERYONE | {SYSTEM_ROLE},
    Right.ADJUST_CREDIT: ADMINS,
    Right.CREDIT_NOTE: ADMINS,
    Right.REFUND: ADMINS,
    Right.CANCEL_INVOICE: ADMINS,
    Right.REVERSE_ENTRY: ADMINS,
    Right.CLOSE_CLIENT: ADMINS,
    Right.MERGE_CLIENTS: ADMINS,
    Right.DELETE_CLIENT: ADMINS,
    Right.DECIDE_ORDERS: ADMINS,
    Right.MANAGE_CATALOGUE: ADMINS,
    Right.MANAGE_STAFF: ADMINS,
    Right.MANAGE_SETTINGS: ADMINS,
    Right.RESEND_MAIL: EVERYONE,
    Right.DISCARD_MAIL: ADMINS,
}
"""Which roles hold each right. Agents add credit only up to the desk's limit per entry.

The outbox: anyone may send a waiting or failed mail again (a reply of theirs, say); discarding
one means the client never gets it (a reply, an invoice), so it is an admin's, like the other
destructive actions."""

LIMITED = frozenset({Right.ADD_CREDIT})
"""Rights an agent holds only up to the desk's credit limit per entry."""


class Refused(PermissionDenied):
    """A right the person does not hold; carries what the refusal audit entry records."""

    def __init__(self, actor: Actor, right: Right, message: str) -> None:
        super().__init__(message)
        self.actor = actor
        self.right = right
        self.audited = False


def system_actor(job: str) -> Actor:
    """The named actor of a command-line job ("billing run"): the audit shows "system: <job>".

    Jobs run inside `audit.as_job(job)` too, so what they do with no actor passed down (a
    mail filed as the client's own) is audited under the same name."""
    with audit.as_job(job):
        name = audit.system_name()
    return Actor(None, f"system:{job.replace(' ', '-')}", name, SYSTEM_ROLE)


def allows(actor: Actor | None, right: Right) -> bool:
    """Whether the table gives `actor`'s role `right` (screens dim what this refuses)."""
    return actor is not None and actor.role in RIGHTS[right]


def why_not(actor: Actor | None, right: Right) -> str:
    """The sentence a screen shows next to something it dims; empty when allowed."""
    if allows(actor, right):
        return ""
    if actor is not None and actor.role == SYSTEM_ROLE:
        return f"A command-line job cannot {right.value}."
    return f"Only an admin can {right.value}; ask an admin to do it."


def require(actor: Actor | None, right: Right, *, amount_cents: int | None = None) -> Actor:
    """The acting person as the database knows them now, if they hold `right`; else Refused.

    Call it inside the action's transaction (or use `acting`). For Right.ADD_CREDIT an agent's
    `amount_cents` must not exceed the desk's credit limit per entry.
    """
    if actor is None:
        raise Refused(_anonymous(), right, f"Nobody is signed in; sign in to {right.value}.")
    current = _current(actor)
    if current is None:
        raise Refused(
            actor,
            right,
            f"{actor.name} can no longer use this desk (disabled or removed); ask an admin.",
        )
    if current.role not in RIGHTS[right]:
        raise Refused(current, right, why_not(current, right))
    if right in LIMITED and current.role != Role.ADMIN and amount_cents is not None:
        limit = credit_limit_cents()
        if amount_cents > limit:
            raise Refused(
                current,
                right,
                f"Agents add at most {Money(limit)} credit per entry; "
                f"ask an admin to add {Money(amount_cents)}.",
            )
    return current


@contextmanager
def acting(
    actor: Actor | None, right: Right, *, amount_cents: int | None = None
) -> Iterator[Actor]:
    """The action's transaction, opened with the right checked inside it (see `require`).

    A refusal rolls the transaction back and is then audited in a transaction of its own;
    nested inside another transaction it is left to the outermost `acting` to audit.
    """
    try:
        with write_transaction():
            yield require(actor, right, amount_cents=amount_cents)
    except Refused as refusal:
        if not refusal.audited and not db.in_transaction():
            audit_refusal(refusal)
        raise


def acting_or_client(actor: Actor | None, right: Right) -> AbstractContextManager[object]:
    """`acting` for a person or a job; for None, the client acting on their own (a mail that
    opens a ticket, an order they placed): the action's transaction, with no right to check."""
    return write_transaction() if actor is None else acting(actor, right)


def check(actor: Actor | None, right: Right, *, amount_cents: int | None = None) -> Actor:
    """`require` in a short transaction of its own, for an action that cannot run in one (a
    gateway call made before its result is recorded)."""
    with acting(actor, right, amount_cents=amount_cents) as person:
        return person


def audit_refusal(refusal: Refused) -> None:
    """Write the refusal's audit entry in its own transaction (outside any other)."""
    with write_transaction():
        audit.record(
            refusal.actor,
            "right.refused",
            "staff",
            refusal.actor.id or refusal.actor.username,
            str(refusal),
            after={"right": refusal.right.name, "role": refusal.actor.role},
        )
    refusal.audited = True


def set_agent_credit_limit(actor: Actor, amount: Money | int | str) -> Money:
    """Change the most credit an agent may add in one entry (admins only); returns it."""
    value = cents(amount)
    if value < 0:
        raise ValidationError("amount", "The limit cannot be below 0.00.")
    with acting(actor, Right.MANAGE_SETTINGS) as person:
        before = credit_limit_cents()
        store_credit_limit(value)
        audit.record(
            person,
            "settings.credit_limit",
            "desk_setting",
            "agent_credit_limit",
            f"Agent credit limit per entry: {Money(before)} → {Money(value)}",
            {"cents": before},
            {"cents": value},
        )
    return Money(value)


def _current(actor: Actor) -> Actor | None:
    """The actor with role and name read now; None for a disabled or unknown person."""
    if actor.role == SYSTEM_ROLE and actor.id is None:
        return actor
    query = Staff.select().where((Staff.id == actor.id) & (Staff.active == True))  # noqa: E712
    # FOR SHARE: a demotion or disabling waits for this action to end, never slips in mid-way.
    row = (query.for_update("FOR SHARE") if is_postgres() else query).first()  # type: ignore[arg-type]
    return None if row is None else actor_from(row)


def _anonymous() -> Actor:
    return Actor(None, "", "nobody signed in", "")
