"""A cart of products: read from what a person or a script typed, then priced from the catalogue.

Every line is checked before anything is written: the product exists, is not retired, may be
ordered, is sold in the cycle asked for, and the quantity is a whole number from 1 to 100. Each
refusal is a ValidationError with a sentence that names the product code.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import peewee

from deskapp.errors import ValidationError
from deskapp.models import Cycle, Product, ProductPrice, ProductType
from deskapp.models.billing import CYCLE_MONTHS
from deskapp.money import MAX_CENTS, Money
from deskapp.services.clients import ensure_client_open

MAX_QUANTITY = 100
"""The most of one product one order line takes; more is a typo, or a call to sales."""
MAX_LINES = 50
"""The most lines one order has."""
CYCLES = tuple(Cycle)
"""Every billing cycle, in the order the catalogue lists them."""

_ITEM = re.compile(r"^(?P<code>[^:]+?)(?::(?P<cycle>[^:]*?))?(?:[x×](?P<quantity>[-+]?\d\S*))?$")
"""CODE[:CYCLE][xQTY]; the quantity starts with a digit or a sign, so a code ending in X (BOX)
stays a code."""


@dataclass(frozen=True)
class CartLine:
    """One product asked for, before it is checked and priced."""

    code: str
    """The product code as typed (case does not matter): FIBRE-1G."""
    cycle: str | None = None
    """The billing cycle; None takes the product's first cycle (Monthly before Annually)."""
    quantity: int = 1
    """How many (1 to 100); each unit of a recurring product becomes a service."""


@dataclass(frozen=True)
class PricedLine:
    """A cart line checked against the catalogue, at today's price."""

    product_id: uuid.UUID
    """The product's key."""
    code: str
    """The product code as the catalogue spells it."""
    name: str
    """The product's name."""
    type: str
    """Bundle, Internet, Voice, Recurring, One-time or Support hours."""
    cycle: str
    """The billing cycle chosen."""
    quantity: int
    """How many."""
    unit_cents: int
    """The price of one, for that cycle."""
    total_cents: int
    """unit_cents × quantity."""
    support_minutes: int
    """Prepaid support the line adds when paid: the product's minutes × quantity."""

    @property
    def makes_services(self) -> bool:
        """Whether each unit becomes a service (recurring cycles; one-time products do not)."""
        return self.cycle in CYCLE_MONTHS and self.type != ProductType.ONE_TIME

    @property
    def text(self) -> str:
        """ "Fibre 1000" or "2 × VoIP Line", as order lists show an item."""
        return self.name if self.quantity == 1 else f"{self.quantity} × {self.name}"


@dataclass(frozen=True)
class CartPrice:
    """A whole cart, priced."""

    lines: tuple[PricedLine, ...]
    """The lines in the order given."""
    total_cents: int
    """What the order costs."""


def parse_cart_item(text: str) -> CartLine:
    """Read "FIBRE-1G", "FIBRE-1G:Annually", "FIBRE-1G:Monthlyx2" or "VOIP-LINEx3"."""
    cleaned = str(text).strip()
    match = _ITEM.match(cleaned)
    if not cleaned or match is None or not match["code"].strip():
        shown = cleaned[:60]
        raise ValidationError(
            "items", f"“{shown}” is not a product; write it like FIBRE-1G:Monthlyx2."
        )
    cycle = match["cycle"]
    quantity = match["quantity"]
    return CartLine(
        code=match["code"].strip(),
        cycle=parse_cycle(cycle) if cycle is not None else None,
        quantity=parse_quantity(quantity) if quantity is not None else 1,
    )


def parse_cycle(text: str) -> str:
    """A billing cycle by name, case and hyphens not mattering ("annually", "one time")."""
    wanted = _squash(text)
    for cycle in CYCLES:
        if _squash(cycle) == wanted:
            return cycle.value
    raise ValidationError(
        "cycle", f"“{text.strip()[:30]}” is not a billing cycle; use {_either(CYCLES)}."
    )


def parse_quantity(text: str) -> int:
    """A quantity as typed: a whole number from 1 to 100."""
    cleaned = text.strip()
    if not re.fullmatch(r"[-+]?\d{1,9}", cleaned):
        raise ValidationError(
            "quantity", f"“{cleaned[:20]}” is not a quantity; write a whole number like 2."
        )
    return check_quantity(int(cleaned))


