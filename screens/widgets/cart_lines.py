"""The cart's lines as the placing service priced them, and the total under them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from deskapp.money import Money
from deskapp.services.order_place import CartPrice, PricedLine
from screens.widgets.cells import money_cell
from screens.widgets.record_lines import RecordColumn
from screens.widgets.record_list import RecordList
from screens.widgets.untrusted import untrusted

__all__ = ["LINE_COLUMNS", "CartLines", "total_text"]

LINE_COLUMNS: Sequence[RecordColumn[PricedLine]] = (
    RecordColumn("Code", lambda line: untrusted(line.code, limit=12), 12),
    RecordColumn("Product", lambda line: untrusted(line.name, limit=16), 16),
    RecordColumn("Cycle", lambda line: Text(line.cycle), 13),
    RecordColumn("Qty", lambda line: Text(str(line.quantity)), 3, align_right=True),
    RecordColumn("Each", lambda line: money_cell(line.unit_cents), 8, align_right=True),
    RecordColumn("Total", lambda line: money_cell(line.total_cents), 9, align_right=True),
)
"""Code, product, cycle, quantity, unit price, line total (fits 80 columns)."""


def total_text(price: CartPrice | None) -> Text:
    """ "Total  205.00   2 lines", or that the order is empty."""
    if price is None or not price.lines:
        return Text("The order is empty.", style="dim")
    count = len(price.lines)
    return Text.assemble(
        ("Total  ", "bold"),
        (str(Money(price.total_cents)), "bold"),
        (f"   {count} line{'s' if count != 1 else ''}", "dim"),
    )


class CartLines(Widget):
    """The priced lines (a row cursor picks the line to take out) and the total."""

    DEFAULT_CSS = """
    CartLines {
        height: auto;
    }
    """

    def compose(self) -> ComposeResult:
        """The lines, the total."""
        yield RecordList(LINE_COLUMNS, id="lines")
        yield Static(total_text(None), id="total")

    @property
    def lines(self) -> RecordList[PricedLine]:
        """The list of lines."""
        return self.query_one("#lines", RecordList)

    def show(self, price: CartPrice | None) -> None:
        """Show the cart as priced (None: empty)."""
        self.lines.show(price.lines if price else ())
        self.query_one("#total", Static).update(total_text(price))
