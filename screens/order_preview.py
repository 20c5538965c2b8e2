"""What approving an order would do, shown before anyone decides: the queue's detail pane, the
approve dialog and the order screen draw it the same way.

The preview comes from order_decide.preview_approval (in a thread, by the screen that shows
it); this widget only draws it. Its sentences may name clients and products, so they are shown
as inert text; its colours are component classes (styles/orders.tcss), never literal colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from deskapp.money import Money
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from rich.style import StyleType

    from deskapp.services.order_decide import ApprovalPreview

__all__ = ["ApprovalPreviewView", "preview_table"]

LABEL_WIDTH = 10
"""The width of the labels down the left ("Services", "Invoice"...)."""


def preview_table(
    preview: ApprovalPreview,
    *,
    label_style: StyleType = "dim",
    problem_style: StyleType = "bold",
    ready_style: StyleType = "",
) -> Table:
    """The preview as labelled lines (a long one wraps under its own column): the start date,
    the services, the invoice or payment, the credit note with its arithmetic, and what would
    stop approval now (or that nothing does)."""
    table = Table.grid(expand=True)
    table.add_column(width=LABEL_WIDTH, no_wrap=True, style=label_style)
    table.add_column(ratio=1)

    def line(label: str, value: Text) -> None:
        table.add_row(label, value)

    default = " (the default)" if preview.start == preview.default_start else ""
    line(
        "Start",
        Text.assemble(
            (f"{preview.start:%Y-%m-%d}", "bold"),
            default,
            ("" if default else f" (default {preview.default_start:%Y-%m-%d})"),
        ),
    )
    if preview.services:
        services = Text(", ").join(
            Text.assemble(untrusted(name, limit=40), f" from {start:%Y-%m-%d}")
            for name, start in preview.services
        )
    else:
        services = Text("none to start (nothing recurring in the order)")
    line("Services", services)
    line("Invoice", untrusted(preview.invoice_text or "none", limit=300))
    if preview.credit_note_cents:
        line("Credit", Text(f"a credit note of {Money(preview.credit_note_cents)} for unused days"))
        for arithmetic in preview.credit_lines:
            line("", untrusted(arithmetic, limit=300))
    else:
        line("Credit", Text("no credit note"))
    if preview.problems:
        for index, problem in enumerate(preview.problems):
            shown = untrusted(problem, limit=500)
            shown.stylize(problem_style)
            line("Refused" if index == 0 else "", shown)
    else:
        line("Ready", Text("Nothing stops approval.", style=ready_style))
    return table


class ApprovalPreviewView(Widget):
    """The preview of one order's approval, or a sentence in its place (loading, none)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "approval-preview--label",
        "approval-preview--problem",
        "approval-preview--ready",
        "approval-preview--note",
    }
    """| Class | Description |
    | :- | :- |
    | `approval-preview--label` | The labels down the left. |
    | `approval-preview--problem` | What would stop approval now. |
    | `approval-preview--ready` | "Nothing stops approval." |
    | `approval-preview--note` | A line under the heading (why the keys are off for you). |
    """

    DEFAULT_CSS = """
    ApprovalPreviewView {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.preview: ApprovalPreview | None = None
        """The preview shown (None while a sentence stands in its place)."""
        self.heading = Text()
        """The line above the preview (which order), the desk's own words and names."""
        self.sentence = Text("")
        """What is shown instead of a preview."""
        self.note = ""
        """A line under the heading in the desk's words (why approving is off for this person)."""

    def show_preview(self, preview: ApprovalPreview, heading: Text | None = None) -> None:
        """Show `preview` (under `heading`, when given)."""
        self.preview = preview
        self.heading = heading or Text()
        self.refresh(layout=True)

    def show_sentence(self, sentence: Text, heading: Text | None = None) -> None:
        """Show a sentence instead of a preview (loading, nothing to approve)."""
        self.preview = None
        self.sentence = sentence
        self.heading = heading or Text()
        self.refresh(layout=True)

    def show_note(self, note: str) -> None:
        """A line under the heading, above whatever is shown ("" for none)."""
        self.note = note
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        """Heading, note (first: a long preview may be cut at the pane's foot), preview or
        sentence."""
        label = self.get_component_rich_style("approval-preview--label", partial=True)
        parts: list[RenderableType] = []
        if self.heading:
            parts.append(self.heading)
        if self.note:
            note_style = self.get_component_rich_style("approval-preview--note", partial=True)
            parts.append(Text(self.note, style=note_style))
        if self.preview is not None:
            parts.append(
                preview_table(
                    self.preview,
                    label_style=label,
                    problem_style=self.get_component_rich_style(
                        "approval-preview--problem", partial=True
                    ),
                    ready_style=self.get_component_rich_style(
                        "approval-preview--ready", partial=True
                    ),
                )
            )
        else:
            parts.append(self.sentence)
        return Group(*parts)
