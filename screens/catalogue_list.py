"""The product catalogue: every product by code, with its prices; admins add, edit and retire.

Agents read it (the keys that change it are shown dimmed); the highlighted product's
description and every price show under the list. Opened from the command palette ("Catalogue").

| Key(s) | Description |
| :- | :- |
| n | Add a product (admins). |
| e / enter | Edit the highlighted product (admins). |
| r | Retire the highlighted product: no new orders, kept for its orders (admins; asks). |
| x | Delete the highlighted product, if no order or service ever used it (admins; asks). |
| / | Current products, or those retired too. |
| ctrl+r | Load the catalogue again. |
| escape | Back where you came from. |

The columns fit 80 terminal columns; narrower, they give way in this order: orderable, type,
price; code and name always stay.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from deskapp.errors import Conflict, DeskError, NotFound
from deskapp.money import Money
from deskapp.services.catalogue import (
    ProductInfo,
    delete_product,
    list_products,
    retire_product,
)
from deskapp.services.changes import Entity
from deskapp.services.rights import Right, allows
from screens.admin_keys import ExplainsAdminKeys
from screens.area import AreaScreen
from screens.product_form import ProductFormDialog
from screens.widgets.cells import label_cell
from screens.widgets.form_dialog import FormDialog
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

_Answer = TypeVar("_Answer")
"""What a product dialog dismisses with."""

__all__ = ["CatalogueScreen", "DeleteProductDialog", "RetireProductDialog"]

CYCLE_SHORT = {
    "Monthly": "mo",
    "Quarterly": "qtr",
    "Semi-annually": "6 mo",
    "Annually": "yr",
    "One-time": "once",
}
"""How the list names each cycle after a price: 65.00/mo."""
ADMIN_ACTIONS = frozenset({"new_product", "edit_product", "retire_product", "delete_product"})
"""The actions only an admin may take (an agent sees their keys dimmed)."""


def price_cell(product: ProductInfo) -> Text:
    """The price of the shortest cycle, and how many other cycles it has: "65.00/mo +2" (the
    details under the list show them all)."""
    if not product.prices:
        return Text("")
    first = product.prices[0]
    more = f" +{len(product.prices) - 1}" if len(product.prices) > 1 else ""
    return Text(f"{Money(first.price_cents)}/{CYCLE_SHORT.get(first.cycle, first.cycle)}{more}")


def orderable_cell(product: ProductInfo) -> Text:
    """yes, no, or retired (dim)."""
    if product.retired:
        return Text("retired", style="dim")
    return Text("yes") if product.orderable else Text("no", style="italic")


COLUMNS: Sequence[RecordColumn[ProductInfo]] = (
    RecordColumn("Code", lambda p: label_cell(p.code), 15),
    RecordColumn("Name", lambda p: untrusted(p.name, limit=16), 16),
    RecordColumn("Type", lambda p: label_cell(p.type), 13, drop_rank=2),
    RecordColumn("Orderable", orderable_cell, 9, drop_rank=1),
    RecordColumn("Price", price_cell, 13, drop_rank=3),
)
"""Narrow enough for an 80-column terminal."""


def _product_page(include_retired: bool, last: ProductInfo | None, limit: int) -> list[ProductInfo]:
    return list_products(include_retired=include_retired, after=last, limit=limit)


class CatalogueScreen(ExplainsAdminKeys, AreaScreen):
    """Products by code; the highlighted one's description and prices below the list."""

    AREA_TITLE = "Catalogue"
    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = dict.fromkeys(ADMIN_ACTIONS, Right.MANAGE_CATALOGUE)
    NOUN = "products"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (("Current", "current"), ("With retired", "all"))
    FILTER_NOUNS: ClassVar[dict[str, str]] = {"current": "current products"}
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.PRODUCT})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_product", "New", tooltip="Add a product to the catalogue (admins)."),
        Binding("e", "edit_product", "Edit", tooltip="Edit the highlighted product (admins)."),
        Binding(
            "r",
            "retire_product",
            "Retire",
            tooltip="Stop new orders of the highlighted product; its orders keep it (admins).",
        ),
        Binding(
            "x",
            "delete_product",
            "Delete",
            show=False,
            tooltip="Delete the highlighted product if nothing ever used it (admins).",
        ),
        Binding("ctrl+r", "refresh", "Refresh", show=False, tooltip="Load the catalogue again."),
    ]

    def compose(self) -> ComposeResult:
        """The area's layout, with the highlighted product's details under the list."""
        for widget in super().compose():
            if isinstance(widget, Static) and widget.id == "count":
                yield Static(id="product-details")
            yield widget

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Code, name, type, orderable, price."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_products(), retired ones under "With retired"."""
        return partial(_product_page, filter_value == "all")

    @property
    def changes_catalogue(self) -> bool:
        """Whether the signed-in staff member may change the catalogue (the rights table)."""
        return allows(self.desk_app.session.actor, Right.MANAGE_CATALOGUE)

    @property
    def highlighted_product(self) -> ProductInfo | None:
        """The product under the cursor."""
        tables = self.query("#records")
        return tables.first(RecordTable).highlighted_record if tables else None

    @on(RecordTable.Highlighted, "#records")
    @on(RecordTable.Loaded, "#records")
    def _show_highlighted(self) -> None:
        product = self.highlighted_product
        details = self.query_one("#product-details", Static)
        details.update(details_text(product) if product is not None else Text(""))
        self.refresh_bindings()

    @on(RecordTable.Selected, "#records")
    def _selected(self) -> None:
        if self.check_action("edit_product", ()):
            self.action_edit_product()

    def refresh_for_changes(self) -> None:
        """Load again at once: a catalogue is short, and `r` here retires."""
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Admins' keys dimmed for agents; edit and retire need a product (retire, a current
        one); Back always goes back."""
        if action in ADMIN_ACTIONS:
            if not self.changes_catalogue:
                return None
            if action == "new_product":
                return True
            product = self.highlighted_product
            if product is None or (action == "retire_product" and product.retired):
                return None
            return True
        if action == "back":
            return True
        return super().check_action(action, parameters)

    def action_new_product(self) -> None:
        """The product form, empty."""
        if self.changes_catalogue:
            self.app.push_screen(ProductFormDialog(), self._saved)

    def action_edit_product(self) -> None:
        """The product form for the highlighted product."""
        product = self.highlighted_product
        if self.changes_catalogue and product is not None:
            self.app.push_screen(ProductFormDialog(product.id), self._saved)

    def action_retire_product(self) -> None:
        """Ask, then retire the highlighted product."""
        product = self.highlighted_product
        if self.changes_catalogue and product is not None and not product.retired:
            self.app.push_screen(RetireProductDialog(product), self._saved)

    def action_delete_product(self) -> None:
        """Ask, then delete the highlighted product (the service refuses a used one)."""
        product = self.highlighted_product
        if self.changes_catalogue and product is not None:
            self.app.push_screen(DeleteProductDialog(product), self._saved)

    def _saved(self, result: object) -> None:
        if result is not None:
            self.action_refresh()

    def action_back(self) -> None:
        """From the filter to the list; from the list back where the catalogue was opened."""
        if self.focused is not self.records:
            self.records.focus()
        else:
            self.app.pop_screen()


def details_text(product: ProductInfo) -> Text:
    """The product's name, description, every price and the time a support bundle adds."""
    prices = ", ".join(f"{p.cycle} {Money(p.price_cents)}" for p in product.prices)
    text = Text.assemble(
        (product.code, "bold"), "  ", untrusted(product.name, limit=60), "  ", (prices, "dim")
    )
    if product.support_minutes:
        hours, minutes = divmod(product.support_minutes, 60)
        text.append(f"  adds {hours} h" + (f" {minutes} min" if minutes else ""), "dim")
    if product.description:
        text.append("\n")
        text.append_text(untrusted(product.description, limit=150))
    return text


