"""Secrets in the system keyring (service "deskapp"), with DESKAPP_* environment variables as the
way for headless hosts that have no keyring.

Lookup order: the environment variable first, then the keyring. A variable set for one process
is the more specific choice (as --db beats the config file), and it spares a headless host
from loading a keyring that is not there. keyring is imported only when it is needed: it costs
tens of milliseconds of start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from deskapp.errors import ConfigError, NotFound

SERVICE = "deskapp"
"""The keyring service name every deskapp secret is stored under."""

KNOWN_SECRETS = {
    "database-password": "DESKAPP_DATABASE_PASSWORD",
    "stripe-secret-key": "DESKAPP_STRIPE_SECRET_KEY",
    "smtp-password": "DESKAPP_SMTP_PASSWORD",
    "stripe-webhook-secret": "DESKAPP_STRIPE_WEBHOOK_SECRET",
}
"""Every secret deskapp uses, with the environment variable that can stand in for it."""


@dataclass(frozen=True)
class KeyringStatus:
    """Which keyring backend this host has, for `deskapp doctor`."""

    available: bool
    """Whether secrets can be stored; False on a host with no keyring backend."""
    backend: str
    """The backend's class, e.g. keyring.backends.SecretService.Keyring."""


def environment_variable(name: str) -> str:
    """The DESKAPP_* variable that stands in for a secret; ConfigError for an unknown name."""
    try:
        return KNOWN_SECRETS[name]
    except KeyError:
        raise ConfigError(
            f"“{name[:40]}” is not a deskapp secret; the secrets are: {', '.join(KNOWN_SECRETS)}."
        ) from None


def lookup_secret(name: str) -> tuple[str | None, str]:
    """The secret's value (None if not set anywhere) and where it came from.

    The place is the environment variable's name, "keyring", or "" when it is not set.
    A host without a keyring backend simply has no keyring secrets.
    """
    variable = environment_variable(name)
    value = os.environ.get(variable)
    if value:
        return value, variable
    keyring, errors = _keyring()
    try:
        stored = keyring.get_password(SERVICE, name)
    except errors.NoKeyringError:
        return None, ""
    except errors.KeyringError as error:
        raise ConfigError(_refused("read", name, error)) from None
    return (stored, "keyring") if stored else (None, "")


def get_secret(name: str) -> str | None:
    """The secret's value from its environment variable or the keyring; None if not set."""
    return lookup_secret(name)[0]


def set_secret(name: str, value: str) -> None:
    """Store a secret in the keyring; ConfigError naming the variable to use where there is none."""
    variable = environment_variable(name)
    if not value:
        raise ConfigError(f"The value for {name} is empty; nothing was stored.")
    keyring, errors = _keyring()
    _require_backend(name, variable, keyring)
    try:
        keyring.set_password(SERVICE, name, value)
    except errors.NoKeyringError:
        raise ConfigError(_no_keyring(name, variable)) from None
    except errors.KeyringError as error:
        raise ConfigError(_refused("store", name, error)) from None


def delete_secret(name: str) -> None:
    """Remove a secret from the keyring; NotFound if it was not stored there."""
    variable = environment_variable(name)
    keyring, errors = _keyring()
    _require_backend(name, variable, keyring)
    try:
        keyring.delete_password(SERVICE, name)
    except errors.NoKeyringError:
        raise ConfigError(_no_keyring(name, variable)) from None
    except errors.PasswordDeleteError:
        raise NotFound(f"No {name} is stored in the keyring.") from None
    except errors.KeyringError as error:
        raise ConfigError(_refused("delete", name, error)) from None


def keyring_status() -> KeyringStatus:
    """The keyring backend in use and whether it can store secrets."""
    keyring, _ = _keyring()
    backend = keyring.get_keyring()
    kind = type(backend)
    return KeyringStatus(_usable(backend), f"{kind.__module__}.{kind.__qualname__}")


def require_keyring(name: str) -> None:
    """ConfigError naming the environment variable to use where no keyring backend exists."""
    variable = environment_variable(name)
    keyring, _ = _keyring()
    _require_backend(name, variable, keyring)


def _keyring() -> tuple[Any, Any]:
    import keyring
    import keyring.errors

    return keyring, keyring.errors


def _usable(backend: object) -> bool:
    from keyring.backends import fail, null

    return not isinstance(backend, fail.Keyring | null.Keyring)


def _require_backend(name: str, variable: str, keyring: Any) -> None:
    if not _usable(keyring.get_keyring()):
        raise ConfigError(_no_keyring(name, variable))


def _no_keyring(name: str, variable: str) -> str:
    return (
        f"This computer has no keyring to keep {name} in; set the environment variable "
        f"{variable} instead."
    )


def _refused(what: str, name: str, error: Exception) -> str:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"The keyring could not {what} {name}: {reason}"
