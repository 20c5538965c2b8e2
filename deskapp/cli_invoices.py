"""`deskapp invoice show INV-2026-00592 [--format text|json]`: an invoice as a document, for a
person (the 72-column text the client is mailed) or for a script (JSON, amounts in cents and
formatted). `deskapp invoice pay INV-… --amount A` records money that arrived by hand, as the
`--staff` member.

Like deskapp.cli, this module imports only the standard library at the top; the database layer
loads inside the command. Reading an invoice needs no sign-in, as `order list` needs none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse


def add_invoice_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `invoice show` to `commands`, the `deskapp` parser's subparsers (argparse's action
    for them has no public type); `database` is the parent giving --db."""
    invoice = commands.add_parser("invoice", help="show an invoice as text or JSON")
    verbs = invoice.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp invoice"
    )
    show = verbs.add_parser(
        "show", parents=[database], help="print an invoice: lines, payments, credit, history"
    )
    show.add_argument("invoice", metavar="INVOICE", help="the invoice's number: INV-2026-00592")
    show.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (72 columns), json for scripts (amounts in cents)",
    )
    show.set_defaults(run=_show)
    pay = verbs.add_parser(
        "pay",
        parents=[database],
        help="record money that arrived by bank transfer, cash or cheque against an invoice",
    )
    pay.add_argument("invoice", metavar="INVOICE", help="the invoice's number: INV-2026-00592")
    pay.add_argument("--amount", required=True, help="what arrived, like 31.00")
    pay.add_argument(
        "--method", default="Bank transfer", help="Bank transfer (default), Cash or Cheque"
    )
    pay.add_argument("--reference", default="", help="the bank's reference, a receipt number …")
    pay.set_defaults(run=_pay)


def _show(args: argparse.Namespace) -> int:
    import json

    from deskapp import migrations
    from deskapp.cli import _settings, open_configured
    from deskapp.services.invoice_document import (
        invoice_json,
        invoice_text,
        load_invoice_document,
    )
    from deskapp.text import clean

    open_configured(_settings(args))
    migrations.ensure_current()
    document = load_invoice_document(args.invoice)
    if args.format == "json":
        # The document's strings are cleaned already; ensure_ascii keeps any other character
        # that a terminal might read as a control (and any script's decoder) out of the output.
        print(json.dumps(invoice_json(document), indent=2, ensure_ascii=True))
    else:
        print(clean(invoice_text(document), multiline=True), end="")
    return 0


def _pay(args: argparse.Namespace) -> int:
    from deskapp.cli_staff import signed_in_session
    from deskapp.money import Money
    from deskapp.services.invoice_document import find_invoice_id
    from deskapp.services.invoices import record_manual_payment

    session, _ = signed_in_session(args)
    recorded = record_manual_payment(
        session.actor, find_invoice_id(args.invoice), args.amount, args.method, args.reference
    )
    invoice = recorded.invoice
    line = f"Recorded {Money(recorded.applied_cents)} against {invoice.number}: {invoice.status}"
    if invoice.amount_due_cents:
        line += f", {Money(invoice.amount_due_cents)} still due"
    if recorded.overpayment_cents:
        line += f"; {Money(recorded.overpayment_cents)} more went to the client's credit"
    print(line + ".")
    return 0
