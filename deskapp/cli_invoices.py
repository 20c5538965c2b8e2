"""`deskapp invoice show INV-2026-00592 [--format text|json]`: an invoice as a document, for a
person (the 72-column text the client is mailed) or for a script (JSON, amounts in cents and
formatted).

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
