"""The product catalogue: admins change it, agents read it, TOML export and import by code."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from ledger_helpers import client, order, staff

from deskapp.db.feed import events_after
from deskapp.errors import Conflict, NotFound, PermissionDenied, ValidationError
from deskapp.models import AuditEntry, OrderItem, Product, ProductPrice, Role
from deskapp.services import catalogue
from deskapp.services.actors import Actor
from deskapp.services.catalogue import ProductPriceInfo

FIBRE: dict[str, Any] = {
    "code": "fibre-1000",
    "name": "Fibre 1000",
    "type": "Internet",
    "description": "1 Gbit/s symmetric fibre.",
    "orderable": True,
    "support_minutes": 0,
    "prices": {"Annually": 71500, "Monthly": 6500},
}
SUPPORT: dict[str, Any] = {
    "code": "SUPPORT-5H",
    "name": "Support hours (5 h)",
    "type": "Support hours",
    "description": "Five hours of remote help.",
    "orderable": True,
    "support_minutes": 300,
    "prices": {"One-time": 37500},
}


@pytest.fixture
def admin(desk: str) -> Actor:
    return staff(Role.ADMIN, "kim")


@pytest.fixture
def agent(desk: str) -> Actor:
    return staff(Role.AGENT, "sam")


def test_a_product_is_saved_with_its_code_upper_case_and_prices_in_cycle_order(admin) -> None:
    saved = catalogue.save_product(admin, **FIBRE)

    assert saved.code == "FIBRE-1000"
    assert saved.prices == (ProductPriceInfo("Monthly", 6500), ProductPriceInfo("Annually", 71500))
    assert saved.price_for("Annually") == 71500
    assert saved.price_for("Quarterly") is None
    assert saved.can_order and saved.version == 1
    assert catalogue.find_product("Fibre-1000") == saved
    assert [row.action for row in AuditEntry.select()] == ["product.created"]
    assert [(entity, action) for _, entity, _, action in events_after(0)] == [
        ("product", "created")
    ]


def test_editing_needs_the_version_read(admin) -> None:
    saved = catalogue.save_product(admin, **FIBRE)
    edited = catalogue.save_product(
        admin, **{**FIBRE, "name": "Fibre 1G"}, product_id=saved.id, version=saved.version
    )
    assert (edited.name, edited.version) == ("Fibre 1G", 2)

    with pytest.raises(Conflict, match="changed FIBRE-1000 at .* UTC, after you opened it"):
        catalogue.save_product(
            admin, **{**FIBRE, "name": "Stale"}, product_id=saved.id, version=saved.version
        )
    assert catalogue.find_product("FIBRE-1000").name == "Fibre 1G"


@pytest.mark.parametrize(
    ("change", "field", "sentence"),
    [
        ({"code": "F"}, "code", "must be 2 to 32 letters, digits or dashes"),
        ({"code": "FIBRE 1000"}, "code", "must be 2 to 32 letters, digits or dashes"),
        ({"code": "FÏBRE"}, "code", "must be 2 to 32 letters, digits or dashes"),
        ({"code": "X" * 33}, "code", "must be 2 to 32 letters, digits or dashes"),
        ({"name": "  "}, "name", "Name is required."),
        ({"type": "Hardware"}, "type", "Type must be one of Bundle, Internet"),
        ({"prices": {}}, "prices", "at least one price"),
        ({"prices": {"Weekly": 100}}, "prices", "“Weekly” is not a billing cycle"),
        ({"prices": {"Monthly": -1}}, "prices", "Monthly price must be a whole number of cents"),
        ({"prices": {"Monthly": 65.0}}, "prices", "Monthly price must be a whole number"),
        ({"prices": {"Monthly": True}}, "prices", "Monthly price must be a whole number"),
        ({"support_minutes": 60}, "support_minutes", "Only a Support hours product adds"),
        ({"support_minutes": -5}, "support_minutes", "whole number of minutes"),
        ({"type": "Support hours"}, "support_minutes", "must add some time"),
        ({"type": "One-time"}, "prices", "A One-time product has only a One-time price"),
    ],
)
def test_bad_values_are_refused_with_a_sentence_naming_the_field(
    admin, change: dict[str, Any], field: str, sentence: str
) -> None:
    with pytest.raises(ValidationError, match=sentence) as refused:
        catalogue.save_product(admin, **{**FIBRE, **change})
    assert refused.value.field == field
    assert Product.select().count() == 0


def test_a_code_taken_by_another_product_is_refused(admin) -> None:
    catalogue.save_product(admin, **FIBRE)
    with pytest.raises(ValidationError, match="Another product already has the code FIBRE-1000"):
        catalogue.save_product(admin, **{**FIBRE, "name": "Copy"})


def test_an_agent_reads_but_cannot_change_the_catalogue(admin, agent) -> None:
    saved = catalogue.save_product(admin, **FIBRE)
    text = catalogue.export_catalogue()

    with pytest.raises(PermissionDenied, match="Only an admin can change the product catalogue"):
        catalogue.save_product(agent, **{**FIBRE, "name": "Mine"}, product_id=saved.id)
    with pytest.raises(PermissionDenied):
        catalogue.retire_product(agent, saved.id)
    with pytest.raises(PermissionDenied):
        catalogue.delete_product(agent, saved.id)
    with pytest.raises(PermissionDenied):
        catalogue.import_catalogue(agent, text.replace("Fibre 1000", "Mine"))

    assert catalogue.list_products() == [saved]
    actions = [row.action for row in AuditEntry.select().order_by(AuditEntry.created_at)]
    assert actions == ["product.created"] + ["right.refused"] * 4


def test_a_used_product_is_retired_never_deleted(admin) -> None:
    used = catalogue.save_product(admin, **FIBRE)
    spare = catalogue.save_product(admin, **SUPPORT)
    order_id = order(client(), ("Fibre 1000", 6500, 1))
    OrderItem.update(product=used.id).where(OrderItem.order == order_id).execute()

    with pytest.raises(Conflict, match="FIBRE-1000 is on 1 order item, so it cannot be deleted; "
                       "retire it instead"):  # fmt: skip
        catalogue.delete_product(admin, used.id)
    retired = catalogue.retire_product(admin, used.id)
    assert retired.retired and not retired.can_order and retired.version == 2

    catalogue.delete_product(admin, spare.id)
    with pytest.raises(NotFound):
        catalogue.find_product("SUPPORT-5H")
    assert ProductPrice.select().where(ProductPrice.product == spare.id).count() == 0
    assert "FIBRE-1000" not in [p.code for p in catalogue.list_products()]
    assert "FIBRE-1000" in [p.code for p in catalogue.list_products(include_retired=True)]
    assert [row.action for row in AuditEntry.select().order_by(AuditEntry.id)][-2:] == [
        "product.retired",
        "product.deleted",
    ]


def test_lists_page_by_code_and_keep_what_can_be_ordered(admin) -> None:
    for code in ("VOIP", "ADSL", "FIBRE", "ROUTER"):
        catalogue.save_product(admin, **{**FIBRE, "code": code, "orderable": code != "ADSL"})
    catalogue.retire_product(admin, catalogue.find_product("router").id)

    first = catalogue.list_products(include_retired=True, limit=2)
    rest = catalogue.list_products(include_retired=True, after=first[-1])
    assert [p.code for p in first + rest] == ["ADSL", "FIBRE", "ROUTER", "VOIP"]
    assert [p.code for p in catalogue.list_products(orderable_only=True)] == ["FIBRE", "VOIP"]


def test_unknown_code_is_not_found_with_a_sentence(desk) -> None:
    with pytest.raises(NotFound, match="There is no product with the code “NOPE”"):
        catalogue.find_product("nope")


def test_export_then_import_changes_nothing(admin) -> None:
    catalogue.save_product(admin, **FIBRE)
    catalogue.save_product(
        admin, **{**SUPPORT, "description": 'Say "hi"\\n\tthen\nmore \x1b[31m [bold]x[/b]'}
    )
    before = catalogue.list_products(include_retired=True)
    text = catalogue.export_catalogue()
    audited = AuditEntry.select().count()

    result = catalogue.import_catalogue(admin, text)

    assert result.unchanged == ("FIBRE-1000", "SUPPORT-5H")
    assert result.created == result.updated == ()
    assert result.message == "0 products added, 0 changed, 2 unchanged."
    assert catalogue.list_products(include_retired=True) == before
    assert AuditEntry.select().count() == audited
    assert tomllib.loads(text)["product"][1]["description"] == before[1].description


def test_import_adds_new_codes_and_updates_by_code(admin) -> None:
    kept = catalogue.save_product(admin, **FIBRE)
    text = """
