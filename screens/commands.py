"""The command palette: every action the keys offer, built from the same bindings, and the
few places that are reached from anywhere (a new ticket or client, the dashboard, the mail
waiting for triage, the outbox, the catalogue, the staff, the queue's views).

An entry exists for each desk binding (one with a description and a tooltip) of the app, the
current screen and the widgets around the focus (the composer's send, canned reply, attach and
editor while it is being written in), shown in the footer or not, that `check_action` allows
right now, so the palette and the footer never disagree. A key the focused widget takes for
typing (`r` in the composer) still has its entry: the palette is how to reach it from there.
An action dimmed because the signed-in person lacks the right is offered too, saying so, and
choosing it says why again (screens.admin_keys); others dimmed (nothing to act on) are left
out. The places reached from anywhere are offered on every full screen (never over a dialog),
unless a binding of the screen already offers the same thing.

Typing matches an entry's title (fuzzily, as Textual does) or, failing that, words of its
description: "mail" finds Reply ("it is mailed to the client").
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import ModalScreen, Screen

from screens.admin_keys import refusal_of
from screens.settings_access import palette_help, settings_places
from screens.staff_access import may_manage_staff

PALETTE_ACTIONS_LEFT_OUT = frozenset({"command_palette"})
"""Actions that make no sense as a palette entry (opening the palette itself)."""
DESCRIPTION_SCORE = 0.2
"""How a match on words of the description ranks: below any match on a title."""


@dataclass(frozen=True)
class DeskCommand:
    """One palette entry: a binding that is allowed now."""

    title: str
    """The binding's description ("Tickets")."""
    help: str
    """The binding's tooltip and its key, escaped (the palette reads help as markup)."""
    action: str
    """The action string the binding runs."""
    node: DOMNode
    """Where the action runs (the app or the screen)."""
    run: Callable[[], object] | None = None
    """What the entry does when it is no binding's action (see anywhere_commands)."""
    about: str = ""
    """The description as plain text, whose words a search also matches."""


def desk_commands(screen: Screen[object]) -> list[DeskCommand]:
    """The commands offered on `screen`: the app's (navigation) first, then the screen's, then
    those of the widgets around the focus.

    A desk binding carries a tooltip; Textual's general keys (focus next, copy, cursor keys)
    carry none and stay out of the palette.
    """
    app = screen.app
    seen: set[str] = set()
    found: list[tuple[int, DeskCommand]] = []
    for node, binding in _bindings_in_reach(screen):
        if not binding.description or not binding.tooltip or binding.system:
            continue
        if binding.action in PALETTE_ACTIONS_LEFT_OUT or binding.action in seen:
            continue
        target, name, parameters = _target(binding.action, node, screen)
        refusal = ""
        allowed = target.check_action(name, parameters)
        if not allowed:
            refusal = "" if allowed is False else refusal_of(target, name)
            if not refusal:
                continue
        seen.add(binding.action)
        key = app.get_key_display(binding) or binding.key
        about = f"Admins only: {refusal}" if refusal else binding.tooltip
        run = partial(target.notify, refusal, severity="warning", markup=False)
        command = DeskCommand(
            binding.description,
            escape(f"{about}  ({key})"),
            binding.action,
            node,
            run if refusal else None,
            about,
        )
        found.append((0 if node is app else 1 if node is screen else 2, command))
    found.sort(key=lambda pair: pair[0])
    commands = [command for _, command in found]
    offered = {command.action for command in commands}
    commands += [c for c in anywhere_commands(screen) if c.action not in offered]
    return commands


