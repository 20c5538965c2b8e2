"""Unassigned mail: mail from addresses nobody at the desk has, oldest first, waiting for staff
to attach it to a client, create the client from it, or discard it.

| Key(s) | Description |
| :- | :- |
| enter | Read the highlighted mail (attach, create the client or discard it there). |
| j / k | Move in the list. |
| r | Load the list again. |
| escape | Back where you came from. |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.widgets import Static

from deskapp import clock
from deskapp.services.changes import Entity
from deskapp.services.mail_triage import UnassignedMailRow, list_unassigned_mail
from screens.area import AreaScreen
from screens.widgets.cells import duration_cell
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

__all__ = ["UNVERIFIED_NOTE", "UnassignedMailScreen", "count_line"]

UNVERIFIED_NOTE = "NOT VERIFIED"
"""The list's note on a mail whose sender the desk's mail server could not verify."""


def count_line(waiting: int) -> str:
    """ "1 mail waits for triage." / "3 mails wait for triage, oldest first." """
    if waiting == 0:
        return "No mail waits for triage."
    if waiting == 1:
        return "1 mail waits for triage."
    return f"{waiting:,} mails wait for triage, oldest first."


class UnassignedMailScreen(AreaScreen):
    """Every mail waiting for triage, oldest first: who sent it, its subject, how long it waits."""

    AREA_TITLE = "Unassigned mail"
    NOUN = "mails waiting for triage"
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.UNASSIGNED_MAIL})
    COMPONENT_CLASSES: ClassVar[set[str]] = {"triage--unverified"}
    """How an unverified sender's note looks (styles/mail_triage.tcss)."""

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """From, subject, how long it has waited, a note (unverified sender, files)."""
        return (
            RecordColumn("From", lambda m: untrusted(m.sender, limit=27), 27),
            RecordColumn("Subject", lambda m: untrusted(m.subject, limit=22), 22),
            RecordColumn("Waiting", self.age_cell, 7, align_right=True),
            RecordColumn("Note", self.note_cell, 12),
        )

    def age_cell(self, mail: UnassignedMailRow) -> Text:
        """How long the mail has waited."""
        return duration_cell(clock.now() - mail.received_at)

    def note_cell(self, mail: UnassignedMailRow) -> Text:
        """NOT VERIFIED in the error colour; else how many files came with it."""
        if mail.unverified:
            note = Text(UNVERIFIED_NOTE)
            note.stylize(self.get_component_rich_style("triage--unverified"))
            return note
        if mail.files:
            return Text(f"{mail.files} file{'s' if mail.files != 1 else ''}", style="dim")
        return Text("")

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_unassigned_mail(), oldest first."""
        return _page

    @on(RecordTable.Loaded, "#records")
    def _show_waiting(self, event: RecordTable.Loaded) -> None:
        """The count line in the desk's words."""
        event.prevent_default()
        line = count_line(event.shown)
        if not event.complete:
            line = f"Showing the oldest {event.shown:,} mails waiting; more load as you scroll."
        self.query_one("#count", Static).update(Text(line))

    @on(RecordTable.Selected, "#records")
    def _open_selected(self) -> None:
        mail = self.records.highlighted_record
        if mail is not None:
            from screens.mail_triage_detail import UnassignedMailDetailScreen

            self.app.push_screen(UnassignedMailDetailScreen(mail), self._decided)

    def _decided(self, done: bool | None) -> None:
        if done:
            self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Back always leads back where the list was opened."""
        if action == "back":
            return True
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        """Back where the list was opened."""
        self.app.pop_screen()


def _page(last: UnassignedMailRow | None, limit: int) -> list[UnassignedMailRow]:
    return list_unassigned_mail(after=last, limit=limit)
