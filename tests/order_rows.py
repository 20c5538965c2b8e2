"""A small catalogue the order tests start from, written through the models (tests may).

FIBRE-1G (Internet, 45.00 a month or 486.00 a year), VOIP-LINE (Voice, 5.00 a month),
SETUP (One-time, 99.00), HOURS-5 (Support hours, 300 minutes, 250.00 one-time), OLD-ADSL
(retired), LAB-TEST (not orderable).
"""

from __future__ import annotations

from deskapp.models import Cycle, Product, ProductPrice, ProductType

CATALOGUE = (
    ("FIBRE-1G", "Fibre 1G", ProductType.INTERNET, {Cycle.MONTHLY: 4_500, Cycle.ANNUAL: 48_600}),
    ("VOIP-LINE", "VoIP Line", ProductType.VOICE, {Cycle.MONTHLY: 500}),
    ("SETUP", "Installation", ProductType.ONE_TIME, {Cycle.ONE_TIME: 9_900}),
    ("HOURS-5", "5 support hours", ProductType.SUPPORT_HOURS, {Cycle.ONE_TIME: 25_000}),
    ("OLD-ADSL", "ADSL 8", ProductType.INTERNET, {Cycle.MONTHLY: 1_900}),
    ("LAB-TEST", "Lab line", ProductType.INTERNET, {Cycle.MONTHLY: 100}),
)


def add_catalogue() -> dict[str, Product]:
    """The products above, by code."""
    made = {}
    for code, name, kind, prices in CATALOGUE:
        product = Product.create(
            code=code,
            name=name,
            type=kind,
            support_minutes=300 if code == "HOURS-5" else 0,
            retired=code == "OLD-ADSL",
            orderable=code != "LAB-TEST",
        )
        for cycle, cents in prices.items():
            ProductPrice.create(product=product, cycle=cycle, price_cents=cents)
        made[code] = product
    return made
