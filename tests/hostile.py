"""The hostile-text corpus (tests/data/hostile_text.json), loaded once for every test."""

from __future__ import annotations

import json
from pathlib import Path

CORPUS: list[dict[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "hostile_text.json").read_text("utf-8")
)
"""Text a client might send, on purpose or not: entries of {"what": why, "text": the text}."""
HOSTILE: list[str] = [entry["text"] for entry in CORPUS]
"""The corpus's texts alone, for fuzzing and parametrizing."""
