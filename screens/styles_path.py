"""Where the stylesheets are (the installed `styles` package), which load when, and a Stylesheet
that parses each of them once."""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from pathlib import Path

import textual.css.model
from textual.cache import LRUCache
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation

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

    Parsing them all at start cost the first screen about 20 ms; loading one per screen, as a
    screen's own CSS_PATH does, would re-style every open widget once per screen.
    """
    return [path for path in stylesheets() if path.name not in FIRST_SCREEN]


class ReusingStylesheet(Stylesheet):
    """A Stylesheet that parses each source once for a given set of CSS variables.

    Textual re-parses every source from scratch whenever it re-parses (when the first screen is
    shown, when a screen brings a stylesheet, on a theme change), and its parser is slow: a
    few milliseconds per file. This one keeps the rules parsed with the same variables (a
    theme's) and parses only what is new.
    """

    PARSED_KEPT = 256
    """How many parsed sources are kept (a theme's worth is about 30)."""

    def __init__(
        self,
        *,
        variables: dict[str, str] | None = None,
        parsed: LRUCache[tuple[object, ...], list[RuleSet]] | None = None,
    ) -> None:
        super().__init__(variables=variables)
        self._parsed = parsed if parsed is not None else LRUCache(self.PARSED_KEPT)
        self._variables_key = _variables_key(self._variables)
        self._kept: frozenset[tuple[object, ...]] = frozenset()

    @classmethod
    def replacing(cls, stylesheet: Stylesheet) -> ReusingStylesheet:
        """One with the variables and sources of `stylesheet` (an App's own, to replace it)."""
        reusing = cls(variables=stylesheet._variables)
        reusing.source = stylesheet.source.copy()
        return reusing

    def load_parsed(self, path: Path) -> None:
        """Take the rules an earlier run parsed and kept in `path` (see save_parsed).

        A missing, unreadable or damaged file, one someone else could have written, or one
        from another Textual install is ignored: everything is then parsed as usual.
        """
        try:
            with path.open("rb") as file:
                info = os.fstat(file.fileno())
                if info.st_mode & 0o022 or info.st_uid != getattr(os, "getuid", lambda: 0)():
                    return
                stamp, parsed = pickle.load(file)
        except Exception:  # noqa: BLE001 (a cache: anything wrong with it means parse again)
            return
        if stamp != _textual_stamp() or not isinstance(parsed, dict):
            return
        for key, rules in parsed.items():
            self._parsed.set(key, rules)
        self._kept = frozenset(parsed)

    def save_parsed(self, path: Path) -> None:
        """Keep the parsed rules in `path` for the next start, if this run parsed anything new.

        Parsing the first screen's stylesheets (ours and the widgets' defaults) costs start-up
        about 10 ms; reading them back, about 2. The key of each entry is the whole source
        text with the theme's variables, so a changed stylesheet is simply parsed again.
        """
        parsed = {key: self._parsed.get(key) for key in self._parsed.keys()}
        if frozenset(parsed) <= self._kept:
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb", opener=_private) as file:
                pickle.dump((_textual_stamp(), parsed), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except Exception:  # noqa: BLE001 (a cache that cannot be written is only slower)
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def set_variables(self, variables: dict[str, str]) -> None:
        """Set the CSS variables (rules parsed with other variables are not reused)."""
        super().set_variables(variables)
        self._variables_key = _variables_key(variables)

    def _parse_rules(
        self,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, self._variables_key)
        rules = self._parsed.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            self._parsed[key] = rules
        return rules

    def reparse(self) -> None:
        """Re-parse the sources with the current variables, reusing what was parsed with them.

        As Stylesheet.reparse does, into a fresh stylesheet so that an error leaves this one
        working; the fresh one shares the parsed rules.
        """
        stylesheet = ReusingStylesheet(variables=self._variables, parsed=self._parsed)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            stylesheet.add_source(
                css,
                read_from=read_from,
                is_default_css=is_defaults,
                tie_breaker=tie_breaker,
                scope=scope,
            )
        try:
            stylesheet.parse()
        except Exception:
            self._invalid_css.update(stylesheet._invalid_css)
            raise
        self._rules = stylesheet.rules
        self._rules_map = None
        self.source = stylesheet.source
        self._require_parse = False


def parsed_styles_path() -> Path:
    """Where the desk keeps parsed stylesheets between starts (the user cache dir)."""
    from deskapp.config import cache_dir

    return cache_dir() / f"parsed-styles-py{sys.version_info[0]}{sys.version_info[1]}.pickle"


def _textual_stamp() -> tuple[str, int, int]:
    """Which Textual parsed the rules (its model module's path, size and time)."""
    model = Path(textual.css.model.__file__)
    info = model.stat()
    return (str(model), info.st_size, info.st_mtime_ns)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_CREAT | os.O_TRUNC, 0o600)


def _variables_key(variables: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(variables.items())
