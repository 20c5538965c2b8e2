"""The hostile mail corpus (issue 14): header bombs of encoded words, thousands of parts,
thousands of levels of nesting, comment nesting, NUL in every header, escape sequences in every
header, forged senders with and without Authentication-Results, Message-IDs reused across
senders, a client merged away mid-import, the database down. Each mail is imported or refused
with the right exit status (65: bounce, 75: try again later), never a traceback, nothing filed
where it should not be, under a memory and CPU budget, and nothing `ticket import` prints can
drive a terminal.

The bombs are made here, not kept as files: they are large and easy to generate.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import CORPUS
from mail_helpers import SmallDesk, small_desk

from deskapp.cli import main
from deskapp.mail.authentication import sender_verified
from deskapp.mail.parsing import (
    DEFAULT_MAX_BYTES,
    MAX_DEPTH,
    MAX_HEADER_BYTES,
    MAX_ONE_HEADER_BYTES,
    MAX_PARTS,
    MailRefused,
    read_mail,
)
from deskapp.models import Client, Message, Ticket
from deskapp.services import incoming_mail
from deskapp.services.actors import actor_from
from deskapp.services.client_merge import merge_clients
from deskapp.services.clients import ClientForm, create_client
from deskapp.services.conversation import list_messages
from deskapp.services.incoming_mail import import_message

MEMORY_BUDGET = 200 * 1024 * 1024
"""Bytes of address space the importing process may use (RLIMIT_AS)."""
CPU_BUDGET = 5
"""Seconds of CPU one mail's import may use (RLIMIT_CPU)."""
EX_DATAERR = 65
EX_TEMPFAIL = 75
DESK_MTA = "mx.desk.example"
"""The authserv-id of the desk's own mail server in these tests."""
ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "mail_budget_worker.py"
TERMINAL_CONTROLS = {"\x1b", "\x07"} | {chr(c) for c in range(0x80, 0xA0)}
"""ESC, BEL and the C1 controls (0x9b is a one-byte CSI)."""


@pytest.fixture
def shop(desk: str) -> SmallDesk:
    return small_desk()


