"""Bytes on the wire: what the desk writes to the terminal for each thing a person does.

Starts the real `deskapp demo` (its demo database in a temporary folder, through XDG_DATA_HOME)
in a pseudo-terminal of 120x36 (or 80x24 with --small), waits until it stops writing, then
presses keys one action at a time and counts the bytes written until the terminal is quiet
again. The same cursor move is measured on a stock Textual DataTable app (bench/table_app.py)
for comparison. Over SSH every byte is a byte on a thin line.

    python bench/wire.py [--small] [--moves 8] [--letters 5] [--quiet 0.4] [--db URL]

Everything stays on this machine (a pty, no network); every loop is bounded. The demo desk is
deterministic, so two runs see the same screens; the byte counts vary a little with timing
(a frame can land in one write or two, a search page arrive before or after the typing pause).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).parent

DOWN = b"\x1b[B"
ENTER = b"\r"
ESCAPE = b"\x1b"
CTRL_Q = b"\x11"
SEARCHED = b"design"
"""What is typed in the client search, a letter at a time (the demo has Design Studios)."""


class Terminal:
    """A program running in a pseudo-terminal, whose output is counted."""

    def __init__(self, command: Sequence[str], environment: dict[str, str], size: tuple[int, int]):
        columns, rows = size
        self.leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            list(command),
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=environment,
            start_new_session=True,
        )
        os.close(follower)
        self.seen = b""
        """Everything the program wrote so far (to look for text on screen)."""
        self.dump: Path | None = None
        """A folder to write each action's bytes to (for looking at what costs them)."""
        self._actions = 0

    def read_until_quiet(self, quiet: float, limit: float = 20.0, wait_for: bytes = b"") -> int:
        """Bytes written until nothing more comes for `quiet` seconds (and `wait_for` has
        shown, if given), or until `limit` seconds have passed."""
        start = time.monotonic()
        offset = len(self.seen)
        got = 0
        last = start
        while time.monotonic() - start < limit:
            ready, _, _ = select.select([self.leader], [], [], 0.02)
            now = time.monotonic()
            if ready:
                try:
                    chunk = os.read(self.leader, 65536)
                except OSError:  # the program ended
                    break
                if not chunk:
                    break
                got += len(chunk)
                self.seen += chunk
                last = now
            elif now - last >= quiet and (not wait_for or wait_for in self.seen[offset:]):
                return got
        raise RuntimeError(
            f"the terminal did not go quiet within {limit} s; last output: {self.seen[-400:]!r}"
        )

    def press(self, keys: bytes, quiet: float, wait_for: bytes = b"") -> int:
        """Send `keys` and count what is written in answer (which shows `wait_for`)."""
        start = len(self.seen)
        os.write(self.leader, keys)
        got = self.read_until_quiet(quiet, wait_for=wait_for)
        if self.dump is not None:
            self._actions += 1
            name = f"{self._actions:02d}-{keys.hex()}.out"
            (self.dump / name).write_bytes(self.seen[start:])
        return got

    def close(self) -> None:
        try:
            os.write(self.leader, CTRL_Q)
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            os.close(self.leader)


def _environment(folder: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": f"{folder}/home",
        "XDG_CONFIG_HOME": f"{folder}/config",
        "XDG_DATA_HOME": f"{folder}/data",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }


def measure_desk(
    size: tuple[int, int],
    moves: int,
    letters: int,
    quiet: float,
    dump: Path | None = None,
    database: str | None = None,
) -> dict[str, list[int]]:
    """Bytes per action on the demo desk (in `database`, an empty one, if given)."""
    figures: dict[str, list[int]] = {}
    command = [sys.executable, "-m", "deskapp", "demo"]
    if database:
        command += ["--db", database]
    with tempfile.TemporaryDirectory() as folder:
        desk = Terminal(command, _environment(folder), size)
        desk.dump = dump
        try:
            figures["first screen"] = [desk.read_until_quiet(1.0, limit=60, wait_for=b"C-10")]
            figures["cursor down, client list"] = [desk.press(DOWN, quiet) for _ in range(moves)]
            figures["enter: open a client"] = [desk.press(ENTER, quiet, b"Contacts")]
            figures["escape: back to the list"] = [desk.press(ESCAPE, quiet, b"C-1001")]
            figures["/: focus the search"] = [desk.press(b"/", quiet)]
            figures["type a letter"] = [
                desk.press(bytes([letter]), quiet) for letter in SEARCHED[:letters]
            ]
            figures["escape: leave the search"] = [desk.press(ESCAPE, quiet)]
            figures["2: the ticket queue"] = [desk.press(b"2", quiet, b"T-20")]
            figures["cursor down, ticket queue"] = [desk.press(DOWN, quiet) for _ in range(moves)]
        finally:
            desk.close()
    return figures


def measure_table(size: tuple[int, int], moves: int, quiet: float) -> dict[str, list[int]]:
    """Bytes for the first screen and a cursor move on a stock DataTable app."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, str(HERE / "table_app.py")]
        table = Terminal(command, _environment(folder), size)
        try:
            first = table.read_until_quiet(quiet, wait_for=b"C-10")
            downs = [table.press(DOWN, quiet) for _ in range(moves)]
        finally:
            table.close()
    return {"first screen": [first], "cursor down": downs}


def _row(name: str, values: list[int]) -> str:
    if len(values) == 1:
        return f"{name:<34} {values[0]:>8,} {'':>8}   (1)"
    return (
        f"{name:<34} {statistics.median(values):>8,.0f} {max(values):>8,}   "
        f"({len(values)}: {' '.join(str(v) for v in values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="80x24 instead of 120x36")
    parser.add_argument("--moves", type=int, default=8, help="cursor moves per list")
    parser.add_argument("--letters", type=int, default=5, help="letters typed in the search")
    parser.add_argument(
        "--quiet", type=float, default=0.4, help="seconds of silence that end an action"
    )
    parser.add_argument(
        "--dump", type=Path, metavar="FOLDER", help="write each action's bytes to FOLDER"
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="load the demo into this empty database (a PostgreSQL one: the shared desk)",
    )
    args = parser.parse_args()
    size = (80, 24) if args.small else (120, 36)
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    letters = min(args.letters, len(SEARCHED))
    desk = measure_desk(size, args.moves, letters, args.quiet, args.dump, args.db)
    table = measure_table(size, args.moves, args.quiet)
    print(f"Bytes written at {size[0]}x{size[1]} (median, max, then each run)")
    print(f"{'action':<34} {'median':>8} {'max':>8}")
    for name, values in desk.items():
        print(_row(name, values))
    for name, values in table.items():
        print(_row(f"stock DataTable: {name}", values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
