"""The parsed stylesheets a desk keeps between starts (screens.styles_path): read back they
give the same rules without parsing, and a cache that is damaged, foreign or from another
Textual is ignored."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet

from screens import styles_path
from screens.styles_path import ReusingStylesheet, first_stylesheets

VARIABLES = App().get_css_variables()
"""A theme's CSS variables, as a desk parses with them."""


def fresh() -> ReusingStylesheet:
    stylesheet = ReusingStylesheet(variables=VARIABLES)
    for path in first_stylesheets():
        stylesheet.read(path)
    return stylesheet


def rules_of(stylesheet: Stylesheet) -> list[str]:
    stylesheet.parse()
    return [rule.css for rule in stylesheet.rules]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each real parse of a source, as it happens."""
    calls: list[object] = []
    real = Stylesheet._parse_rules

    def counting(self: Stylesheet, css: str, read_from: object, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        calls.append(read_from)
        return real(self, css, read_from, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Stylesheet, "_parse_rules", counting)
    return calls


def test_kept_rules_come_back_without_parsing(tmp_path: Path, parses: list[object]) -> None:
    kept = tmp_path / "cache" / "parsed.pickle"
    first = fresh()
    expected = rules_of(first)
    assert len(parses) == len(first_stylesheets())
    first.save_parsed(kept)
    assert kept.stat().st_mode & 0o777 == 0o600

    parses.clear()
    second = fresh()
    second.load_parsed(kept)
    assert rules_of(second) == expected
    assert parses == []  # nothing parsed again

    before = kept.stat().st_mtime_ns
    second.save_parsed(kept)  # nothing new: the file is left alone
    assert kept.stat().st_mtime_ns == before


def test_a_changed_stylesheet_is_parsed_again(tmp_path: Path, parses: list[object]) -> None:
    kept = tmp_path / "parsed.pickle"
    first = fresh()
    rules_of(first)
    first.save_parsed(kept)
    parses.clear()
    second = fresh()
    second.load_parsed(kept)
    second.add_source("Screen { color: red; }", read_from=("changed.tcss", ""))
    assert "color: #FF0000" in "".join(rules_of(second))
    assert parses == [("changed.tcss", "")]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda path: path.write_bytes(b"not a pickle"),
        lambda path: path.write_bytes(pickle.dumps((("elsewhere", 1, 2), {}))),
        lambda path: path.write_bytes(pickle.dumps("a string")),
        lambda path: path.chmod(0o666),
    ],
    ids=["damaged", "other-textual", "wrong-shape", "world-writable"],
)
def test_a_bad_cache_is_ignored(tmp_path: Path, parses: list[object], spoil) -> None:  # type: ignore[no-untyped-def]
    kept = tmp_path / "parsed.pickle"
    first = fresh()
    expected = rules_of(first)
    first.save_parsed(kept)
    spoil(kept)
    parses.clear()
    second = fresh()
    second.load_parsed(kept)
    assert rules_of(second) == expected
    assert len(parses) == len(first_stylesheets())  # parsed as if there were no cache


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    stylesheet = fresh()
    rules_of(stylesheet)
    stylesheet.save_parsed(blocked / "parsed.pickle")  # no error
    assert not list(tmp_path.glob(".*"))


def test_the_cache_lives_in_the_user_cache_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if os.name == "posix":
        assert styles_path.parsed_styles_path().parent == tmp_path / "deskapp"
