"""The command palette: every action the keys offer, built from the same bindings.

An entry exists for each binding of the app and of the current screen that has a description
and that `check_action` allows right now, so the palette and the footer never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen

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
    return [command for _, command in found]


class DeskCommands(Provider):
    """Offers the allowed actions of the current screen and the app."""

    def _run(self, command: DeskCommand) -> partial[object]:
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
