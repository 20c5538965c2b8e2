"""`deskapp ticket import FILE|-`: one incoming mail filed on its ticket, usually run by the
mail server (a pipe transport, a maildir hook); and the exit status of `deskapp mail send`, for
cron (SEND_EXIT_STATUSES).

Its exit status is for the mail server (sysexits.h): 0 filed (or already filed), 65 EX_DATAERR
for a malformed mail or one beyond the caps (the server bounces it), 75 EX_TEMPFAIL when the
database cannot be reached or the configuration is unusable (the server keeps the mail and
tries again later), 1 for a mail the desk refuses (a Closed client). A mail from an address
nobody at the desk has is kept for triage (exit 0): staff attach it to a client in the desk.
Every line it prints is cleaned (deskapp.text.clean): a mail's From address may hold escape
sequences meant for the terminal of whoever reads the output.

Like deskapp.cli, this module imports only the standard library at the top.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from deskapp.errors import ConfigError, DeskError

if TYPE_CHECKING:
    import argparse

EX_DATAERR = 65
"""sysexits.h: the mail is malformed; the mail server bounces it."""
EX_TEMPFAIL = 75
"""sysexits.h: a temporary failure; the mail server tries again later."""
EX_UNAVAILABLE = 69
"""sysexits.h: a service is unavailable: the mail server refused mail or the login."""
SEND_EXIT_STATUSES = (
    "Exit status, for cron: 0 when nothing was due or everything due was sent; 75 "
    "(EX_TEMPFAIL) when mail is due and the mail server could not be reached or answered "
    "'try later' (the mail stays queued and backs off); 69 (EX_UNAVAILABLE) when the server "
    "refused a mail for good or refused the login, STARTTLS or its certificate (a person must "
    "look: the outbox says why); 1 for a configuration problem or another sender running."
)
"""What `deskapp mail send --help` says of its exit status (README's mail section too)."""
READ_LIMIT_SLACK = 1024
"""Bytes read beyond the size cap, so a mail just over it is told apart from one at it."""


def add_mail_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `ticket import` to `commands`, the `deskapp` parser's subparsers (argparse's action
    for them has no public type); `database` is the parent giving --db."""
    ticket = commands.add_parser("ticket", help="file incoming mail on tickets")
    ticket_commands = ticket.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp ticket"
    )
    import_mail = ticket_commands.add_parser(
        "import",
        parents=[database],
        help="add one email to its ticket, or open a ticket for it (exit 65: bounce it, "
        "75: try again later)",
    )
    import_mail.add_argument(
        "file", metavar="FILE", help="the email (.eml, as received), or - to read it from stdin"
    )
    import_mail.set_defaults(run=_ticket_import)


def send_exit_status(settings: Any, limit: int | None) -> int:
    """Run `deskapp mail send` with `settings` (deskapp.config.Settings): print the report
    line, and say why on stderr when mail is left unsent; returns SEND_EXIT_STATUSES' code."""
    from deskapp import migrations
    from deskapp.db.configured import open_configured
    from deskapp.mail import mail_settings, send_outbox, smtp_password
    from deskapp.services.audit import as_job
    from deskapp.services.desk_settings import desk_sender

    open_configured(settings)
    migrations.ensure_current()
    mail = mail_settings(settings, desk_sender())
    password = smtp_password(mail)
    try:
        with as_job("mail send"):
            report = send_outbox(mail, password, limit=limit)
    except ConfigError as refused:  # only raised once mail is due and the server was asked
        say(f"{refused} No mail was sent.", error=True)
        return EX_UNAVAILABLE
    say(report.line())  # cleaned: the counts sit beside servers' answers
    if report.failed:
        say(f"{report.failed:,} mail failed for good: {report.problem}", error=True)
        return EX_UNAVAILABLE
    if report.retrying:
        say(f"{report.retrying:,} mail will be tried again later: {report.problem}", error=True)
        return EX_TEMPFAIL
    return 0


def say(line: str, *, error: bool = False) -> None:
    """Print one line, cleaned of control characters and escape sequences."""
    from deskapp.text import clean

    text = clean(" ".join(line.split()))
    if error:
        print(f"deskapp: {text}", file=sys.stderr)
    else:
        print(text)


def _ticket_import(args: argparse.Namespace) -> int:
    import peewee

    from deskapp.mail.parsing import MailRefused

    try:
        return _import(args)
    except MailRefused as refused:
        say(str(refused), error=True)
        return EX_DATAERR
    except ConfigError as unusable:
        say(f"{unusable} The mail was not imported; try again later.", error=True)
        return EX_TEMPFAIL
    except DeskError as refused:
        say(str(refused), error=True)
        return 1
    except (peewee.OperationalError, peewee.InterfaceError) as down:
        first = str(down).strip().splitlines()[0] if str(down).strip() else "no answer"
        say(
            f"The database cannot be reached ({first[:200]}); the mail was not imported, "
            "try again later.",
            error=True,
        )
        return EX_TEMPFAIL


def _import(args: argparse.Namespace) -> int:
    from deskapp import migrations
    from deskapp.cli_input import read_input
    from deskapp.config import load_settings
    from deskapp.db.configured import open_configured
    from deskapp.mail.parsing import MailRefused, too_large
    from deskapp.services.audit import as_job
    from deskapp.services.incoming_mail import import_message

    settings = load_settings(db_url=getattr(args, "db", None))
    limit = settings.mail_max_size
    sentence = too_large(limit)
    try:
        raw = read_input(args.file, limit + READ_LIMIT_SLACK, "mail file", sentence)
    except DeskError as error:
        if str(error) == sentence:
            raise MailRefused(sentence) from None
        raise
    open_configured(settings)
    migrations.ensure_current()
    with as_job("ticket import"):
        result = import_message(raw, max_bytes=limit, authserv_id=settings.mail_authserv_id)
    marked = " (sender not verified)" if result.unverified else ""
    if result.waiting_for_triage and result.duplicate:
        say(f"Already waiting for triage: the mail from {result.sender_address}")
    elif result.waiting_for_triage:
        others = result.waiting_for_triage - 1
        besides = f" ({others} other{'s' if others != 1 else ''} waiting)" if others else ""
        say(
            f"Waiting for triage: nobody at the desk has the address {result.sender_address}"
            f"{marked}; staff attach it to a client under Unassigned mail{besides}"
        )
    elif result.automatic and not result.ticket_label:
        say(f"Not filed: an automatic reply from {result.client_label} that answers no ticket")
    elif result.duplicate:
        say(f"Already imported: {result.ticket_label}")
    elif result.automatic:
        say(f"Added to {result.ticket_label} as an automatic reply (status unchanged){marked}")
    elif result.created:
        say(f"Opened {result.ticket_label} for {result.client_label}{marked}")
    elif result.unverified:
        say(f"Added to {result.ticket_label}{marked}, status unchanged")
    else:
        say(f"Added to {result.ticket_label}")
    return 0
