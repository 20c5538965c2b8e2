"""The real command in a real (pseudo-)terminal: `deskapp` draws the client list and quits.

The other command-line tests take the TUI's place to look at the session it receives; this one
runs the whole thing as a person would: `python -m deskapp --db ...` attached to a 120x36
terminal, until client numbers are on screen, then ctrl+q.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from deskapp.cli import main


def run_in_terminal(
    arguments: list[str], environment: dict[str, str], until: bytes, timeout: float = 30.0
) -> tuple[bytes, bytes]:
    """Start `python -m deskapp ARGUMENTS` in a 120x36 pseudo-terminal and read what it draws
    until `until` shows; then press ctrl+q. Returns (what was drawn, what came after ctrl+q)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "deskapp", *arguments],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
        start_new_session=True,
    )
    os.close(follower)
    drawn = b""
    after = b""
    try:
        deadline = time.monotonic() + timeout
        while until not in drawn and time.monotonic() < deadline:
            drawn += _read(leader, 0.2)
        assert until in drawn, drawn[-2000:]
        os.write(leader, b"\x11")  # ctrl+q
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            after += _read(leader, 0.2)
        assert process.wait(timeout=5) == 0, after[-2000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    return drawn, after


def _read(descriptor: int, wait: float) -> bytes:
    ready, _, _ = select.select([descriptor], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the terminal closed: the program ended
        return b""


def test_deskapp_draws_the_client_list_in_a_terminal_and_quits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "db", "seed", "--clients", "40"]) == 0
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }

    drawn, _ = run_in_terminal(["--db", url], environment, until=b"C-1020")

    assert b"C-1001" in drawn
    assert b"Traceback" not in drawn

    assert not list(tmp_path.rglob("*.pickle"))  # nothing is kept between starts
