"""The composer's first line: the mode, and every address a reply goes to, counted if need be.

"REPLY · mailed to the client: ann@example.com, bo@example.com and 3 more": as many addresses
as the line's width holds, whole, and a count of the rest, so a narrow terminal (80 columns
over SSH) never hides a recipient without saying so. The addresses are shown inert.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from screens.widgets.untrusted import untrusted

__all__ = ["RecipientsLine", "recipients_text"]


def recipients_text(label: str, recipients: Sequence[str], width: int) -> Text:
    """`label`, then the recipients fitted to `width` cells: all of them, or the first few
    and "and N more" (the first shortened should even one not fit)."""
    line = Text(label, style="bold")
    if not recipients:
        return line
    line.append(": ")
    room = width - line.cell_len
    addresses = [untrusted(address, limit=120, style="not bold") for address in recipients]
    for shown in range(len(addresses), 0, -1):
        rest = len(addresses) - shown
        more = f" and {rest} more" if rest else ""
        joined = Text(", ", style="not bold").join(addresses[:shown])
        if joined.cell_len + len(more) <= room or shown == 1:
            if joined.cell_len + len(more) > room:
                joined.truncate(max(1, room - len(more)), overflow="ellipsis")
            line.append_text(joined)
            line.append(more, style="not bold")
            return line
    return line


class RecipientsLine(Widget):
    """One line: the composer's mode and who a reply is mailed to, fitted to the width."""

    DEFAULT_CSS = """
    RecipientsLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = ""
        """The mode's words ("REPLY · mailed to the client")."""
        self.recipients: tuple[str, ...] = ()
        """Every address the reply goes to (none for a note)."""

    def show(self, label: str, recipients: Sequence[str] = ()) -> None:
        """Say the mode and, for a reply, its recipients."""
        self.label = label
        self.recipients = tuple(recipients)
        self.tooltip = ", ".join(untrusted(r).plain for r in recipients) or None
        self.refresh()

    def render(self) -> Text:
        """The line at the widget's width."""
        return recipients_text(self.label, self.recipients, self.content_size.width)
