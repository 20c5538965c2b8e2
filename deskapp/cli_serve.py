"""`deskapp serve [--host 127.0.0.1] [--port 8000] [--public-url URL]`: the desk in a browser,
through textual-serve (the rules that keep it safe are deskapp.browser's).

Like deskapp.cli, this module imports only the standard library at the top; textual-serve and
the database layer load inside the command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

DEFAULT_PORT = 8000
"""Where `deskapp serve` listens unless told."""
DEFAULT_MAX_SESSIONS = 25
"""How many browser sessions (each a `deskapp` process) may run at once unless told."""


def _port(text: str) -> int:
    import argparse

    from deskapp.text import is_number

    if not is_number(text.strip()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"“{text[:20]}” is not a port from 1 to 65535")
    return int(text)


def _sessions(text: str) -> int:
    import argparse

    from deskapp.text import is_number

    if not is_number(text.strip()) or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"“{text[:20]}” is not a number from 1 to 1000")
    return int(text)


def add_serve_command(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `serve` to `commands`, the `deskapp` parser's subparsers (argparse's action for them
    has no public type); `database` is the parent giving --db."""
    serve = commands.add_parser(
        "serve",
        parents=[database],
        help="serve a shared desk to web browsers; each session signs in",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1; beyond this machine only with "
        "--public-url https://…)",
    )
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--public-url",
        metavar="URL",
        default=None,
        help="the address people open, when an HTTPS proxy stands in front "
        "(https://desk.example.net)",
    )
    serve.add_argument(
        "--max-sessions",
        metavar="N",
        type=_sessions,
        default=DEFAULT_MAX_SESSIONS,
        help=f"browser sessions at once, each a deskapp process (default {DEFAULT_MAX_SESSIONS})",
    )
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    import os

    from deskapp import migrations
    from deskapp.browser import DeskServer, serve_refusal
    from deskapp.cli import NO_STAFF_YET, _settings, open_configured
    from deskapp.db import close_database
    from deskapp.errors import DeskError
    from deskapp.services.staff import has_staff

    settings = _settings(args)
    names_a_person = bool(args.staff or args.signed_in_as)
    refusal = serve_refusal(
        settings.database_url, args.host, args.public_url, names_a_person=names_a_person
    )
    if refusal:
        raise DeskError(refusal)
    open_configured(settings)
    try:
        migrations.ensure_current()
        if not has_staff():
            raise DeskError(NO_STAFF_YET)
    finally:
        close_database()
    # Each session is `python -m deskapp` with this process's environment: it opens this desk.
    os.environ["DESKAPP_DATABASE_URL"] = settings.database_url
    server = DeskServer(
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        max_sessions=args.max_sessions,
    )
    server.serve()
    return 0