[[product]]
code = "fibre-1000"
name = "Fibre 1000"
type = "Internet"
description = "Now with a router."
price_cents = { Monthly = 6900 }

[[product]]
code = "SUPPORT-5H"
name = "Support hours (5 h)"
type = "Support hours"
support_minutes = 300
retired = true
price_cents = { One-time = 37500 }
"""
    result = catalogue.import_catalogue(admin, text)

    assert (result.created, result.updated) == (("SUPPORT-5H",), ("FIBRE-1000",))
    fibre = catalogue.find_product("FIBRE-1000")
    assert fibre.id == kept.id and fibre.version == 2
    assert fibre.description == "Now with a router."
    assert fibre.prices == (ProductPriceInfo("Monthly", 6900),)
    support = catalogue.find_product("support-5h")
    assert support.retired and support.support_minutes == 300

    again = catalogue.import_catalogue(admin, text)
    assert again.unchanged == ("FIBRE-1000", "SUPPORT-5H")
    assert catalogue.find_product("FIBRE-1000").version == 2


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("[[product]\n", "The file is not valid TOML"),
        ('colour = "red"\n', "The file has “colour” at the top"),
        (
            '[[product]]\ncode = "FIBRE-1"\nname = "F"\ntype = "Internet"\ncolour = "red"\n'
            "price_cents = { Monthly = 1 }\n",
            "FIBRE-1: there is no key “colour” in a product",
        ),
        (
            '[[product]]\ncode = "FIBRE-1"\nname = "F"\ntype = "Internet"\n'
            "price_cents = { Monthly = 10.5 }\n",
            "FIBRE-1: The Monthly price must be a whole number of cents",
        ),
        (
            '[[product]]\ncode = "FIBRE-1"\nname = "F"\ntype = "Internet"\n',
            "FIBRE-1: the file gives no price_cents",
        ),
        (
            '[[product]]\nname = "F"\ntype = "Internet"\nprice_cents = { Monthly = 1 }\n',
            "Product 1: the file gives no code",
        ),
        (
            '[[product]]\ncode = "VOIP"\nname = "V"\ntype = "Voice"\norderable = "yes"\n'
            "price_cents = { Monthly = 1 }\n",
            "VOIP: orderable must be true or false",
        ),
        (
            '[[product]]\ncode = "VOIP"\nname = "V"\ntype = "Voice"\nsupport_minutes = 60\n'
            "price_cents = { Monthly = 1 }\n",
            "VOIP: Only a Support hours product adds support minutes",
        ),
        (
            '[[product]]\ncode = "VOIP"\nname = "V"\ntype = "Voice"\nprice_cents = {}\n'
            '[[product]]\ncode = "ok"\nname = "V"\ntype = "Voice"\nprice_cents = { Monthly = 1 }\n',
            "VOIP: A product needs at least one price",
        ),
        (
            '[[product]]\ncode = "voip"\nname = "V"\ntype = "Voice"\nprice_cents = {Monthly=1}\n'
            '[[product]]\ncode = "VOIP"\nname = "W"\ntype = "Voice"\nprice_cents = {Monthly=1}\n',
            "Products 1 and 2 in the file both have the code VOIP",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_sentence_and_changes_nothing(
    admin, text: str, sentence: str
) -> None:
    with pytest.raises(ValidationError, match=sentence):
        catalogue.import_catalogue(admin, text)
    assert Product.select().count() == 0
    assert AuditEntry.select().count() == 0


def test_the_demo_catalogue_round_trips_unchanged(admin) -> None:
    from deskapp.demo import load_demo

    load_demo()
    before = catalogue.list_products(include_retired=True)
    text = catalogue.export_catalogue()

    result = catalogue.import_catalogue(admin, text)

    assert len(result.unchanged) == len(before) == 17
    assert catalogue.list_products(include_retired=True) == before
    adsl = tomllib.loads(text)["product"][0]
    assert adsl == {
        "code": "ADSL-8",
        "name": "ADSL 8 (legacy)",
        "type": "Internet",
        "description": "No longer sold; kept for its users.",
        "orderable": False,
        "retired": False,
        "price_cents": {"Monthly": 2500},
    }
