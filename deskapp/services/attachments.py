"""Files kept with a ticket: attached from a path or a mail, saved back to disk.

The bytes live in the database row, so every desk (and a replica) sees the same file. A file
name is untrusted text: it is stored as written (less NUL, which PostgreSQL cannot hold) and
sanitised only when it becomes a name on this computer's disk (`safe_filename`), so a name like
"../../etc/passwd" can never make `save_attachment` write outside the folder chosen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import mimetypes
import os
import stat
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path

from deskapp import clock
from deskapp.db import feed
from deskapp.durable import sync_directory
from deskapp.errors import NotFound, ValidationError
from deskapp.models import Attachment, Entity, Message, Ticket
from deskapp.services.actors import Actor
from deskapp.services.bookkeeping import key
from deskapp.services.rights import Right, acting

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The largest file a ticket takes (10 MB): it travels in every desk's database and in mail."""

FILENAME_MAX = 255
"""The longest file name stored (the column's size)."""
CONTENT_TYPE_MAX = 100
"""The longest content type stored (the column's size)."""
DEFAULT_CONTENT_TYPE = "application/octet-stream"
"""What a file of unknown type is stored as."""
_DISK_NAME_BYTES = 200
"""Room a saved file's name may take on disk (file systems allow 255 bytes; temp names too)."""
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in range(1, 10)]
    + [f"LPT{n}" for n in range(1, 10)]
)


@dataclass(frozen=True)
class AttachmentInfo:
    """A file of a ticket, without its bytes (those stay in the database until saved)."""

    id: uuid.UUID
    """The attachment's key: pass it to save_attachment."""
    filename: str
    """The name it came with (untrusted text: show it through untrusted())."""
    content_type: str
    """Its MIME type, e.g. "text/plain"."""
    size: int
    """Its size in bytes."""
    created_at: dt.datetime
    """When it was added (UTC)."""
    message_id: uuid.UUID | None
    """The message it came with, or None when it was attached to the ticket itself."""


