"""Fixtures every Pilot test shares."""

from __future__ import annotations

import pytest
from pilot_helpers import note_notifications


@pytest.fixture(autouse=True)
def noted_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app notes the notifications it raises, for `pilot_helpers.notices` to read."""
    note_notifications(monkeypatch)
