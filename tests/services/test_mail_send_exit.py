"""Issue 13: `deskapp mail send` exits non-zero when mail is due and the server refuses it or
cannot be reached, so cron notices: 75 (EX_TEMPFAIL) unreachable or "try later", 69
(EX_UNAVAILABLE) refused for good or the login refused; 0 when nothing is due or all went."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from mail_helpers import SENDER, RecordingHandler, free_port, queue_mail, smtp_server
from tls_helpers import loopback_certificate

from deskapp.cli import main
from deskapp.cli_mail import EX_TEMPFAIL, EX_UNAVAILABLE
from deskapp.models import OutboxMail


class _Passwords:
    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN204
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("DESKAPP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESKAPP_SMTP_TLS", "none")
    monkeypatch.setenv("DESKAPP_SMTP_SENDER", SENDER)
    monkeypatch.setenv("DESKAPP_SMTP_TIMEOUT", "5")
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield monkeypatch
    keyring.set_keyring(previous)


def send(desk: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["mail", "send", "--db", desk])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_nothing_due_or_all_sent_is_0_and_an_unreachable_server_75(
    desk: str, smtp_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nobody listens there
    smtp_env.setenv("DESKAPP_SMTP_PORT", str(port))
    assert send(desk, capsys) == (0, "Sent 0, retrying 0, failed 0, uncertain 0\n", "")

    queue_mail("fine@example.org", n=1)
    status, out, err = send(desk, capsys)
    assert (status, out) == (EX_TEMPFAIL, "Sent 0, retrying 1, failed 0, uncertain 0\n")
    assert err == (
        "deskapp: 1 mail will be tried again later: The mail server "
        f"127.0.0.1:{port} refused the connection.\n"
    )
    assert send(desk, capsys)[0] == 0  # backing off: nothing is due yet

    handler = RecordingHandler()
    with smtp_server(handler) as server:
        smtp_env.setenv("DESKAPP_SMTP_PORT", str(server.port))
        OutboxMail.update(next_attempt_at=OutboxMail.created_at).execute()
        assert send(desk, capsys) == (0, "Sent 1, retrying 0, failed 0, uncertain 0\n", "")
        queue_mail("later@example.org", n=2)  # the server says 451: try later
        status, _, err = send(desk, capsys)
        assert status == EX_TEMPFAIL and "451 4.7.1 Greylisted" in err
    assert len(handler.received) == 1


def test_a_refused_mail_or_login_is_69(
    desk: str,
    tmp_path: Path,
    smtp_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queue_mail("gone@example.org", n=1)
    with smtp_server(RecordingHandler()) as server:
        smtp_env.setenv("DESKAPP_SMTP_PORT", str(server.port))
        status, out, err = send(desk, capsys)
    assert (status, out) == (EX_UNAVAILABLE, "Sent 0, retrying 0, failed 1, uncertain 0\n")
    assert err.startswith("deskapp: 1 mail failed for good: The mail server refused gone@")

    queue_mail("fine@example.org", n=2)
    certificate = loopback_certificate(tmp_path)
    smtp_env.setenv("SSL_CERT_FILE", str(certificate.cert))
    with smtp_server(
        RecordingHandler(),
        tls_context=certificate.server_context(),
        authenticator=_Passwords(),
        auth_require_tls=True,
    ) as server:
        smtp_env.setenv("DESKAPP_SMTP_PORT", str(server.port))
        smtp_env.setenv("DESKAPP_SMTP_TLS", "starttls")
        smtp_env.setenv("DESKAPP_SMTP_USER", "desk@example.net")
        smtp_env.setenv("DESKAPP_SMTP_PASSWORD", "wrong")
        status, out, err = send(desk, capsys)
    assert (status, out) == (EX_UNAVAILABLE, "")
    assert "refused the login for desk@example.net: 535" in err
    assert err.rstrip().endswith("No mail was sent.")
    assert OutboxMail.get(OutboxMail.to_address == "fine@example.org").status == "queued"


def test_the_help_names_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mail", "send", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "75 (EX_TEMPFAIL)" in text and "69 (EX_UNAVAILABLE)" in text