def check_quantity(quantity: object, code: str = "") -> int:
    """The quantity if it is a whole number from 1 to 100, else a sentence why not."""
    of = f" of {code}" if code else ""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError("quantity", f"The quantity{of} must be a whole number like 2.")
    if quantity < 1:
        raise ValidationError(
            "quantity", f"The quantity{of} must be at least 1; take the line out instead."
        )
    if quantity > MAX_QUANTITY:
        raise ValidationError(
            "quantity",
            f"{quantity:,}{of} is more than one order takes ({MAX_QUANTITY}); check the number.",
        )
    return quantity


def check_client_can_order(client_id: uuid.UUID) -> None:
    """Refuse a client that may not order now (gone: NotFound; Closed: Conflict saying why), so
    a cart says so when it opens rather than when it is placed."""
    ensure_client_open(client_id)


def price_cart(lines: Sequence[CartLine]) -> CartPrice:
    """Check every line against the catalogue and price it (ValidationError: the first bad one)."""
    if not lines:
        raise ValidationError("items", "The order is empty; add at least one product.")
    if len(lines) > MAX_LINES:
        raise ValidationError(
            "items", f"An order has at most {MAX_LINES} lines; split it into several orders."
        )
    codes = {str(line.code).strip().upper() for line in lines}
    found = Product.select().where(peewee.fn.UPPER(Product.code).in_(codes))
    products = {row.code.upper(): row for row in found}
    prices: dict[uuid.UUID, dict[str, int]] = {}
    for price in ProductPrice.select().where(
        ProductPrice.product.in_([row.id for row in products.values()])
    ):
        prices.setdefault(price.product_id, {})[price.cycle] = price.price_cents
    priced = tuple(_priced(line, products, prices) for line in lines)
    total = sum(line.total_cents for line in priced)
    if total >= MAX_CENTS:
        raise ValidationError("items", "That order is too large to be real; check the quantities.")
    return CartPrice(priced, total)


def _priced(
    line: CartLine, products: dict[str, Product], prices: dict[uuid.UUID, dict[str, int]]
) -> PricedLine:
    code = str(line.code).strip()
    product = products.get(code.upper())
    if product is None:
        raise ValidationError("items", f"There is no product with the code “{code[:40]}”.")
    if product.retired:
        raise ValidationError("items", f"{product.code} is retired; it can no longer be ordered.")
    if not product.orderable:
        raise ValidationError("items", f"{product.code} is not orderable at the moment.")
    offered = {cycle: cents for cycle, cents in prices.get(product.id, {}).items()}
    sold_in = [cycle for cycle in CYCLES if cycle in offered]
    if not sold_in:
        raise ValidationError("items", f"{product.code} has no price yet; it cannot be ordered.")
    cycle = sold_in[0] if line.cycle is None else parse_cycle(line.cycle)
    if cycle not in offered:
        raise ValidationError(
            "cycle",
            f"{product.code} is not sold {_adverb(cycle)}; it is sold "
            f"{_either([_adverb(each) for each in sold_in])}.",
        )
    quantity = check_quantity(line.quantity, product.code)
    unit = offered[cycle]
    return PricedLine(
        product_id=product.id,
        code=product.code,
        name=product.name,
        type=product.type,
        cycle=str(cycle),
        quantity=quantity,
        unit_cents=unit,
        total_cents=unit * quantity,
        support_minutes=max(product.support_minutes, 0) * quantity,
    )


def describe(line: PricedLine) -> str:
    """One line of an order's summary: "FIBRE-1G Fibre 1G, Monthly: 2 × 45.00 = 90.00"."""
    return (
        f"{line.code} {line.name}, {line.cycle}: "
        f"{line.quantity} × {Money(line.unit_cents)} = {Money(line.total_cents)}"
    )


def _squash(text: str) -> str:
    return re.sub(r"[\s_-]+", "", str(text)).lower()


def _adverb(cycle: str) -> str:
    return "as a one-time purchase" if cycle == Cycle.ONE_TIME else str(cycle)


def _either(cycles: Sequence[str]) -> str:
    names = [str(cycle) for cycle in cycles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
