"""The `deskapp` command: start the desk, run the demo, look after the database and secrets.

Start-up time matters, so this module imports only the standard library at the top; peewee,
keyring, stripe, rich and the Textual UI load inside the command that needs them.
Bad input is one line on stderr and exit status 2 (usage) or 1 (anything else), never a
traceback; an unexpected error leaves its traceback in the log file and says where.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from deskapp import __version__, fast_import
from deskapp.errors import ConfigError, DeskError

if TYPE_CHECKING:
    import argparse

    from deskapp.config import Settings
    from deskapp.services.session import DeskSession

USAGE = """\
deskapp [--db URL] [--staff USERNAME] [--signed-in-as USERNAME]
       deskapp demo [--db URL] [--no-open]
       deskapp db upgrade [--db URL]
       deskapp db seed --clients N [--db URL]
       deskapp db check [--digest HEX]... [--db URL]
       deskapp billing run [--date YYYY-MM-DD] [--lead-days N] [--dry-run] [--db URL]
       deskapp mail send [--limit N] [--db URL]
       deskapp ticket import FILE|- [--db URL]
       deskapp catalogue list [--all] | export FILE.toml | import FILE.toml [--db URL]
       deskapp order place C-1042 PRODUCT[:CYCLE][xQTY]... --request|--pay card|--pay manual
                     [--method M] [--reference R] [--db URL]
       deskapp order list [--pending] [--db URL]
       deskapp order approve O-5531 [--start YYYY-MM-DD] [--db URL]
       deskapp order reject O-5531 --reason TEXT [--refund card|credit] [--db URL]
       deskapp client add --first-name F --last-name L --email E [--company C] [--phone P]
                     [--address A] [--city C] [--postcode P] [--country CC] [--welcome]
       deskapp contact add C-1042 --first-name F --last-name L --email E [--phone P]
                     [--position P] [--mail general,invoice,support,product,domain] [--billing]
       deskapp invoice show INV-2026-00592 [--format text|json] [--db URL]
       deskapp invoice pay INV-2026-00592 --amount A [--method M] [--reference R] [--db URL]
       deskapp payments sync [--limit N] [--db URL]
       deskapp payments webhook --listen 127.0.0.1:PORT [--db URL]
       deskapp settings credit-limit [AMOUNT] [--db URL]
       deskapp settings lead-days [N] [--db URL]
       deskapp settings export|import FILE [--db URL]
       deskapp staff add USER --role agent|admin [--name N] [--email E]
                     [--ssh-key FILE.pub [--authorized-keys FILE]] [--db URL]
       deskapp staff passwd|disable|enable USER [--db URL]
       deskapp staff list [--db URL]
       deskapp secrets set NAME
       deskapp secrets delete NAME
       deskapp dashboard [--format text|json] [--db URL]
       deskapp serve [--host 127.0.0.1] [--port 8000] [--public-url URL] [--db URL]
       deskapp doctor [--db URL]
       deskapp --version"""

DEMO_ADMIN = "admin"
"""The demo desk signs in as its admin (its agents are "sam" and "kim")."""
NO_STAFF_YET = (
    "This desk has no staff yet: add the first admin with `deskapp staff add NAME --role admin`."
)
"""What `db upgrade` says on a shared desk nobody can sign in to yet."""
CHECK_LINES = 100
"""`db check` names at most this many mismatches of each kind, then counts the rest."""


def _database_url(text: str) -> str:
    import argparse

    from deskapp.db import describe

    try:
        describe(text)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _positive(text: str) -> int:
    import argparse

    from deskapp.text import is_number

    if not is_number(text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"“{text[:20]}” is not a whole number above 0")
    return int(text)


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text[:20]}” is not a date like 2026-03-14") from None


def _days(text: str) -> int:
    import argparse

    from deskapp.text import is_number

    if not is_number(text.strip()) or int(text) > 366:
        raise argparse.ArgumentTypeError(f"“{text[:20]}” is not a number of days from 0 to 366")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, then one of the subcommands (or none: start the desk).

    argparse is imported here, not with the module: starting the desk skips it (see
    _plain_start; bench/README.md has what it costs).
    """
    import argparse

    from deskapp.cli_catalogue import add_catalogue_commands
    from deskapp.cli_clients import add_client_commands
    from deskapp.cli_dashboard import add_dashboard_command
    from deskapp.cli_invoices import add_invoice_commands
    from deskapp.cli_mail import SEND_EXIT_STATUSES, add_mail_commands
    from deskapp.cli_orders import add_order_commands
    from deskapp.cli_payments import add_payments_commands
    from deskapp.cli_serve import add_serve_command
    from deskapp.cli_settings import add_settings_commands
    from deskapp.cli_staff import add_staff_commands
    from deskapp.secrets import KNOWN_SECRETS

    class _Parser(argparse.ArgumentParser):
        """argparse that reports a usage error in one line."""

        def error(self, message: str) -> None:  # type: ignore[override]
            from deskapp.text import clean  # the message quotes what was typed

            self.exit(2, f"{self.prog}: {clean(message)} (see `{self.prog} --help`)\n")

    database = _Parser(add_help=False)
    database.add_argument(
        "--db",
        metavar="URL",
        type=_database_url,
        default=argparse.SUPPRESS,
        help="database URL (sqlite:///path/desk.db or postgresql://user@host:5432/name); "
        "overrides DESKAPP_DATABASE_URL and the config file",
    )
    parser = _Parser(
        prog="deskapp",
        usage=USAGE,
        parents=[database],
        description="A terminal desk for hosting, ISP and managed-services staff.",
    )
    parser.add_argument(
        "--staff",
        metavar="USERNAME",
        help="who signs in (default: DESKAPP_STAFF); a shared desk still asks their password",
    )
    parser.add_argument(
        "--signed-in-as",
        metavar="USERNAME",
        help="open the desk as this person without a password: the SSH forced command "
        "`deskapp staff add --ssh-key` writes (the key proved who)",
    )
    parser.add_argument("--version", action="version", version=f"deskapp {__version__}")
    parser.set_defaults(run=_start_desk)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", prog="deskapp")

    demo = commands.add_parser(
        "demo",
        parents=[database],
        help="start a demo desk as its admin: a fresh one, or join the one already running; "
        "--db loads it into an empty database of either backend",
    )
    demo.add_argument(
        "--no-open", action="store_true", help="only load the demo desk (for scripts); do not start"
    )
    demo.set_defaults(run=_demo)

    db = commands.add_parser("db", help="upgrade, seed or check the database")
    db_commands = db.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp db"
    )
    upgrade = db_commands.add_parser(
        "upgrade", parents=[database], help="create or upgrade the schema"
    )
    upgrade.set_defaults(run=_db_upgrade)
    seed = db_commands.add_parser("seed", parents=[database], help="add generated clients")
    seed.add_argument(
        "--clients", metavar="N", type=_positive, required=True, help="how many clients to add"
    )
    seed.set_defaults(run=_db_seed)
    check = db_commands.add_parser(
        "check", parents=[database], help="verify the ledger, amounts due and the hash chains"
    )
    check.add_argument(
        "--digest",
        metavar="HEX",
        action="append",
        default=[],
        help="also prove the history up to this earlier head digest unchanged",
    )
    check.set_defaults(run=_db_check)

    billing = commands.add_parser("billing", help="issue the invoices that are due")
    billing_commands = billing.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp billing"
    )
    run = billing_commands.add_parser(
        "run", parents=[database], help="invoice recurring services now due (safe to repeat)"
    )
    run.add_argument(
        "--date", type=_date, default=None, help="bill as of YYYY-MM-DD (within the lead time)"
    )
    run.add_argument(
        "--lead-days",
        type=_days,
        default=None,
        help="invoice this many days before due (the desk's lead time, 7 until set; 31 at most)",
    )
    run.add_argument(
        "--dry-run", action="store_true", help="list what the run would issue, writing nothing"
    )
    run.set_defaults(run=_billing_run)

    mail = commands.add_parser("mail", help="send the mail waiting in the outbox")
    mail_commands = mail.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp mail"
    )
    send = mail_commands.add_parser(
        "send",
        parents=[database],
        help="send the mail that is due (safe to repeat; exit 75: the server could not be "
        "reached, try later; 69: it refused mail or the login)",
        description=SEND_EXIT_STATUSES,
    )
    send.add_argument(
        "--limit", metavar="N", type=_positive, default=None, help="send at most N mails"
    )
    send.set_defaults(run=_mail_send)

    add_mail_commands(commands, database)

    secrets = commands.add_parser("secrets", help="keep passwords and keys in the keyring")
    secret_commands = secrets.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp secrets"
    )
    for verb, handler, what in (
        ("set", _secrets_set, "store a secret (read from the terminal or stdin)"),
        ("delete", _secrets_delete, "remove a secret"),
    ):
        command = secret_commands.add_parser(verb, help=what)
        command.add_argument(
            "name",
            metavar="NAME",
            choices=list(KNOWN_SECRETS),
            help=f"one of: {', '.join(KNOWN_SECRETS)}",
        )
        command.set_defaults(run=handler)

    add_catalogue_commands(commands, database)
    add_client_commands(commands, database)
    add_order_commands(commands, database)
    add_invoice_commands(commands, database)
    add_payments_commands(commands, database)
    add_settings_commands(commands, database)
    add_staff_commands(commands, database)
    add_dashboard_command(commands, database)
    add_serve_command(commands, database)
    doctor = commands.add_parser("doctor", parents=[database], help="check the whole setup")
    doctor.set_defaults(run=_doctor)
    return parser


