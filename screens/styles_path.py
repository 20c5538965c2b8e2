"""Where the stylesheets are: the installed `styles` package, found from its own location."""

from __future__ import annotations

from pathlib import Path

import styles

STYLES = Path(styles.__file__).parent
"""The folder of the .tcss files (works for an installed, non-editable package too)."""


def stylesheets() -> list[Path]:
    """Every stylesheet, app.tcss first: the app loads them all at once.

    Each screen's rules sit in its own file, nested under the screen's type, so loading them
    together changes nothing on screen; it saves Textual re-parsing every stylesheet each time
    a screen with its own CSS_PATH is first shown.
    """
    return sorted(STYLES.glob("*.tcss"), key=lambda path: (path.name != "app.tcss", path.name))