def limit_text(size: int = MAX_ATTACHMENT_BYTES) -> str:
    """A size limit as people say it: "10 MB"."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"


def _too_big(name: str, size: int, field: str = "attachment") -> ValidationError:
    return ValidationError(
        field,
        f"“{_short(name)}” is {size / (1024 * 1024):.1f} MB; a ticket takes files of at most "
        f"{limit_text()}.",
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def guess_content_type(filename: str) -> str:
    """The MIME type its name suggests (mimetypes), else application/octet-stream."""
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


def read_attachment_file(path: Path) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of a file to attach, or ValidationError (field "path")
    saying what is wrong: no name, missing, a folder, not a regular file, unreadable, too big."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError("path", "Choose a file to attach.")
    path = Path(path).expanduser()
    name = path.name
    if not str(path).strip() or not name or name in (".", ".."):
        raise ValidationError("path", "Choose a file to attach: that path has no file name.")
    shown = _short(str(path), 80)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ValidationError("path", f"There is no file at {shown}.") from None
    except PermissionError:
        raise ValidationError("path", f"{shown} cannot be read: permission denied.") from None
    except OSError as error:
        raise ValidationError("path", f"{shown} cannot be read: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValidationError("path", f"{shown} is a folder; choose a file in it.")
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError("path", f"{shown} is not a regular file; choose a file.")
    if info.st_size > MAX_ATTACHMENT_BYTES:
        raise _too_big(name, info.st_size, "path")
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_ATTACHMENT_BYTES + 1)
    except PermissionError:
        raise ValidationError("path", f"{shown} cannot be read: permission denied.") from None
    except OSError as error:
        raise ValidationError("path", f"{shown} cannot be read: {error.strerror}.") from None
    if len(content) > MAX_ATTACHMENT_BYTES:  # it grew after we looked
        raise _too_big(name, len(content), "path")
    return name, guess_content_type(name), content


def _stored_name(filename: object) -> str:
    name = filename if isinstance(filename, str) else ""
    name = name.replace("\x00", "\ufffd").strip()
    return name[:FILENAME_MAX] or "attachment"


def _stored_type(content_type: object, filename: str) -> str:
    kind = content_type.strip() if isinstance(content_type, str) else ""
    if not kind or len(kind) > CONTENT_TYPE_MAX or not kind.isprintable() or "/" not in kind:
        return guess_content_type(filename)
    return kind.lower()


def _info(row: Attachment) -> AttachmentInfo:
    return AttachmentInfo(
        id=row.id,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        created_at=row.created_at,
        message_id=row.message_id,
    )


def store_attachment(
    ticket_id: uuid.UUID,
    filename: str,
    content_type: str,
    content: bytes,
    *,
    message_id: uuid.UUID | None = None,
) -> AttachmentInfo:
    """Keep `content` with the ticket (and message), inside the caller's transaction.

    Used by mail import and by post_reply/post_note; the name is stored as written (untrusted),
    an unusable content type is replaced by the one the name suggests.
    """
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise ValidationError("attachment", "An attachment must be the bytes of a file.")
    content = bytes(content)
    name = _stored_name(filename)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise _too_big(name, len(content))
    row = Attachment.create(
        ticket=ticket_id,
        message=message_id,
        filename=name,
        content_type=_stored_type(content_type, name),
        size=len(content),
        content=content,
    )
    return _info(row)


def attach_file(
    actor: Actor, ticket_id: uuid.UUID, path: Path, *, message_id: uuid.UUID | None = None
) -> AttachmentInfo:
    """Attach the file at `path` to the ticket (or to one of its messages).

    Clear ValidationErrors for a path without a name, a missing file, a folder, an unreadable
    file or one over the limit (named in MB); NotFound for a ticket or message that is gone;
    Refused for someone disabled or removed (attaching is working the ticket).
    """
    ticket_id = key(ticket_id, "ticket")
    name, content_type, content = read_attachment_file(path)
    with acting(actor, Right.WORK_TICKETS):
        updated = (
            Ticket.update(version=Ticket.version + 1, updated_at=clock.now())
            .where(Ticket.id == ticket_id)
            .execute()
        )
        if not updated:
            raise NotFound("That ticket no longer exists; it may have been merged or deleted.")
        if message_id is not None and not (
            Message.select(Message.id)
            .where(Message.id == message_id, Message.ticket == ticket_id)
            .exists()
        ):
            raise NotFound("That message is not part of this ticket (any more).")
        info = store_attachment(ticket_id, name, content_type, content, message_id=message_id)
        feed.publish(Entity.TICKET, ticket_id, "attachment")
    return info


def attachment_infos(*where: object) -> list[AttachmentInfo]:
    """Attachments matching the conditions, oldest first, without loading their bytes."""
    query = (
        Attachment.select(
            Attachment.id,
            Attachment.filename,
            Attachment.content_type,
            Attachment.size,
            Attachment.created_at,
            Attachment.message,
        )
        .where(*where)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [_info(row) for row in query]


def safe_filename(name: str) -> str:
    """`name` made a harmless single file name for this computer's disk.

    Path separators and control characters become "_", bidirectional overrides (which disguise
    an extension) go, leading and trailing dots and spaces go (no hidden files, no ".."), Windows
    device names get a "_" in front, and the name is kept under 200 bytes, extension included.
    An empty result is "attachment".
    """
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    cleaned = []
    for char in text:
        category = unicodedata.category(char)
        if char in "/\\" or category == "Cc":
            cleaned.append("_")
        elif category in ("Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            continue  # bidi overrides, zero-width marks, unpaired surrogates, unassigned
        else:
            cleaned.append(char)
    result = "".join(cleaned).strip(" .\t")
    if not result:
        return "attachment"
    stem, dot, extension = result.rpartition(".")
    if not dot:
        stem, extension = result, ""
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        result = "_" + result
    if len(result.encode()) > _DISK_NAME_BYTES:
        tail = ("." + extension) if dot and len(extension.encode()) <= 20 else ""
        room = _DISK_NAME_BYTES - len(tail.encode())
        head = result[: len(result) - len(tail)] if tail else result
        head = head.encode()[:room].decode(errors="ignore").rstrip(" .")
        result = (head or "attachment") + tail
    return result


def save_attachment(attachment_id: uuid.UUID, path: Path, *, overwrite: bool = False) -> Path:
    """Write the attachment to `path` and return where it went.

    A folder saves under the attachment's sanitised name (safe_filename), so a hostile name can
    never write outside it; any other path is the file to write, in a folder that exists. An
    existing file is refused unless `overwrite`. The file appears complete or not at all
    (written to a temp file in the same folder, flushed to disk, then renamed into place).
    """
    row = (
        Attachment.select(Attachment.filename, Attachment.content)
        .where(Attachment.id == key(attachment_id, "attachment"))
        .first()
    )
    if row is None:
        raise NotFound("That attachment no longer exists.")
    chosen = Path(path).expanduser()
    if not str(path).strip():
        raise ValidationError("path", "Choose a folder or a file name to save to.")
    if chosen.is_dir():
        directory, name = chosen, safe_filename(row.filename)
    else:
        directory, name = chosen.parent, chosen.name
        if not name or name in (".", ".."):
            raise ValidationError("path", "Choose a file name to save to.")
        if not directory.is_dir():
            raise ValidationError(
                "path", f"The folder {_short(str(directory), 80)} does not exist."
            )
    target = directory / name
    if target.parent != directory or os.sep in name or (os.altsep and os.altsep in name):
        raise ValidationError("path", "That file name would leave the chosen folder.")
    if target.is_dir():
        raise ValidationError("path", f"{_short(str(target), 80)} is a folder.")
    if not overwrite and os.path.lexists(target):
        raise ValidationError(
            "path",
            f"{_short(str(target), 80)} already exists; choose another name or overwrite it.",
        )
    _write_atomically(target, bytes(row.content), overwrite=overwrite)
    return target


def _write_atomically(target: Path, content: bytes, *, overwrite: bool) -> None:
    directory = target.parent
    try:
        handle, temp = tempfile.mkstemp(dir=directory, prefix=".deskapp-", suffix=".part")
    except PermissionError:
        raise ValidationError(
            "path", f"Cannot write in {_short(str(directory), 80)}: permission denied."
        ) from None
    except OSError as error:
        raise ValidationError(
            "path", f"Cannot write in {_short(str(directory), 80)}: {error.strerror}."
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if overwrite:
            os.replace(temp, target)
        else:
            _place_new(temp, target)
        sync_directory(directory)
    except OSError as error:
        raise ValidationError(
            "path", f"Cannot save {_short(str(target), 80)}: {error.strerror or error}."
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _place_new(temp: str, target: Path) -> None:
    """Move the temp file to `target` only if nothing is there (a hard link cannot clobber)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise ValidationError(
            "path",
            f"{_short(str(target), 80)} already exists; choose another name or overwrite it.",
        ) from None
    except OSError as error:
        if error.errno not in (
            errno.EPERM,
            errno.ENOTSUP,
            errno.EOPNOTSUPP,
            errno.EXDEV,
            errno.EMLINK,
        ):
            raise
        if os.path.lexists(target):  # a file system without hard links: check, then rename
            raise ValidationError(
                "path",
                f"{_short(str(target), 80)} already exists; choose another name or overwrite it.",
            ) from None
        os.replace(temp, target)
