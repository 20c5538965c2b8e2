"""ParsedOnceStylesheet (screens.styles_path): the rules Textual's own Stylesheet gives, with
each source parsed once per set of CSS variables."""

from __future__ import annotations

import pytest
import textual.css.stylesheet
from textual.app import App
from textual.css.stylesheet import Stylesheet

from screens.styles_path import ParsedOnceStylesheet, first_stylesheets, later_stylesheets


def theme_variables(theme: str) -> dict[str, str]:
    """The CSS variables of a built-in theme, as an app using it parses with."""
    app = App()
    app.theme = theme
    return app.get_css_variables()


def loaded(stylesheet: Stylesheet) -> Stylesheet:
    for path in first_stylesheets():
        stylesheet.read(path)
    stylesheet.parse()
    return stylesheet


def rules_of(stylesheet: Stylesheet) -> list[str]:
    return [rule.css for rule in stylesheet.rules]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The location of each source as it is really parsed."""
    calls: list[object] = []
    real = textual.css.stylesheet.parse

    def counting(scope: str, css: str, read_from: object, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        calls.append(read_from)
        return real(scope, css, read_from, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(textual.css.stylesheet, "parse", counting)
    return calls


def test_reparse_parses_only_what_is_new(parses: list[object]) -> None:
    variables = theme_variables("textual-dark")
    ours = loaded(ParsedOnceStylesheet(variables=variables))
    textuals = loaded(Stylesheet(variables=variables))
    for stylesheet in (ours, textuals):
        for path in later_stylesheets():
            stylesheet.read(path)
    parses.clear()
    ours.reparse()
    assert len(parses) == len(later_stylesheets())
    textuals.reparse()
    assert rules_of(ours) == rules_of(textuals)


def test_new_variables_apply_to_every_source(parses: list[object]) -> None:
    ours = loaded(ParsedOnceStylesheet(variables=theme_variables("textual-dark")))
    nord = theme_variables("nord")
    ours.set_variables(nord)
    parses.clear()
    ours.reparse()
    assert len(parses) == len(first_stylesheets())
    assert rules_of(ours) == rules_of(loaded(Stylesheet(variables=nord)))
    dark = rules_of(loaded(Stylesheet(variables=theme_variables("textual-dark"))))
    assert rules_of(ours) != dark  # the variables did change the rules


def test_the_same_variables_again_parse_nothing(parses: list[object]) -> None:
    """Textual sets the variables again at each switch of area (App.refresh_css)."""
    variables = theme_variables("textual-dark")
    ours = loaded(ParsedOnceStylesheet(variables=variables))
    expected = rules_of(ours)
    parses.clear()
    ours.set_variables(dict(variables))
    ours.reparse()
    assert parses == []
    assert rules_of(ours) == expected
