"""The signed-in session, typed, for any screen or widget of the desk.

The app shell (screens.app.DeskApp) holds the session it was started with; a widget reaches it
through `desk_session(self)` instead of reading an attribute the type of `App` does not have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from deskapp.services.session import DeskSession

__all__ = ["desk_session"]


def desk_session(node: DOMNode) -> DeskSession:
    """The session of the app `node` runs in; TypeError when that app holds none (a widget run
    outside the desk)."""
    # Imported here, not at the top: whoever made the session imported it already, and a
    # widget module stays free of the data layer until it is used.
    from deskapp.services.session import DeskSession

    session = getattr(node.app, "session", None)
    if not isinstance(session, DeskSession):
        raise TypeError(f"{type(node.app).__name__} holds no DeskSession: run it in the desk.")
    return session
