"""A search box that searches as you type: it says when the typing pauses (each key would
otherwise search), and up and down move the results' highlight while it keeps the focus.

| Key(s) | Description |
| :- | :- |
| down / up | Highlight the next or previous result, and go on typing. |
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input

SEARCH_DELAY = 0.1
"""Seconds of quiet in the box before it asks for a search."""
NO_CONTROLS = r"[^\x00-\x1f\x7f-\x9f]*"
"""The box takes no control characters (a pasted escape sequence stays out)."""
LONGEST_QUERY = 200
"""The most characters the box takes."""


class SearchBox(Input):
    """A one-line search: `Paused` when the typing pauses, `MoveResult` on up and down."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "down",
            "move_result(1)",
            "Next result",
            show=False,
            tooltip="Highlight the next result, and go on typing.",
        ),
        Binding(
            "up",
            "move_result(-1)",
            "Previous result",
            show=False,
            tooltip="Highlight the previous result, and go on typing.",
        ),
    ]

    class _Said(Message):
        def __init__(self, search_box: SearchBox) -> None:
            super().__init__()
            self.search_box = search_box
            """The box that says it."""

        @property
        def control(self) -> SearchBox:
            """The box (for `@on(SearchBox.Paused, "#search")`)."""
            return self.search_box

    class Paused(_Said):
        """The typing paused: search for what the box holds now."""

    class MoveResult(_Said):
        """Move the results' highlight while the search keeps the focus."""

        def __init__(self, search_box: SearchBox, step: int) -> None:
            super().__init__(search_box)
            self.step = step
            """1 for the next result, -1 for the previous one."""

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(
            placeholder=placeholder, restrict=NO_CONTROLS, max_length=LONGEST_QUERY, id=id
        )
        self._pending: Timer | None = None

    @property
    def pending(self) -> bool:
        """Whether what was typed last still waits for its search (see `Paused`)."""
        return self._pending is not None

    def cancel_pending(self) -> None:
        """Forget the search the typing would ask for (the screen is searching now)."""
        if self._pending is not None:
            self._pending.stop()
            self._pending = None

    @on(Input.Changed)
    def _typed(self) -> None:
        self.cancel_pending()
        self._pending = self.set_timer(SEARCH_DELAY, self._paused)

    def _paused(self) -> None:
        self._pending = None
        self.post_message(self.Paused(self))

    def action_move_result(self, step: int) -> None:
        """Ask the screen to move the highlight in the results."""
        self.post_message(self.MoveResult(self, step))
