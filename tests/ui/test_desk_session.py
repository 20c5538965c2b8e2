"""desk_session: how a widget reaches the signed-in session, typed and checked."""

from __future__ import annotations

import pytest
from textual.app import App

from screens.widgets.desk_session import desk_session


async def test_a_widget_outside_the_desk_is_told_so() -> None:
    app: App[None] = App()
    async with app.run_test():
        with pytest.raises(TypeError, match="App holds no DeskSession"):
            desk_session(app.screen)
