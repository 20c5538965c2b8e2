"""Attachments: attaching from a path with clear errors, storing bytes from mail, and saving
back to disk where a hostile file name can never write outside the chosen folder."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from test_conversation import story

from deskapp.errors import NotFound, ValidationError
from deskapp.models import Attachment, ChangeEvent, Message, Ticket
from deskapp.services.attachments import (
    MAX_ATTACHMENT_BYTES,
    attach_file,
    safe_filename,
    save_attachment,
    store_attachment,
)
from deskapp.services.conversation import get_ticket

HOSTILE_NAMES = (
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    ".",
    "",
    "...",
    "a/b/../../c",
    "..\\..\\windows\\win.ini",
    "name\x00with\x00nul",
    "\x1b[31mred\x1b[0m.txt",
    "invoice\x1b[31m\u202efdp.exe",
    "line\nbreak\r.txt",
    ".bashrc",
    "CON",
    "nul.txt",
    "x" * 400 + ".pdf",
    "é" * 300,
    " spaced out . ",
)


def listing(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


# attach_file ---------------------------------------------------------------------------------


def test_attach_file_stores_the_file_with_its_type(desk: str, tmp_path: Path) -> None:
    s = story()
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n")
    info = attach_file(s.sam, s.ticket_id, report)
    assert (info.filename, info.content_type, info.size, info.message_id) == (
        "report.pdf",
        "application/pdf",
        9,
        None,
    )
    assert Attachment.get_by_id(info.id).content == b"%PDF-1.4\n"
    assert Ticket.get_by_id(s.ticket_id).version == 2
    assert get_ticket(s.ticket_id).attachments == (info,)
    assert ChangeEvent.select().where(ChangeEvent.action == "attachment").count() == 1

    unknown = tmp_path / "blob.zzunknown"
    unknown.write_bytes(b"")
    assert attach_file(s.sam, s.ticket_id, unknown).content_type == "application/octet-stream"


def test_attach_file_to_a_message_of_the_ticket_only(desk: str, tmp_path: Path) -> None:
    s = story()
    note = tmp_path / "n.txt"
    note.write_text("hi")
    message = Message.create(ticket=s.ticket_id, kind="note", body="see file")
    assert attach_file(s.sam, s.ticket_id, note, message_id=message.id).message_id == message.id
    with pytest.raises(NotFound, match="not part of this ticket"):
        attach_file(s.sam, s.ticket_id, note, message_id=uuid.uuid4())
    with pytest.raises(NotFound, match="ticket no longer exists"):
        attach_file(s.sam, uuid.uuid4(), note)
    assert Attachment.select().count() == 1


def test_attach_file_says_what_is_wrong(desk: str, tmp_path: Path) -> None:
    s = story()
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    big = tmp_path / "huge.iso"
    with big.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_ATTACHMENT_BYTES + 1)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    cases = {
        tmp_path / "missing.txt": "There is no file",
        tmp_path: "is a folder",
        plain / "inside": "cannot be read",
        Path(""): "no file name",
        Path("/"): "no file name",
        big: "at most 10 MB",
        fifo: "not a regular file",
    }
    for path, message in cases.items():
        with pytest.raises(ValidationError, match=message) as error:
            attach_file(s.sam, s.ticket_id, path)
        assert error.value.field == "path"
    assert "10.0 MB" in _message_of(big, s)
    assert Attachment.select().count() == 0
    assert Ticket.get_by_id(s.ticket_id).version == 1


def _message_of(path: Path, s: object) -> str:
    with pytest.raises(ValidationError) as error:
        attach_file(s.sam, s.ticket_id, path)  # type: ignore[attr-defined]
    return str(error.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_attach_file_refuses_an_unreadable_file(desk: str, tmp_path: Path) -> None:
    s = story()
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    secret.chmod(0)
    with pytest.raises(ValidationError, match="permission denied"):
        attach_file(s.sam, s.ticket_id, secret)


def test_store_attachment_keeps_the_name_as_written_and_refuses_too_big(desk: str) -> None:
    s = story()
    info = store_attachment(s.ticket_id, "../evil\x00.txt", "TEXT/Plain", b"abc")
    assert (info.filename, info.content_type) == ("../evil\ufffd.txt", "text/plain")
    long = store_attachment(s.ticket_id, "n" * 400, "not a type", b"")
    assert len(long.filename) == 255 and long.content_type == "application/octet-stream"
    assert store_attachment(s.ticket_id, "", "", b"x").filename == "attachment"
    with pytest.raises(ValidationError, match="10 MB"):
        store_attachment(s.ticket_id, "big.bin", "", b"\0" * (MAX_ATTACHMENT_BYTES + 1))
    assert Attachment.select().count() == 3


# save_attachment -----------------------------------------------------------------------------


def test_hostile_names_never_leave_the_chosen_folder(desk: str, tmp_path: Path) -> None:
    s = story()
    folder = tmp_path / "downloads" / "inner"
    folder.mkdir(parents=True)
    outside_before = listing(tmp_path)
    saved = []
    for index, name in enumerate(HOSTILE_NAMES):
        info = store_attachment(s.ticket_id, name, "", f"content {index}".encode())
        target = save_attachment(info.id, folder)
        assert target.parent == folder, (name, target)
        assert target.read_bytes() == f"content {index}".encode()
        assert len(target.name.encode()) <= 255
        assert not any(char in target.name for char in "/\\\x00\n\r\x1b\u202e")
        assert target.name not in (".", "..") and not target.name.startswith(".")
        saved.append(target.name)
        for sibling in HOSTILE_NAMES[index + 1 :]:  # a later one with the same safe name
            if safe_filename(sibling) == target.name:
                target.unlink()
                break
    assert listing(tmp_path) - outside_before <= {
        str((folder / name).relative_to(tmp_path)) for name in saved
    }
    assert not [p for p in folder.iterdir() if p.name.startswith(".deskapp-")]


def test_safe_filename_examples() -> None:
    assert safe_filename("../../etc/passwd") == "_.._etc_passwd"
    assert safe_filename("report.pdf") == "report.pdf"
    assert safe_filename("invoice\x1b[31m\u202efdp.exe") == "invoice_[31mfdp.exe"
    assert safe_filename("..") == "attachment" and safe_filename("") == "attachment"
    assert safe_filename("CON") == "_CON" and safe_filename("lpt1.txt") == "_lpt1.txt"
    long = safe_filename("x" * 400 + ".pdf")
    assert long.endswith(".pdf") and len(long.encode()) <= 200
    accents = safe_filename("é" * 300)
    assert len(accents.encode()) <= 200 and set(accents) == {"é"}


def test_save_refuses_to_overwrite_unless_asked(desk: str, tmp_path: Path) -> None:
    s = story()
    first = store_attachment(s.ticket_id, "notes.txt", "", b"new")
    existing = tmp_path / "notes.txt"
    existing.write_bytes(b"old")
    with pytest.raises(ValidationError, match="already exists") as error:
        save_attachment(first.id, tmp_path)
    assert error.value.field == "path"
    assert existing.read_bytes() == b"old"
    assert save_attachment(first.id, tmp_path, overwrite=True) == existing
    assert existing.read_bytes() == b"new"
    chosen = tmp_path / "renamed.bin"
    assert save_attachment(first.id, chosen) == chosen and chosen.read_bytes() == b"new"
    with pytest.raises(ValidationError, match="already exists"):
        save_attachment(first.id, chosen)
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("desk.db"))
    assert left == ["notes.txt", "renamed.bin"]  # no temp files left behind


def test_save_never_follows_a_symlink_out_of_the_folder(desk: str, tmp_path: Path) -> None:
    s = story()
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"precious")
    folder = tmp_path / "save"
    folder.mkdir()
    (folder / "a.txt").symlink_to(outside)
    info = store_attachment(s.ticket_id, "a.txt", "", b"attack")
    with pytest.raises(ValidationError, match="already exists"):
        save_attachment(info.id, folder)
    save_attachment(info.id, folder, overwrite=True)
    assert outside.read_bytes() == b"precious"
    assert not (folder / "a.txt").is_symlink() and (folder / "a.txt").read_bytes() == b"attack"


def test_save_says_what_is_wrong(desk: str, tmp_path: Path) -> None:
    s = story()
    info = store_attachment(s.ticket_id, "a.txt", "", b"x")
    with pytest.raises(ValidationError, match="does not exist"):
        save_attachment(info.id, tmp_path / "nowhere" / "a.txt")
    with pytest.raises(NotFound):
        save_attachment(uuid.uuid4(), tmp_path)
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ValidationError, match="permission denied"):
            save_attachment(info.id, locked)
