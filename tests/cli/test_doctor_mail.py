"""Issue 13: `deskapp doctor` looks at the mail server (aiosmtpd on 127.0.0.1): it connects,
says whether TLS is on (STARTTLS or implicit) and whether the login is accepted, and never
sends; an unreachable server is a FAIL line and doctor's exit says so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from mail_helpers import SENDER, RecordingHandler, free_port, smtp_server
from tls_helpers import LoopbackCertificate, loopback_certificate

from deskapp.cli import main

PASSWORD = "s3cret"


class _Passwords:
    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN204
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No config file, no keyring, no Stripe; SMTP settings from DESKAPP_SMTP_*."""
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("DESKAPP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DESKAPP_SMTP_SENDER", SENDER)
    monkeypatch.setenv("DESKAPP_SMTP_TIMEOUT", "5")
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield tmp_path
    keyring.set_keyring(previous)


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoopbackCertificate:
    """The test server's certificate, trusted by the desk for this test."""
    made = loopback_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(made.cert))
    return made


def doctor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run doctor; (exit status, the mail line's status, its detail)."""
    status = main(["doctor", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    for line in capsys.readouterr().out.splitlines():
        state, topic, detail = line.split(maxsplit=2)
        if topic == "mail":
            return status, state, detail
    raise AssertionError("doctor printed no mail line")


def test_starttls_and_a_login_are_checked_and_nothing_is_sent(
    environment: Path,
    certificate: LoopbackCertificate,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = RecordingHandler()
    with smtp_server(
        handler,
        tls_context=certificate.server_context(),
        require_starttls=True,
        authenticator=_Passwords(),
        auth_require_tls=True,
    ) as server:
        monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DESKAPP_SMTP_TLS", "starttls")
        monkeypatch.setenv("DESKAPP_SMTP_USER", "desk@example.net")
        monkeypatch.setenv("DESKAPP_SMTP_PASSWORD", PASSWORD)

        status, state, detail = doctor(environment, capsys)
        assert (status, state) == (0, "ok"), detail
        assert detail.startswith(f"127.0.0.1:{server.port} answers; STARTTLS on (TLSv1.")
        assert detail.endswith("; login as desk@example.net accepted; nothing was sent.")

        monkeypatch.setenv("DESKAPP_SMTP_PASSWORD", "wrong")
        status, state, detail = doctor(environment, capsys)
        assert (status, state) == (1, "FAIL")
        assert "refused the login for desk@example.net: 535" in detail

        monkeypatch.delenv("DESKAPP_SMTP_PASSWORD")
        status, state, detail = doctor(environment, capsys)
        assert (status, state) == (1, "FAIL") and "SMTP password is not set" in detail
    assert handler.received == [] and handler.rcpt_attempts == []


def test_implicit_tls_without_a_login(
    environment: Path,
    certificate: LoopbackCertificate,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with smtp_server(RecordingHandler(), ssl_context=certificate.server_context()) as server:
        monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DESKAPP_SMTP_TLS", "tls")
        status, state, detail = doctor(environment, capsys)
    assert (status, state) == (0, "ok"), detail
    assert "answers; implicit TLS on (TLSv1." in detail and "no login configured" in detail


def test_an_untrusted_certificate_fails(
    environment: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    untrusted = loopback_certificate(tmp_path)  # not in SSL_CERT_FILE
    with smtp_server(RecordingHandler(), tls_context=untrusted.server_context()) as server:
        monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DESKAPP_SMTP_TLS", "starttls")
        status, state, detail = doctor(environment, capsys)
    assert (status, state) == (1, "FAIL")
    assert "certificate could not be verified" in detail


def test_no_tls_is_a_warning_and_an_unreachable_server_a_failure(
    environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DESKAPP_SMTP_TLS", "none")
    with smtp_server(RecordingHandler()) as server:
        monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
        status, state, detail = doctor(environment, capsys)
    assert (status, state) == (0, "warn")
    assert 'no TLS (tls = "none"): mail crosses the network in clear text' in detail

    port = free_port()  # nobody listens there
    monkeypatch.setenv("DESKAPP_SMTP_PORT", str(port))
    status, state, detail = doctor(environment, capsys)
    assert (status, state, detail) == (
        1,
        "FAIL",
        f"The mail server 127.0.0.1:{port} refused the connection.",
    )

    monkeypatch.delenv("DESKAPP_SMTP_HOST")
    status, state, detail = doctor(environment, capsys)
    assert (status, state) == (0, "warn") and detail.startswith("no mail server configured")
