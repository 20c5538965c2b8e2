"""The catalogue as a TOML file, so a desk's products can live in version control.

Importing is idempotent by product code: a product the file names is added when its code is
new, changed when it differs, left alone (no new version, no audit entry) when it matches;
products the file does not name are left as they are. The whole file is checked before
anything is written, and written in one transaction: a bad file changes nothing.

The file is written here rather than by a TOML library: its shape is fixed and small, and
every string goes through `toml_string`, which escapes what TOML requires.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

from deskapp.errors import ValidationError
from deskapp.models import Product, ProductType
from deskapp.services import catalogue
from deskapp.services.actors import Actor
from deskapp.services.catalogue_checks import validated
from deskapp.services.rights import Right, acting

HEADER = """\
# The product catalogue of a deskapp desk.
# `deskapp catalogue import FILE.toml` makes the desk match this file, product by product
# (matched by code); products not named here are left alone. Prices are in cents, one per
# billing cycle: Monthly, Quarterly, Semi-annually, Annually, One-time. support_minutes is
# only for Support hours products. A retired product is kept for its orders, never ordered.
"""
FIELDS = (
    "code",
    "name",
    "type",
    "description",
    "orderable",
    "retired",
    "support_minutes",
    "price_cents",
)
"""The keys of a [[product]] table, in the order they are written."""
FILE_LIMIT = 5_000_000
"""The largest catalogue file read (characters)."""
_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def catalogue_toml() -> str:
    """Every product, retired ones too, by code, as TOML."""
    parts = [HEADER]
    after = None
    while page := catalogue.list_products(include_retired=True, after=after, limit=500):
        parts.extend(_product_toml(product) for product in page)
        after = page[-1]
    return "\n".join(parts)


def _product_toml(product: catalogue.ProductInfo) -> str:
    lines = [
        "[[product]]",
        f"code = {toml_string(product.code)}",
        f"name = {toml_string(product.name)}",
        f"type = {toml_string(product.type)}",
        f"description = {toml_string(product.description)}",
        f"orderable = {_toml_bool(product.orderable)}",
        f"retired = {_toml_bool(product.retired)}",
    ]
    if product.type == ProductType.SUPPORT_HOURS:
        lines.append(f"support_minutes = {product.support_minutes}")
    prices = ", ".join(f"{_toml_key(p.cycle)} = {p.price_cents}" for p in product.prices)
    lines.append(f"price_cents = {{ {prices} }}")
    return "\n".join(lines) + "\n"


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character (C0, DEL, C1,
    line and paragraph separators) escaped, so a value is one plain line of the file."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if key and set(key) <= _BARE_KEY else toml_string(key)


def _toml_bool(value: bool) -> str:
    return "true" if value else "false"


def apply_catalogue_toml(actor: Actor, text: str) -> catalogue.ImportResult:
    """Make the catalogue match the TOML `text` (see the module docstring). Admins only."""
    entries = parse_catalogue(text)
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    with acting(actor, Right.MANAGE_CATALOGUE) as actor:
        for values, prices, retired in entries:
            code = values["code"]
            current = Product.get_or_none(Product.code == code)
            if current is None:
                product_id = catalogue.create_product(actor, values, prices)
                catalogue.set_retired(actor, product_id, retired)
                created.append(code)
                continue
            differs = _differs(catalogue.get_product(current.id), values, prices)
            if differs:
                catalogue.update_product(actor, current.id, None, values, prices)
            if catalogue.set_retired(actor, current.id, retired) or differs:
                updated.append(code)
            else:
                unchanged.append(code)
    return catalogue.ImportResult(tuple(created), tuple(updated), tuple(unchanged))


def _differs(
    product: catalogue.ProductInfo, values: dict[str, Any], prices: dict[str, int]
) -> bool:
    now = {name: getattr(product, name) for name in values}
    return now != values or {p.cycle: p.price_cents for p in product.prices} != prices


def parse_catalogue(text: str) -> list[tuple[dict[str, Any], dict[str, int], bool]]:
    """The file's products checked: (values, prices by cycle, retired) each. A ValidationError
    names the product (its code, or its place in the file) and the key at fault."""
    if len(text) > FILE_LIMIT:
        raise ValidationError("file", f"The file is over {FILE_LIMIT:,} characters; split it.")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValidationError("file", f"The file is not valid TOML: {error}.") from error
    extra = sorted(set(document) - {"product"})
    if extra:
        raise ValidationError(
            extra[0],
            f"The file has “{extra[0][:40]}” at the top; a catalogue file holds only "
            "[[product]] tables.",
        )
    products = document.get("product", [])
    if not isinstance(products, list):
        raise ValidationError("product", "Write each product as a [[product]] table.")
    entries = []
    seen: dict[str, int] = {}
    for place, table in enumerate(products, start=1):
        entry = _entry(place, table)
        code = entry[0]["code"]
        if code in seen:
            raise ValidationError(
                "code", f"Products {seen[code]} and {place} in the file both have the code {code}."
            )
        seen[code] = place
        entries.append(entry)
    return entries


def _entry(place: int, table: object) -> tuple[dict[str, Any], dict[str, int], bool]:
    if not isinstance(table, Mapping):
        raise ValidationError("product", f"Product {place} in the file is not a table.")
    code = table.get("code")
    label = code.upper() if isinstance(code, str) and code.strip() else f"Product {place}"
    for key in table:
        if key not in FIELDS:
            raise ValidationError(
                key,
                f"{label}: there is no key “{key[:40]}” in a product; the keys are "
                f"{', '.join(FIELDS)}.",
            )
    for key in ("code", "name", "type", "price_cents"):
        if key not in table:
            raise ValidationError(key, f"{label}: the file gives no {key}.")
    for key in ("orderable", "retired"):
        if not isinstance(table.get(key, False), bool):
            raise ValidationError(key, f"{label}: {key} must be true or false.")
    if not isinstance(table["price_cents"], Mapping):
        raise ValidationError(
            "price_cents",
            f"{label}: price_cents must be a table of cycle = cents, like {{ Monthly = 6500 }}.",
        )
    try:
        values, prices = validated(
            code=table["code"],
            name=table["name"],
            type=table["type"],
            description=table.get("description", ""),
            orderable=table.get("orderable", True),
            support_minutes=table.get("support_minutes", 0),
            prices=table["price_cents"],
        )
    except ValidationError as error:
        raise ValidationError(error.field, f"{label}: {error}") from error
    return values, prices, table.get("retired", False)
