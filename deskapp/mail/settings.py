"""How the desk reaches its outgoing mail server: the [smtp] settings and the SMTP password."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deskapp.errors import ConfigError

if TYPE_CHECKING:
    from deskapp.config import Settings

SMTP_PASSWORD = "smtp-password"
"""The secret (deskapp.secrets) holding the SMTP login's password."""
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
"""The port used when none is configured, by security mode."""


@dataclass(frozen=True)
class MailSettings:
    """How to reach the outgoing mail server (the password is separate: see smtp_password)."""

    host: str
    """The mail server's host name or address."""
    port: int
    """Its port."""
    security: str
    """"starttls" (upgrade a plain connection), "tls" (implicit TLS) or "none"."""
    user: str | None
    """The SMTP login; None sends without logging in."""
    from_address: str
    """The From header of every mail, e.g. "Support <support@example.net>"."""
    timeout: float
    """Seconds to wait for the server before counting it as a temporary failure."""


def mail_settings(settings: Settings, desk_sender: str = "") -> MailSettings:
    """The mail settings from the desk's configuration; ConfigError saying what is missing.
    `desk_sender`, the admin's setting in the database, wins over the [smtp] sender."""
    if desk_sender:
        settings = settings._replace(smtp_sender=desk_sender)  # a named tuple's public copy
    if not settings.smtp_host:
        raise ConfigError(
            "No mail server is configured: set host in the [smtp] section of the config file "
            "or DESKAPP_SMTP_HOST."
        )
    if not settings.smtp_sender:
        raise ConfigError(
            "No sender address is configured: set sender in the [smtp] section of the config "
            "file or DESKAPP_SMTP_SENDER, e.g. “Support <support@example.net>”."
        )
    if not email.utils.parseaddr(settings.smtp_sender)[1]:
        raise ConfigError(f"The sender “{settings.smtp_sender[:80]}” is not an email address.")
    security = settings.smtp_tls.lower()
    if security == "none" and settings.smtp_user:
        raise ConfigError(
            'The SMTP login would cross the network in clear text (tls = "none"): use '
            'tls = "starttls" or "tls", or remove the user.'
        )
    port = settings.smtp_port
    if "smtp_port" not in settings.sources:
        port = DEFAULT_PORTS.get(security, port)
    return MailSettings(
        host=settings.smtp_host,
        port=port,
        security=security,
        user=settings.smtp_user or None,
        from_address=settings.smtp_sender,
        timeout=float(settings.smtp_timeout),
    )


def smtp_password(mail: MailSettings) -> str | None:
    """The SMTP password from the keyring or DESKAPP_SMTP_PASSWORD; None when no login is
    configured. ConfigError naming both ways when a login is configured but no password is."""
    if not mail.user:
        return None
    from deskapp.secrets import get_secret

    password = get_secret(SMTP_PASSWORD)
    if not password:
        raise no_password()
    return password


def no_password() -> ConfigError:
    """The error for a login without a password, naming both places a password can be kept."""
    from deskapp.secrets import environment_variable

    return ConfigError(
        "The SMTP password is not set: store it with `deskapp secrets set smtp-password` or set "
        f"{environment_variable(SMTP_PASSWORD)}."
    )
