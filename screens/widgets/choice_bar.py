"""A one-line choice among a few fixed values: `All  Active  Inactive  Closed`.

Lighter than a Select (one widget, no overlay), so an area opens fast; left/right (or h/l)
move the choice, a click picks one. The labels are the desk's own words, never client text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

GAP = "  "
"""Between two choices."""


class ChoiceBar(Widget, can_focus=True):
    """Pick one of a few values; posts `ChoiceBar.Changed`.

    | Key(s) | Description |
    | :- | :- |
    | left / h | The previous choice. |
    | right / l | The next choice. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "move(-1)", "Previous choice", show=False),
        Binding("right,l", "move(1)", "Next choice", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice-bar--chosen"}
    """The chosen value's look (set in styles/app.tcss)."""

    index = reactive(0)
    """Which choice is chosen."""

    class Changed(Message):
        """Another choice was made."""

        def __init__(self, choice_bar: ChoiceBar, value: str) -> None:
            super().__init__()
            self.choice_bar = choice_bar
            """The bar that changed."""
            self.value = value
            """The value now chosen."""

        @property
        def control(self) -> ChoiceBar:
            """The bar (for `@on(ChoiceBar.Changed, "#id")`)."""
            return self.choice_bar

    def __init__(self, choices: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices = tuple(choices)
        """(label, value) pairs, in the order shown."""

    @property
    def value(self) -> str:
        """The chosen value."""
        return self.choices[self.index][1]

    @value.setter
    def value(self, value: str) -> None:
        values = [choice_value for _, choice_value in self.choices]
        self.index = values.index(value)

    def render(self) -> Text:
        """The labels, the chosen one marked."""
        chosen = self.get_component_rich_style("choice-bar--chosen")
        text = Text(no_wrap=True)
        for position, (label, _) in enumerate(self.choices):
            if position:
                text.append(GAP)
            text.append(f" {label} ", style=chosen if position == self.index else "")
        return text

    def watch_index(self, old: int, new: int) -> None:
        """Announce the new choice."""
        if old != new:
            self.post_message(self.Changed(self, self.value))

    def action_move(self, step: int) -> None:
        """Choose the previous (-1) or next (1) value, wrapping around."""
        self.index = (self.index + step) % len(self.choices)

    def on_click(self, event: events.Click) -> None:
        """Choose the value under the mouse."""
        start = 0
        for position, (label, _) in enumerate(self.choices):
            end = start + len(label) + 2
            if start <= event.x < end:
                self.index = position
                return
            start = end + len(GAP)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """As wide as the labels."""
        return sum(len(label) + 2 for label, _ in self.choices) + len(GAP) * (len(self.choices) - 1)
