"""A Select whose options a worker loads: "Loading…" until they arrive, never after.

Textual's Select shows its prompt where nothing is chosen and as the blank first line of its
menu; a prompt of "Loading…" set while the options load stays there once they have loaded
unless it is changed with them. `fill_select` sets both at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import RenderableType
from textual.widgets import Select

__all__ = ["LOADING", "fill_select", "loading_select"]

LOADING = "Loading…"
"""The prompt while the options load."""


def loading_select(id: str) -> Select[str]:
    """An empty Select saying "Loading…" (fill it with `fill_select`)."""
    return Select[str]([], prompt=LOADING, id=id)


def fill_select(
    select: Select[str],
    options: Iterable[tuple[RenderableType, str]],
    *,
    prompt: str,
    value: str | None = None,
) -> None:
    """Give `select` its loaded options, `prompt` for choosing none ("Choose a contact"), and
    `value` chosen if given."""
    select.set_options(options)
    select.prompt = prompt
    if value is not None:
        select.value = value
