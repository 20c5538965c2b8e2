"""`deskapp order place|list|approve|reject`: orders from scripts and a future client portal.

Every command acts as the global `--staff` member (or DESKAPP_STAFF), signed in as the desk
itself does. Like deskapp.cli, this module imports only the standard library at the top; the
database layer and the payment gateway load inside the command that needs them.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from deskapp.cli_staff import signed_in_session
from deskapp.errors import DeskError

if TYPE_CHECKING:
    import argparse

    from deskapp.config import Settings
    from deskapp.payments.gateway import StripeGateway
    from deskapp.services.orders import OrderSummary

PAGE = 500
"""Orders read per page by `order list`."""


def add_order_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `order place|list|approve|reject` to `commands`, the `deskapp` parser's subparsers
    (argparse's action for them has no public type); `database` is the parent giving --db."""
    order = commands.add_parser("order", help="place, list, approve or reject orders")
    verbs = order.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp order"
    )
    place = verbs.add_parser(
        "place", parents=[database], help="place an order for a client (a ticket is opened)"
    )
    place.add_argument("client", metavar="CLIENT", help="the client's number: C-1042")
    place.add_argument(
        "items", metavar="PRODUCT[:CYCLE][xQTY]", nargs="+", help="FIBRE-1G:Annually, VOIP-LINEx2"
    )
    how = place.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--request", action="store_true", help="send it for an admin's approval, paid by invoice"
    )
    how.add_argument(
        "--pay",
        choices=("card", "manual"),
        help="pay now: by the card Stripe holds for the client, or by a manual method",
    )
    place.add_argument(
        "--method", metavar="M", default="", help="Bank transfer, Cash or Cheque (--pay manual)"
    )
    place.add_argument(
        "--reference", metavar="R", default="", help="the payment's reference (--pay manual)"
    )
    place.set_defaults(run=_place)

    listing = verbs.add_parser("list", parents=[database], help="every order, newest first")
    listing.add_argument(
        "--pending", action="store_true", help="only those waiting for an admin, oldest first"
    )
    listing.set_defaults(run=_list)

    approve = verbs.add_parser(
        "approve", parents=[database], help="approve a pending order (admins)"
    )
    approve.add_argument("order", metavar="ORDER", help="the order's number: O-5531")
    approve.add_argument(
        "--start",
        metavar="YYYY-MM-DD",
        type=_date,
        default=None,
        help="the services' start date (default: today, or the payment date for a paid order)",
    )
    approve.set_defaults(run=_approve)

    reject = verbs.add_parser("reject", parents=[database], help="reject a pending order (admins)")
    reject.add_argument("order", metavar="ORDER", help="the order's number: O-5531")
    reject.add_argument("--reason", metavar="TEXT", required=True, help="why (the client is told)")
    reject.add_argument(
        "--refund",
        choices=("card", "credit"),
        default=None,
        help="for a paid order: back to the card, or to the client's credit",
    )
    reject.set_defaults(run=_reject)


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text[:20]}” is not a date like 2026-03-14") from None


def _place(args: argparse.Namespace) -> int:
    """Place the order; with --pay card, charge it at once. Exit 0 only when the order is placed
    and, for a card, paid: a declined or waiting card exits 1 (the order stays, to retry)."""
    from deskapp.models import PaymentMethod
    from deskapp.money import Money
    from deskapp.services.clients import find_client_by_number
    from deskapp.services.order_place import parse_cart_item, place_order
    from deskapp.services.orders import get_order
    from deskapp.text import one_line

    lines = [parse_cart_item(item) for item in args.items]
    how = PaymentMethod(args.pay or "")
    if (args.method or args.reference) and how != PaymentMethod.MANUAL:
        raise DeskError("--method and --reference go only with --pay manual.")
    session, settings = signed_in_session(args)
    client = find_client_by_number(args.client)
    if client is None:
        typed = one_line(args.client.strip(), 20)
        raise DeskError(f"There is no client {typed}; write it like C-1042.")
    gateway = _card_gateway(settings) if how == PaymentMethod.CARD else None
    placed = place_order(
        session.actor,
        client.id,
        lines,
        how,
        manual_method=args.method,
        reference=args.reference,
    )
    if how == PaymentMethod.MANUAL:
        what = f"paid by {get_order(placed.id).payments[0].method}"
    else:
        what = "to be paid by card" if how == PaymentMethod.CARD else "sent for approval"
    invoice = f", {placed.invoice_number}" if placed.invoice_number else ""
    print(
        f"Placed {placed.label} for {client.label}: {Money(placed.total_cents)}, {what} "
        f"(ticket T-{placed.ticket_number}{invoice})."
    )
    if gateway is None:
        return 0
    from deskapp.models import PaymentStatus
    from deskapp.services.order_card import charge_order

    outcome = charge_order(session.actor, placed.id, gateway)
    print(one_line(outcome.message, 500))
    return 0 if outcome.status == PaymentStatus.SUCCESSFUL else 1


def _card_gateway(settings: Settings) -> StripeGateway:
    """The Stripe gateway for a card payment, or DeskError saying why card payments are off."""
    from deskapp.services.order_card import card_payments_available, payment_gateway

    available, why = card_payments_available(settings)
    if not available:
        raise DeskError(why)
    return payment_gateway(settings)


def _list(args: argparse.Namespace) -> int:
    from deskapp import migrations
    from deskapp.cli import _settings, open_configured
    from deskapp.services.orders import list_orders

    open_configured(_settings(args))
    migrations.ensure_current()
    view = "pending" if args.pending else "all"
    after = None
    shown = 0
    while page := list_orders(view, after, PAGE):
        for order in page:
            print(order_line(order))
        shown += len(page)
        after = page[-1]
    if not shown:
        print("No order is waiting for an admin." if args.pending else "There are no orders yet.")
    return 0


def order_line(order: OrderSummary) -> str:
    """One order as a line: number, client, status, payment, total, placed, items."""
    from deskapp.ids import format_number
    from deskapp.money import Money
    from deskapp.text import one_line

    payment = order.payment_status + (f" ({order.payment_method})" if order.payment_method else "")
    return "  ".join(
        [
            order.label.ljust(8),
            format_number("client", order.client_number).ljust(8),
            one_line(order.client_name, 30).ljust(30),
            order.status.ljust(9),
            payment.ljust(20),
            str(Money(order.total_cents)).rjust(12),
            order.placed_at.strftime("%Y-%m-%d"),
            one_line(order.items, 80),
        ]
    )


def _approve(args: argparse.Namespace) -> int:
    from deskapp.services.order_decide import approve_order
    from deskapp.services.orders import find_order

    session, _ = signed_in_session(args)
    order = find_order(args.order)
    decision = approve_order(session.actor, order.id, args.start)
    print(decision.message)
    return 0


def _reject(args: argparse.Namespace) -> int:
    from deskapp.services.order_decide import reject_order
    from deskapp.services.orders import find_order

    session, settings = signed_in_session(args)
    order = find_order(args.order)
    gateway = _card_gateway(settings) if args.refund == "card" else None
    decision = reject_order(session.actor, order.id, args.reason, args.refund, gateway=gateway)
    print(decision.message)
    return 0
