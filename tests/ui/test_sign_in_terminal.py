"""The real command in a real (pseudo-)terminal on a shared PostgreSQL desk: `deskapp --db URL
--staff dana` asks for the password first, never draws it, and opens the desk as dana."""

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

import pytest
from sign_in_data import PASSWORD

from deskapp.services.staff import add_staff

SMALL = (24, 80)
"""Rows and columns: the smallest terminal the desk promises to be usable in."""


def read_until(leader: int, wanted: bytes, drawn: bytes, timeout: float = 30.0) -> bytes:
    """What the terminal has drawn, read until `wanted` shows (fails naming the last screen)."""
    deadline = time.monotonic() + timeout
    while wanted not in drawn and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                drawn += os.read(leader, 65536)
            except OSError:  # the program ended
                break
    assert wanted in drawn, drawn[-2000:]
    return drawn


@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_deskapp_asks_for_the_password_then_opens_as_that_person(desk: str, tmp_path: Path) -> None:
    add_staff(None, "dana", "admin", name="Dana Admin", password=PASSWORD)
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *SMALL, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "deskapp", "--db", desk, "--staff", "dana"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
        start_new_session=True,
    )
    os.close(follower)
    try:
        drawn = read_until(leader, b"Sign in to the desk", b"")
        os.write(leader, PASSWORD.encode() + b"\r")
        drawn = read_until(leader, b"Dana Admin (admin)", drawn)
        os.write(leader, b"\x11")  # ctrl+q
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    assert PASSWORD.encode() not in drawn
    assert b"Traceback" not in drawn
