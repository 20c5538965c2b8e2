"""The product catalogue's rules: what a code looks like, which types and cycles exist, what
a price and a support bundle's minutes may be. Every check raises ValidationError naming the
field, with a sentence a support person understands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deskapp.errors import ValidationError
from deskapp.models import Cycle, ProductType
from deskapp.services import validation

PRODUCT_TYPES: tuple[str, ...] = tuple(ProductType)
"""Every product type, in the order forms offer them."""
CYCLES: tuple[str, ...] = tuple(Cycle)
"""Every billing cycle, shortest first, One-time last: the order prices are shown in."""
CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]{2,32}$")
"""Letters, digits and dashes, 2 to 32 of them."""
PRICE_MAX = 100_000_000_00
"""No single price is above 100 million (a typo guard)."""
SUPPORT_MINUTES_MAX = 100_000 * 60
"""A support-hours bundle adds at most 100,000 hours."""
DESCRIPTION_LIMIT = 2_000
"""The longest product description."""


def validated(**given: Any) -> tuple[dict[str, Any], dict[str, int]]:
    """The product's values checked and ready to store, and its prices by cycle in Cycle order.

    `given` holds code, name, type, description, orderable, support_minutes and prices."""
    code = validation.text("code", given["code"], "Code", limit=60, required=True)
    if not code.isascii() or not CODE_PATTERN.match(code):
        shown = code if len(code) <= 40 else code[:39] + "…"
        raise ValidationError(
            "code",
            f"The code “{shown}” must be 2 to 32 letters, digits or dashes, like FIBRE-1000.",
        )
    kind = validation.choice("type", given["type"], "Type", PRODUCT_TYPES)
    minutes = given["support_minutes"]
    if type(minutes) is not int or not 0 <= minutes <= SUPPORT_MINUTES_MAX:
        raise ValidationError(
            "support_minutes",
            f"Support minutes must be a whole number of minutes from 0 to {SUPPORT_MINUTES_MAX:,}.",
        )
    if kind == ProductType.SUPPORT_HOURS and minutes == 0:
        raise ValidationError(
            "support_minutes", "A Support hours product must add some time: give its minutes."
        )
    if kind != ProductType.SUPPORT_HOURS and minutes:
        raise ValidationError(
            "support_minutes",
            f"Only a Support hours product adds support minutes, not one of type {kind}.",
        )
    values = {
        "code": code.upper(),
        "name": validation.text("name", given["name"], "Name", limit=200, required=True),
        "type": kind,
        "description": validation.text(
            "description",
            given["description"],
            "Description",
            limit=DESCRIPTION_LIMIT,
            multiline=True,
        ).strip(),
        "orderable": validation.flag("orderable", given["orderable"], "Orderable"),
        "support_minutes": minutes,
    }
    return values, _checked_prices(kind, given["prices"])


def _checked_prices(kind: str, prices: object) -> dict[str, int]:
    if not isinstance(prices, Mapping):
        raise ValidationError("prices", "Prices must be a price in cents for each cycle.")
    for cycle, cents in prices.items():
        if cycle not in CYCLES:
            shown = str(cycle)[:40]
            raise ValidationError(
                "prices", f"“{shown}” is not a billing cycle; use one of {', '.join(CYCLES)}."
            )
        if type(cents) is not int or not 0 <= cents <= PRICE_MAX:
            raise ValidationError(
                "prices",
                f"The {cycle} price must be a whole number of cents from 0 up, "
                "like 6500 for 65.00.",
            )
    if not prices:
        raise ValidationError("prices", "A product needs at least one price.")
    if kind == ProductType.ONE_TIME and set(prices) != {Cycle.ONE_TIME}:
        raise ValidationError(
            "prices", "A One-time product has only a One-time price, no recurring one."
        )
    return {cycle: prices[cycle] for cycle in CYCLES if cycle in prices}
