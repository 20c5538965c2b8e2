"""UUIDv7 keys (time-ordered, so offline replicas create rows without collisions) and the
short numbers people read (C-1042, T-20311, O-5531, INV-2026-00017)."""

from __future__ import annotations

import os
import threading
import time
import uuid

from deskapp.text import is_number

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> uuid.UUID:
    """A UUID version 7: 48 bits of Unix milliseconds, then a counter and randomness (RFC 9562).

    Keys made in one process are strictly increasing, even within one millisecond.
    """
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                ms += 1
                _counter = 0
        else:
            _counter = int.from_bytes(os.urandom(2), "big") & 0x3FF
        _last_ms = ms
        counter = _counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | rand
    return uuid.UUID(int=value)


PREFIXES = {"client": "C", "ticket": "T", "order": "O"}
"""How each kind of number is shown; invoices carry their own year-based number."""


def format_number(kind: str, number: int) -> str:
    """`format_number("client", 1042)` is "C-1042"."""
    return f"{PREFIXES[kind]}-{number}"


def parse_number(kind: str, text: str) -> int | None:
    """The integer in "C-1042", "c1042" or "1042" for kind "client"; None if it is not one."""
    cleaned = text.strip().upper()
    prefix = PREFIXES[kind]
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :].lstrip("-")
    return int(cleaned) if is_number(cleaned) and len(cleaned) < 12 else None


def invoice_number(year: int, sequence: int) -> str:
    """Invoice numbers restart each year and have no gaps: INV-2026-00017."""
    return f"INV-{year}-{sequence:05d}"
