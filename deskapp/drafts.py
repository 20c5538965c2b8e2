"""Unsent replies and notes, kept in local files so they survive a crash and a lost database.

One JSON file per ticket ({"ticket_id", "kind", "text", "saved_at"}, and "attachments": the
paths of the files to send with it, when there are any) in the drafts folder of the user data
dir. A draft keeps the paths, not copies: a file moved or deleted meanwhile is the person's to
know about, so the composer says it is missing rather than send something else or nothing.

A save writes a temp file in the same folder, flushes it to disk and renames it over the old
draft (os.replace), so whatever moment the process dies at, the file holds either the previous
draft or the new one, never half of one. A file that is damaged anyway (a full
disk, someone's editor) is ignored, never a crash. No database and no Textual here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deskapp import clock
from deskapp.durable import sync_directory

KINDS = ("reply", "note")
"""What a draft can become."""
SUFFIX = ".json"
"""A draft file's ending; its name is the ticket's key in hex."""
TEMP_PREFIX = ".draft-"
"""Temp files being written start with this (and are never read as drafts)."""
STALE_TEMP_SECONDS = 3600
"""A temp file older than this was left by a process that died; pending() removes it."""
MAX_DRAFT_BYTES = 8 * 1024 * 1024
"""A draft file larger than this is not read (no person types 8 MB)."""


@dataclass(frozen=True)
class Draft:
    """An unsent reply or note of one ticket."""

    ticket_id: uuid.UUID
    """The ticket it belongs to."""
    kind: str
    """"reply" or "note"."""
    text: str
    """What was typed."""
    saved_at: dt.datetime
    """When it was saved (UTC, naive)."""
    attachments: tuple[str, ...] = ()
    """Paths of the files to send with it, as they were attached (they may be gone since)."""


class DraftStore:
    """The drafts folder: save, load, discard and list drafts, atomically."""

    def __init__(self, directory: Path | None = None) -> None:
        """Use `directory`, by default the drafts folder in the user data dir."""
        if directory is None:
            from deskapp import config

            directory = config.data_dir(create=True) / "drafts"
        self.directory = Path(directory)

    def _path(self, ticket_id: uuid.UUID) -> Path:
        return self.directory / f"{_key(ticket_id).hex}{SUFFIX}"

    def save(
        self,
        ticket_id: uuid.UUID,
        kind: str,
        text: str,
        attachments: Sequence[str | os.PathLike[str]] = (),
    ) -> None:
        """Keep `text` and the `attachments` (paths) as the ticket's draft; blank text with no
        attachments discards the draft."""
        key = _key(ticket_id)
        if kind not in KINDS:
            raise ValueError(f"a draft is a reply or a note, not {kind!r}")
        if not isinstance(text, str):
            raise TypeError("a draft's text must be a str")
        files = [os.fspath(path) for path in attachments]
        if not all(isinstance(path, str) for path in files):
            raise TypeError("a draft's attachments must be paths")
        if not text.strip() and not files:
            self.discard(key)
            return
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        content: dict[str, object] = {
            "ticket_id": key.hex,
            "kind": kind,
            "text": text,
            "saved_at": clock.now().isoformat(),
        }
        if files:
            content["attachments"] = files
        payload = json.dumps(content).encode(
            "ascii"
        )  # every non-ASCII character (even a lone surrogate) as \uXXXX
        handle, temp = tempfile.mkstemp(
            dir=self.directory, prefix=f"{TEMP_PREFIX}{key.hex}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, self._path(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        sync_directory(self.directory)

    def load(self, ticket_id: uuid.UUID) -> Draft | None:
        """The ticket's draft, or None when there is none or its file is unreadable."""
        key = _key(ticket_id)
        return _read(self._path(key), key)

    def discard(self, ticket_id: uuid.UUID) -> None:
        """Forget the ticket's draft (nothing happens when there is none)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(_key(ticket_id)))

    def pending(self) -> list[Draft]:
        """Every readable draft, newest first (damaged files are skipped, stale temp files
        left by a crash are removed)."""
        try:
            entries = list(os.scandir(self.directory))
        except (FileNotFoundError, NotADirectoryError):
            return []
        drafts = []
        now = time.time()
        for entry in entries:
            if entry.name.startswith(TEMP_PREFIX):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                continue
            if not entry.name.endswith(SUFFIX):
                continue
            try:
                key = uuid.UUID(hex=entry.name[: -len(SUFFIX)])
            except ValueError:
                continue
            draft = _read(Path(entry.path), key)
            if draft is not None:
                drafts.append(draft)
        drafts.sort(key=lambda draft: (draft.saved_at, draft.ticket_id), reverse=True)
        return drafts


def _key(ticket_id: object) -> uuid.UUID:
    if isinstance(ticket_id, uuid.UUID):
        return ticket_id
    return uuid.UUID(str(ticket_id))


def _read(path: Path, key: uuid.UUID) -> Draft | None:
    """The draft in `path` if it is a complete, well-formed draft of ticket `key`."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_DRAFT_BYTES + 1)
        if len(raw) > MAX_DRAFT_BYTES:
            return None
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            return None
        kind, text, saved = data.get("kind"), data.get("text"), data.get("saved_at")
        if kind not in KINDS or not isinstance(text, str) or not isinstance(saved, str):
            return None
        if data.get("ticket_id") not in (None, key.hex):
            return None
        saved_at = dt.datetime.fromisoformat(saved)
        if saved_at.tzinfo is not None:
            saved_at = saved_at.astimezone(dt.UTC).replace(tzinfo=None)
        files = data.get("attachments", [])
        if not isinstance(files, list) or not all(isinstance(path, str) for path in files):
            return None
        if not text.strip() and not files:
            return None
        return Draft(
            ticket_id=key, kind=kind, text=text, saved_at=saved_at, attachments=tuple(files)
        )
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
