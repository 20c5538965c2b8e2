"""A ticket's conversation: every loaded message as wrapped lines, drawn with Textual's line API.

No widget per message: a 2,000-message conversation would mount thousands of widgets. The view
keeps the loaded messages (oldest first), lays each out once per width as plain rows (header,
label, wrapped body, attachments, a gap) and builds only the strips of the lines on screen. It
opens on the newest page, scrolled to the bottom, and fetches the page before the oldest loaded
message (in a thread) as the reader nears the top, keeping the lines on screen where they were.

Bodies, authors and file names are untrusted: they pass through `untrusted()` and are drawn as
plain segments, so markup, escape sequences and bidi overrides show literally and do nothing.

| Key(s) | Description |
| :- | :- |
| up / down, k / j | Scroll a line. |
| pageup / pagedown | Scroll a page (older messages load at the top). |
| home / end | The oldest loaded message / the newest. |
"""

from __future__ import annotations

import re
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.conversation import ConversationMessage

__all__ = [
    "KIND_LABELS",
    "NOTE_LABEL",
    "UNVERIFIED_LABEL",
    "ConversationView",
    "MessageFetcher",
    "size_text",
]

MessageFetcher = Callable[["ConversationMessage | None", int], "list[ConversationMessage]"]
"""`fetch(before, limit)`: the `limit` messages just before `before` (None: the newest),
oldest first; runs in a thread."""

NOTE_LABEL = "INTERNAL NOTE · not sent to the client"
"""How an internal note is labelled."""
KIND_LABELS = {
    "client": "CLIENT MESSAGE",
    "reply": "STAFF REPLY · sent to the client",
    "note": NOTE_LABEL,
}
"""The label on each kind of message."""
UNVERIFIED_LABEL = "SENDER NOT VERIFIED"
"""Shown in red on a client's mail whose sender the desk's mail server could not verify."""
GUTTER = "▌ "
"""The bar in front of every line of a message, in the kind's colour."""
TAB_SIZE = 4
_TOKENS = re.compile(r"\s+|\S+")


def size_text(size: int) -> str:
    """A file size as people read it: 812 B, 12.4 KB, 3.1 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class _Row:
    """One line of a laid-out message."""

    role: str
    """header, body, attachment or gap."""
    text: str
    """The line's (already cleaned) text; for a header, the author."""


