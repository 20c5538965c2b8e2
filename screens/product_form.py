"""Add or edit a product of the catalogue: code, name, type, orderable, the support minutes a
Support hours bundle adds, a description and a price per billing cycle.

A price left empty means the product is not sold in that cycle. The form reads amounts as
people type them (65, 65.00, 1,200.50); the catalogue service checks everything else and says
why it refuses, under the field at fault.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, TextArea

from deskapp.errors import Conflict, DeskError, NotFound, ValidationError
from deskapp.money import Money
from deskapp.services.catalogue import (
    CYCLES,
    PRODUCT_TYPES,
    ProductInfo,
    get_product,
    save_product,
)
from deskapp.text import is_number
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput, InertTextArea

__all__ = ["ProductFormDialog", "price_field_id"]


def price_field_id(cycle: str) -> str:
    """The id of the price field of `cycle`: price-Semi-annually."""
    return f"price-{cycle}"


class ProductFormDialog(FormDialog[ProductInfo]):
    """Add a product (`product_id` None) or edit one; dismisses the saved product."""

    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound)

    def __init__(self, product_id: uuid.UUID | None = None) -> None:
        super().__init__()
        self.product_id = product_id
        """The product edited, or None for a new one."""
        self.version: int | None = None
        """The version read; saving is refused if someone changed the product since."""

    def loads_first(self) -> bool:
        """Editing reads the product first."""
        return self.product_id is not None

    def heading(self) -> str:
        """Add, or edit (the product is named once loaded)."""
        return "Add a product" if self.product_id is None else "Edit product…"

    def submit_label(self) -> str:
        """Add product, or Save."""
        return "Add product" if self.product_id is None else "Save"

    def compose_fields(self) -> ComposeResult:
        """Code and name; type, orderable and minutes; description; one price per cycle."""
        with Horizontal(classes="form-row"):
            code = InertInput(placeholder="FIBRE-1000", id="code", compact=True, max_length=32)
            yield self.short_field("Code", code, "code")
            yield self.short_field("Name", InertInput(id="name", compact=True), "name")
        yield from self.error_lines("code", "name")
        with Horizontal(classes="form-row"):
            kinds = Select(
                [(Text(kind), kind) for kind in PRODUCT_TYPES],
                allow_blank=False,
                value=PRODUCT_TYPES[0],
                id="type",
                compact=True,
            )
            yield self.short_field("Type", kinds, "type")
            minutes = Input(placeholder="0", id="support_minutes", compact=True, type="integer")
            yield self.short_field("Support minutes", minutes, "minutes")
            with Vertical(classes="field orderable"):
                yield Checkbox("Orderable", True, id="orderable", compact=True)
        yield from self.error_lines("type", "support_minutes", "orderable")
        yield self.field(
            "Description",
            InertTextArea(id="description", soft_wrap=True, compact=True, tab_behavior="focus"),
        )
        yield self.label("Prices per cycle (empty: not sold that way)")
        with Horizontal(classes="form-row prices"):
            for cycle in CYCLES:
                price = Input(placeholder="-", id=price_field_id(cycle), compact=True)
                yield Vertical(self.label(cycle), price, classes="field price")
        yield self.field_error("prices")

    def short_field(self, label: str, widget: Widget, kind: str) -> Vertical:
        """A labelled field of a row; its error line goes under the whole row."""
        return Vertical(self.label(label), widget, classes=f"field {kind}")

    def error_lines(self, *fields: str) -> ComposeResult:
        """The error lines of a row's fields, full width under the row."""
        for name in fields:
            yield self.field_error(name)

    def load(self) -> ProductInfo:
        """The product to edit."""
        assert self.product_id is not None
        return get_product(self.product_id)

    def loaded(self, data: ProductInfo) -> None:
        """Fill the fields from the product."""
        self.version = data.version
        self.set_heading(f"Edit {data.code} ({data.name})")
        self.query_one("#code", Input).value = data.code
        self.query_one("#name", Input).value = data.name
        self.query_one("#type", Select).value = data.type
        self.query_one("#orderable", Checkbox).value = data.orderable
        minutes = self.query_one("#support_minutes", Input)
        minutes.value = str(data.support_minutes) if data.support_minutes else ""
        self.query_one("#description", TextArea).text = data.description
        for price in data.prices:
            self.query_one(f"#{price_field_id(price.cycle)}", Input).value = str(
                Money(price.price_cents)
            )
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any]:
        """What was typed; prices read as amounts, minutes as a whole number."""
        prices: dict[str, int] = {}
        for cycle in CYCLES:
            typed = self.query_one(f"#{price_field_id(cycle)}", Input).value
            if typed.strip():
                try:
                    prices[cycle] = Money.parse(typed, "prices").cents
                except ValidationError as error:
                    raise ValidationError("prices", f"The {cycle} price: {error}") from error
        minutes_typed = self.query_one("#support_minutes", Input).value.strip()
        if minutes_typed and not is_number(minutes_typed):
            raise ValidationError(
                "support_minutes", "Support minutes must be a whole number, like 300 for 5 hours."
            )
        return {
            "code": self.query_one("#code", Input).value,
            "name": self.query_one("#name", Input).value,
            "type": str(self.query_one("#type", Select).value),
            "description": self.query_one("#description", TextArea).text,
            "orderable": self.query_one("#orderable", Checkbox).value,
            "support_minutes": int(minutes_typed or "0"),
            "prices": prices,
        }

    def call_service(self, values: Mapping[str, Any]) -> ProductInfo:
        """save_product, as the signed-in staff member."""
        return save_product(self.actor, **values, product_id=self.product_id, version=self.version)

    def done(self, result: ProductInfo) -> None:
        """Say what was saved and close with the product."""
        verb = "Added" if self.product_id is None else "Saved"
        self.say(f"{verb} {result.code} ({result.name}).")
        self.dismiss(result)
