"""Editable fields that show untrusted text without letting it reach the terminal.

An Input or TextArea shows its value as typed, so a client name holding `\\x1b]0;owned\\x07`
would send that escape sequence to the terminal of whoever edits the client. These fields keep
the value exactly (what is saved is what was there or typed) but show every control character
as a visible placeholder, one for one, so the cursor stays where the characters are.
"""

from __future__ import annotations

import re
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input, TextArea

__all__ = ["InertInput", "InertTextArea", "visible_controls"]

_SHOWN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)  # ␛, ␀, ... the Control Pictures block
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def visible_controls(text: str) -> str:
    """`text` with each control character (tab aside) and bidirectional override replaced by
    one visible placeholder: the same length, nothing a terminal acts on."""
    return _SHOWN.sub(_placeholder, text)


class _ShowControls(Highlighter):
    """Shows control characters as placeholders (the value itself is left alone)."""

    def highlight(self, text: Text) -> None:
        """Replace the characters shown, one for one."""
        shown = visible_controls(text.plain)
        if shown != text.plain:
            text.plain = shown


class InertInput(Input):
    """A one-line field whose value may be untrusted text (a client's name, an email)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", _ShowControls())
        super().__init__(*args, **kwargs)


class InertTextArea(TextArea):
    """A multi-line field whose text may be untrusted (notes, a postal address)."""

    def get_line(self, line_index: int) -> Text:
        """The line as shown: control characters as placeholders."""
        line = super().get_line(line_index)
        shown = visible_controls(line.plain)
        if shown != line.plain:
            line.plain = shown
        return line
