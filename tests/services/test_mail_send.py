"""Mail out against a real aiosmtpd on 127.0.0.1: each due mail arrives once, with the row's
Message-ID; a sender killed mid-send never causes a second delivery; temporary failures back
off 1, 2, 4 ... minutes; permanent ones fail with the server's words; the outbox service; the
`deskapp mail send` command; the mail settings."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

import frozen_run
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from mail_helpers import (
    SENDER,
    RecordingHandler,
    SmallDesk,
    free_port,
    mail_to,
    queue_mail,
    small_desk,
    smtp_server,
)

from deskapp import clock, config, mail
from deskapp.cli import main
from deskapp.errors import ConfigError, Conflict, NotFound
from deskapp.mail import MailSettings, SendReport, backoff, mail_settings, send_outbox
from deskapp.mail.queue import sender_lock
from deskapp.models import AuditEntry, ChangeEvent, OutboxMail, Staff
from deskapp.services import outbox
from deskapp.services.actors import actor_from
from deskapp.services.conversation import post_reply

NOW = dt.datetime(2026, 3, 14, 9, 30)


@pytest.fixture
def shop(desk: str) -> SmallDesk:
    return small_desk()


@pytest.fixture
def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
def server(handler: RecordingHandler):  # noqa: ANN201
    with smtp_server(handler) as controller:
        yield controller


@pytest.fixture
def settings(server) -> MailSettings:  # noqa: ANN001
    return mail_to(server.port)


def at(moment: dt.datetime) -> None:
    """Move the frozen clock."""
    clock.set_clock(clock.frozen_clock(moment))


def row(key: uuid.UUID) -> OutboxMail:
    return OutboxMail.get_by_id(key)


def post_replies(
    shop: SmallDesk, count: int, attachment_paths: tuple[Path, ...] = ()
) -> list[OutboxMail]:
    """Rows queued the way a staff reply queues them (post_reply), oldest first."""
    before = {r.id for r in OutboxMail.select(OutboxMail.id)}
    for n in range(count):
        post_reply(
            shop.agent, shop.ticket_id, f"Reply number {n}", attachment_paths=attachment_paths
        )
    query = OutboxMail.select().order_by(OutboxMail.created_at, OutboxMail.id)
    return [r for r in query if r.id not in before]


def test_each_due_mail_arrives_once_with_its_message_id(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings
) -> None:
    rows = post_replies(shop, 2)
    welcome = queue_mail(shop.client_email, subject="Welcome, Mina — your client number")
    later = queue_mail("later-on@example.org")
    OutboxMail.update(next_attempt_at=NOW + dt.timedelta(hours=1)).where(
        OutboxMail.id == later.id
    ).execute()

    report = send_outbox(settings, None)

    assert report == SendReport(sent=3)
    assert report.line() == "Sent 3, retrying 0, failed 0, uncertain 0"
    by_id = {received.message_id: received for received in handler.received}
    assert len(handler.received) == 3
    assert set(by_id) == {r.message_id for r in [*rows, welcome]}
    for queued in rows:
        got = by_id[queued.message_id]
        assert got.rcpt_tos == [queued.to_address]
        assert got.mail_from == "support@example.net"
        assert got.message["From"] == SENDER
        assert got.message["To"] == queued.to_address
        assert got.message["Subject"] == queued.subject
        assert got.message["Reply-To"] == "support@example.net"
        text = got.message.get_content().replace("\r\n", "\n")
        assert text.rstrip("\n") == queued.body.rstrip("\n")
        stored = row(queued.id)
        assert (stored.status, stored.attempts, stored.sent_at) == ("sent", 1, NOW)
    assert by_id[welcome.message_id].message["Reply-To"] is None
    assert row(later.id).status == "queued"

    assert send_outbox(settings, None) == SendReport()
    assert len(handler.received) == 3
    assert ChangeEvent.select().where(ChangeEvent.entity == "outbox").count() >= 6


def test_a_reply_mail_carries_the_replys_files_and_other_mail_none(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings, tmp_path: Path
) -> None:
    invoice = tmp_path / "invoice INV-2026-00017.pdf"
    invoice.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 40)
    notes = tmp_path / "steps.txt"
    notes.write_text("1. Open the panel\n2. Press reset\n", encoding="utf-8")
    rows = post_replies(shop, 1, attachment_paths=(invoice, notes))
    other = queue_mail(shop.client_email, subject="Welcome")
    other.message_id = f"<welcome-{uuid.uuid4().hex}@deskapp>"  # as create_client queues it
    other.save()

    assert send_outbox(settings, None) == SendReport(sent=len(rows) + 1)

    by_id = {received.message_id: received.message for received in handler.received}
    for queued in rows:
        got = by_id[queued.message_id]
        files = {
            part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
            for part in got.iter_attachments()
        }
        assert files == {
            "invoice INV-2026-00017.pdf": ("application/pdf", invoice.read_bytes()),
            "steps.txt": ("text/plain", notes.read_bytes()),
        }
        assert got.get_body(("plain",)).get_content().startswith("Reply number 0")
    assert list(by_id[other.message_id].iter_attachments()) == []
    # A person's reply is not marked automatic; a welcome mail is, so auto-responders keep quiet.
    assert [by_id[r.message_id]["Auto-Submitted"] for r in rows] == [None] * len(rows)
    assert by_id[other.message_id]["Auto-Submitted"] == "auto-generated"


def test_limit_sends_only_so_many(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings
) -> None:
    rows = [queue_mail(f"person{n}@example.org", n=n) for n in range(3)]

    assert send_outbox(settings, None, limit=2) == SendReport(sent=2)
    assert [r.rcpt_tos[0] for r in handler.received] == [
        "person0@example.org",
        "person1@example.org",
    ]
    assert row(rows[2].id).status == "queued"
    assert send_outbox(settings, None, limit=5) == SendReport(sent=1)


def test_a_row_left_sending_becomes_uncertain_and_is_never_resent_by_itself(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings
) -> None:
    stuck = queue_mail("stuck@example.org", n=1)
    queue_mail("fine@example.org", n=2)
    OutboxMail.update(status="sending").where(OutboxMail.id == stuck.id).execute()

    assert send_outbox(settings, None) == SendReport(sent=1, uncertain=1)
    assert send_outbox(settings, None) == SendReport()

    assert [r.rcpt_tos for r in handler.received] == [["fine@example.org"]]
    left = row(stuck.id)
    assert left.status == "uncertain"
    assert "may or may not have been delivered" in left.last_error
    assert outbox.count_outbox()["uncertain"] == 1

    outbox.retry_mail(shop.agent, stuck.id)
    assert send_outbox(settings, None) == SendReport(sent=1)
    assert [r.rcpt_tos for r in handler.received][-1] == ["stuck@example.org"]
    audit = AuditEntry.get(AuditEntry.action == "mail.resend")
    assert (audit.staff_name, audit.entity_id) == ("Ana Agent", str(stuck.id))
    assert '"status": "uncertain"' in audit.before


def _child_environment(url: str, port: int, home: Path) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("DESKAPP_")
    }
    environment.update(
        DESKAPP_DATABASE_URL=url,
        DESKAPP_CONFIG=str(home / "no-config.toml"),
        DESKAPP_SMTP_HOST="127.0.0.1",
        DESKAPP_SMTP_PORT=str(port),
        DESKAPP_SMTP_TLS="none",
        DESKAPP_SMTP_SENDER=SENDER,
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
    )
    return environment


def test_a_sender_killed_while_sending_never_delivers_anything_twice(
    desk: str, shop: SmallDesk, tmp_path: Path
) -> None:
    rows = [queue_mail(f"person{n}@example.org", n=n) for n in range(6)]
    handler = RecordingHandler(stall_at=3)
    with smtp_server(handler) as server:
        child = subprocess.Popen(
            frozen_run.command(NOW, "-m", "deskapp", "mail", "send"),
            env=_child_environment(desk, server.port, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            handler.wait_for(3)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
        assert child.returncode == -signal.SIGKILL
        assert row(rows[2].id).status == "sending"  # the server has it; the sender died
        handler.release.set()

        report = None
        deadline = time.monotonic() + 10
        while report is None:  # the dead child's connection may take a moment to go
            try:
                report = send_outbox(mail_to(server.port), None)
            except Conflict:
                assert time.monotonic() < deadline
                time.sleep(0.1)

    assert report == SendReport(sent=3, uncertain=1)
    received = [r.message_id for r in handler.received]
    assert len(received) == 6
    assert sorted(received) == sorted(r.message_id for r in rows)
    statuses = [row(r.id).status for r in rows]
    assert statuses == ["sent", "sent", "uncertain", "sent", "sent", "sent"]


def test_only_one_sender_at_a_time(shop: SmallDesk, settings: MailSettings, desk: str) -> None:
    queue_mail("someone@example.org")
    outcome: list[object] = []

    def other_sender() -> None:
        from deskapp.db import close_database

        try:
            outcome.append(send_outbox(settings, None))
        except Conflict as error:
            outcome.append(error)
        finally:
            close_database()

    with sender_lock():
        thread = threading.Thread(target=other_sender)
        thread.start()
        thread.join(20)

    assert len(outcome) == 1 and isinstance(outcome[0], Conflict)
    assert "Another `deskapp mail send` is running" in str(outcome[0])
    assert OutboxMail.get().status == "queued"


def test_temporary_failures_back_off_then_give_up(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings
) -> None:
    waiting = queue_mail("later@example.org")
    waits = []
    moment = NOW
    for attempt in range(1, mail.MAX_ATTEMPTS):
        assert send_outbox(settings, None) == SendReport(retrying=1)
        stored = row(waiting.id)
        assert (stored.status, stored.attempts) == ("queued", attempt)
        assert "451 4.7.1 Greylisted" in stored.last_error
        waits.append(stored.next_attempt_at - moment)
        tries = len(handler.rcpt_attempts)
        at(stored.next_attempt_at - dt.timedelta(seconds=1))
        assert send_outbox(settings, None) == SendReport()  # not yet due
        assert len(handler.rcpt_attempts) == tries
        moment = stored.next_attempt_at
        at(moment)

    assert waits == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64)]
    assert send_outbox(settings, None) == SendReport(failed=1)
    stored = row(waiting.id)
    assert (stored.status, stored.attempts) == ("failed", mail.MAX_ATTEMPTS)
    assert stored.last_error.startswith("Gave up after 8 attempts.")
    assert handler.received == []


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]
    assert backoff(9) == dt.timedelta(hours=4, minutes=16)
    assert backoff(10) == backoff(100) == mail.MAX_BACKOFF == dt.timedelta(hours=6)


def test_a_permanent_refusal_fails_at_once_and_others_still_go(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings
) -> None:
    gone = queue_mail("gone@example.org", n=1)
    fine = queue_mail("fine@example.org", n=2)
    broken = queue_mail("someone@example.org\r\nBcc: victim@example.org", n=3)

    assert send_outbox(settings, None) == SendReport(sent=1, failed=2)

    stored = row(gone.id)
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert stored.last_error == (
        "The mail server refused gone@example.org: 550 5.1.1 No such user here."
    )
    assert row(fine.id).status == "sent"
    assert row(broken.id).status == "failed"
    assert [r.rcpt_tos for r in handler.received] == [["fine@example.org"]]
    assert "victim" not in str(handler.rcpt_attempts)


def test_an_unreachable_server_defers_every_due_mail(shop: SmallDesk) -> None:
    rows = [queue_mail(f"person{n}@example.org", n=n) for n in range(3)]

    report = send_outbox(mail_to(free_port()), None)

    assert report == SendReport(retrying=3)
    for queued in rows:
        stored = row(queued.id)
        assert (stored.status, stored.attempts) == ("queued", 1)
        assert stored.next_attempt_at == NOW + dt.timedelta(minutes=1)
        assert "refused the connection" in stored.last_error
        assert "Trying again at 2026-03-14 09:31 UTC" in stored.last_error


def test_a_silent_server_is_a_timeout_and_no_starttls_is_for_a_person_to_fix(
    shop: SmallDesk, settings: MailSettings
) -> None:
    queued = queue_mail("fine@example.org")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connects, but never says hello
        port = silent.getsockname()[1]
        assert send_outbox(mail_to(port, timeout=0.3), None) == SendReport(retrying=1)
    stored = row(queued.id)
    assert "did not answer within 0.3 seconds" in stored.last_error

    at(stored.next_attempt_at)
    with pytest.raises(ConfigError, match="does not offer STARTTLS"):
        send_outbox(mail_to(settings.port, security="starttls"), None)
    assert (row(queued.id).status, row(queued.id).attempts) == ("queued", 1)


def test_a_header_line_break_in_the_subject_is_flattened(
    shop: SmallDesk, handler: RecordingHandler, settings: MailSettings
) -> None:
    queue_mail("fine@example.org", subject="[T-1] Help\r\nBcc: victim@example.org")

    assert send_outbox(settings, None) == SendReport(sent=1)

    got = handler.received[0]
    assert got.rcpt_tos == ["fine@example.org"]
    assert got.message["Bcc"] is None
    assert got.message["Subject"] == "[T-1] Help Bcc: victim@example.org"


class _Passwords:
    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN204
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)


def test_login_with_the_password_and_a_refused_login_touches_no_mail(
    shop: SmallDesk, handler: RecordingHandler
) -> None:
    queued = queue_mail("fine@example.org")
    with smtp_server(handler, authenticator=_Passwords(), auth_require_tls=False) as server:
        settings = mail_to(server.port, user="desk@example.net")
        with pytest.raises(ConfigError, match="SMTP password is not set"):
            send_outbox(settings, None)
        with pytest.raises(ConfigError, match="refused the login for desk@example.net: 535"):
            send_outbox(settings, "wrong")
        assert (row(queued.id).status, row(queued.id).attempts) == ("queued", 0)

        assert send_outbox(settings, "s3cret") == SendReport(sent=1)
    assert len(handler.received) == 1


# --- the outbox service ------------------------------------------------------------------


def test_outbox_pages_newest_first_and_counts(shop: SmallDesk) -> None:
    rows = []
    for n in range(5):
        at(NOW + dt.timedelta(minutes=n))
        rows.append(queue_mail(f"p{n}@example.org", ticket_id=shop.ticket_id, n=n))
    OutboxMail.update(status="failed").where(OutboxMail.id == rows[1].id).execute()

    first = outbox.list_outbox(limit=2)
    second = outbox.list_outbox(after=first[-1], limit=2)
    third = outbox.list_outbox(after=second[-1], limit=2)

    assert [r.to_address for r in first + second + third] == [
        f"p{n}@example.org" for n in (4, 3, 2, 1, 0)
    ]
    assert first[0].ticket_label == f"T-{shop.ticket_number}"
    assert [r.to_address for r in outbox.list_outbox("failed")] == ["p1@example.org"]
    counts = outbox.count_outbox()
    assert (counts["queued"], counts["failed"], counts["sent"]) == (4, 1, 0)
    with pytest.raises(ValueError):
        outbox.list_outbox("lost")


def test_retry_and_discard_only_where_they_make_sense(shop: SmallDesk) -> None:
    failed = queue_mail("a@example.org", n=1)
    sent = queue_mail("b@example.org", n=2)
    OutboxMail.update(status="failed", attempts=8, last_error="Gave up").where(
        OutboxMail.id == failed.id
    ).execute()
    OutboxMail.update(status="sent").where(OutboxMail.id == sent.id).execute()
    at(NOW + dt.timedelta(minutes=5))

    outbox.retry_mail(shop.agent, failed.id)
    stored = row(failed.id)
    assert (stored.status, stored.attempts) == ("queued", 0)
    assert stored.next_attempt_at == NOW + dt.timedelta(minutes=5)
    # A queued mail waiting out its backoff is due at once, keeping its attempts (issue 13).
    OutboxMail.update(attempts=3, next_attempt_at=NOW + dt.timedelta(hours=1)).where(
        OutboxMail.id == failed.id
    ).execute()
    outbox.retry_mail(shop.agent, failed.id)
    stored = row(failed.id)
    assert (stored.status, stored.attempts) == ("queued", 3)
    assert stored.next_attempt_at == NOW + dt.timedelta(minutes=5)
    assert AuditEntry.select().where(AuditEntry.action == "mail.resend").count() == 2
    with pytest.raises(Conflict, match="already sent.*so it is not sent twice"):
        outbox.retry_mail(shop.agent, sent.id)
    admin = actor_from(Staff.create(username="root", name="Root Admin", role="admin"))
    with pytest.raises(Conflict, match="already sent"):
        outbox.discard_mail(admin, sent.id)

    outbox.discard_mail(admin, failed.id)
    assert row(failed.id).status == "discarded"
    entry = AuditEntry.get(AuditEntry.action == "mail.discard")
    assert "a@example.org" in entry.summary and entry.staff_name == "Root Admin"
    with pytest.raises(NotFound):
        outbox.discard_mail(admin, uuid.uuid4())
    assert outbox.get_outbox_mail(failed.id).status == "discarded"


# --- the command and the settings ---------------------------------------------------------


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield tmp_path
    keyring.set_keyring(previous)


def test_mail_send_command(
    shop: SmallDesk,
    handler: RecordingHandler,
    server,  # noqa: ANN001
    desk: str,
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queue_mail("fine@example.org", n=1)
    queue_mail("later@example.org", n=2)
    queue_mail("gone@example.org", n=3)
    monkeypatch.setenv("DESKAPP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
    monkeypatch.setenv("DESKAPP_SMTP_TLS", "none")
    monkeypatch.setenv("DESKAPP_SMTP_SENDER", SENDER)

    assert main(["mail", "send", "--db", desk]) == 69  # one refused for good: cron notices
    assert capsys.readouterr().out == "Sent 1, retrying 1, failed 1, uncertain 0\n"

    monkeypatch.setenv("DESKAPP_SMTP_USER", "desk@example.net")
    assert main(["mail", "send", "--db", desk]) == 1  # a login over a plain connection
    assert "would cross the network in clear text" in capsys.readouterr().err
    monkeypatch.setenv("DESKAPP_SMTP_TLS", "starttls")
    assert main(["mail", "send", "--db", desk]) == 1
    error = capsys.readouterr().err
    assert error.startswith("deskapp: The SMTP password is not set")
    assert "DESKAPP_SMTP_PASSWORD" in error and error.count("\n") == 1

    monkeypatch.delenv("DESKAPP_SMTP_HOST")
    assert main(["mail", "send", "--db", desk, "--limit", "1"]) == 1
    assert "No mail server is configured" in capsys.readouterr().err
    assert main(["mail", "send", "--limit", "0"]) == 2
    assert "not a whole number above 0" in capsys.readouterr().err


def test_mail_settings_from_the_config(
    clean_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = clean_environment / "config.toml"
    path.write_text(
        '[smtp]\nhost = "mail.example.net"\ntls = "tls"\nuser = "desk@example.net"\n'
        'sender = "Support <support@example.net>"\ntimeout = 12\n',
        encoding="utf-8",
    )

    settings = mail_settings(config.load_settings())

    assert settings == MailSettings(
        "mail.example.net", 465, "tls", "desk@example.net", "Support <support@example.net>", 12
    )
    monkeypatch.setenv("DESKAPP_SMTP_PORT", "2465")
    monkeypatch.setenv("DESKAPP_SMTP_TIMEOUT", "7")
    settings = mail_settings(config.load_settings())
    assert (settings.port, settings.timeout) == (2465, 7)
    monkeypatch.setenv("DESKAPP_SMTP_PASSWORD", "from-the-environment")
    assert mail.smtp_password(settings) == "from-the-environment"

    monkeypatch.setenv("DESKAPP_SMTP_TIMEOUT", "0")
    with pytest.raises(ConfigError, match="DESKAPP_SMTP_TIMEOUT must be a number of seconds"):
        config.load_settings()
    monkeypatch.delenv("DESKAPP_SMTP_TIMEOUT")
    path.write_text('[smtp]\nhost = "mail.example.net"\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="secrets never go in the config file"):
        config.load_settings()
    path.write_text('[smtp]\nhost = "mail.example.net"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="No sender address is configured"):
        mail_settings(config.load_settings())
