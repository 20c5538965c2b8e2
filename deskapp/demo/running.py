"""The demo desk's file in the user data dir, shared by the demos running at once.

`deskapp demo` makes a fresh demo.db unless another demo is running on it; then it joins that
one instead of deleting the file under it. Two lock files decide (POSIX `flock`, released by
the system when a process ends, however it ends): `demo.setup.lock` is held while one process
decides and loads; every running demo holds `demo.users.lock` shared. A process that can take
the users lock exclusively knows nobody is running, and only it recreates the file.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from types import TracebackType
from typing import IO

from deskapp import config

DEMO_FILE = "demo.db"


class DemoFile:
    """`with DemoFile() as demo:` — `demo.fresh` says whether this process must load the demo
    into `demo.url` (the old file is gone) or joins a running one; call `ready()` once it is
    loaded and before the desk starts."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or config.data_dir(create=True)
        self.path = self.folder / DEMO_FILE
        self.url = f"sqlite:///{self.path}"
        self.fresh = False
        self._setup: IO[str] | None = None
        self._users: IO[str] | None = None

    def __enter__(self) -> DemoFile:
        self._setup = open(self.folder / "demo.setup.lock", "a", encoding="utf-8")  # noqa: SIM115
        self._users = open(self.folder / "demo.users.lock", "a", encoding="utf-8")  # noqa: SIM115
        fcntl.flock(self._setup, fcntl.LOCK_EX)
        try:
            fcntl.flock(self._users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self.fresh = True
        except BlockingIOError:
            self.fresh = False
        if self.fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return self

    def ready(self) -> None:
        """The demo is loaded (or joined): count this process among the running demos and let
        the next one decide."""
        assert self._setup is not None and self._users is not None
        fcntl.flock(self._users, fcntl.LOCK_SH)  # converts this process's exclusive lock
        fcntl.flock(self._setup, fcntl.LOCK_UN)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for handle in (self._setup, self._users):
            if handle is not None:
                handle.close()
