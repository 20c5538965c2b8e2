"""Untrusted text made inert: what a client wrote never controls the terminal.

Screens wrap the result in a markup-free Text (screens/widgets/untrusted.py); this module only
cleans strings, so it stays free of any UI import.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?"
)


def _placeholder(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␛, ␀, ... the Control Pictures block
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def clean(text: str, *, multiline: bool = False) -> str:
    """Replace control characters and escape sequences with visible placeholders.

    Escape sequences collapse to one ␛ followed by their harmless printable remainder, so a
    support person sees that something was there. Bidirectional overrides are shown as ⟪U+202E⟫
    style marks instead of reordering the line. Newlines and tabs survive when `multiline`.
    """
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub(lambda m: "\u241b" + _CONTROL.sub("", m.group(0)[1:]), text)
    text = _BIDI.sub(lambda m: f"⟪U+{ord(m.group(0)):04X}⟫", text)

    def replace(match: re.Match[str]) -> str:
        char = match.group(0)
        if multiline and char in "\n\t":
            return char
        if char in "\n\t":
            return " "
        return _placeholder(char)

    return _CONTROL.sub(replace, text)


_ASCII_DIGITS = re.compile(r"[0-9]+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """Whether `text` holds a lone surrogate: not a character, and no database can store it
    (a terminal can deliver one from a broken paste)."""
    return _SURROGATE.search(text) is not None


def searchable(text: str) -> str:
    """A typed search as the database can take it: NUL and lone surrogates dropped."""
    return _SURROGATE.sub("", text.replace("\x00", ""))


def is_number(text: str) -> bool:
    """Whether `text` is one or more ASCII digits 0-9 and nothing else. str.isdigit() also
    takes "²" and "¹²³", which int() then refuses: every number typed is checked with this."""
    return _ASCII_DIGITS.fullmatch(text) is not None


def one_line(text: str, limit: int = 200) -> str:
    """A cleaned single line, shortened with an ellipsis: for table cells and titles."""
    cleaned = clean(text)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def normalize_for_search(text: str) -> str:
    """Lower-case NFKC text without controls: what the search index and queries compare."""
    return clean(unicodedata.normalize("NFKC", text)).lower().strip()
