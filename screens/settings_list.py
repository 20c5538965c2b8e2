"""What the lists of the desk's settings share (departments, canned replies): the whole list,
the highlighted record's details under it, the keys that change it for admins only.

An agent reads the same list with those keys dimmed, and a line under the list says why (the
rights table's own sentence, as the services would refuse). Opened from the command palette;
escape goes back where it was opened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from screens.area import AreaScreen
from screens.settings_access import may_change_settings, why_read_only
from screens.widgets.record_table import PageFetcher, RecordTable

if TYPE_CHECKING:
    from deskapp.services.actors import Actor

__all__ = ["SettingsListScreen", "whole_list"]


def whole_list(read: Callable[[], Sequence[Any]]) -> PageFetcher:
    """A fetcher for a short list a service reads whole: everything on the first page."""

    def fetch(last: object, limit: int) -> Sequence[Any]:
        return list(read()) if last is None else []

    return fetch


class SettingsListScreen(AreaScreen):
    """A settings list: the records, the highlighted one's details, who may change them."""

    ADMIN_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    """The actions that change the settings (an agent sees their keys dimmed)."""
    NEEDS_RECORD: ClassVar[frozenset[str]] = frozenset()
    """The admin actions that work on the highlighted record."""

    def compose(self) -> ComposeResult:
        """The area's layout, with the details and (for an agent) why it is read-only under
        the list."""
        for widget in super().compose():
            if isinstance(widget, Static) and widget.id == "count":
                yield Static(id="record-details", classes="record-details")
                if not self.changes_settings:
                    yield Static(Text(why_read_only(self.actor)), id="read-only")
            yield widget

    @property
    def actor(self) -> Actor | None:
        """The signed-in staff member."""
        return self.desk_app.signed_in_actor

    @property
    def changes_settings(self) -> bool:
        """Whether the signed-in staff member may change the desk's settings."""
        return may_change_settings(self.actor)

    @property
    def highlighted(self) -> Any:
        """The record under the cursor, if any."""
        tables = self.query("#records")
        return tables.first(RecordTable).highlighted_record if tables else None

    def details(self, record: Any) -> Text:
        """The highlighted record's details, shown under the list."""
        return Text("")

    @on(RecordTable.Highlighted, "#records")
    @on(RecordTable.Loaded, "#records")
    def _show_highlighted(self) -> None:
        record = self.highlighted
        shown = self.query_one("#record-details", Static)
        shown.update(self.details(record) if record is not None else Text(""))
        self.refresh_bindings()

    def refresh_for_changes(self) -> None:
        """Load again at once: the list is short."""
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Admins' keys dimmed for agents; those about one record need one; Back goes back."""
        if action in self.ADMIN_ACTIONS:
            if not self.changes_settings:
                return None
            if action in self.NEEDS_RECORD and self.highlighted is None:
                return None
            return True
        if action == "back":
            return True
        return super().check_action(action, parameters)

    def _changed(self, result: object) -> None:
        if result is not None:
            self.action_refresh()

    def action_back(self) -> None:
        """Back where the list was opened."""
        self.app.pop_screen()
