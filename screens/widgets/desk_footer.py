"""The Footer, rebuilt only when the keys it shows actually change."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Footer

AREAS_NOT_IN_FOOTER = [
    Binding(str(number), f"app.switch_area('{area}')", title, show=False, tooltip=f"Go to {to}.")
    for number, (area, title, to) in enumerate(
        (
            ("clients", "Clients", "the client list"),
            ("tickets", "Tickets", "the ticket queue"),
            ("orders", "Orders", "the orders"),
            ("ledger", "Ledger", "the credit ledger"),
        ),
        start=1,
    )
]
"""The area keys 1-4, working but not in the footer: for a screen of one client or ticket,
whose own keys need the footer's width (at 120 columns the areas pushed them off)."""


class DeskFooter(Footer):
    """Textual's Footer, skipping rebuilds that would show the same keys.

    Focus moving announces new bindings several times while a screen opens, and the plain
    Footer rebuilds every key widget each time, which is most of an area's opening time. This
    one compares what it would show with what it shows and rebuilds only on a difference.

    The desk's first screen mounts its footer once start-up is done (see screens.start_up):
    its twenty-odd key widgets would otherwise delay the first rows.
    """

    _shown: tuple[object, ...] | None = None

    def _keys_to_show(self) -> tuple[object, ...]:
        shown = [
            (key, active.binding.action, active.binding.description, active.enabled)
            for key, active in self.screen.active_bindings.items()
            if active.binding.show
        ]
        return (self.compact, self.show_command_palette, *shown)

    async def recompose(self) -> None:
        """Rebuild the keys, unless they would be the ones shown (or the screen closed)."""
        if not self.is_attached:
            return  # its screen closed before the rebuild ran
        keys = self._keys_to_show()
        if keys != self._shown:
            self._shown = keys
            await super().recompose()
