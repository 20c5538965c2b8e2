"""`deskapp catalogue list|export|import`: the product catalogue from the command line, so a
desk's catalogue can live in version control and be loaded by scripts.

Like deskapp.cli, this module imports only the standard library at the top: the parser is
built on every run, the database layer only when a catalogue command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deskapp.errors import DeskError

if TYPE_CHECKING:
    import argparse

    from deskapp.services.catalogue import ProductInfo

FILE_LIMIT_BYTES = 5_000_000
"""The largest catalogue file `import` reads."""


def add_catalogue_commands(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `catalogue list|export|import` to `commands`, the `deskapp` parser's subparsers
    (argparse's action for them has no public type); `database` is the parent giving --db."""
    catalogue = commands.add_parser("catalogue", help="list, export or import the products")
    verbs = catalogue.add_subparsers(
        title="commands", metavar="COMMAND", required=True, prog="deskapp catalogue"
    )
    listing = verbs.add_parser("list", parents=[database], help="the products by code")
    listing.add_argument("--all", action="store_true", help="retired products too")
    listing.set_defaults(run=_list)
    export = verbs.add_parser(
        "export", parents=[database], help="write every product to a TOML file"
    )
    export.add_argument("file", metavar="FILE", help="the TOML file to write, or - for stdout")
    export.set_defaults(run=_export)
    load = verbs.add_parser(
        "import",
        parents=[database],
        help="make the catalogue match a TOML file, by product code (admins; safe to repeat)",
    )
    load.add_argument("file", metavar="FILE", help="the TOML file to read, or - for stdin")
    load.set_defaults(run=_import)


def _open(args: argparse.Namespace) -> None:
    from deskapp import migrations
    from deskapp.cli import _settings, open_configured

    open_configured(_settings(args))
    migrations.ensure_current()


def _list(args: argparse.Namespace) -> int:
    from deskapp.services.catalogue import list_products

    _open(args)
    after = None
    shown = 0
    while page := list_products(include_retired=args.all, after=after, limit=500):
        for product in page:
            print(product_line(product))
        shown += len(page)
        after = page[-1]
    if not shown:
        print("The catalogue is empty; `deskapp catalogue import FILE.toml` fills it.")
    return 0


def product_line(product: ProductInfo) -> str:
    """One product as a line: code, type, name, prices, and whether it can be ordered."""
    from deskapp.money import Money
    from deskapp.text import one_line

    prices = ", ".join(f"{p.cycle} {Money(p.price_cents)}" for p in product.prices)
    state = "retired" if product.retired else "" if product.orderable else "not orderable"
    columns = [
        product.code.ljust(16),
        product.type.ljust(13),
        one_line(product.name, 30).ljust(30),
        prices,
    ]
    return "  ".join([*columns, f"({state})"] if state else columns)


def _export(args: argparse.Namespace) -> int:
    from deskapp.cli_input import write_output
    from deskapp.services.catalogue import export_catalogue
    from deskapp.wording import counted

    _open(args)
    text = export_catalogue()
    path = write_output(args.file, text)
    if path is not None:
        count = text.splitlines().count("[[product]]")  # strings never hold a raw line break
        print(f"Wrote {counted(count, 'product')} to {path}.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from deskapp import config
    from deskapp.cli import _settings
    from deskapp.cli_staff import signed_in_session
    from deskapp.services.catalogue import import_catalogue

    text = _read(args.file)
    if _settings(args).uses_default_database:
        config.data_dir(create=True)
    session, _ = signed_in_session(args)
    result = import_catalogue(session.actor, text)
    for verb, codes in (("Added", result.created), ("Changed", result.updated)):
        for code in codes:
            print(f"{verb} {code}")
    print(result.message)
    return 0


def _read(name: str) -> str:
    """The file's text (stdin for "-"); DeskError with a sentence when it cannot be read."""
    from deskapp.cli_input import read_input

    raw = read_input(
        name,
        FILE_LIMIT_BYTES,
        "catalogue file",
        f"The file is larger than {FILE_LIMIT_BYTES:,} bytes; it was not read.",
    )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DeskError("The file is not UTF-8 text; TOML files are UTF-8.") from None
