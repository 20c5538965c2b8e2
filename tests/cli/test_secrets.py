"""Secrets: a real keyring backend (in memory), the fail backend of a headless host, and the
DESKAPP_* environment fallback; `deskapp secrets set/delete` in-process and as a process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from deskapp import secrets
from deskapp.cli import main
from deskapp.errors import ConfigError, NotFound


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps passwords in a dict: real keyring API, no system store."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not stored")


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No DESKAPP_* secret from the machine running the tests; user dirs under tmp_path."""
    for variable in secrets.KNOWN_SECRETS.values():
        monkeypatch.delenv(variable, raising=False)
    for variable, folder in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(variable, str(tmp_path / "home" / folder))


def _use(backend: keyring.backend.KeyringBackend) -> Iterator[keyring.backend.KeyringBackend]:
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The in-memory keyring installed as the process's keyring."""
    yield from _use(MemoryKeyring())  # type: ignore[misc]


@pytest.fixture
def no_keyring() -> Iterator[keyring.backend.KeyringBackend]:
    """keyring's fail backend: what a headless host without a keyring has."""
    yield from _use(fail.Keyring())


def test_a_secret_is_stored_read_and_deleted_under_the_deskapp_service(
    memory_keyring: MemoryKeyring,
) -> None:
    secrets.set_secret("stripe-secret-key", "sk_test_123")

    assert memory_keyring.passwords == {("deskapp", "stripe-secret-key"): "sk_test_123"}
    assert secrets.get_secret("stripe-secret-key") == "sk_test_123"
    assert secrets.lookup_secret("stripe-secret-key") == ("sk_test_123", "keyring")

    secrets.delete_secret("stripe-secret-key")
    assert secrets.get_secret("stripe-secret-key") is None
    with pytest.raises(NotFound, match="No stripe-secret-key is stored"):
        secrets.delete_secret("stripe-secret-key")


def test_the_environment_variable_is_used_before_the_keyring(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets.set_secret("database-password", "from-keyring")
    monkeypatch.setenv("DESKAPP_DATABASE_PASSWORD", "from-env")

    assert secrets.lookup_secret("database-password") == ("from-env", "DESKAPP_DATABASE_PASSWORD")


def test_an_unknown_secret_name_is_refused_with_the_known_names(
    memory_keyring: MemoryKeyring,
) -> None:
    with pytest.raises(ConfigError, match="database-password, stripe-secret-key, smtp-password"):
        secrets.set_secret("api-token", "x")
    with pytest.raises(ConfigError, match="is empty"):
        secrets.set_secret("smtp-password", "")


def test_without_a_keyring_storing_names_the_environment_variable(no_keyring: object) -> None:
    with pytest.raises(ConfigError) as stored:
        secrets.set_secret("smtp-password", "hunter2")
    with pytest.raises(ConfigError) as deleted:
        secrets.delete_secret("stripe-secret-key")

    assert "DESKAPP_SMTP_PASSWORD" in str(stored.value)
    assert "DESKAPP_STRIPE_SECRET_KEY" in str(deleted.value)
    assert "\n" not in str(stored.value)
    assert secrets.keyring_status() == secrets.KeyringStatus(False, "keyring.backends.fail.Keyring")


def test_without_a_keyring_secrets_come_from_the_environment(
    no_keyring: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert secrets.get_secret("database-password") is None

    monkeypatch.setenv("DESKAPP_DATABASE_PASSWORD", "s3cret")
    assert secrets.get_secret("database-password") == "s3cret"


def test_secrets_set_reads_the_value_from_stdin(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("sk_test_from_pipe\n"))

    assert main(["secrets", "set", "stripe-secret-key"]) == 0
    assert memory_keyring.passwords[("deskapp", "stripe-secret-key")] == "sk_test_from_pipe"
    assert "Stored stripe-secret-key in the keyring." in capsys.readouterr().out

    monkeypatch.setenv("DESKAPP_STRIPE_SECRET_KEY", "sk_test_env")
    assert main(["secrets", "delete", "stripe-secret-key"]) == 0
    out = capsys.readouterr().out
    assert "Deleted stripe-secret-key" in out
    assert "DESKAPP_STRIPE_SECRET_KEY is set" in out
    assert memory_keyring.passwords == {}

    assert main(["secrets", "delete", "stripe-secret-key"]) == 1
    assert capsys.readouterr().err == "deskapp: No stripe-secret-key is stored in the keyring.\n"


def test_secrets_set_without_a_keyring_is_one_line_naming_the_variable() -> None:
    environment = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    result = subprocess.run(
        [sys.executable, "-m", "deskapp", "secrets", "set", "database-password"],
        input="hunter2\n",
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "DESKAPP_DATABASE_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_with_an_unknown_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["secrets", "set", "root-password"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("deskapp secrets set: argument NAME: invalid choice")
    assert err.count("\n") == 1
