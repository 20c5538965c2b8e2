"""The one way untrusted text (names, subjects, bodies, error sentences) reaches the screen.

`Text` built here has no markup parsed and no spans from the text itself, and its characters
went through deskapp.text.clean: control characters and escape sequences are shown as visible
placeholders instead of reaching the terminal. Hand the result to record list cells, Static and
Label; a plain `str` in Static or Label would be read as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from deskapp.text import clean, one_line

if TYPE_CHECKING:
    from rich.console import JustifyMethod


def untrusted(
    value: object,
    *,
    multiline: bool = False,
    limit: int = 200,
    style: str = "",
    justify: JustifyMethod | None = None,
) -> Text:
    """`value` as inert text: cleaned, never parsed as markup.

    One line, shortened to `limit` characters with an ellipsis, unless `multiline`, which keeps
    newlines and tabs and the whole length (a message body). `style` and `justify` are ours,
    never the text's.
    """
    raw = "" if value is None else str(value)
    if multiline:
        plain = clean(raw, multiline=True)
    else:
        # one_line() keeps newlines and tabs (its control pattern skips them): flatten them here.
        flat = raw.replace("\r\n", "\n").replace("\n", " ").replace("\t", " ")
        plain = one_line(flat, limit)
    return Text(plain, style=style, justify=justify)


def untrusted_message(value: object, *, limit: int = 300) -> str:
    """A cleaned one-line string for places that only take `str` with markup off.

    For `notify(..., markup=False)` and titles: the same cleaning as `untrusted`.
    """
    return untrusted(value, limit=limit).plain
