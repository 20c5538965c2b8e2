"""Room for a refusal in a tall form dialog: while the service's sentence (and someone else's
version) shows under the form, the form's scrolling body gets shorter, so the buttons stay on an
80 x 24 screen. A dialog's stylesheet says how short: `.-refused .form-body { max-height: … }`."""

from __future__ import annotations

from textual.dom import DOMNode

__all__ = ["MakesRoomForRefusals"]


class MakesRoomForRefusals(DOMNode):
    """Mixin for a FormDialog: the class -refused while a refusal is shown."""

    def rejected(self, field: str, sentence: str) -> None:
        """The service refused: make room for its sentence."""
        self.add_class("-refused")

    def clear_errors(self) -> None:
        """The sentences are gone: the body may grow again."""
        super().clear_errors()  # type: ignore[misc]
        self.remove_class("-refused")