def _plain_start(arguments: list[str]) -> argparse.Namespace | None:
    """`deskapp [--db URL] [--staff USERNAME] [--signed-in-as USERNAME]` read without building
    the whole parser (quicker to start, see bench/README.md); None for anything it does not read
    exactly as the parser would (repeats, abbreviations, a bad URL, other commands): the parser
    reads those and explains errors."""
    values: dict[str, str] = {}
    rest = list(arguments)
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in ("--db", "--staff", "--signed-in-as") or name in values:
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        values[name] = value
    from types import SimpleNamespace

    from deskapp.db import describe

    args = SimpleNamespace(
        staff=values.get("--staff"), signed_in_as=values.get("--signed-in-as"), run=_start_desk
    )
    if "--db" in values:
        try:
            describe(values["--db"])
        except ConfigError:
            return None
        args.db = values["--db"]
    return args  # type: ignore[return-value]  # read as the parser's Namespace would be


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 fine, 1 failed, 2 usage).

    The command imports peewee without its drivers (deskapp.fast_import): this module imports
    nothing that imports peewee, so that happens before any command runs.
    """
    fast_import.install()
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _plain_start(arguments) or build_parser().parse_args(arguments)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    try:
        status = int(args.run(args))
        sys.stdout.flush()  # here, so a reader gone away is seen below, not at exit
        return status
    except DeskError as error:
        _say_error(str(error))
        return 1
    except KeyboardInterrupt:
        _say_error("interrupted.")
        return 130
    except BrokenPipeError:
        # The reader went away (`deskapp order list | head`): not an error of the desk's.
        # Python would complain again flushing stdout at exit, so stdout goes nowhere now.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # noqa: BLE001 - anything else is a bug, logged in full
        _say_error(_damaged_database(error) or _log_unexpected(error, arguments))
        return 1
    finally:
        if "deskapp.db" in sys.modules:
            from deskapp.db import close_database

            close_database()


def _damaged_database(error: Exception) -> str | None:
    """The sentence for a damaged SQLite file met midway (a trashed page), if that is what
    `error` is."""
    if "deskapp.db" not in sys.modules:
        return None
    from deskapp.db import damaged_sentence

    return damaged_sentence(error)


def _say_error(message: str) -> None:
    """One line on stderr, cleaned as the screen cleans untrusted text: a sentence can quote
    what a client wrote (a From address, a name) or what a server answered."""
    from deskapp.text import clean

    print(f"deskapp: {clean(' '.join(message.split()))}", file=sys.stderr)


def _log_unexpected(error: Exception, arguments: list[str]) -> str:
    """Append the traceback to the log file (passwords in URLs masked); returns the line to show."""
    import datetime as dt
    import traceback

    what = f"unexpected error ({type(error).__name__})"
    try:
        from deskapp.config import log_file_path

        path = log_file_path()
        with path.open("a", encoding="utf-8") as log:
            from deskapp.db import safe_url

            command = " ".join(["deskapp", *(safe_url(a) for a in arguments)])
            log.write(f"{dt.datetime.now().isoformat(timespec='seconds')} {command}\n")
            log.write(traceback.format_exc())
    except OSError:
        return f"{what}: {error}"
    return f"{what}; the details are in {path}"


def open_configured(settings: Settings) -> None:
    """Open the configured database (see deskapp.db.configured, imported when first needed)."""
    from deskapp.db import configured

    configured.open_configured(settings)


def _settings(args: argparse.Namespace) -> Settings:
    from deskapp.config import load_settings

    return load_settings(db_url=getattr(args, "db", None), staff=getattr(args, "staff", None))


def _run_tui(session: DeskSession, theme: str | None) -> int:
    from screens.app import run_desk

    run_desk(session, configured_theme=theme)
    return 0


def _start_desk(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # until the desk is drawn (see screens.start_up), or this returns or fails
    try:
        from deskapp import config
        from deskapp.db.configured import database_password
        from deskapp.services.session import open_desk

        settings = _settings(args)
        if settings.uses_default_database:
            config.data_dir(create=True)
        session = open_desk(
            settings.database_url,
            staff=settings.staff,
            password=database_password(settings.database_url),
            signed_in_as=getattr(args, "signed_in_as", None),
        )
        return _run_tui(session, settings.theme)
    finally:
        gc.enable()


def _demo(args: argparse.Namespace) -> int:
    from deskapp.db import describe, safe_url
    from deskapp.db.configured import database_password
    from deskapp.demo.running import DemoFile

    theme = _settings(args).theme
    url = getattr(args, "db", None)  # only an explicit --db: never the configured real desk
    if url is not None:
        password = database_password(url)
        _load_demo(url, password)
        if args.no_open:
            print(f"Loaded the demo desk into {safe_url(url)}.")
            return 0
        shared = describe(url).backend == "postgresql"
        return _run_tui(open_desk_as_demo_admin(url, password, shared), theme)
    with DemoFile() as running:
        if running.fresh:
            _load_demo(running.url, None)
        else:
            print(f"Joining the demo desk already running on {running.path}.")
        if args.no_open:
            if running.fresh:
                print(f"Loaded the demo desk into {running.path}.")
            return 0
        running.ready()
        return _run_tui(open_desk_as_demo_admin(running.url, None, False), theme)


def _load_demo(url: str, password: str | None) -> None:
    """The demo business into an empty database brought to the current schema (Conflict, with
    its sentence, when the database already has clients)."""
    from deskapp import demo, migrations
    from deskapp.db import close_database, open_database

    open_database(url, password=password)
    try:
        migrations.upgrade()
        demo.load_demo()
    finally:
        close_database()


def open_desk_as_demo_admin(url: str, password: str | None, shared: bool) -> DeskSession:
    """The demo desk opened as its admin: on a shared database as the SSH entry does (the
    salesperson running it is its admin), on a local file as the named local person."""
    from deskapp.services.session import open_desk

    if shared:
        return open_desk(url, password=password, signed_in_as=DEMO_ADMIN)
    return open_desk(url, staff=DEMO_ADMIN)


def _db_upgrade(args: argparse.Namespace) -> int:
    from deskapp import migrations
    from deskapp.db import is_postgres

    open_configured(_settings(args))
    latest = migrations.latest_version()
    applied = migrations.upgrade(
        progress=lambda step: print(f"Applying {step.number:04d} {step.name} …", flush=True)
    )
    if applied:
        print(f"The database is now at schema version {latest}.")
    else:
        print(f"The database is already at schema version {latest}; nothing to do.")
    from deskapp.services.staff import has_staff

    if is_postgres():
        _prepare_desk_role(_settings(args).desk_role)
        if not has_staff():
            print(NO_STAFF_YET)
    return 0


def _prepare_desk_role(configured: str | None) -> None:
    from deskapp.db.roles import prepare_desk_role

    role = prepare_desk_role(configured or "")
    if role.created:
        print(f"Created the desk's login {role.name} (NOLOGIN) and granted it what desks need.")
    else:
        print(f"The desk's login {role.name} has what desks need, and no more.")
    if not role.can_log_in:
        print(f"Before desks use it, an admin runs: ALTER ROLE {role.name} LOGIN PASSWORD '…';")


def _db_seed(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from deskapp import demo, migrations

    open_configured(_settings(args))
    migrations.ensure_current()
    with Progress() as bar:
        task = bar.add_task("Adding clients", total=args.clients)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        added = demo.seed_clients(args.clients, progress)
    print(f"Added {added:,} clients.")
    return 0


def _db_check(args: argparse.Namespace) -> int:
    from deskapp import migrations
    from deskapp.db import missing_database
    from deskapp.services.chain import check_chains, prove_digest
    from deskapp.services.integrity import check_ledger
    from deskapp.text import clean
    from deskapp.wording import counted

    settings = _settings(args)
    missing = missing_database(settings.database_url, folder_made=settings.uses_default_database)
    if missing is not None:  # checking never creates the file it was asked about
        raise ConfigError(missing[1])
    open_configured(settings)
    migrations.ensure_current()
    print(f"Schema version {migrations.current_version()} is current.")
    problems = check_ledger(CHECK_LINES)
    for problem in problems:
        print(clean(problem))
    if not problems:
        print("Every client's credit matches its ledger; every invoice's amount due is consistent.")
    chains = check_chains()
    for report in chains:
        if report.problem:
            problems.append(report.problem)
            print(clean(report.problem))
        entries = counted(report.length, "entry", "entries")
        print(f"{report.title} chain: {entries}, head digest {report.head_digest}")
    for digest in args.digest:
        proof = prove_digest(digest, chains)
        print(proof.sentence)
        if not proof.unchanged:
            problems.append(proof.sentence)
    if problems:
        print(f"{counted(len(problems), 'problem')} found.")
        return 1
    return 0


def _billing_run(args: argparse.Namespace) -> int:
    from deskapp import migrations
    from deskapp.money import Money
    from deskapp.services.audit import as_job
    from deskapp.services.billing_plan import billing_day
    from deskapp.services.billing_run import run_billing
    from deskapp.services.rights import system_actor
    from deskapp.wording import counted

    open_configured(_settings(args))
    migrations.ensure_current()
    if args.lead_days is None:
        from deskapp.services.desk_settings import billing_lead_days

        args.lead_days = billing_lead_days()
    day = billing_day(args.date, args.lead_days)
    if args.dry_run:
        return _billing_plan(day, args.lead_days)
    job = "billing run"
    with as_job(job):
        result = run_billing(day, lead_days=args.lead_days, actor=system_actor(job))
    for number in result.invoices:
        print(f"Issued {number}")
    print(
        f"{counted(len(result.invoices), 'invoice')}, {counted(result.lines, 'line')}, "
        f"{Money(result.total_cents)} in all; {counted(result.clients_checked, 'client')} due; "
        f"{counted(result.mails, 'mail')} queued."
    )
    for unmailed in result.unmailed:
        print(unmailed)
    for failure in result.failures:
        _say_error(failure)
    return 1 if result.failures else 0


def _billing_plan(day: dt.date, lead_days: int) -> int:
    from deskapp.money import Money
    from deskapp.services.billing_plan import plan_billing
    from deskapp.wording import counted

    planned = plan_billing(day, lead_days=lead_days)
    for invoice in planned:
        print(f"Would issue {invoice.client}: {Money(invoice.total_cents)}")
        for line in invoice.lines:
            print(f"  {Money(line.amount_cents)}  {line.description}")
    total = sum(invoice.total_cents for invoice in planned)
    print(
        f"Dry run as of {day:%Y-%m-%d}: {counted(len(planned), 'invoice')}, {Money(total)} in all; "
        "nothing was written."
    )
    return 0


def _mail_send(args: argparse.Namespace) -> int:
    from deskapp.cli_mail import send_exit_status

    return send_exit_status(_settings(args), args.limit)


def _doctor(args: argparse.Namespace) -> int:
    from deskapp.doctor import run_doctor

    return run_doctor(getattr(args, "db", None))


def _secrets_set(args: argparse.Namespace) -> int:
    from deskapp import secrets

    secrets.require_keyring(args.name)
    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass(f"{args.name}: ")
    else:
        value = sys.stdin.read().rstrip("\r\n")
    secrets.set_secret(args.name, value)
    print(f"Stored {args.name} in the keyring.")
    _mention_override(args.name)
    return 0


def _secrets_delete(args: argparse.Namespace) -> int:
    from deskapp import secrets

    secrets.delete_secret(args.name)
    print(f"Deleted {args.name} from the keyring.")
    _mention_override(args.name)
    return 0


def _mention_override(name: str) -> None:
    import os

    from deskapp.secrets import environment_variable

    variable = environment_variable(name)
    if os.environ.get(variable):
        print(f"Note: {variable} is set in this environment and is used before the keyring.")
