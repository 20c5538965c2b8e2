"""`deskapp settings credit-limit [AMOUNT]`: the desk's settings from the command line.

Without AMOUNT it prints the most credit an agent may add in one entry; with it, an admin (the
global `--staff`, signed in as the other commands that act as a person are) changes it.
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
