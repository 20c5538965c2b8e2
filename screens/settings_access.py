"""The desk's own settings in the command palette, and who may change them.

Departments, canned replies, mail and billing settings are every staff member's to read and an
admin's to change (Right.MANAGE_SETTINGS): the palette offers them to everyone, saying to an
agent that they are read-only. Kept apart from the screens so the palette can ask without
loading them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

    from deskapp.services.actors import Actor

__all__ = ["SettingsPlace", "may_change_settings", "settings_places", "why_read_only"]


def may_change_settings(actor: Actor | None) -> bool:
    """Whether the screens offer `actor` the keys that change the desk's settings (the rights
    table's answer, as the services check it)."""
    from deskapp.services.rights import Right, allows

    return allows(actor, Right.MANAGE_SETTINGS)


def why_read_only(actor: Actor | None) -> str:
    """The sentence an agent reads beside the dimmed keys; empty for an admin."""
    from deskapp.services.rights import Right, why_not

    return why_not(actor, Right.MANAGE_SETTINGS)


@dataclass(frozen=True)
class SettingsPlace:
    """One of the desk's settings, as the palette offers it."""

    title: str
    """The palette entry ("Departments")."""
    what: str
    """What it holds, in a sentence."""
    module: str
    """The module of its screen (not imported until chosen)."""
    screen_class: str
    """The screen's (or dialog's) class in `module`: on it, the palette does not offer it."""


SETTINGS_PLACES = (
    SettingsPlace(
        "Departments",
        "Desk settings: departments, their mailbox, signature and the fields they ask for.",
        "screens.department_list",
        "DepartmentsScreen",
    ),
    SettingsPlace(
        "Canned replies",
        "Desk settings: canned replies, their fields, previewed against a real ticket.",
        "screens.canned_list",
        "CannedRepliesScreen",
    ),
    SettingsPlace(
        "Mail settings",
        "Desk settings: the sender address and which contacts each kind of mail goes to.",
        "screens.mail_settings",
        "MailSettingsDialog",
    ),
    SettingsPlace(
        "Billing settings",
        "Desk settings: how early invoices are issued, and the agent credit limit.",
        "screens.billing_settings",
        "BillingSettingsDialog",
    ),
)
"""The desk's settings, in the order the palette lists them."""


def settings_places(screen: Screen[object]) -> list[tuple[SettingsPlace, Callable[[], None]]]:
    """The settings the palette offers on `screen` (all but the one it is), each with what
    opens it; an agent's entries say they are read-only."""
    found = []
    for place in SETTINGS_PLACES:
        module = sys.modules.get(place.module)  # not imported: not on that screen
        if module is not None and isinstance(screen, getattr(module, place.screen_class)):
            continue
        found.append((place, _opener(screen.app, place)))
    return found


def palette_help(place: SettingsPlace, actor: Actor | None) -> str:
    """The entry's help: what it holds, and for an agent that it is read-only."""
    if may_change_settings(actor):
        return place.what
    return f"{place.what} Read-only: only an admin can change them."


def _opener(app: App[Any], place: SettingsPlace) -> Callable[[], None]:
    def open_place() -> None:
        import importlib

        module = importlib.import_module(place.module)
        app.push_screen(getattr(module, place.screen_class)())

    return open_place
