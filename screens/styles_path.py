"""Where the stylesheets are (the installed `styles` package), which load when, and a Stylesheet
that parses each of them once."""

from __future__ import annotations

from pathlib import Path

from textual.css.stylesheet import Stylesheet

import styles

STYLES = Path(styles.__file__).parent
"""The folder of the .tcss files (works for an installed, non-editable package too)."""


FIRST_SCREEN = ("app.tcss", "client_list.tcss")
"""The stylesheets the first screen (the client list) needs: the app's and its own."""


def stylesheets() -> list[Path]:
    """Every stylesheet, app.tcss first.

    Each screen's rules sit in its own file, nested under the screen's type, so loading them
    together changes nothing on screen.
    """
    return sorted(STYLES.glob("*.tcss"), key=lambda path: (path.name != "app.tcss", path.name))


def first_stylesheets() -> list[Path]:
    """What the app loads at start: the first screen's stylesheets (see FIRST_SCREEN)."""
    return [STYLES / name for name in FIRST_SCREEN]


def later_stylesheets() -> list[Path]:
    """Every other stylesheet: the app loads them together when a second screen is shown.

    Parsing them all at start would delay the first screen (bench/README.md); loading one per
    screen, as a screen's own CSS_PATH does, would re-style every open widget once per screen.
    """
    return [path for path in stylesheets() if path.name not in FIRST_SCREEN]


class ParsedOnceStylesheet(Stylesheet):
    """A Stylesheet that parses each source once for a given set of CSS variables.

    Textual's `reparse()` parses every source again from scratch, in a fresh stylesheet: when a
    screen brings a stylesheet, on a theme change, when the desk loads the other screens'
    stylesheets; and each switch of area sets the same variables again (`refresh_css`), which
    forgets everything parsed. Here `reparse()` is `parse()`, which keeps what it parsed from
    each source until `set_variables` forgets it, and `set_variables` with the variables already
    in use changes nothing. Same rules, parsing only what is new; after new variables,
    everything is parsed again, as `reparse()` would.
    """

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self.variables_in_use = dict(variables or {})
        """The CSS variables the rules are parsed with."""

    def set_variables(self, variables: dict[str, str]) -> None:
        """Use these CSS variables from the next parse on (nothing to do if they are in use)."""
        if variables == self.variables_in_use:
            return
        super().set_variables(variables)
        self.variables_in_use = dict(variables)

    def reparse(self) -> None:
        """Parse what is new (everything, after new variables): see the class doc."""
        self.parse()
