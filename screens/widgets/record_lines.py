"""How a RecordTable draws its lines: the columns, one cell's segments, a whole row's strip.

Cells are always rich `Text` (screens.widgets.untrusted for what people typed,
screens.widgets.cells for what the desk formats). They are drawn here without any markup
parser: a cell is truncated, justified and padded, its own style and spans kept, and its
characters reach the strip as they are (untrusted() already replaced control characters).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar

from rich.cells import cell_len
from rich.containers import Lines
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "CELL_PADDING",
    "RecordColumn",
    "cell_segments",
    "column_widths",
    "columns_that_fit",
    "row_strip",
]

RecordT = TypeVar("RecordT")

CELL_PADDING = 1
"""Blank cells on each side of a cell's text (DataTable's default, kept for the same look)."""


class RecordColumn(NamedTuple, Generic[RecordT]):
    """One column: its heading, its width and how a record becomes its cell."""

    label: str
    """The heading."""
    cell: Callable[[RecordT], Text]
    """The cell of a record: always a Text (see screens.widgets.untrusted), never a str."""
    width: int | None = None
    """Fixed width in cells; None fits the content loaded so far."""
    align_right: bool = False
    """Right-align the heading (amounts, durations: their cells align right themselves)."""
    drop_rank: int = 0
    """When the list is narrower than its columns, the order in which this one gives way:
    1 goes first, then 2, and so on; 0 never goes (number, name or subject, status)."""


def column_widths(
    columns: Sequence[RecordColumn[RecordT]], rows: Sequence[Sequence[Text]]
) -> tuple[int, ...]:
    """Each column's drawn width, padding included: its fixed width, or for a column without
    one the widest of its heading and its cells in `rows`."""
    widths = []
    for index, column in enumerate(columns):
        width = column.width
        if width is None:
            width = max([cell_len(column.label), *(row[index].cell_len for row in rows)])
        widths.append(width + 2 * CELL_PADDING)
    return tuple(widths)


def columns_that_fit(
    columns: Sequence[RecordColumn[RecordT]], widths: Sequence[int], room: int
) -> tuple[int, ...]:
    """The indices of the columns shown in `room` cells: all of them if they fit, else without
    the columns that give way first (lowest `drop_rank` above 0) until the rest fit or only
    the columns that never give way are left."""
    shown = list(range(len(columns)))
    droppable = sorted(
        (index for index, column in enumerate(columns) if column.drop_rank > 0),
        key=lambda index: (columns[index].drop_rank, -index),
    )
    for index in droppable:
        if sum(widths[i] for i in shown) <= room:
            break
        shown.remove(index)
    return tuple(shown)


def cell_segments(console: Console, cell: Text, width: int, padding: int) -> list[Segment]:
    """A one-line cell's segments, `width` wide with `padding` spaces each side: what rich's
    Padding and Text rendering make of it (truncate and justify as the Text asks; no wrap)."""
    inner = width - 2 * padding
    if inner <= 0:
        return [Segment(" " * width)] if width > 0 else []
    line = cell.copy()
    if "\n" in line.plain or "\t" in line.plain:  # one line, always (same length: spans hold)
        line.plain = line.plain.replace("\n", " ").replace("\t", " ")
    overflow = cell.overflow or "fold"
    Lines([line]).justify(console, inner, justify=cell.justify or "default", overflow=overflow)
    line.truncate(inner, overflow=overflow)
    pad = [Segment(" " * padding)] if padding else []
    if line.spans or not line.style:
        segments = [*pad, *line.render(console, end="")]
    else:  # Text.render leaves out the style of a Text without spans
        segments = [*pad, Segment(line.plain, console.get_style(line.style))]
    fill = inner - line.cell_len
    if fill > 0:
        segments.append(Segment(" " * fill))
    return [*segments, *pad]


def row_strip(
    console: Console,
    cells: Sequence[Text],
    widths: Sequence[int],
    row_style: Style,
    *,
    cursor: Style | None = None,
    width: int = 0,
) -> Strip:
    """One line of the table: the cells over the row's style, filled out to `width`.

    On the cursor's row the cursor's style goes over the row's, and its colours over the
    cells' own (a cell's warning colour would otherwise vanish into the cursor's), as
    DataTable draws its row cursor.
    """
    under = row_style if cursor is None else row_style + cursor
    over = None if cursor is None else Style.from_color(cursor.color, cursor.bgcolor)
    segments: list[Segment] = []
    for cell, cell_width in zip(cells, widths, strict=True):
        segments += Segment.apply_style(
            cell_segments(console, cell, cell_width, CELL_PADDING), under, over
        )
    fill = width - sum(widths)
    if fill > 0:
        segments.append(Segment(" " * fill, under))
    return Strip(segments, max(width, sum(widths))).simplify()
