"""The Footer, rebuilt only when the keys it shows actually change."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen
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

    While the app's `hold_footer_keys` is true (the desk sets it until its first frame and the
    first list's rows are on screen), the keys wait: some twenty widgets that would otherwise
    delay those rows. The app then calls `show_keys()`.
    """

    _shown: tuple[object, ...] | None = None
    _check_pending = False

    def show_keys(self) -> None:
        """Show the keys now if they were held back (see the class doc)."""
        if self._bindings_ready and self.is_attached:
            # In the footer's own context: its keys bind to it, not to the caller.
            self.call_later(self.bindings_changed, self.screen)

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Schedule one check, unless one is already on its way (else as Footer does)."""
        self._bindings_ready = True
        if getattr(screen.app, "hold_footer_keys", False):
            return
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._check_pending:
            self._check_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    def _keys_to_show(self) -> tuple[object, ...]:
        shown = [
            (key, active.binding.action, active.binding.description, active.enabled)
            for key, active in self.screen.active_bindings.items()
            if active.binding.show
        ]
        return (self.compact, self.show_command_palette, *shown)

    async def _recompose_if_changed(self) -> None:
        self._check_pending = False
        if not self.is_attached:
            return  # its screen closed before the check ran
        keys = self._keys_to_show()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
