"""`deskapp settings ...`: the desk's settings from the command line.

- `credit-limit [AMOUNT]`: the most credit an agent may add in one entry;
- `lead-days [N]`: how many days before a service period `billing run` invoices it;
- `export FILE` / `import FILE`: every setting as TOML (deskapp.services.settings_file), for
  version control and for setting up a new desk; `-` is standard output or input.

Without a value the first two print the setting; with one, an admin (the global `--staff`,
signed in as the other commands that act as a person are) changes it. Import is for admins too.
Like deskapp.cli, this module imports only the standard library at the top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse


def add_settings_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `settings credit-limit` to `commands`, the `deskapp` parser's subparsers; `database`
    is the parent giving --db."""
    settings = commands.add_parser("settings", help="the desk's settings (admins change them)")
    verbs = settings.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp settings"
    )
    limit = verbs.add_parser(
        "credit-limit",
        parents=[database],
        help="the most credit an agent may add in one entry (default 50.00)",
    )
    limit.add_argument("amount", metavar="AMOUNT", nargs="?", help="the new limit, like 75.00")
    limit.set_defaults(run=_credit_limit)
    lead = verbs.add_parser(
        "lead-days",
        parents=[database],
        help="days before a service period that billing run invoices it (default 7)",
    )
    lead.add_argument("days", metavar="N", nargs="?", help="the new lead time, 0 to 31 days")
    lead.set_defaults(run=_lead_days)
    export = verbs.add_parser(
        "export", parents=[database], help="write the desk's settings to FILE as TOML"
    )
    export.add_argument("file", metavar="FILE", help="where to write them (- for the terminal)")
    export.set_defaults(run=_export)
    load = verbs.add_parser(
        "import",
        parents=[database],
        help="apply a settings FILE (adds and changes, never deletes; safe to repeat)",
    )
    load.add_argument("file", metavar="FILE", help="the TOML file (- to read standard input)")
    load.set_defaults(run=_import)


def _credit_limit(args: argparse.Namespace) -> int:
    from deskapp.cli_staff import signed_in_session
    from deskapp.services.desk_settings import credit_limit
    from deskapp.services.rights import set_agent_credit_limit

    session, _ = signed_in_session(args)
    if args.amount is None:
        print(f"Agents add at most {credit_limit()} credit per entry.")
        return 0
    changed = set_agent_credit_limit(session.actor, args.amount)
    print(f"Agents now add at most {changed} credit per entry; above it an admin must.")
    return 0


def _lead_days(args: argparse.Namespace) -> int:
    from deskapp.cli_staff import signed_in_session
    from deskapp.services.desk_settings import billing_lead_days, set_billing_lead_days
    from deskapp.wording import counted

    session, _ = signed_in_session(args)
    if args.days is None:
        lead = counted(billing_lead_days(), "day")
        print(f"Billing run invoices services {lead} before they are due.")
        return 0
    days = set_billing_lead_days(session.actor, args.days)
    print(f"Billing run now invoices services {counted(days, 'day')} before they are due.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from deskapp.cli_input import write_output
    from deskapp.cli_staff import signed_in_session
    from deskapp.services.settings_file import export_settings

    signed_in_session(args)
    path = write_output(args.file, export_settings())
    if path is not None:
        print(f"Wrote the desk's settings to {path}.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from deskapp.cli_input import read_input
    from deskapp.cli_staff import signed_in_session
    from deskapp.errors import DeskError
    from deskapp.services.settings_file import FILE_LIMIT, import_settings

    raw = read_input(
        args.file,
        FILE_LIMIT,
        "settings file",
        f"The file is larger than {FILE_LIMIT:,} bytes; it was not read.",
    )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DeskError("The file is not UTF-8 text; TOML files are UTF-8.") from None
    session, _ = signed_in_session(args)
    print(import_settings(session.actor, text).sentence())
    return 0
