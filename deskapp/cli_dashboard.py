"""`deskapp dashboard [--format text|json]`: the desk today, the figures of the dashboard screen,
for a person (aligned text) or a script (JSON, amounts in cents and formatted).

Like deskapp.cli, this module imports only the standard library at the top; the database layer
loads inside the command. Reading the figures needs no sign-in, as `order list` needs none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    import datetime as dt

    from deskapp.services.dashboard import DeskToday

LABEL_WIDTH = 30
"""The column of labels (department names are cut to fit)."""


def add_dashboard_command(commands: Any, database: argparse.ArgumentParser) -> None:
    """Add `dashboard` to `commands`, the `deskapp` parser's subparsers (argparse's action for
    them has no public type); `database` is the parent giving --db."""
    dashboard = commands.add_parser(
        "dashboard",
        parents=[database],
        help="print the desk today: tickets waiting, orders pending, invoices overdue, mail",
    )
    dashboard.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people, json for scripts (amounts in cents)",
    )
    dashboard.set_defaults(run=_dashboard)


def _dashboard(args: argparse.Namespace) -> int:
    import json

    from deskapp import migrations
    from deskapp.cli import _settings, open_configured
    from deskapp.services.dashboard import desk_today

    open_configured(_settings(args))
    migrations.ensure_current()
    today = desk_today()
    if args.format == "json":
        # Department names are cleaned already; ensure_ascii keeps any other character a
        # terminal might read as a control out of the output.
        print(json.dumps(dashboard_json(today), indent=2, ensure_ascii=True))
    else:
        print(dashboard_text(today), end="")
    return 0


def dashboard_text(today: DeskToday) -> str:
    """The figures as aligned lines: the tickets waiting per department, then the rest."""
    from deskapp.money import Money
    from deskapp.services.dashboard import figures_of
    from deskapp.text import one_line

    lines = [
        f"The desk on {today.as_of:%Y-%m-%d %H:%M} UTC",
        "",
        _row("Tickets waiting on us", "Open", "Cust-Reply", "Oldest wait"),
    ]
    for waiting in today.waiting:
        name = one_line(waiting.department, LABEL_WIDTH - 2)
        oldest = _waited(today.as_of, waiting.oldest_waiting_since)
        lines.append(_row(f"  {name}", f"{waiting.open:,}", f"{waiting.customer_reply:,}", oldest))
    lines.append("")
    lines.append(_row("", "How many", "Amount", "Oldest"))
    for figure in figures_of(today):
        amount = "" if figure.cents is None else str(Money(figure.cents))
        lines.append(
            _row(figure.label, f"{figure.count:,}", amount, _waited(today.as_of, figure.oldest))
        )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _row(label: str, first: str, second: str, third: str) -> str:
    return f"{label:<{LABEL_WIDTH}}{first:>10}{second:>14}{third:>13}"


def _waited(now: dt.datetime, since: dt.datetime | None) -> str:
    from deskapp.wording import duration

    return "" if since is None else duration(now - since)


def dashboard_json(today: DeskToday) -> dict[str, object]:
    """The figures for a script: counts, amounts in cents and formatted, times in UTC (ISO
    8601) with how many seconds they have waited."""
    from deskapp.money import Money
    from deskapp.services.dashboard import figures_of
    from deskapp.text import clean

    def since(at: dt.datetime | None) -> dict[str, object]:
        if at is None:
            return {"oldest": None, "oldest_wait_seconds": None}
        waited = max(int((today.as_of - at).total_seconds()), 0)
        return {"oldest": at.isoformat(timespec="seconds"), "oldest_wait_seconds": waited}

    figures: dict[str, object] = {}
    for figure in figures_of(today):
        entry: dict[str, object] = {"label": figure.label, "count": figure.count}
        if figure.cents is not None:
            entry.update(cents=figure.cents, amount=str(Money(figure.cents)))
        if figure.key in ("orders_pending", "unassigned_mail"):
            entry.update(since(figure.oldest))
        figures[figure.key.value] = entry
    return {
        "as_of": today.as_of.isoformat(timespec="seconds"),
        "today": today.today.isoformat(),
        "due_soon_until": today.due_soon_until.isoformat(),
        "tickets_waiting": [
            {
                "department": clean(waiting.department),
                "open": waiting.open,
                "customer_reply": waiting.customer_reply,
                **since(waiting.oldest_waiting_since),
            }
            for waiting in today.waiting
        ],
        "figures": figures,
    }