class _ConfirmProductDialog(FormDialog[_Answer]):
    """Ask before a change to one product: its heading names the product, a note says what the
    change does, and the focus starts on the button that decides."""

    SUBMIT_VARIANT = "error"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound)
    NOTE = ""
    """What the change does and keeps."""

    def __init__(self, product: ProductInfo) -> None:
        super().__init__()
        self.product = product
        """The product to change."""

    def heading(self) -> str:
        """Names the product."""
        return f"{self.SUBMIT} {self.product.code} ({self.product.name})?"

    def compose_fields(self) -> ComposeResult:
        """What the change does."""
        yield Static(Text(self.NOTE), classes="note")

    def on_mount(self) -> None:
        """The focus on the button that decides."""
        self.query_one("#submit").focus()


class RetireProductDialog(_ConfirmProductDialog[ProductInfo]):
    """Confirm retiring a product; dismisses the retired product."""

    SUBMIT = "Retire"
    NOTE = (
        "No new order can include it. The orders and services that have it keep it, "
        "and it stays in the catalogue, marked Retired."
    )

    def call_service(self, values: Mapping[str, Any]) -> ProductInfo:
        """retire_product."""
        return retire_product(self.actor, self.product.id)

    def done(self, result: ProductInfo) -> None:
        """Say so and close with the product."""
        self.say(f"Retired {result.code}; no new order can include it.")
        self.dismiss(result)


class DeleteProductDialog(_ConfirmProductDialog[bool]):
    """Confirm deleting a product added by mistake; one that an order or a service uses is
    refused, with the service's sentence saying to retire it. Dismisses True once deleted."""

    SUBMIT = "Delete"
    NOTE = (
        "Only a product no order or service ever used can be deleted; any other is retired instead."
    )

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """delete_product."""
        delete_product(self.actor, self.product.id)
        return True

    def done(self, result: bool) -> None:
        """Say so and close with True."""
        self.say(f"Deleted {self.product.code}.")
        self.dismiss(True)
