"""Local drafts: saved atomically (a process killed mid-save leaves a complete earlier or later
draft), damaged files ignored without a crash, empty text discards. No database here."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from deskapp import clock
from deskapp.drafts import Draft, DraftStore

TICKET = uuid.UUID("01950000-0000-7000-8000-000000000001")
OTHER = uuid.UUID("01950000-0000-7000-8000-000000000002")


def files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_save_and_load_round_trip(tmp_path: Path, frozen_time: dt.datetime) -> None:
    store = DraftStore(tmp_path / "drafts")
    text = "Hi Ada,\n\n[bold]not markup[/] \x1b]0;x\x07 émoji 🚀 \ud800 tab\there"
    store.save(TICKET, "reply", text)
    assert store.load(TICKET) == Draft(TICKET, "reply", text, frozen_time)
    assert files(tmp_path / "drafts") == [f"{TICKET.hex}.json"]
    data = json.loads((tmp_path / "drafts" / f"{TICKET.hex}.json").read_text())
    assert set(data) == {"ticket_id", "kind", "text", "saved_at"}
    store.save(str(TICKET), "note", "changed to a note")  # type: ignore[arg-type]
    assert store.load(TICKET).kind == "note"  # type: ignore[union-attr]
    assert store.load(OTHER) is None


def test_empty_text_discards_and_discard_is_idempotent(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(TICKET, "reply", "something")
    store.save(TICKET, "reply", "  \n\t ")
    assert store.load(TICKET) is None and files(tmp_path) == []
    store.discard(TICKET)
    store.save(OTHER, "note", "x")
    store.discard(OTHER)
    assert files(tmp_path) == []
    with pytest.raises(ValueError):
        store.save(TICKET, "email", "x")


def test_pending_lists_drafts_newest_first_and_skips_damage(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    for index, ticket in enumerate((TICKET, OTHER)):
        clock.set_clock(clock.frozen_clock(dt.datetime(2026, 3, 14, 9, index)))
        try:
            store.save(ticket, "reply", f"draft {index}")
        finally:
            clock.set_clock(clock.system_clock)
    damaged = {
        "half": '{"kind": "reply", "text": "cut of',
        "garbage": "\x00\xff not json",
        "list": "[1, 2, 3]",
        "kind": '{"kind": "email", "text": "x", "saved_at": "2026-03-14T09:00:00"}',
        "text": '{"kind": "reply", "text": 42, "saved_at": "2026-03-14T09:00:00"}',
        "date": '{"kind": "reply", "text": "x", "saved_at": "yesterday"}',
        "deep": "[" * 100_000 + "]" * 100_000,
    }
    for index, content in enumerate(damaged.values()):
        key = uuid.UUID(int=index + 10)
        (tmp_path / f"{key.hex}.json").write_text(content, errors="surrogateescape")
        assert store.load(key) is None
    wrong_owner = uuid.UUID(int=99)
    (tmp_path / f"{wrong_owner.hex}.json").write_text(
        json.dumps({"ticket_id": TICKET.hex, "kind": "reply", "text": "x", "saved_at": "2026"})
    )
    (tmp_path / f"{uuid.UUID(int=98).hex}.json").mkdir()
    (tmp_path / "notes.txt").write_text("not a draft")
    (tmp_path / "zz.json").write_text("{}")
    assert [(d.ticket_id, d.text) for d in store.pending()] == [
        (OTHER, "draft 1"),
        (TICKET, "draft 0"),
    ]
    assert DraftStore(tmp_path / "never-made").pending() == []


def test_stale_temp_files_are_ignored_then_cleared(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    store.save(TICKET, "reply", "kept")
    fresh = tmp_path / f".draft-{TICKET.hex}.fresh.tmp"
    stale = tmp_path / f".draft-{TICKET.hex}.stale.tmp"
    for leftover in (fresh, stale):
        leftover.write_text('{"kind": "reply", "te')
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    assert [d.text for d in store.pending()] == ["kept"]
    assert store.load(TICKET).text == "kept"  # type: ignore[union-attr]
    assert fresh.exists() and not stale.exists()


def test_default_folder_is_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    from deskapp import config

    store = DraftStore()
    assert store.directory == config.data_dir() / "drafts"
    store.save(TICKET, "note", "x")
    assert store.load(TICKET) is not None
    assert str(store.directory).startswith(str(tmp_path))


CHILD = textwrap.dedent(
    """
    import sys, uuid
    from pathlib import Path
    from deskapp.drafts import DraftStore

    store = DraftStore(Path(sys.argv[1]))
    ticket = uuid.UUID(sys.argv[2])
    n = 0
    while True:
        n += 1
        store.save(ticket, "reply", f"<{n}>" + "x" * (50_000 + (n * 7919) % 400_000) + f"</{n}>")
        if n == 1:
            print("saved", flush=True)
    """
)
DRAFT = re.compile(r"^<(\d+)>(x*)</(\d+)>$", re.DOTALL)


def test_a_process_killed_while_saving_leaves_a_whole_draft(tmp_path: Path) -> None:
    rng = random.Random(20311)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    folder = tmp_path / "drafts"
    seen = set()
    for _ in range(8):
        child = subprocess.Popen(
            [sys.executable, str(script), str(folder), TICKET.hex],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "saved"
            time.sleep(rng.uniform(0.005, 0.08))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        draft = DraftStore(folder).load(TICKET)
        assert draft is not None
        match = DRAFT.match(draft.text)
        assert match, draft.text[:40] + "…" + draft.text[-40:]
        n = int(match.group(1))
        assert match.group(3) == str(n)
        assert len(match.group(2)) == 50_000 + (n * 7919) % 400_000
        seen.add(n)
        assert [d.ticket_id for d in DraftStore(folder).pending()] == [TICKET]
    assert len(seen) > 1  # the kills landed at different points of the loop


def test_a_draft_keeps_its_attachments_and_old_drafts_still_load(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    files = (str(tmp_path / "speedtest.txt"), str(tmp_path / "gone.pdf"))
    store.save(TICKET, "reply", "Results attached", files)
    assert store.load(TICKET).attachments == files  # type: ignore[union-attr]
    # Files alone are worth keeping (the text may come later); nothing at all is not.
    store.save(TICKET, "note", " ", [Path(files[0])])
    assert store.load(TICKET).attachments == files[:1]  # type: ignore[union-attr]
    store.save(TICKET, "note", " ", ())
    assert store.load(TICKET) is None
    # A draft written before drafts kept files (no "attachments" key) loads with none.
    old = {"ticket_id": TICKET.hex, "kind": "reply", "text": "x", "saved_at": "2026-03-14T09:00"}
    (tmp_path / f"{TICKET.hex}.json").write_text(json.dumps(old))
    assert store.load(TICKET).attachments == ()  # type: ignore[union-attr]
    (tmp_path / f"{TICKET.hex}.json").write_text(json.dumps({**old, "attachments": [1]}))
    assert store.load(TICKET) is None
    with pytest.raises(TypeError):
        store.save(TICKET, "reply", "x", [42])  # type: ignore[list-item]


CRASHING_CHILD = textwrap.dedent(
    """
    import os, signal, sys, uuid
    from pathlib import Path
    from deskapp.drafts import DraftStore

    DraftStore(Path(sys.argv[1])).save(uuid.UUID(sys.argv[2]), "reply", "Logs", [sys.argv[3]])
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_drafts_attachments_survive_a_crash(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CRASHING_CHILD)
    upload = tmp_path / "mail.log"
    child = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "drafts"), TICKET.hex, str(upload)],
        check=False,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL
    draft = DraftStore(tmp_path / "drafts").load(TICKET)
    assert draft is not None and (draft.text, draft.attachments) == ("Logs", (str(upload),))
