"""`deskapp client add`, `deskapp contact add`: a desk's clients from scripts and on day one.

Both act as the global `--staff` member (or DESKAPP_STAFF), signed in as the desk itself does,
and validate exactly as the client and contact forms do (the same services). Like deskapp.cli,
this module imports only the standard library at the top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deskapp.cli_staff import signed_in_session
from deskapp.errors import DeskError

if TYPE_CHECKING:
    import argparse

CATEGORIES = ("general", "invoice", "support", "product", "domain")
"""The five mail categories a contact may tick, as `--mail` names them."""


def add_client_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `client add` and `contact add` to `commands`, the `deskapp` parser's subparsers;
    `database` is the parent giving --db."""
    client = commands.add_parser("client", help="add a client")
    client_verbs = client.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp client"
    )
    add = client_verbs.add_parser("add", parents=[database], help="add a client (status Active)")
    _person(add)
    add.add_argument("--company", default="", help="the company; empty for a private person")
    add.add_argument("--phone", default="")
    add.add_argument("--address", default="", help="street address")
    add.add_argument("--city", default="")
    add.add_argument("--postcode", default="")
    add.add_argument("--country", default="", help="ISO 3166 code: GB, DE, SE …")
    add.add_argument(
        "--welcome", action="store_true", help="queue the welcome mail to the client's email"
    )
    add.set_defaults(run=_add_client)

    contact = commands.add_parser("contact", help="add a contact to a client")
    contact_verbs = contact.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp contact"
    )
    add_contact = contact_verbs.add_parser(
        "add", parents=[database], help="add a contact to a client"
    )
    add_contact.add_argument("client", metavar="CLIENT", help="the client's number: C-1042")
    _person(add_contact)
    add_contact.add_argument("--phone", default="")
    add_contact.add_argument("--position", default="", help="job title")
    add_contact.add_argument(
        "--mail",
        default="general,support",
        metavar="CATEGORIES",
        help=f"the mail categories it receives, comma-separated: {','.join(CATEGORIES)} "
        "(default general,support)",
    )
    add_contact.add_argument(
        "--billing", action="store_true", help="make it the client's billing contact"
    )
    add_contact.set_defaults(run=_add_contact)


def _person(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--first-name", required=True)
    parser.add_argument("--last-name", required=True)
    parser.add_argument("--email", required=True)


def _add_client(args: argparse.Namespace) -> int:
    from deskapp.services.client_form import ClientForm
    from deskapp.services.clients import create_client
    from deskapp.text import one_line

    session, _ = signed_in_session(args)
    form = ClientForm(
        first_name=args.first_name,
        last_name=args.last_name,
        email=args.email,
        company=args.company,
        phone=args.phone,
        address1=args.address,
        city=args.city,
        postcode=args.postcode,
        country=args.country,
    )
    added = create_client(session.actor, form, queue_welcome=args.welcome)
    welcome = "; the welcome mail is queued" if args.welcome else ""
    who = f"{added.company} ({added.name})" if added.company else added.name
    print(one_line(f"Added {added.label} {who} <{added.email}>{welcome}.", 400))
    return 0


def _add_contact(args: argparse.Namespace) -> int:
    from deskapp.services.clients import find_client_by_number
    from deskapp.services.contacts import ContactForm, add_contact
    from deskapp.text import one_line

    wanted = {part.strip().lower() for part in args.mail.split(",") if part.strip()}
    unknown = sorted(wanted - set(CATEGORIES))
    if unknown:
        raise DeskError(
            f"“{one_line(unknown[0], 30)}” is not a mail category; use {', '.join(CATEGORIES)}."
        )
    session, _ = signed_in_session(args)
    client = find_client_by_number(args.client)
    if client is None:
        raise DeskError(f"There is no client {one_line(args.client, 30)}.")
    form = ContactForm(
        first_name=args.first_name,
        last_name=args.last_name,
        email=args.email,
        phone=args.phone,
        position=args.position,
        mail_general="general" in wanted,
        mail_invoice="invoice" in wanted,
        mail_support="support" in wanted,
        mail_product="product" in wanted,
        mail_domain="domain" in wanted,
        is_billing=args.billing,
    )
    added = add_contact(session.actor, client.id, form)
    ticks = ", ".join(sorted(wanted, key=CATEGORIES.index)) or "no mail"
    billing = ", the billing contact" if args.billing else ""
    print(
        one_line(
            f"Added {added.first_name} {added.last_name} <{added.email}> to {client.label} "
            f"({ticks}{billing}).",
            400,
        )
    )
    return 0
