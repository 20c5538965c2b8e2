"""The product catalogue: what the business sells, each product known by a short code.

Agents read it; only admins change it. A product that an order item or a service uses is
retired (no new orders), never deleted, so every order and service keeps what it was sold as.
The code is what people and scripts type (FIBRE-1000): stored upper case, found whatever the
case. Lists page by code, the unique key people sort a catalogue by.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import peewee

from deskapp import clock
from deskapp.db import feed, is_postgres
from deskapp.db.transaction import write_transaction
from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import (
    Entity,
    OrderItem,
    Product,
    ProductPrice,
    Service,
    dict_rows,
)
from deskapp.services import audit
from deskapp.services.actors import Actor
from deskapp.services.catalogue_checks import CYCLES, PRODUCT_TYPES, validated
from deskapp.services.conflicts import changed_meanwhile
from deskapp.services.rights import Right, acting
from deskapp.wording import counted

__all__ = [
    "CYCLES",
    "PRODUCT_TYPES",
    "ImportResult",
    "ProductInfo",
    "ProductPriceInfo",
    "create_product",
    "delete_product",
    "export_catalogue",
    "find_product",
    "get_product",
    "import_catalogue",
    "list_products",
    "retire_product",
    "save_product",
    "set_retired",
    "update_product",
    "validated",
]


@dataclass(frozen=True)
class ProductPriceInfo:
    """The price of a product for one billing cycle."""

    cycle: str
    """A Cycle value: Monthly, Quarterly, Semi-annually, Annually or One-time."""
    price_cents: int
    """The price in cents."""


@dataclass(frozen=True)
class ProductInfo:
    """A product of the catalogue with its prices."""

    id: uuid.UUID
    """The product's key."""
    code: str
    """What people and scripts type: FIBRE-1000 (upper case)."""
    name: str
    """What clients and invoices read."""
    type: str
    """A ProductType value."""
    description: str
    """A line or two about it."""
    orderable: bool
    """Whether new orders may include it (as well as it not being retired)."""
    retired: bool
    """Retired products are kept for the orders and services that use them, never ordered."""
    support_minutes: int
    """For a Support hours bundle: the prepaid time it adds; 0 for every other type."""
    version: int
    """The version read: pass it back to save_product to detect someone else's change."""
    prices: tuple[ProductPriceInfo, ...]
    """One price per cycle offered, in Cycle order."""

    def price_for(self, cycle: str) -> int | None:
        """The price in cents for `cycle`, or None when the product is not sold that way."""
        return next((price.price_cents for price in self.prices if price.cycle == cycle), None)

    @property
    def can_order(self) -> bool:
        """Orderable and not retired: what a new order may include."""
        return self.orderable and not self.retired

    @property
    def cycles(self) -> tuple[str, ...]:
        """The cycles it is sold in."""
        return tuple(price.cycle for price in self.prices)


def list_products(
    *,
    include_retired: bool = False,
    orderable_only: bool = False,
    after: ProductInfo | None = None,
    limit: int = 100,
) -> list[ProductInfo]:
    """A page of products by code, after the product `after`. Retired products only with
    `include_retired`; `orderable_only` keeps what a new order may include."""
    query = Product.select()
    if not include_retired or orderable_only:
        query = query.where(Product.retired == False)  # noqa: E712
    if orderable_only:
        query = query.where(Product.orderable == True)  # noqa: E712
    if after is not None:
        query = query.where(Product.code > after.code)
    return _infos(query.order_by(Product.code).limit(limit))


def find_product(code: str) -> ProductInfo:
    """The product with `code`, whatever its case (retired ones too); NotFound otherwise."""
    wanted = code.strip().upper() if isinstance(code, str) else ""
    found = _infos(Product.select().where(Product.code == wanted))
    if not found:
        shown = wanted if len(wanted) <= 40 else wanted[:39] + "…"
        raise NotFound(
            f"There is no product with the code “{shown}”; `deskapp catalogue list` shows them."
        )
    return found[0]


def get_product(product_id: uuid.UUID) -> ProductInfo:
    """The product with key `product_id`; NotFound when it was deleted."""
    found = _infos(Product.select().where(Product.id == product_id))
    if not found:
        raise NotFound("That product no longer exists; it may have been deleted.")
    return found[0]


