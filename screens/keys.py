"""The `?` key list: every key of the current screen and of the app, with what it does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static


@dataclass(frozen=True)
class KeyHelp:
    """One line of the key list."""

    key: str
    """The key as people press it ("ctrl+p", "?")."""
    description: str
    """What it does, in a word or two."""
    detail: str
    """The longer explanation (the binding's tooltip)."""


def keys_of(screen: Screen[object]) -> list[KeyHelp]:
    """The keys active on `screen`: the desk's own first (they carry a tooltip), the screen's
    before the app's, then Textual's general keys and the focused widget's.

    Keys that exist but are not allowed right now are left out, as the footer leaves them out.
    """
    found: list[tuple[tuple[int, int], KeyHelp]] = []
    by_action: dict[tuple[int, str, str], int] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not binding.description or not active.enabled:
            continue
        where = 0 if active.node is screen else 1 if isinstance(active.node, App) else 2
        shown = screen.app.get_key_display(binding) or key
        same = (id(active.node), binding.action, binding.description)
        if same in by_action:  # one action, two keys ("? f1"): one line
            index = by_action[same]
            rank, help = found[index]
            found[index] = (rank, KeyHelp(f"{help.key} {shown}", help.description, help.detail))
            continue
        by_action[same] = len(found)
        rank = (0 if binding.tooltip else 1, where)
        found.append((rank, KeyHelp(shown, binding.description, binding.tooltip)))
    found.sort(key=lambda pair: pair[0])
    return [help for _, help in found]


class KeysScreen(ModalScreen[None]):
    """A modal list of keys; escape, `?` or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", tooltip="Close the key list."),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, keys: Sequence[KeyHelp], title: str) -> None:
        super().__init__()
        self.keys = tuple(keys)
        """The keys to list."""
        self.title_text = title
        """Which place the keys belong to."""

    def compose(self) -> ComposeResult:
        """A title, the table of keys, and how to close."""
        with Vertical(id="keys-panel"):
            yield Static(Text(f"Keys: {self.title_text}"), id="keys-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="keys-table")
            yield Static(Text("escape closes this list"), id="keys-hint")

    def on_mount(self) -> None:
        """Fill the table."""
        table = self.query_one("#keys-table", DataTable)
        table.add_column("Key", width=10)
        table.add_column("Does", width=20)
        # The explanation takes what an 80-column terminal leaves (the panel's frame and the
        # key and word columns with their padding take 42 cells).
        table.add_column("", width=max(20, min(48, self.app.size.width - 42)))
        for key in self.keys:
            # Rows as tall as their explanation needs: narrow, it wraps rather than ends mid-word.
            table.add_row(Text(key.key), Text(key.description), Text(key.detail), height=None)
        table.focus()