@pytest.fixture
def quiet_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def raw_mail(headers: list[tuple[bytes, bytes]], body: bytes = b"Hello\r\n") -> bytes:
    return b"".join(name + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body


def from_ola(*headers: tuple[bytes, bytes], body: bytes = b"Hello\r\n") -> bytes:
    return raw_mail([(b"From", b"Ola <ola@okafor.example>"), *headers], body)


def nested_multipart(depth: int) -> bytes:
    levels = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    return b"From: ola@okafor.example\r\nMIME-Version: 1.0\r\n" + levels + b"\r\ninner\r\n"


def nested_messages(depth: int) -> bytes:
    return (
        b"From: ola@okafor.example\r\n"
        + b"Content-Type: message/rfc822\r\n\r\n" * depth
        + b"From: x@y.example\r\n\r\nhi\r\n"
    )


def many_parts(count: int, header: bytes = b"Content-Type: text/plain") -> bytes:
    part = b"--b\r\n" + header + b"\r\n\r\nx\r\n"
    return (
        b"From: ola@okafor.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + part * count + b"--b--\r\n"
    )


SIZE_CAP = DEFAULT_MAX_BYTES
ENCODED_WORD = b"=?utf-8?q?=C3=A9t=C3=A9?= "
SMALL_BOMB = ENCODED_WORD * ((MAX_ONE_HEADER_BYTES - 200) // len(ENCODED_WORD))
"""Encoded words just under one header's cap: parsed, within the budget."""
BIG_BOMB = ENCODED_WORD * (280_000 // len(ENCODED_WORD))
"""The 280 KB of encoded words that once took 2.9 GB to parse."""


def bombs() -> dict[str, tuple[bytes, int]]:
    """name: (the mail, the exit status it must end with)."""
    return {
        "subject-bomb-under-cap": (from_ola((b"Subject", SMALL_BOMB)), 0),
        "from-bomb-under-cap": (raw_mail([(b"From", SMALL_BOMB + b"<ola@okafor.example>")]), 0),
        "message-id-bomb-under-cap": (from_ola((b"Message-ID", SMALL_BOMB)), 0),
        "references-bomb-under-cap": (from_ola((b"References", b"<a@b> " * 1300)), 0),
        "subject-bomb-280k": (from_ola((b"Subject", BIG_BOMB)), EX_DATAERR),
        "from-bomb-280k": (raw_mail([(b"From", BIG_BOMB + b"<ola@okafor.example>")]), EX_DATAERR),
        "message-id-bomb-280k": (from_ola((b"Message-ID", BIG_BOMB)), EX_DATAERR),
        "one-header-over-8k": (from_ola((b"Subject", b"x" * MAX_ONE_HEADER_BYTES)), EX_DATAERR),
        "headers-over-64k": (
            from_ola(*[(b"X-Filler", b"y" * 4000)] * (MAX_HEADER_BYTES // 4000 + 1)),
            EX_DATAERR,
        ),
        "part-headers-over-64k": (many_parts(150, b"X-Filler: " + b"z" * 500), EX_DATAERR),
        "part-header-bomb": (many_parts(MAX_PARTS - 2, b"Content-Type: " + SMALL_BOMB), EX_DATAERR),
        "parts-10000": (many_parts(10_000), EX_DATAERR),
        "parts-at-cap": (many_parts(MAX_PARTS - 2), 0),
        "nesting-3000": (nested_multipart(3000), EX_DATAERR),
        "nesting-over-depth": (nested_multipart(MAX_DEPTH + 5), EX_DATAERR),
        "nesting-at-depth": (nested_multipart(MAX_DEPTH - 1), 0),
        "message-nesting-3000": (nested_messages(3000), EX_DATAERR),
        "comment-nesting-from": (
            raw_mail([(b"From", b"(" * 3000 + b")" * 3000 + b" ola@okafor.example")]),
            EX_DATAERR,
        ),
        "comment-nesting-content-type": (
            from_ola((b"Content-Type", b"text/plain " + b"(" * 3000 + b")" * 3000)),
            EX_DATAERR,
        ),
        "many-lines": (from_ola(body=b"\n" * 1_100_000), EX_DATAERR),
        "attachment-2mb": (with_attachment(2 * 1024 * 1024), 0),
        "attachment-at-size-cap": (with_attachment(SIZE_CAP * 3 // 4 - 600_000), 0),
        "text-at-size-cap": (from_ola(body=(b"x" * 76 + b"\r\n") * (SIZE_CAP // 78 - 100)), 0),
        "html-at-size-cap": (
            from_ola(
                (b"Content-Type", b"text/html"),
                body=(b"<p><b>x</b></p>" * 5 + b"\r\n") * (SIZE_CAP // 77 - 100),
            ),
            0,
        ),
        "over-size-cap": (from_ola(body=(b"x" * 76 + b"\r\n") * (SIZE_CAP // 78 + 10)), EX_DATAERR),
    }


def with_attachment(size: int) -> bytes:
    """A mail from Ola carrying `size` random bytes as a file (base64)."""
    head = (
        b"From: ola@okafor.example\r\nSubject: logs\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nThe logs you asked for.\r\n--b\r\n"
        b"Content-Type: application/gzip\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="logs.gz"\r\n\r\n'
    )
    encoded = base64.encodebytes(os.urandom(size)).replace(b"\n", b"\r\n")
    return head + encoded + b"--b--\r\n"


def test_every_bomb_is_imported_or_refused_within_the_budget(
    shop: SmallDesk, desk: str, quiet_environment: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bombs"
    folder.mkdir()
    expected = bombs()
    for name, (raw, _) in expected.items():
        (folder / f"{name}.eml").write_bytes(raw)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(WORKER), desk, str(folder), str(MEMORY_BUDGET), str(CPU_BUDGET)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"the worker died ({done.returncode}): {done.stderr[-2000:]}"
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    results = {line["mail"].removesuffix(".eml"): line for line in lines if "mail" in line}
    assert set(results) == set(expected)
    for name, (raw, status) in expected.items():
        assert len(raw) <= SIZE_CAP or status == EX_DATAERR, name
        result = results[name]
        assert result["status"] == status, (name, result)
        assert "Traceback" not in result["err"] and "unexpected error" not in result["err"]
        if status == EX_DATAERR:
            assert result["err"].startswith("deskapp: ") and "not imported" in result["err"], name
    assert "ticket import" not in done.stderr
    filed = {row.sender_address for row in Message.select()}
    assert filed == {"ola@okafor.example"}
    assert Message.select().count() == sum(1 for _, status in expected.values() if status == 0)


# --- refusals, one by one, in this process -----------------------------------------------


@pytest.mark.parametrize(
    ("mail", "words"),
    [
        (nested_multipart(3000), "more than 200 parts"),
        (nested_multipart(MAX_DEPTH + 1), "nest more than 20 deep"),
        (nested_messages(3000), "more than 200 parts"),
        (raw_mail([(b"From", b"(" * 3000 + b")" * 3000 + b" a@b.example")]), "nests comments"),
        (from_ola((b"Subject", BIG_BOMB)), "header section is longer than 64 KB"),
        (b"\r\n\r\n", "empty"),
    ],
    ids=["nesting", "depth", "messages", "comments", "header-section", "empty"],
)
def test_refusals_name_the_cap(mail: bytes, words: str) -> None:
    with pytest.raises(MailRefused, match=words):
        read_mail(mail)


def test_the_size_cap_is_a_setting(
    shop: SmallDesk,
    desk: str,
    quiet_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DESKAPP_MAIL_MAX_SIZE", "4096")
    mail = from_ola((b"Subject", b"big"), body=b"x" * 5000)
    assert run_import(monkeypatch, desk, mail) == EX_DATAERR
    assert "larger than 4,096 bytes" in capsys.readouterr().err
    huge = from_ola((b"Subject", b"huge"), body=b"x" * 100_000)  # stops reading early
    assert run_import(monkeypatch, desk, huge) == EX_DATAERR
    assert "larger than 4,096 bytes" in capsys.readouterr().err
    assert run_import(monkeypatch, desk, from_ola((b"Subject", b"small"))) == 0
    assert Message.select().count() == 1


def run_import(monkeypatch: pytest.MonkeyPatch, url: str, raw: bytes, *extra: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    return main(["ticket", "import", "-", "--db", url, *extra])


# --- NUL and escape sequences in every header ------------------------------------------------

HEADERS = (
    "Subject",
    "From-name",
    "Message-ID",
    "In-Reply-To",
    "References",
    "To",
    "Cc",
    "Authentication-Results",
    "Content-Type",
    "Attachment-name",
)
"""Where hostile_mail puts the text (every header a mail's import reads); the From address
gets a mail of its own."""


def hostile_mail(text: str, number: int, where: tuple[str, ...] = HEADERS) -> bytes:
    """A mail from Ola with `text` in each header named in `where` (From-name: the From's
    display name; From-address: its local part; Attachment-name: a file's name)."""
    name = f'"{text}"' if "From-name" in where else "Ola"
    address = f"{text}@okafor.example" if "From-address" in where else "ola@okafor.example"
    values = {
        "From": f"{name} <{address}>",
        "To": "support@example.net",
        "Subject": f"hostile {number}",
        "Message-ID": f"<hostile.{number}@okafor.example>",
    }
    for header in ("Subject", "To", "Cc", "In-Reply-To", "References", "Authentication-Results"):
        if header in where:
            values[header] = text
    if "Message-ID" in where:
        values["Message-ID"] = f"<{text}.{number}@okafor.example>"
    values["MIME-Version"] = "1.0"
    charset = text if "Content-Type" in where else "utf-8"
    part = f"Content-Type: text/plain; charset={charset}\r\n\r\nHello\r\n"
    if "Attachment-name" in where:
        values["Content-Type"] = 'multipart/mixed; boundary="b"'
        body = (
            f"--b\r\n{part}--b\r\nContent-Type: application/octet-stream\r\n"
            f'Content-Disposition: attachment; filename="{text}"\r\n\r\ndata\r\n--b--\r\n'
        )
    else:
        head, _, body = part.partition("\r\n\r\n")
        values["Content-Type"] = head.removeprefix("Content-Type: ")
    lines = "".join(f"{key}: {value}\r\n" for key, value in values.items())
    return (lines + "\r\n" + body).encode("utf-8", "surrogateescape")


def one_line(text: str) -> str:
    """Header text cannot hold a line break: folded into a space, as a sender's MTA would."""
    return text.replace("\r", " ").replace("\n", " ")


def test_nul_in_every_header_ends_in_a_sentence(
    shop: SmallDesk,
    desk: str,
    quiet_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for number, where in enumerate([*HEADERS, "From-address"]):
        status = run_import(monkeypatch, desk, hostile_mail("nul\x00here", number, (where,)))
        captured = capsys.readouterr()
        expected = EX_DATAERR if where == "From-address" else 0
        assert status == expected, (where, captured.err)
        assert "unexpected error" not in captured.err
    assert Message.select().count() == len(HEADERS)
    assert not any("\x00" in (row.message_id or "") for row in Message.select())
    assert {row.sender_address for row in Message.select()} == {"ola@okafor.example"}


def test_ticket_import_output_never_drives_the_terminal(
    shop: SmallDesk,
    desk: str,
    quiet_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    printed = []
    for number, entry in enumerate(CORPUS):
        text = one_line(entry["text"])[:2000]
        mails = [
            hostile_mail(text, number),  # in every header at once
            hostile_mail(text, number, ("From-address",)),
            # An unknown sender's address is named in the triage line: cleaned, never raw.
            hostile_mail(text, number, ("From-name",)).replace(
                b"ola@okafor.example", b"%d.x@nowhere.example" % number
            ),
        ]
        for mail in mails:
            status = run_import(monkeypatch, desk, mail)
            captured = capsys.readouterr()
            assert status in (0, 1, EX_DATAERR), (entry["what"], captured.err)
            assert "unexpected error" not in captured.err, (entry["what"], captured.err)
            printed.append(captured.out + captured.err)
    output = "".join(printed)
    assert not TERMINAL_CONTROLS & set(output)
    assert "nowhere.example" in output  # the strangers were named
    assert Client.select().count() == 1  # no mail made a client
    assert {row.sender_address for row in Message.select()} == {"ola@okafor.example"}


# --- who sent it ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "verified"),
    [
        ([f"{DESK_MTA}; dmarc=pass header.from=okafor.example"], True),
        ([f"{DESK_MTA.upper()} 1; dkim=pass header.d=okafor.example; spf=fail"], True),
        ([f"{DESK_MTA}; spf=pass smtp.mailfrom=bounce@mail.okafor.example"], True),
        ([f"{DESK_MTA}; dmarc=fail; dkim=pass header.d=okafor.example"], False),
        ([f"{DESK_MTA}; dkim=pass header.d=evil.example"], False),
        ([f"{DESK_MTA}; dkim=pass header.d=example"], False),
        ([f"{DESK_MTA}; dmarc=none; spf=none"], False),
        ([f"{DESK_MTA}; none"], False),
        (["mx.evil.example; dmarc=pass"], False),
        (["mx.evil.example; dmarc=pass", f"{DESK_MTA}; dmarc=fail"], False),
        ([f"(comment) {DESK_MTA} (x); dmarc=pass (looks fine)"], True),
        ([f"{DESK_MTA}; dmarc=fail", f"{DESK_MTA}; dmarc=pass"], False),  # the topmost counts
        ([f"{'(' * 50}{DESK_MTA}{')' * 50}; dmarc=pass"], False),
        ([], False),
    ],
)
def test_authentication_results_of_the_desks_server_alone_count(
    headers: list[str], verified: bool
) -> None:
    assert sender_verified(headers, DESK_MTA, "ola@okafor.example") is verified


def forged(subject: str, message_id: str, *results: str) -> bytes:
    return from_ola(
        (b"Subject", subject.encode()),
        (b"Message-ID", message_id.encode()),
        *[(b"Authentication-Results", result.encode()) for result in results],
    )


def test_a_forged_from_is_filed_unverified_and_reopens_nothing(shop: SmallDesk) -> None:
    Ticket.update(status="Completed", waiting_since=None).where(
        Ticket.id == shop.ticket_id
    ).execute()
    before = Ticket.get_by_id(shop.ticket_id)
    label = f"T-{shop.ticket_number}"
    without = forged(f"Re: [{label}]", "<f1@evil.example>")
    other_id = forged(f"Re: [{label}]", "<f2@evil.example>", "mx.evil.example; dmarc=pass")
    failed = forged(f"Re: [{label}]", "<f3@evil.example>", f"{DESK_MTA}; dmarc=fail")

    for mail in (without, other_id, failed):
        result = import_message(mail, authserv_id=DESK_MTA)
        assert (result.ticket_label, result.unverified, result.created) == (label, True, False)

    ticket = Ticket.get_by_id(shop.ticket_id)
    assert (ticket.status, ticket.waiting_since) == ("Completed", None)
    assert ticket.last_activity_at == before.last_activity_at
    shown = list_messages(shop.ticket_id)
    assert [m.sender_unverified for m in shown] == [True, True, True]
    assert Message.select().where(Message.sender_unverified == False).count() == 0  # noqa: E712

    passed = forged(f"Re: [{label}]", "<ok@okafor.example>", f"{DESK_MTA}; dmarc=pass")
    result = import_message(passed, authserv_id=DESK_MTA)
    assert not result.unverified
    assert Ticket.get_by_id(shop.ticket_id).status == "Customer-Reply"  # a real mail reopens
    assert not list_messages(shop.ticket_id)[-1].sender_unverified


def test_an_unverified_new_mail_opens_a_marked_ticket_and_nothing_is_sent(
    shop: SmallDesk,
) -> None:
    from deskapp.models import OutboxMail

    result = import_message(forged("New thing", "<n1@evil.example>"), authserv_id=DESK_MTA)

    assert result.created and result.unverified
    ticket = Ticket.get(Ticket.number == int(result.ticket_label.removeprefix("T-")))
    [message] = list_messages(ticket.id)
    assert message.sender_unverified
    assert OutboxMail.select().count() == 0  # no automatic answer to a forged sender


def test_without_an_authserv_id_senders_are_not_checked(shop: SmallDesk) -> None:
    result = import_message(forged("New thing", "<n2@okafor.example>"))
    assert result.created and not result.unverified


def test_the_command_says_the_sender_was_not_verified(
    shop: SmallDesk,
    desk: str,
    quiet_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DESKAPP_MAIL_AUTHSERV_ID", DESK_MTA)
    label = f"T-{shop.ticket_number}"
    assert run_import(monkeypatch, desk, forged(f"[{label}]", "<c1@evil.example>")) == 0
    assert capsys.readouterr().out == f"Added to {label} (sender not verified), status unchanged\n"


# --- Message-ID dedup per sender -----------------------------------------------------------


def test_a_message_id_reused_by_another_sender_does_not_hide_the_real_mail(
    shop: SmallDesk,
) -> None:
    agent = shop.agent
    eve = create_client(agent, ClientForm("Eve", "Other", "eve@example.org"))
    reused = "<abc.1@mail.okafor.example>"
    first = import_message(
        raw_mail([(b"From", b"eve@example.org"), (b"Message-ID", reused.encode())], b"Eve's")
    )
    real = import_message(from_ola((b"Message-ID", reused.encode()), body=b"Ola's own"))
    again = import_message(from_ola((b"Message-ID", reused.encode()), body=b"Ola's own"))

    assert first.client_label == f"C-{eve.number}" and first.created
    assert real.client_label == f"C-{shop.client_number}" and real.created and not real.duplicate
    assert again.duplicate and again.ticket_label == real.ticket_label
    assert Message.select().where(Message.message_id == reused).count() == 2


# --- faults mid-import ---------------------------------------------------------------------


def test_a_client_merged_away_during_the_import_is_looked_up_again(
    shop: SmallDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskapp.models import Staff

    admin = actor_from(Staff.create(username="root", name="Ad Min", role="admin"))
    keep = create_client(admin, ClientForm("Kept", "Client", "kept@example.net"))
    real_senders: Callable[[str], list[object]] = incoming_mail._senders
    calls: list[str] = []

    def merged_meanwhile(address: str) -> list[object]:
        found = real_senders(address)
        if not calls:  # the first lookup is answered, then the client is merged away
            merge_clients(admin, keep.id, shop.client_id)
        calls.append(address)
        return found

    monkeypatch.setattr(incoming_mail, "_senders", merged_meanwhile)
    result = import_message(from_ola((b"Subject", b"After the merge")))

    assert len(calls) == 2
    assert result.created and result.client_label == f"C-{keep.number}"
    assert Client.get_or_none(Client.id == shop.client_id) is None


def test_a_database_that_cannot_be_reached_is_try_again_later(
    quiet_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mail = from_ola((b"Subject", b"hello"))
    down = "postgresql://postgres@127.0.0.1:9/nothing"
    assert run_import(monkeypatch, down, mail) == EX_TEMPFAIL
    err = capsys.readouterr().err
    assert err.startswith("deskapp: Cannot open the database") and "try again later" in err
    missing = f"sqlite:///{quiet_environment / 'no' / 'such' / 'desk.db'}"
    assert run_import(monkeypatch, missing, mail) == EX_TEMPFAIL


# --- the migration -------------------------------------------------------------------------


def test_the_migration_gives_earlier_mail_its_sender(database_url: str) -> None:
    from old_rows import insert_old

    from deskapp import migrations
    from deskapp.db import open_database
    from deskapp.models import Contact, Department

    step = next(m.number for m in migrations.all_migrations() if m.name == "mail senders")
    open_database(database_url)
    migrations.upgrade(target=step - 1)
    client = Client(number=1001, first_name="Mina", last_name="Okafor", email="Mina@Example.net")
    contact = Contact(client=client, first_name="Ola", last_name="O", email="OLA@okafor.example")
    support = Department(name="Support", email="support@example.net")
    ticket = Ticket(number=20001, client=client, department=support, subject="Old")
    by_contact = Message(
        ticket=ticket, kind="client", contact=contact, body="a", message_id="<a@x>"
    )
    by_client = Message(ticket=ticket, kind="client", body="b", message_id="<b@x>")
    reply = Message(ticket=ticket, kind="reply", body="c")
    for row in (client, contact, support, ticket, by_contact, by_client, reply):
        insert_old(row)

    migrations.upgrade()

    senders = {row.body: row.sender_address for row in Message.select()}
    assert senders == {"a": "ola@okafor.example", "b": "mina@example.net", "c": ""}
    assert not any(row.sender_unverified for row in Message.select())
    again = import_message(from_ola((b"Message-ID", b"<a@x>")))
    assert again.duplicate and again.ticket_label == "T-20001"
