"""Run a Python command in a child process with the desk's clock frozen, the way tests freeze it
in their own process (deskapp.clock.set_clock): production code reads no clock from the
environment.

    python tests/frozen_run.py 2026-03-14T09:30:00 -m deskapp mail send
    python tests/frozen_run.py 2026-03-14T09:30:00 -c "CODE"
    python tests/frozen_run.py 2026-03-14T09:30:00 tests/billing_worker.py ARGS
"""

from __future__ import annotations

import datetime as dt
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve()


def command(at: dt.datetime | str, *rest: str) -> list[str]:
    """The argv that runs `rest` (as after `python`) with the clock frozen at `at`."""
    moment = at.isoformat() if isinstance(at, dt.datetime) else at
    return [sys.executable, str(HERE), moment, *rest]


def _main() -> None:
    from deskapp import clock

    clock.set_clock(clock.frozen_clock(dt.datetime.fromisoformat(sys.argv[1])))
    rest = sys.argv[2:]
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    elif rest[0] == "-c":
        sys.argv = ["-c", *rest[2:]]
        exec(compile(rest[1], "<string>", "exec"), {"__name__": "__main__"})  # noqa: S102
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    _main()
