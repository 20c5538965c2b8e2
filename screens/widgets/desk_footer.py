"""The Footer: esc and ? first, then the screen's keys as far as the width goes.

At 80 columns (the default over SSH) a screen's keys do not all fit. Textual's Footer lays them
out in the order they are bound and lets the last ones run off the edge, half a word showing.
This one puts `esc` (the way back) and `?` (the list of every key; `f1` in a text field, where
`?` is typed) first, always, then the other keys in their order (the focused widget's and the
screen's own before the app's area keys), each whole or not at all; `^p palette` stays on the
right. A key left out still works, and `?` and the palette list it.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Footer

__all__ = ["AREAS_NOT_IN_FOOTER", "PINNED_KEYS", "DeskFooter", "FooterEntry"]

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

PINNED_KEYS = ("escape", "question_mark", "f1")
"""The keys shown first whatever the width: the way back, and the list of every key (`f1`
where a text field takes `?` as a character)."""

PALETTE_WIDTH = 13
"""The cells `▏ ^p palette` takes on the right (its border, key and word)."""


class FooterEntry(NamedTuple):
    """One key as the footer shows it."""

    key: str
    """The key pressed (what a click on it simulates)."""
    key_display: str
    """How the key is written ("esc", "?", "^p")."""
    description: str
    """The binding's short description."""
    action: str
    """The binding's action (one entry per action)."""
    enabled: bool
    """False: shown dimmed (the screen's check_action said not now)."""
    tooltip: str
    """What hovering over the key says."""

    @property
    def width(self) -> int:
        """The cells the entry takes: ` key ` then `description `."""
        width = cell_len(self.key_display) + 2
        return width + cell_len(self.description) + 1 if self.description else width


class DeskKey(Widget):
    """One key of the footer: a click presses it (a dimmed one rings the bell)."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {"desk-key--key", "desk-key--description"}
    """| Class | Description |
    | :- | :- |
    | `desk-key--key` | The key ("esc"). |
    | `desk-key--description` | What it does ("Back"). |
    """

    DEFAULT_CSS = """
    DeskKey {
        width: auto;
        height: 1;
        text-wrap: nowrap;
        background: $footer-item-background;
        & > .desk-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .desk-key--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        &:hover {
            pointer: pointer;
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        &.-disabled {
            text-style: dim;
        }
        &.-command-palette {
            dock: right;
            border-left: vkey $foreground 20%;
        }
    }
    """

    def __init__(self, entry: FooterEntry, *, classes: str = "") -> None:
        super().__init__(classes=classes)
        self.entry = entry
        """The key shown."""
        self.set_class(not entry.enabled, "-disabled")
        if entry.tooltip:
            self.tooltip = entry.tooltip

    def render(self) -> Text:
        """` key ` in the key's style, then `description ` in the description's."""
        entry = self.entry
        text = Text.assemble(
            (f" {entry.key_display} ", self.get_component_rich_style("desk-key--key"))
        )
        if entry.description:
            style = self.get_component_rich_style("desk-key--description")
            text.append(f"{entry.description} ", style)
        text.stylize_before(self.rich_style)
        return text

    def on_mouse_down(self) -> None:
        """Press the key (or ring the bell for one that cannot be used now)."""
        if self.entry.enabled:
            self.app.simulate_key(self.entry.key)
        else:
            self.app.bell()


class DeskFooter(Footer):
    """The desk's footer: esc and ? first, then as many keys as fit, whole.

    It also compares what it would show with what it shows and rebuilds only on a difference:
    focus moving announces new bindings several times while a screen opens, and rebuilding
    every key widget each time is most of an area's opening time.

    The desk's first screen mounts its footer once start-up is done (see screens.start_up):
    its key widgets would otherwise delay the first rows.
    """

    _shown: tuple[object, ...] | None = None
    _ready = False
    """Whether the screen has announced its bindings (its widgets can be asked about them)."""

    def entries(self) -> tuple[list[FooterEntry], FooterEntry | None]:
        """The keys shown at the app's width, in order, and the palette's key (if shown)."""
        active = self.screen.active_bindings
        get_display = self.app.get_key_display
        by_action: dict[str, FooterEntry] = {}
        for key, (_, binding, enabled, tooltip) in active.items():
            if binding.show and binding.action not in by_action:
                by_action[binding.action] = FooterEntry(
                    key,
                    get_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    tooltip or binding.tooltip,
                )
        pinned = [entry for entry in by_action.values() if entry.key in PINNED_KEYS]
        pinned.sort(key=lambda entry: PINNED_KEYS.index(entry.key))
        palette = None
        room = self.app.size.width
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _, binding, enabled, tooltip = found
                palette = FooterEntry(
                    binding.key,
                    get_display(binding),
                    binding.description,
                    binding.action,
                    enabled,
                    binding.tooltip or binding.description,
                )
                room -= PALETTE_WIDTH
        shown = list(pinned)
        room -= sum(entry.width for entry in pinned)
        for entry in by_action.values():
            if entry in pinned:
                continue
            if entry.width > room:
                break  # what follows gives way: keys keep their order, whole
            shown.append(entry)
            room -= entry.width
        return shown, palette

    def _keys_to_show(self) -> tuple[object, ...]:
        shown, palette = self.entries()
        return (*shown, palette)

    def compose(self) -> ComposeResult:
        """The keys that fit, then the palette's on the right (once the screen's bindings are
        announced: its check_action may look for widgets mounted after the footer)."""
        if not self._ready:
            return
        shown, palette = self.entries()
        self._shown = (*shown, palette)
        for entry in shown:
            yield DeskKey(entry)
        if palette is not None:
            yield DeskKey(palette, classes="-command-palette")

    class KeysShown(Message):
        """The footer has its keys (a screen waiting to be drawn whole hears it)."""

    @property
    def keys_shown(self) -> bool:
        """Whether the keys are built (they are, once the screen announced its bindings)."""
        return self._shown is not None

    async def recompose(self) -> None:
        """Rebuild the keys, unless they would be the ones shown (or the screen closed)."""
        if not self.is_attached:
            return  # its screen closed before the rebuild ran
        self._ready = True
        if self._keys_to_show() != self._shown:
            await super().recompose()
            self.post_message(self.KeysShown())

    def on_resize(self) -> None:
        """A wider or narrower terminal has room for other keys."""
        self.call_after_refresh(self.recompose)