def _bindings_in_reach(screen: Screen[object]) -> Iterator[tuple[DOMNode, Binding]]:
    """The bindings a key press on `screen` could reach, as Textual looks for them (from the
    focused widget up to the app, the first binding of a key winning), but with the keys a
    focused input takes for typing left in: from the composer the palette still reaches `r`.

    Built from the classes' public BINDINGS, merged along each class's bases as Textual merges
    them (a subclass's binding of a key replaces its base's)."""
    focused = screen.focused
    nodes = focused.ancestors_with_self if focused is not None else [screen, screen.app]
    taken: set[str] = set()
    for node in nodes:
        by_key: dict[str, list[Binding]] = {}
        for base in reversed(type(node).__mro__):
            if issubclass(base, DOMNode):
                own: dict[str, list[Binding]] = {}
                for binding in Binding.make_bindings(base.__dict__.get("BINDINGS", ())):
                    own.setdefault(binding.key, []).append(binding)
                by_key.update(own)
        for key, bindings in by_key.items():
            if key not in taken:
                taken.add(key)
                for binding in bindings:
                    yield node, binding


def _target(
    action: str, node: DOMNode, screen: Screen[object]
) -> tuple[DOMNode, str, tuple[object, ...]]:
    """Where a binding's action runs (its "app." or "screen." prefix, else its own node), the
    action's name and its parameters."""
    destination, name, parameters = parse(action)
    where = {"app": screen.app, "screen": screen}.get(destination, node)
    return where, name, parameters


def described_by(query: str, about: str) -> bool:
    """Whether every word typed starts a word of the description ("mail" and "mailed")."""
    typed = re.findall(r"\w+", query.lower())
    words = re.findall(r"\w+", about.lower())
    return bool(typed) and all(any(w.startswith(t) for w in words) for t in typed)


QUEUE_VIEWS = (
    ("Open tickets", "open", "The ticket queue: every ticket not completed."),
    ("Completed tickets", "completed", "The ticket queue: completed tickets."),
    ("All tickets", "all", "The ticket queue: every ticket."),
)
"""The queue's views the palette goes to: (title, view, what it shows)."""


def anywhere_commands(screen: Screen[object]) -> list[DeskCommand]:
    """A new ticket or client, the dashboard, the outbox, the catalogue, the staff and the
    queue's views, from any full screen (none before someone has signed in)."""
    if isinstance(screen, ModalScreen) or getattr(screen.app, "signed_in_actor", True) is None:
        return []
    app = screen.app
    client_id = getattr(screen, "client_id", None)
    commands = [
        DeskCommand(
            "New ticket",
            escape("Open a new ticket for a client (this one, on a client's screen)."),
            "new_ticket",
            app,
            partial(new_ticket, app, client_id if isinstance(client_id, uuid.UUID) else None),
        )
    ]
    commands.append(
        DeskCommand(
            "New client",
            escape("Add a client (the client form); its screen opens after saving."),
            "new_client",
            app,
            partial(new_client, app),
        )
    )
    dashboard = sys.modules.get("screens.dashboard")  # not imported: not on the dashboard
    if dashboard is None or not isinstance(screen, dashboard.DashboardScreen):
        commands.append(
            DeskCommand(
                "Dashboard",
                escape(
                    "The desk today: tickets waiting per department, unassigned tickets, "
                    "orders pending, invoices overdue, mail that needs someone."
                ),
                "dashboard",
                app,
                partial(show_dashboard, app),
            )
        )
    triage = sys.modules.get("screens.mail_triage")  # not imported: not on the triage list
    if triage is None or not isinstance(screen, triage.UnassignedMailScreen):
        commands.append(
            DeskCommand(
                "Unassigned mail",
                escape("Mail from unknown senders: attach it to a client, or discard it."),
                "unassigned_mail",
                app,
                partial(show_unassigned_mail, app),
            )
        )
    outbox = sys.modules.get("screens.outbox_list")  # not imported: not on the outbox
    if outbox is None or not isinstance(screen, outbox.OutboxScreen):
        commands.append(
            DeskCommand(
                "Outbox",
                escape("The mail outbox: what is sent, what waits, what failed."),
                "outbox",
                app,
                partial(show_outbox, app),
            )
        )
    catalogue = sys.modules.get("screens.catalogue_list")  # not imported: not on the catalogue
    if catalogue is None or not isinstance(screen, catalogue.CatalogueScreen):
        commands.append(
            DeskCommand(
                "Catalogue",
                escape("The product catalogue: codes, prices, what can be ordered."),
                "catalogue",
                app,
                partial(show_catalogue, app),
            )
        )
    staff = sys.modules.get("screens.staff_list")  # not imported: not on the staff list
    if staff is None or not isinstance(screen, staff.StaffScreen):
        commands.append(staff_command(app))
    commands += settings_commands(screen)
    for title, view, what in QUEUE_VIEWS:
        run = partial(show_queue, app, view)
        commands.append(DeskCommand(title, escape(what), f"queue_view('{view}')", app, run))
    return commands


