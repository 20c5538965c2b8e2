"""deskapp: a terminal desk for hosting, ISP and managed-services staff."""

from __future__ import annotations

import importlib.machinery
import sys
from types import ModuleType

__version__ = "0.1.0"


class _PeeweeWithoutDrivers:
    """Import peewee without letting it import psycopg (over 100 ms of start-up).

    Peewee imports every database driver it knows when it is first imported; a local desk
    needs none. Whichever module imports peewee first, this loader hides the drivers while
    peewee runs; deskapp.db.postgres hands psycopg 3 to peewee when a postgresql:// URL opens.

    A meta path finder and loader by its methods alone: deriving from importlib.abc's classes
    would import importlib.abc and, through it, tempfile and random (about 10 ms of start-up).
    """

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "peewee":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        self._loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
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
    imported when one of its names is first asked for. hashlib alone (OpenSSL) costs start-up
    some 4 ms. Only peewee's own import sees this stand-in."""

    def __getattr__(self, name: str) -> object:
        import importlib

        return getattr(importlib.import_module(self.__name__), name)


if "peewee" not in sys.modules:
    sys.meta_path.insert(0, _PeeweeWithoutDrivers())
