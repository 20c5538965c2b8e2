"""The queue's picker: one value of a narrowing (a department, a priority), asked over the queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["QueuePicker"]


class QueuePicker(ModalScreen[str | None]):
    """Pick one value of a narrowing (a department, a priority); dismisses it, or None.

    | Key(s) | Description |
    | :- | :- |
    | enter | Show the highlighted choice. |
    | escape | Keep the queue as it is. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel", tooltip="Keep the queue as it is."),
    ]

    def __init__(self, question: str, choices: Sequence[tuple[Text, str]], current: str) -> None:
        super().__init__()
        self.question = question
        """What is asked (the desk's own words)."""
        self.choices = tuple(choices)
        """(label, value): labels are inert Text; "" is the choice that narrows nothing."""
        self.current = current
        """The value chosen now, highlighted when the picker opens."""

    def compose(self) -> ComposeResult:
        """The question and the choices."""
        with Vertical(id="picker-panel"):
            yield Static(Text(self.question), id="picker-title")
            yield OptionList(*(Option(label) for label, _ in self.choices), id="picker-choices")

    def on_mount(self) -> None:
        """Highlight the current choice."""
        options = self.query_one("#picker-choices", OptionList)
        values = [value for _, value in self.choices]
        options.highlighted = values.index(self.current) if self.current in values else 0
        options.focus()

    @on(OptionList.OptionSelected, "#picker-choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][1])
