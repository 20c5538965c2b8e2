"""The desk's canned replies: reusable answers, for one department or all of them.

Everyone reads the list (an agent's keys dimmed, with why); admins add, edit (with a preview
against a real ticket) and delete. The highlighted reply's text shows under the list. Opened
from the command palette ("Canned replies").

| Key(s) | Description |
| :- | :- |
| n | Add a canned reply (admins). |
| e / enter | Edit the highlighted canned reply (admins). |
| x | Delete the highlighted canned reply (admins; asks). |
| r | Load the list again. |
| escape | Back where you came from. |
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied
from deskapp.services.canned import CannedReplyView, delete_canned_reply, list_canned_reply_views
from deskapp.services.changes import Entity
from screens.canned_form import CannedReplyFormDialog
from screens.settings_list import SettingsListScreen, whole_list
from screens.widgets.form_dialog import FormDialog
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

__all__ = ["CannedRepliesScreen", "DeleteCannedReplyDialog"]


def department_cell(reply: CannedReplyView) -> Text:
    """Its department, or "All departments" (dim) for a general one."""
    if not reply.department:
        return Text("All departments", style="dim")
    return untrusted(reply.department, limit=20)


def first_line_cell(reply: CannedReplyView) -> Text:
    """The first line of its text, dim."""
    lines = reply.body.strip().splitlines()
    return untrusted(lines[0] if lines else "", limit=26, style="dim")


COLUMNS: Sequence[RecordColumn[CannedReplyView]] = (
    RecordColumn("Title", lambda r: untrusted(r.title, limit=28), 28),
    RecordColumn("Department", department_cell, 16),
    RecordColumn("Begins", first_line_cell, 26),
)
"""Narrow enough for an 80-column terminal."""


def reply_details(reply: CannedReplyView) -> Text:
    """The reply's text, its first two lines (the form shows it whole)."""
    lines = [line for line in reply.body.strip().splitlines() if line.strip()]
    text = Text()
    for index, line in enumerate(lines[:2]):
        if index:
            text.append("\n")
        text.append_text(untrusted(line, limit=76))
    if len(lines) > 2:
        text.append(" …", style="dim")
    return text


class CannedRepliesScreen(SettingsListScreen):
    """Every canned reply by title; the highlighted one's text below."""

    AREA_TITLE = "Canned replies"
    NOUN = "canned replies"
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.CANNED_REPLY, Entity.DEPARTMENT})
    ADMIN_ACTIONS: ClassVar[frozenset[str]] = frozenset({"new_reply", "edit_reply", "delete_reply"})
    NEEDS_RECORD: ClassVar[frozenset[str]] = frozenset({"edit_reply", "delete_reply"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_reply", "New", tooltip="Add a canned reply (admins)."),
        Binding("e", "edit_reply", "Edit", tooltip="Edit the highlighted canned reply (admins)."),
        Binding(
            "x",
            "delete_reply",
            "Delete",
            tooltip="Delete the highlighted canned reply (admins; asks).",
        ),
    ]

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Title, department, how it begins."""
        return COLUMNS

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Every canned reply (a desk has dozens, not thousands)."""
        return whole_list(list_canned_reply_views)

    def details(self, record: Any) -> Text:
        """Its text."""
        return reply_details(record)

    @on(RecordTable.Selected, "#records")
    def _selected(self) -> None:
        if self.check_action("edit_reply", ()):
            self.action_edit_reply()

    def action_new_reply(self) -> None:
        """The canned reply form, empty."""
        if self.changes_settings:
            self.app.push_screen(CannedReplyFormDialog(), self._changed)

    def action_edit_reply(self) -> None:
        """The canned reply form for the highlighted reply."""
        reply = self.highlighted
        if self.changes_settings and reply is not None:
            self.app.push_screen(CannedReplyFormDialog(reply.id), self._changed)

    def action_delete_reply(self) -> None:
        """Ask, then delete the highlighted reply."""
        reply = self.highlighted
        if self.changes_settings and reply is not None:
            self.app.push_screen(DeleteCannedReplyDialog(reply), self._changed)


class DeleteCannedReplyDialog(FormDialog[bool]):
    """Confirm deleting a canned reply; dismisses True once deleted."""

    SUBMIT = "Delete"
    SUBMIT_VARIANT = "error"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)

    def __init__(self, reply: CannedReplyView) -> None:
        super().__init__()
        self.reply = reply
        """The reply to delete."""

    def heading(self) -> str:
        """Names the reply."""
        return f"Delete the canned reply “{self.reply.title}”?"

    def compose_fields(self) -> ComposeResult:
        """What deleting does."""
        yield Static(
            Text("Nobody can pick it any more; replies already written with it stay as sent."),
            classes="note",
        )

    def on_mount(self) -> None:
        """The focus on the button that decides."""
        super().on_mount()
        self.query_one("#submit").focus()

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """delete_canned_reply."""
        delete_canned_reply(self.actor, self.reply.id)
        return True

    def done(self, result: bool) -> None:
        """Say so and close with True."""
        self.say(f"Deleted the canned reply “{self.reply.title}”.")
        self.dismiss(True)
