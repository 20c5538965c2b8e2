"""HTML to text: what a person reads in an HTML mail, for a desk that shows text only."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_PRE_SPACE = "\ue000"  # a space inside <pre> while lines are trimmed


class _TextFromHtml(HTMLParser):
    """The readable text of an HTML body: blocks become lines, scripts and styles vanish."""

    BLOCKS = frozenset(
        "address article aside blockquote br dd div dl dt fieldset figcaption figure footer "
        "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
    )
    HIDDEN = frozenset(("script", "style", "head", "title", "template"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "pre":
            self.pre += 1
        if tag == "li":
            self.pieces.append("\n- ")
        elif tag in self.BLOCKS:
            self.pieces.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag in self.BLOCKS and tag not in ("br", "li"):
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:  # spaces kept: marked so the line trimming below leaves them
            self.pieces.append(data.replace(" ", _PRE_SPACE))
        else:
            self.pieces.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> str:
    """The text a person reads in an HTML mail: one line per block, entities decoded, no tags,
    no scripts or styles; at most two blank-free line breaks in a row."""
    parser = _TextFromHtml()
    try:
        parser.feed(markup.replace(_PRE_SPACE, " "))
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = [line.strip(" ") for line in "".join(parser.pieces).split("\n")]
    text = "\n".join(lines).replace(_PRE_SPACE, " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