class ConversationView(ReportsFailedWork, ScrollView, can_focus=True):
    """The messages of one ticket, oldest at the top, newest at the bottom."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-view--client",
        "conversation-view--reply",
        "conversation-view--note",
        "conversation-view--label",
        "conversation-view--author",
        "conversation-view--time",
        "conversation-view--attachment",
        "conversation-view--edge",
        "conversation-view--unverified",
    }
    """Per kind: the gutter bar and label colour (--client, --reply, --note; a note's
    background too); the author, the time, attachment lines, the top line (--edge), and the
    red mark of a sender not verified (--unverified)."""

    PAGE_SIZE: ClassVar[int] = 200
    """Messages per fetch."""

    class Loaded(Message):
        """A page of messages is shown."""

        def __init__(self, view: ConversationView, shown: int, complete: bool) -> None:
            super().__init__()
            self.view = view
            """The view."""
            self.shown = shown
            """How many messages are loaded now."""
            self.complete = complete
            """Whether the oldest message is among them."""

        @property
        def control(self) -> ConversationView:
            """The view (for @on selectors)."""
            return self.view

    class _Page(Message, bubble=False):
        def __init__(self, messages: list[Any], older: bool, merge: bool) -> None:
            super().__init__()
            self.messages = messages
            self.older = older
            self.merge = merge

    def __init__(
        self,
        fetch: MessageFetcher | None = None,
        *,
        page_size: int | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.fetch = fetch
        """Where pages come from (None: only what `show` is given)."""
        self.page_size = page_size or self.PAGE_SIZE
        """Messages per fetch."""
        self.messages: list[ConversationMessage] = []
        """The loaded messages, oldest first."""
        self.has_older = False
        """Whether older messages than the loaded ones exist."""
        self.loading_older = False
        """Whether the page before the oldest loaded message is being fetched."""
        self.first_painted: float | None = None
        """perf_counter() of the first line drawn with messages loaded (the benchmark's mark)."""
        self._width = 0
        self._rows: dict[object, tuple[_Row, ...]] = {}
        self._starts: list[int] = []
        self._total = 1
        self._strips: LRUCache[int, Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._follow_bottom = True

    # Loading -------------------------------------------------------------------------------

    def load_newest(self) -> None:
        """Fetch the newest page (in a thread) and show it, scrolled to the bottom."""
        self._fetch(None, older=False, merge=False)

    def refresh_newest(self) -> None:
        """Fetch the newest page again and add what is new, keeping the older pages loaded
        and the place read (the bottom stays the bottom)."""
        self._fetch(None, older=False, merge=True)

    def load_older(self) -> None:
        """Fetch the page before the oldest loaded message, unless one is on its way."""
        if self.loading_older or not self.has_older or not self.messages:
            return
        self.loading_older = True
        self._fetch(self.messages[0], older=True, merge=False)

    def _fetch(self, before: ConversationMessage | None, *, older: bool, merge: bool) -> None:
        if self.fetch is None:
            return
        self.run_worker(
            partial(self._fetch_page, before, older, merge),
            thread=True,
            exit_on_error=False,
            group="conversation-older" if older else "conversation",
            name="load the conversation",
        )

    def _fetch_page(self, before: ConversationMessage | None, older: bool, merge: bool) -> None:
        assert self.fetch is not None
        try:
            page = self.fetch(before, self.page_size)
        except BaseException:
            if older:
                self.loading_older = False
            raise
        self.post_message(self._Page(page, older, merge))

    async def on_conversation_view__page(self, message: _Page) -> None:
        """A fetched page arrived: prepend, merge or replace."""
        message.stop()
        page = message.messages
        if message.older:
            # A scroll on its way aims at a line of the old layout: stop it, aim again below.
            animating = self.app.animator.is_being_animated(self, "scroll_y")
            target = self.scroll_target_y
            if animating:
                await self.app.animator.stop_animation(self, "scroll_y", complete=False)
            self.loading_older = False
            added = self._prepend(page, has_older=len(page) >= self.page_size)
            y = (target if animating else self.scroll_y) + added
            self.scroll_to(y=y, animate=False, force=True)
        elif message.merge and self.messages:
            self._merge_newest(page)
        else:
            self.show(page, has_older=len(page) >= self.page_size)
        self.post_message(self.Loaded(self, len(self.messages), not self.has_older))

    def show(self, messages: Sequence[ConversationMessage], *, has_older: bool = False) -> None:
        """Show exactly these messages (oldest first), scrolled to the newest."""
        self.messages = list(messages)
        self.has_older = has_older
        self._rows.clear()
        self._relayout()
        self._follow_bottom = True
        self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def _prepend(self, page: Sequence[ConversationMessage], *, has_older: bool) -> int:
        """Put an older page above the loaded messages; returns how many lines it added."""
        known = {message.id for message in self.messages}
        older = [message for message in page if message.id not in known]
        before = self._total
        self.messages[:0] = older
        self.has_older = has_older
        self._relayout()
        return self._total - before

    def _merge_newest(self, page: Sequence[ConversationMessage]) -> None:
        at_bottom = self._follow_bottom
        known = {message.id: index for index, message in enumerate(self.messages)}
        if page and page[0].id not in known:
            self.show(page, has_older=len(page) >= self.page_size)
            return
        fresh = [message for message in page if message.id not in known]
        for message in page:  # an edited or re-attached message shows as it is now
            if message.id in known:
                self.messages[known[message.id]] = message
                self._rows.pop(message.id, None)
        self.messages.extend(fresh)
        self._relayout()
        if at_bottom:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    # Layout --------------------------------------------------------------------------------

    @property
    def layout_width(self) -> int:
        """The columns a message's text is wrapped to (the view's, less the gutter)."""
        return max(self.scrollable_content_region.width - cell_len(GUTTER), 10)

    def _relayout(self) -> None:
        """Line offsets of every loaded message at the current width (rows are cached)."""
        width = self.layout_width
        if width != self._width:
            self._width = width
            self._rows.clear()
        starts: list[int] = []
        line = 1  # line 0 says whether older messages exist
        for message in self.messages:
            starts.append(line)
            line += len(self._rows_of(message))
        self._starts = starts
        self._total = line
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, line)
        self.refresh()

    def _rows_of(self, message: ConversationMessage) -> tuple[_Row, ...]:
        rows = self._rows.get(message.id)
        if rows is None:
            rows = self._rows[message.id] = self._lay_out(message)
        return rows

    def _lay_out(self, message: ConversationMessage) -> tuple[_Row, ...]:
        rows = [_Row("header", untrusted(message.author, limit=60).plain or "unknown")]
        body = untrusted(message.body, multiline=True).plain.rstrip("\n")
        rows += [_Row("body", line) for line in _wrap(body, self._width)]
        for attachment in message.attachments:
            name = untrusted(attachment.filename, limit=120).plain
            rows.append(_Row("attachment", f"Attachment: {name} ({size_text(attachment.size)})"))
        rows.append(_Row("gap", ""))
        return tuple(rows)

    def on_resize(self) -> None:
        """Wrap again for a new width; the newest stays at the bottom if it was there."""
        if not self.messages:
            return
        if self.layout_width != self._width:
            self._relayout()
        if self._follow_bottom:
            self.scroll_to(y=self.max_scroll_y, animate=False, force=True)

    def notify_style_update(self) -> None:
        """A theme or class change: the cached strips have the old colours."""
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Within three screens of the top, fetch the page before the oldest loaded message."""
        super().watch_scroll_y(old_value, new_value)
        self._follow_bottom = new_value >= self.max_scroll_y
        if new_value < self.size.height * 3 and self.has_older:
            self.load_older()

    # Drawing -------------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        """A component's colour and text style, without its background (see `_background`)."""
        style = self._styles.get(name)
        if style is None:
            full = self.get_component_rich_style(f"conversation-view--{name}")
            style = self._styles[name] = Style(
                color=full.color, bold=full.bold, italic=full.italic, dim=full.dim
            )
        return style

    def _attributes(self, name: str) -> Style:
        """Only a component's text style (bold, italic), to go over another's colour."""
        style = self._style(name)
        return Style(bold=style.bold, italic=style.italic, dim=style.dim)

    def _background(self, kind: str) -> Style:
        """The view's own style, with a note's tinted background (blended as Textual does)."""
        key = f"{kind}-background"
        style = self._styles.get(key)
        if style is None:
            base = self.rich_style
            if kind == "note":
                tint = self.get_component_rich_style("conversation-view--note").bgcolor
                base += Style(bgcolor=tint)
            style = self._styles[key] = base
        return style

    def render_line(self, y: int) -> Strip:
        """The strip of the view's line `y` (0: its top row)."""
        line = round(self.scroll_y) + y
        strip = self._strips.get(line)
        if strip is None:
            strip = self._strips[line] = self._strip(line)
        if self.first_painted is None and self.messages:
            self.first_painted = time.perf_counter()
        return strip

    def _strip(self, line: int) -> Strip:
        width = self.scrollable_content_region.width
        if line == 0:
            return self._edge_strip(width)
        if line >= self._total or not self.messages:
            return Strip.blank(width, self.rich_style)
        index = bisect_right(self._starts, line) - 1
        message = self.messages[index]
        row = self._rows_of(message)[line - self._starts[index]]
        kind = message.kind if message.kind in KIND_LABELS else "client"
        if row.role == "gap":
            return Strip.blank(width, self.rich_style)
        base = self._background(kind)
        kind_style = base + self._style(kind)
        segments = [Segment(GUTTER, kind_style)]
        if row.role == "header":
            when = f"{message.created_at:%Y-%m-%d %H:%M}"
            failed = kind == "reply" and message.mail.startswith("failed")
            label_style = (base + self._style("unverified") if failed else kind_style) + (
                self._attributes("label")
            )
            segments += [
                Segment(_label(message, kind), label_style),
                Segment("  ", base),
                Segment(row.text, base + self._style("author")),
                Segment("  ", base),
                Segment(when, base + self._style("time")),
            ]
            if message.sender_unverified:
                segments += [
                    Segment("  ", base),
                    Segment(UNVERIFIED_LABEL, base + self._style("unverified")),
                ]
        elif row.role == "attachment":
            segments.append(Segment(row.text, base + self._style("attachment")))
        else:
            segments.append(Segment(row.text, base))
        return Strip(segments).adjust_cell_length(width, base)

    def _edge_strip(self, width: int) -> Strip:
        if not self.messages:
            text = "Loading the conversation…" if self.fetch else "No messages."
        elif self.has_older:
            text = "Loading older messages…" if self.loading_older else "Older messages above…"
        else:
            count = len(self.messages)
            text = f"Start of the conversation · {count} message{'s' if count != 1 else ''}"
        base = self.rich_style
        return Strip([Segment(text, base + self._style("edge"))]).adjust_cell_length(width, base)


def _label(message: ConversationMessage, kind: str) -> str:
    """The kind's label; a reply's says what became of its mail ("queued for mail", "sent",
    "failed: …"), as the outbox knows it."""
    if kind == "reply" and message.mail:
        return f"STAFF REPLY · {untrusted(message.mail, limit=80).plain}"
    return KIND_LABELS[kind]


def _wrap(body: str, width: int) -> list[str]:
    """The body's lines wrapped to `width` cells: at spaces where a word fits, else folded.

    A plain greedy wrap on cell widths (wide characters count two): several times faster than
    rich's Text.wrap, which matters when an older page of 200 messages comes in mid-scroll.
    """
    lines: list[str] = []
    for paragraph in body.split("\n"):
        paragraph = paragraph.expandtabs(TAB_SIZE).rstrip()
        if cell_len(paragraph) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0
        for token in _TOKENS.findall(paragraph):
            size = cell_len(token)
            if used + size <= width:
                line, used = line + token, used + size
            elif token.isspace():
                lines.append(line.rstrip())
                line, used = "", 0
            elif size <= width:
                lines.append(line.rstrip())
                line, used = token, size
            else:  # a word longer than the line: fold it
                for char in token:
                    char_size = cell_len(char)
                    if used + char_size > width:
                        lines.append(line)
                        line, used = "", 0
                    line, used = line + char, used + char_size
        lines.append(line.rstrip())
    return lines