def settings_commands(screen: Screen[object]) -> list[DeskCommand]:
    """Departments, canned replies, mail and billing settings (read-only for agents)."""
    actor = getattr(screen.app, "signed_in_actor", None)
    return [
        DeskCommand(place.title, escape(palette_help(place, actor)), place.module, screen.app, run)
        for place, run in settings_places(screen)
    ]


def new_ticket(app: App[Any], client_id: uuid.UUID | None) -> None:
    """The new-ticket form (for `client_id` when given)."""
    from screens.ticket_new import open_new_ticket_form

    open_new_ticket_form(app, client_id)


def new_client(app: App[Any]) -> None:
    """The client form; the new client's screen once it is saved."""
    from screens.client_list import add_client

    add_client(app)


def show_dashboard(app: App[Any]) -> None:
    """The dashboard, over the current screen."""
    from screens.dashboard import show_dashboard as show

    show(app)


def show_unassigned_mail(app: App[Any]) -> None:
    """The mail waiting for triage, over the current screen."""
    from screens.mail_triage import UnassignedMailScreen

    app.push_screen(UnassignedMailScreen())


def show_outbox(app: App[Any]) -> None:
    """The mail outbox, over the current screen."""
    from screens.outbox_list import OutboxScreen

    app.push_screen(OutboxScreen())


def show_catalogue(app: App[Any]) -> None:
    """The product catalogue, over the current screen."""
    from screens.catalogue_list import CatalogueScreen

    app.push_screen(CatalogueScreen())


def staff_command(app: App[Any]) -> DeskCommand:
    """The staff list, for admins; an agent sees the entry say it is admins' (and choosing it
    says so again, without opening it)."""
    if may_manage_staff(getattr(app, "signed_in_actor", None)):
        what = "The desk's staff: add people, change roles, set passwords, disable."
    else:
        what = "Admins only: the desk's staff (ask an admin to add or change someone)."
    return DeskCommand("Staff", escape(what), "staff", app, partial(show_staff, app))


def show_staff(app: App[Any]) -> None:
    """The staff list, over the current screen (an agent is told why not)."""
    from screens.staff_list import show_staff as show

    show(app)


def show_queue(app: App[Any], view: str) -> None:
    """The tickets area showing `view` ("open", "completed" or "all")."""
    from screens.ticket_list import show_queue_view

    show_queue_view(app, view)


class DeskCommands(Provider):
    """Offers the allowed actions of the current screen and the app."""

    def _run(self, command: DeskCommand) -> Callable[[], object]:
        if command.run is not None:
            return command.run
        return partial(self.app.run_action, command.action, command.node)

    async def discover(self) -> Hits:
        """Every allowed command, before anything is typed."""
        for command in desk_commands(self.screen):
            yield DiscoveryHit(command.title, self._run(command), help=command.help)

    async def search(self, query: str) -> Hits:
        """The commands whose title matches what was typed, then those whose description
        has the words typed."""
        matcher = self.matcher(query)
        for command in desk_commands(self.screen):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.title), self._run(command), help=command.help
                )
            elif described_by(query, command.about or command.help):
                run = self._run(command)
                yield Hit(DESCRIPTION_SCORE, command.title, run, command.title, command.help)
