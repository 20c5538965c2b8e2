"""Importing peewee quickly for the `deskapp` command: without its database drivers.

Peewee imports every database driver it knows when it is first imported; a local desk needs
none, and psycopg alone is a large part of start-up (bench/README.md). `install()` puts a meta
path finder in front of the others, only for the command (deskapp.cli.main): importing `deskapp`
from a test, a cron job or another program changes nothing about how anything imports.
deskapp.db.postgres hands psycopg 3 to peewee when a postgresql:// URL opens.
"""

from __future__ import annotations

import importlib.machinery
import sys
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec


def install() -> None:
    """Import peewee without its drivers, if peewee is not imported yet (once per process)."""
    if "peewee" in sys.modules or any(isinstance(f, PeeweeWithoutDrivers) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, PeeweeWithoutDrivers())


class PeeweeWithoutDrivers:
    """A meta path finder and loader for peewee alone that hides the drivers while it runs.

    It removes itself when peewee is found. A finder and loader by its methods alone: deriving
    from importlib.abc's classes would import importlib.abc and, through it, tempfile and
    random, which start-up would pay for.
    """

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """peewee's own spec, loaded through this object; None for every other module."""
        if name != "peewee":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        self._loader = spec.loader
        spec.loader = self  # type: ignore[assignment]  # a Loader by its methods (see above)
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        """As peewee's own loader does."""
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        """Run peewee with psycopg hidden and hashlib and calendar imported on first use."""
        hidden = [name for name in ("psycopg", "psycopg2") if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` fails fast
        deferred = [name for name in ("hashlib", "calendar") if name not in sys.modules]
        for name in deferred:
            sys.modules[name] = _ImportedOnFirstUse(name)
        try:
            self._loader.exec_module(module)
        finally:
            for name in hidden:
                del sys.modules[name]
            for name in deferred:
                if isinstance(sys.modules.get(name), _ImportedOnFirstUse):
                    del sys.modules[name]


class _ImportedOnFirstUse(ModuleType):
    """Stands in for a module peewee imports but uses only in functions a desk seldom calls
    (hashlib for naming constraints, calendar for timestamp fields): the real module is
    imported when one of its names is first asked for. hashlib loads OpenSSL. Only peewee's
    own import sees this stand-in."""

    def __getattr__(self, name: str) -> object:
        import importlib

        return getattr(importlib.import_module(self.__name__), name)
