"""The one-way arrows of DESIGN.md: screens -> deskapp.services -> deskapp.models -> deskapp.db.

import-linter checks the same in CI (pyproject.toml); this test keeps it true for anyone who
only runs pytest, and also checks that cli.py starts the UI lazily.
"""

from __future__ import annotations

import ast
from pathlib import Path

import deskapp
import screens

CORE = Path(deskapp.__file__).parent
UI = Path(screens.__file__).parent


def _imports(path: Path, *, top_level_only: bool = False) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _offending(root: Path, forbidden: tuple[str, ...], skip: set[str] = frozenset()) -> list[str]:
    bad = []
    for path in sorted(root.rglob("*.py")):
        if path.name in skip:
            continue
        for line, module in _imports(path):
            if (
                module == forbidden
                or module.split(".")[0] in forbidden
                or any(module == f or module.startswith(f + ".") for f in forbidden)
            ):
                bad.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return bad


def test_core_never_imports_the_ui() -> None:
    assert _offending(CORE, ("textual", "screens"), skip={"cli.py"}) == []


def test_cli_starts_the_ui_lazily() -> None:
    top = [module for _, module in _imports(CORE / "cli.py", top_level_only=True)]
    assert not [m for m in top if m.split(".")[0] in ("textual", "screens")]


def test_screens_reach_data_only_through_services() -> None:
    assert _offending(UI, ("peewee", "playhouse", "deskapp.models", "deskapp.db")) == []


def test_widgets_never_import_a_screen() -> None:
    widgets = UI / "widgets"
    screen_modules = tuple(
        f"screens.{path.stem}" for path in UI.glob("*.py") if path.stem != "__init__"
    )
    assert _offending(widgets, screen_modules) == []
