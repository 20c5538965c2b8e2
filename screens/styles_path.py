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
    """A Stylesheet whose `reparse()` parses only the sources it has not parsed yet.

    Textual's `reparse()` parses every source again from scratch, in a fresh stylesheet: when a
    screen brings a stylesheet, on a theme change, and when the desk loads the other screens'
    stylesheets. `parse()` keeps what it parsed from each source until the CSS variables change
    (`set_variables` forgets it), so with the same variables it gives the same rules, parsing
    only what is new; after new variables it parses everything, as `reparse()` would.
    """

    def reparse(self) -> None:
        """Parse what is new (everything, after new variables): see the class doc."""
        self.parse()
