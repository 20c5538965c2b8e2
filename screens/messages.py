"""Messages the app's screens post, and how a screen follows other desks' changes.

How failed work reaches the app (`ReportsFailedWork`) lives with the widgets
(screens.widgets.failed_work), since widgets need it and never import a screen module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, cast

from textual.message import Message

if TYPE_CHECKING:
    from textual.events import ScreenResume
    from textual.screen import Screen

    from deskapp.services.changes import Change
    from screens.app import DeskApp


class ConnectionChecked(Message):
    """The periodic check of the database connection has an answer."""

    def __init__(self, reachable: bool) -> None:
        super().__init__()
        self.reachable = reachable
        """Whether the database answered."""


class _Refreshes(Protocol):
    def action_refresh(self) -> None: ...


class FollowsChanges:
    """Mixin for a Screen that shows one entity: when another desk changes it (the app's
    `changes_signal`, read from the change feed), the screen refreshes (`action_refresh`) at
    once if it is on screen, else when it is shown again (a dialog over it closed).

    The screen calls `follow_changes()` when mounted and says in `shows_change` which
    changes are its business.
    """

    _changed_while_away = False

    def follow_changes(self) -> None:
        """Start following (in on_mount)."""
        desk = cast("DeskApp", self._as_screen.app)
        desk.changes_signal.subscribe(self._as_screen, self._changes_seen)

    def shows_change(self, change: Change) -> bool:
        """Whether this screen shows what `change` changed."""
        raise NotImplementedError

    def refresh_for_changes(self) -> None:
        """Show the changes now (on screen): `action_refresh` unless a screen says otherwise."""
        cast("_Refreshes", self).action_refresh()

    @property
    def _as_screen(self) -> Screen[Any]:
        return cast("Screen[Any]", self)

    def _changes_seen(self, changes: tuple[Change, ...]) -> None:
        if not any(self.shows_change(change) for change in changes):
            return
        if self._as_screen.app.screen is self:
            self.refresh_for_changes()
        else:
            self._changed_while_away = True

    def _on_screen_resume(self, event: ScreenResume) -> None:
        # A naming-convention handler, as in ReportsFailedWork.
        if self._changed_while_away:
            self._changed_while_away = False
            cast("_Refreshes", self).action_refresh()
