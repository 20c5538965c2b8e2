"""Room for a refusal in a tall form dialog: while the service's sentence (and someone else's
version) shows under the form, the form's scrolling body gets shorter, so the buttons stay on an
80 x 24 screen. A dialog's stylesheet says how short: `&.-refused .form-body { max-height: … }`.

A plain mixin, not a DOMNode: Textual takes a widget's CSS type names from its first DOMNode
base, so the dialog must keep FormDialog as that base for its stylesheet to apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

__all__ = ["MakesRoomForRefusals"]


class MakesRoomForRefusals:
    """Mixin for a FormDialog: the class -refused while a refusal is shown."""

    def rejected(self, field: str, sentence: str) -> None:
        """The service refused: a sentence about one field is brought into view under it; one
        on the form's own line (a conflict, say) gets room made for it."""
        node = cast("DOMNode", self)
        lines = node.query(f".form-body #{field}-error") if field.isidentifier() else None
        if lines:
            node.call_after_refresh(lines.first().scroll_visible, animate=False)
        else:
            node.add_class("-refused")

    def clear_errors(self) -> None:
        """The sentences are gone: the body may grow again."""
        super().clear_errors()  # type: ignore[misc]
        cast("DOMNode", self).remove_class("-refused")
