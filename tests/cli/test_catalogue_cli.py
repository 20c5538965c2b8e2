"""`deskapp catalogue list|export|import` in-process against a migrated desk on each backend."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Role, Staff
from deskapp.passwords import hash_password
from deskapp.services import catalogue

FILE = """
[[product]]
code = "fibre-1000"
name = "Fibre 1000"
type = "Internet"
description = "1 Gbit/s symmetric fibre."
price_cents = { Monthly = 6500, Annually = 71500 }

[[product]]
code = "ADSL-8"
name = "ADSL 8 (legacy)"
type = "Internet"
orderable = false
price_cents = { Monthly = 2500 }

[[product]]
code = "SUPPORT-5H"
name = "Support hours (5 h)"
type = "Support hours"
support_minutes = 300
retired = true
price_cents = { One-time = 37500 }
"""


PASSWORD = "staff password"
"""Everyone's password here (the CLI reads DESKAPP_PASSWORD on a shared desk)."""


@pytest.fixture
def desk_url(desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The migrated test desk with an admin and an agent; the CLI opens it itself."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("DESKAPP_PASSWORD", PASSWORD)  # a shared desk checks it
    hashed = hash_password(PASSWORD)
    Staff.create(username="kim", name="Kim Adler", role=Role.ADMIN, password_hash=hashed)
    Staff.create(username="sam", name="Sam Reyes", role=Role.AGENT, password_hash=hashed)
    close_database()
    yield desk
    open_database(desk)


def test_import_then_list_then_export_round_trip(
    desk_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "catalogue.toml"
    source.write_text(FILE, encoding="utf-8")

    assert main(["--staff", "kim", "catalogue", "import", str(source), "--db", desk_url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Added FIBRE-1000",
        "Added ADSL-8",
        "Added SUPPORT-5H",
        "3 products added, 0 changed, 0 unchanged.",
    ]

    assert main(["catalogue", "list", "--db", desk_url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["ADSL-8", "FIBRE-1000"]
    assert listed[0].endswith("Monthly 25.00  (not orderable)")
    assert "Monthly 65.00, Annually 715.00" in listed[1]
    assert main(["catalogue", "list", "--all", "--db", desk_url]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("(retired)")

    exported = tmp_path / "out.toml"
    assert main(["catalogue", "export", str(exported), "--db", desk_url]) == 0
    assert capsys.readouterr().out == f"Wrote 3 products to {exported}.\n"
    codes = [p["code"] for p in tomllib.loads(exported.read_text("utf-8"))["product"]]
    assert codes == ["ADSL-8", "FIBRE-1000", "SUPPORT-5H"]

    assert main(["--staff", "kim", "catalogue", "import", str(exported), "--db", desk_url]) == 0
    assert capsys.readouterr().out == "0 products added, 0 changed, 3 unchanged.\n"


def test_an_agent_is_refused_and_nothing_changes(
    desk_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "catalogue.toml"
    source.write_text(FILE, encoding="utf-8")

    assert main(["--staff", "sam", "catalogue", "import", str(source), "--db", desk_url]) == 1
    assert capsys.readouterr().err == (
        "deskapp: Only an admin can change the product catalogue; ask an admin to do it.\n"
    )
    open_database(desk_url)
    assert catalogue.list_products(include_retired=True) == []
    close_database()


def test_a_bad_file_is_one_line_naming_the_product_and_key(
    desk_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "catalogue.toml"
    source.write_text(FILE.replace("support_minutes = 300", "hours = 5"), encoding="utf-8")

    assert main(["--staff", "kim", "catalogue", "import", str(source), "--db", desk_url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("deskapp: SUPPORT-5H: there is no key “hours” in a product;")
    assert err.count("\n") == 1

    assert main(["catalogue", "import", str(tmp_path / "nope.toml"), "--db", desk_url]) == 1
    assert capsys.readouterr().err == f"deskapp: There is no file {tmp_path / 'nope.toml'}.\n"


def test_the_help_names_the_catalogue_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "deskapp catalogue list [--all] | export FILE.toml | import FILE.toml" in (
        capsys.readouterr().out
    )
    assert main(["catalogue"]) == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err
