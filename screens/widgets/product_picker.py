"""The line the cart is about to add: a product that may be ordered (the list finds it by what
is typed of its code or name), its billing cycle (each with its price) and how many, with the
line's price as it is being composed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from deskapp.money import Money
from deskapp.services.catalogue import ProductInfo
from deskapp.text import is_number
from screens.widgets.untrusted import untrusted

__all__ = ["ProductPicker"]


def _product_prompt(product: ProductInfo) -> Text:
    """FIBRE-1000  Fibre 1000 (what the list searches as one types)."""
    prompt = Text.assemble((product.code, "bold"), "  ", untrusted(product.name, limit=40))
    prompt.no_wrap = True
    prompt.overflow = "ellipsis"
    return prompt


def _cycle_prompt(product: ProductInfo, cycle: str) -> Text:
    """Monthly  65.00."""
    return Text(f"{cycle}  {Money(product.price_for(cycle) or 0)}")


def _label(text: str) -> Static:
    return Static(Text(text), classes="field-label")


class ProductPicker(Widget):
    """Product, cycle, quantity and the Add button (`#add-line`, which the cart answers)."""

    DEFAULT_CSS = """
    ProductPicker {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.products: dict[str, ProductInfo] = {}
        """The products offered, by code."""
        self.cycles_offered: tuple[str, ...] = ()
        """The cycles the cycle list offers now (the picked product's)."""

    def compose(self) -> ComposeResult:
        """One row of fields, then the line's price."""
        with Horizontal(id="add-row", classes="form-row"):
            product = Select[str]([], prompt="Pick a product…", id="product", compact=True)
            yield Vertical(_label("Product (type its code or name)"), product, classes="grow")
            cycle = Select[str]([], prompt="Cycle", id="cycle", compact=True)
            yield Vertical(_label("Cycle"), cycle, classes="cycle-field")
            quantity = Input("1", id="quantity", compact=True, max_length=6)
            yield Vertical(_label("Qty"), quantity, classes="quantity-field")
            yield Button("Add", id="add-line", compact=True)
        yield Static(id="line-price", classes="note")

    def offer(self, products: Sequence[ProductInfo]) -> None:
        """The products that may be ordered, by code."""
        self.products = {product.code: product for product in products}
        self.query_one("#product", Select).set_options(
            (_product_prompt(product), product.code) for product in products
        )

    @property
    def product(self) -> ProductInfo | None:
        """The product picked, if any."""
        value = self.query_one("#product", Select).value
        return self.products.get(value) if isinstance(value, str) else None

    @property
    def cycle(self) -> str | None:
        """The cycle picked (None: the product's first)."""
        value = self.query_one("#cycle", Select).value
        return value if isinstance(value, str) else None

    @property
    def quantity(self) -> str:
        """The quantity as typed (the service reads it)."""
        return self.query_one("#quantity", Input).value

    def start_again(self) -> None:
        """After a line was added: one of the next."""
        self.query_one("#quantity", Input).value = "1"

    @on(Select.Changed, "#product")
    def _product_changed(self) -> None:
        product = self.product
        cycle = self.query_one("#cycle", Select)
        self.cycles_offered = product.cycles if product else ()
        cycle.set_options((_cycle_prompt(product, c), c) for c in self.cycles_offered)
        if product is not None and self.cycles_offered:
            cycle.value = self.cycles_offered[0]
        self._show_line_price()

    @on(Select.Changed, "#cycle")
    @on(Input.Changed, "#quantity")
    def _show_line_price(self) -> None:
        """The line's price as it is composed: 2 × 45.00 = 90.00."""
        product, cycle = self.product, self.cycle
        price = product.price_for(cycle) if product and cycle else None
        text = self.quantity.strip()
        note = self.query_one("#line-price", Static)
        if price is None:
            note.update(Text(""))
        elif is_number(text) and 0 < int(text) <= 100:
            count = int(text)
            note.update(Text(f"{count} × {Money(price)} = {Money(price * count)}"))
        else:
            note.update(Text(f"{Money(price)} each"))
