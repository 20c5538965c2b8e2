"""Keys someone may not use: dimmed in the footer, and when pressed they say why.

A screen names its admin-only actions in `ADMIN_KEYS` (action -> Right) and mixes in
`ExplainsAdminKeys`. Its `check_action` answers None (dimmed) for those `refused_because`
refuses; pressing such a key then shows the rights table's own sentence ("Only an admin can
approve or reject an order; ask an admin to do it.") instead of doing nothing, and the command
palette offers the action with the same sentence (screens.commands). The services refuse
agents again whatever a screen shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding

from deskapp.services.rights import Right, why_not
from screens.widgets.desk_session import desk_session

if TYPE_CHECKING:
    from textual.screen import Screen

__all__ = ["ExplainsAdminKeys", "refusal_of"]


class ExplainsAdminKeys:
    """Mixin for a Screen: admin-only keys say why when someone without the right presses
    them."""

    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {}
    """The screen's actions that need a right, and which."""

    def refused_because(self, action: str) -> str:
        """The rights sentence when the signed-in person may not use `action`, else ""."""
        right = self.ADMIN_KEYS.get(action)
        if right is None:
            return ""
        screen: Screen[object] = self  # type: ignore[assignment]
        return why_not(desk_session(screen).actor, right)

    def on_key(self, event: events.Key) -> None:
        """A key bound here to an action refused by the rights table: say why (the key reaches
        this before the bindings, which would drop a dimmed key silently)."""
        if event.key not in _admin_keys(type(self)):
            return  # most keys: no need to ask every binding of the screen
        screen: Screen[object] = self  # type: ignore[assignment]
        found = screen.active_bindings.get(event.key)
        if found is None or found.enabled or found.node is not screen:
            return
        sentence = self.refused_because(found.binding.action)
        if sentence:
            event.stop()
            event.prevent_default()
            screen.notify(sentence, severity="warning", markup=False)


@cache
def _admin_keys(screen_type: type[ExplainsAdminKeys]) -> frozenset[str]:
    """The keys a screen class binds to its ADMIN_KEYS actions."""
    keys: set[str] = set()
    for cls in screen_type.__mro__:
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", ())):
            if binding.action in screen_type.ADMIN_KEYS:
                keys.add(binding.key)
    return frozenset(keys)


def refusal_of(node: object, action: str) -> str:
    """Why `node` (a screen) refuses `action` to the signed-in person; "" when it does not
    say (no rights are involved, or the person holds them)."""
    if isinstance(node, ExplainsAdminKeys):
        return node.refused_because(action)
    return ""
