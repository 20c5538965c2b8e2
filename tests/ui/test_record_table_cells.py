"""The record lists draw their one-line cells themselves (screens.widgets.record_lines.
cell_segments): the segments must be exactly those rich's Padding and Text rendering give (what
DataTable drew, so the lists look as they did), for any text a cell may hold (hostile text,
wide and combining characters, styles, spans, every justify and overflow)."""

from __future__ import annotations

from hostile import HOSTILE
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.padding import Padding
from rich.segment import Segment
from rich.text import Text

from screens.widgets.record_lines import cell_segments

CONSOLE = Console(width=120, color_system="truecolor", legacy_windows=False)


def rich_line(cell: Text, width: int, padding: int) -> list[Segment]:
    """What DataTable's own cell rendering gives for a one-line row."""
    options = CONSOLE.options.update_dimensions(width, 1).update(no_wrap=True)
    lines = CONSOLE.render_lines(Padding(cell, (0, padding)), options)
    assert len(lines) == 1
    return lines[0]


def same(ours: list[Segment], theirs: list[Segment]) -> bool:
    """Equal on screen: the same characters with the same styles, cell by cell."""

    def cells(line: list[Segment]) -> list[tuple[str, object]]:
        return [(char, segment.style or None) for segment in line for char in segment.text]

    return cells(ours) == cells(theirs)


texts = st.lists(
    st.sampled_from([*"abc XYZ-_.@[]/=é", "漢", "字", "e\u0301", "\u200b", "😀"]), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    plain=texts,
    width=st.integers(3, 40),
    padding=st.integers(0, 1),
    justify=st.sampled_from([None, "left", "right", "center", "default"]),
    overflow=st.sampled_from([None, "fold", "crop", "ellipsis"]),
    style=st.sampled_from(["", "dim", "bold red", "italic on blue"]),
    span=st.one_of(st.none(), st.tuples(st.integers(0, 40), st.integers(0, 40))),
)
def test_a_cell_renders_as_rich_renders_it(
    plain: str,
    width: int,
    padding: int,
    justify: str | None,
    overflow: str | None,
    style: str,
    span: tuple[int, int] | None,
) -> None:
    cell = Text(plain, style=style, justify=justify, overflow=overflow)  # type: ignore[arg-type]
    if span is not None:
        cell.stylize("underline green", *sorted(span))
    if width <= 2 * padding:
        return
    assert same(cell_segments(CONSOLE, cell, width, padding), rich_line(cell, width, padding))


def test_hostile_text_renders_as_rich_renders_it() -> None:
    from deskapp.text import one_line

    for text in HOSTILE:
        cell = Text(one_line(text)[:500], overflow="ellipsis")
        assert same(cell_segments(CONSOLE, cell, 26, 1), rich_line(cell, 26, 1)), text[:40]
