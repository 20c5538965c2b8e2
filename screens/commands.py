"""The command palette: every action the keys offer, built from the same bindings, and the
few places that are reached from anywhere (a new ticket or client, the mail waiting for
triage, the outbox, the catalogue, the staff, the queue's views).

An entry exists for each binding of the app and of the current screen that has a description
and that `check_action` allows right now, so the palette and the footer never disagree. The
places reached from anywhere are offered on every full screen (never over a dialog), unless a
binding of the screen already offers the same thing.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import ModalScreen, Screen

from screens.settings_access import palette_help, settings_places
from screens.staff_access import may_manage_staff

PALETTE_ACTIONS_LEFT_OUT = frozenset({"command_palette"})
"""Actions that make no sense as a palette entry (opening the palette itself)."""


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


def desk_commands(screen: Screen[object]) -> list[DeskCommand]:
    """The commands allowed on `screen`: the app's (navigation) first, then the screen's.

    A desk binding carries a tooltip; Textual's general keys (focus next, copy) carry none and
    stay out of the palette, as do the focused widget's cursor keys.
    """
    app = screen.app
    seen: set[str] = set()
    found: list[tuple[int, DeskCommand]] = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or not binding.description or not binding.tooltip:
            continue
        if not isinstance(active.node, App | Screen) or binding.system:
            continue
        if binding.action in PALETTE_ACTIONS_LEFT_OUT or binding.action in seen:
            continue
        seen.add(binding.action)
        help_text = f"{binding.tooltip}  ({app.get_key_display(binding) or key})"
        command = DeskCommand(binding.description, escape(help_text), binding.action, active.node)
        found.append((0 if isinstance(active.node, App) else 1, command))
    found.sort(key=lambda pair: pair[0])
    commands = [command for _, command in found]
    offered = {command.action for command in commands}
    commands += [c for c in anywhere_commands(screen) if c.action not in offered]
    return commands


QUEUE_VIEWS = (
    ("Open tickets", "open", "The ticket queue: every ticket not completed."),
    ("Completed tickets", "completed", "The ticket queue: completed tickets."),
    ("All tickets", "all", "The ticket queue: every ticket."),
)
"""The queue's views the palette goes to: (title, view, what it shows)."""


def anywhere_commands(screen: Screen[object]) -> list[DeskCommand]:
    """A new ticket, the outbox, the catalogue, the staff and the queue's views, from any full
    screen (none before someone has signed in)."""
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
        """The allowed commands whose title matches what was typed."""
        matcher = self.matcher(query)
        for command in desk_commands(self.screen):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.title), self._run(command), help=command.help
                )