def save_product(
    actor: Actor,
    *,
    code: str,
    name: str,
    type: str,
    description: str,
    orderable: bool,
    support_minutes: int,
    prices: Mapping[str, int],
    product_id: uuid.UUID | None = None,
    version: int | None = None,
) -> ProductInfo:
    """Add a product (no `product_id`) or change one, read at `version` (Conflict when someone
    changed it since). Admins only; every value is checked with a sentence naming its field."""
    values, cycle_prices = validated(
        code=code,
        name=name,
        type=type,
        description=description,
        orderable=orderable,
        support_minutes=support_minutes,
        prices=prices,
    )
    with acting(actor, Right.MANAGE_CATALOGUE) as actor:
        if product_id is None:
            product_id = create_product(actor, values, cycle_prices)
        else:
            update_product(actor, product_id, version, values, cycle_prices)
    return get_product(product_id)


def create_product(actor: Actor, values: dict[str, Any], prices: dict[str, int]) -> uuid.UUID:
    """Insert a checked product (inside the caller's transaction); returns its key."""
    _code_is_free(values["code"], None)
    row = _written(lambda: Product.create(**values))
    _write_prices(row.id, prices)
    audit.record(
        actor,
        "product.created",
        "product",
        row.id,
        f"{values['code']} added to the catalogue",
        None,
        {**values, "prices": prices},
    )
    feed.publish(Entity.PRODUCT, row.id, "created")
    return row.id


def update_product(
    actor: Actor,
    product_id: uuid.UUID,
    version: int | None,
    values: dict[str, Any],
    prices: dict[str, int],
) -> None:
    """Change a product to checked values (inside the caller's transaction); Conflict when it
    is no longer at `version` (None: whatever version it is at)."""
    current = _product_row(product_id)
    _code_is_free(values["code"], product_id)
    before = {**{name: getattr(current, name) for name in values}, "prices": _prices_of(current)}
    seen = current.version if version is None else version
    changed = _written(
        lambda: (
            Product.update(**values, version=Product.version + 1, updated_at=clock.now())
            .where(Product.id == product_id, Product.version == seen)
            .execute()
        )
    )
    if not changed:
        raise changed_meanwhile(
            Product, product_id, entity="product", label=current.code, fields=values
        )
    ProductPrice.delete().where(ProductPrice.product == product_id).execute()
    _write_prices(product_id, prices)
    audit.record(
        actor,
        "product.updated",
        "product",
        product_id,
        f"{values['code']} edited",
        before,
        {**values, "prices": prices},
    )
    feed.publish(Entity.PRODUCT, product_id, "updated")


def set_retired(actor: Actor, product_id: uuid.UUID, retired: bool) -> bool:
    """Retire a product or bring it back (inside the caller's transaction); False when it
    already was so."""
    current = _product_row(product_id)
    if current.retired == retired:
        return False
    Product.update(retired=retired, version=Product.version + 1, updated_at=clock.now()).where(
        Product.id == product_id
    ).execute()
    action = "retired" if retired else "restored"
    audit.record(
        actor,
        f"product.{action}",
        "product",
        product_id,
        f"{current.code} {action}",
        {"retired": current.retired},
        {"retired": retired},
    )
    feed.publish(Entity.PRODUCT, product_id, "updated")
    return True


def retire_product(actor: Actor, product_id: uuid.UUID) -> ProductInfo:
    """Stop new orders of a product; the orders and services that use it keep it. Admins only."""
    with acting(actor, Right.MANAGE_CATALOGUE) as actor:
        set_retired(actor, product_id, True)
    return get_product(product_id)


def delete_product(actor: Actor, product_id: uuid.UUID) -> None:
    """Remove a product nobody ever ordered (a mistake); one that an order or a service uses is
    refused with a sentence saying to retire it. Admins only."""
    with acting(actor, Right.MANAGE_CATALOGUE) as actor:
        current = _product_row(product_id)
        items = OrderItem.select().where(OrderItem.product == product_id).count()
        services = Service.select().where(Service.product == product_id).count()
        if items or services:
            raise Conflict(
                f"{current.code} is {_used_by(items, services)}, so it cannot be deleted; "
                "retire it instead, which stops new orders and keeps it for them."
            )
        before = {"code": current.code, "name": current.name, "prices": _prices_of(current)}
        ProductPrice.delete().where(ProductPrice.product == product_id).execute()
        _written(lambda: Product.delete().where(Product.id == product_id).execute())
        audit.record(
            actor, "product.deleted", "product", product_id, f"{current.code} deleted", before
        )
        feed.publish(Entity.PRODUCT, product_id, "deleted")


