"""The demo's product catalogue, written once for the demo desk and for bulk seeding."""

from __future__ import annotations

import datetime as dt

from deskapp.demo.data import CATALOGUE, DemoIds
from deskapp.models import Product, ProductPrice


def insert_catalogue(ids: DemoIds, now: dt.datetime) -> dict[str, str]:
    """Insert the demo product catalogue with its prices; returns catalogue key -> product id."""
    found: dict[str, str] = {}
    products, prices = [], []
    for position, item in enumerate(CATALOGUE):
        created = now - dt.timedelta(days=2400 - position)
        product_id = ids.at(created)
        found[item.key] = product_id
        products.append(
            {
                "id": product_id,
                "created_at": created,
                "version": 1,
                "updated_at": created,
                "code": item.key.upper(),
                "name": item.name,
                "type": item.type,
                "description": item.description,
                "orderable": item.orderable,
                "support_minutes": item.support_minutes,
            }
        )
        for cycle, cents in item.prices:
            prices.append(
                {
                    "id": ids.at(created),
                    "created_at": created,
                    "product": product_id,
                    "cycle": cycle,
                    "price_cents": cents,
                }
            )
    Product.insert_many(products).execute()
    ProductPrice.insert_many(prices).execute()
    return found
