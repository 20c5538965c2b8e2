"""Choices a person makes in the app (the theme), remembered across runs.

The state file itself belongs to deskapp.config; this is the app's one way to read and write it.
"""

from __future__ import annotations

from deskapp import config
from deskapp.errors import ConfigError

THEME = "theme"
"""The preference key of the chosen theme."""


def saved_theme() -> str | None:
    """The theme chosen last time, or None if none was chosen (or the file is unreadable)."""
    theme = config.load_preferences().get(THEME)
    return theme if isinstance(theme, str) and theme else None


def remember_theme(theme: str) -> None:
    """Remember `theme` for the next start; ConfigError if the state file cannot be written."""
    try:
        config.save_preference(THEME, theme)
    except OSError as error:
        where = config.preferences_path()
        raise ConfigError(
            f"The theme could not be remembered: {error.strerror or error} ({where})."
        ) from None