def export_catalogue() -> str:
    """The whole catalogue, retired products too, as a TOML file (see catalogue_file)."""
    from deskapp.services.catalogue_file import catalogue_toml

    return catalogue_toml()


def import_catalogue(actor: Actor, text: str) -> ImportResult:
    """Make the catalogue match a TOML file, product by product (matched by code): idempotent,
    all or nothing. Admins only."""
    from deskapp.services.catalogue_file import apply_catalogue_toml

    return apply_catalogue_toml(actor, text)


@dataclass(frozen=True)
class ImportResult:
    """What an import changed, by product code."""

    created: tuple[str, ...]
    """Codes of the products added."""
    updated: tuple[str, ...]
    """Codes of the products changed."""
    unchanged: tuple[str, ...]
    """Codes of the products the file left as they were."""

    @property
    def message(self) -> str:
        """One line for the command line: "2 products added, 1 changed, 14 unchanged."."""
        added = counted(len(self.created), "product")
        return f"{added} added, {len(self.updated):,} changed, {len(self.unchanged):,} unchanged."


def _used_by(items: int, services: int) -> str:
    parts = []
    if items:
        parts.append(f"on {items} order item{'s' if items != 1 else ''}")
    if services:
        parts.append(f"used by {services} service{'s' if services != 1 else ''}")
    return " and ".join(parts)


def _code_is_free(code: str, product_id: uuid.UUID | None) -> None:
    query = Product.select(Product.id).where(Product.code == code)
    if product_id is not None:
        query = query.where(Product.id != product_id)
    if query.exists():
        raise ValidationError("code", f"Another product already has the code {code}.")


def _written(write: Any) -> Any:
    """Run a write; a unique code or a product newly in use, raced by another desk, becomes
    a Conflict instead of a crash."""
    try:
        with write_transaction():
            return write()
    except peewee.IntegrityError as error:
        raise Conflict(
            "Someone else changed the catalogue at the same moment; reload it and try again."
        ) from error


def _write_prices(product_id: uuid.UUID, prices: dict[str, int]) -> None:
    rows = [
        {"product": product_id, "cycle": cycle, "price_cents": cents}
        for cycle, cents in prices.items()
    ]
    ProductPrice.insert_many(rows).execute()


def _product_row(product_id: uuid.UUID) -> Product:
    query = Product.select().where(Product.id == product_id)
    row = query.for_update().get_or_none() if is_postgres() else query.get_or_none()
    if row is None:
        raise NotFound("That product no longer exists; it may have been deleted.")
    return row


def _prices_of(product: Product) -> dict[str, int]:
    rows = ProductPrice.select().where(ProductPrice.product == product.id)
    found = {row.cycle: row.price_cents for row in rows}
    return {cycle: found[cycle] for cycle in CYCLES if cycle in found}


def _infos(query: peewee.BaseQuery) -> list[ProductInfo]:
    """ProductInfos for the products `query` selects, with their prices in one more query."""
    rows = list(dict_rows(query))
    prices: dict[uuid.UUID, list[ProductPriceInfo]] = {row["id"]: [] for row in rows}
    if rows:
        price_rows = dict_rows(
            ProductPrice.select(
                ProductPrice.product, ProductPrice.cycle, ProductPrice.price_cents
            ).where(ProductPrice.product.in_(list(prices)))
        )
        for price in price_rows:
            prices[price["product"]].append(ProductPriceInfo(price["cycle"], price["price_cents"]))
    return [_info(row, _in_cycle_order(prices[row["id"]])) for row in rows]


def _in_cycle_order(prices: Iterable[ProductPriceInfo]) -> tuple[ProductPriceInfo, ...]:
    rank = {cycle: position for position, cycle in enumerate(CYCLES)}
    return tuple(sorted(prices, key=lambda price: rank.get(price.cycle, len(rank))))


def _info(row: dict[str, Any], prices: tuple[ProductPriceInfo, ...]) -> ProductInfo:
    return ProductInfo(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        type=row["type"],
        description=row["description"],
        orderable=row["orderable"],
        retired=row["retired"],
        support_minutes=row["support_minutes"],
        version=row["version"],
        prices=prices,
    )
