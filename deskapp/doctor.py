"""`deskapp doctor`: a line for each part of the setup, and a non-zero exit if one fails.

The parts: the configuration, the database, the keyring, payments (Stripe) and the mail server
(connected to as `deskapp mail send` would, TLS and login checked, nothing sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deskapp.db.configured import open_configured
from deskapp.errors import ConfigError, DeskError

if TYPE_CHECKING:
    from deskapp.config import Settings


def run_doctor(db_url: str | None) -> int:
    """A line per part of the setup; exit 1 if any part fails (a warning is not a failure)."""
    from deskapp.config import load_settings

    results: list[str] = []

    def report(status: str, topic: str, detail: str) -> None:
        from deskapp.text import clean

        results.append(status)
        # cleaned: a mail server's or Stripe's answer could hold escape sequences
        print(f"{status:<5} {topic:<13} {clean(' '.join(detail.split()))}", flush=True)

    settings = None
    try:
        settings = load_settings(db_url=db_url)
        report("ok", "configuration", _describe_config(settings))
    except ConfigError as error:
        report("FAIL", "configuration", str(error))
        try:
            settings = load_settings(db_url=db_url, read_file=False)
        except ConfigError as again:
            report("FAIL", "configuration", str(again))
    if settings is not None:
        report(*_check_database(settings))
    report(*_check_keyring())
    if settings is not None:
        report(*_check_payments(settings))
        report(*_check_mail(settings))
    return 1 if "FAIL" in results else 0


def _describe_config(settings: Settings) -> str:
    if settings.config_found:
        return f"{settings.config_path} read."
    return f"no file at {settings.config_path}; defaults and DESKAPP_* variables apply."


def _check_database(settings: Settings) -> tuple[str, str, str]:
    from deskapp import migrations
    from deskapp.db import describe, missing_database, safe_url

    where = f"{safe_url(settings.database_url)} (from {settings.database_url_source})"
    try:
        info = describe(settings.database_url)
        missing = missing_database(
            settings.database_url, folder_made=settings.uses_default_database
        )
        if missing is not None:
            return "FAIL" if missing[0] else "warn", "database", f"{where}: {missing[1]}"
        open_configured(settings)
        version, latest = migrations.current_version(), migrations.latest_version()
    except DeskError as error:
        return "FAIL", "database", f"{where}: {error}"
    if version == latest:
        owner = _runs_as_owner(info.backend)
        if owner:
            return "warn", "database", f"{where}: {owner}"
        return "ok", "database", f"{where}: reachable, schema version {version} is current."
    if version == 0:
        return "warn", "database", f"{where}: reachable and empty; `deskapp` creates the schema."
    if version > latest:
        return (
            "FAIL",
            "database",
            f"{where}: schema version {version} is newer than this deskapp ({latest}); "
            "upgrade deskapp.",
        )
    return (
        "FAIL",
        "database",
        f"{where}: schema version {version}, this deskapp needs {latest}; "
        "run `deskapp db upgrade`.",
    )


def _runs_as_owner(backend: str) -> str | None:
    """Why a shared desk should not run as this login (it could rewrite history), or None."""
    if backend != "postgresql":
        return None
    from deskapp.db.roles import runs_as_owner

    return runs_as_owner()


def _check_keyring() -> tuple[str, str, str]:
    from deskapp.secrets import KNOWN_SECRETS, keyring_status

    try:
        status = keyring_status()
    except Exception as error:  # noqa: BLE001 - a broken keyring install is a finding here
        return "FAIL", "keyring", f"the keyring does not load: {type(error).__name__}: {error}"
    if status.available:
        return "ok", "keyring", f"{status.backend} keeps the secrets."
    return (
        "warn",
        "keyring",
        f"no keyring backend ({status.backend}); secrets come from the environment variables "
        f"{', '.join(KNOWN_SECRETS.values())}.",
    )


def _check_payments(settings: Settings) -> tuple[str, str, str]:
    from deskapp.payments.gateway import stripe_gateway

    try:
        result = stripe_gateway(settings).check()
    except DeskError as error:
        return "FAIL", "payments", str(error)
    status = {"ok": "ok", "warning": "warn", "failed": "FAIL"}[result.status]
    return status, "payments", result.detail


def _check_mail(settings: Settings) -> tuple[str, str, str]:
    """Connect to the mail server as `deskapp mail send` would: TLS and login, never a send."""
    from deskapp.mail import mail_settings, smtp_password
    from deskapp.mail.server_check import check_server

    if not settings.smtp_host:
        return (
            "warn",
            "mail",
            "no mail server configured (host in the [smtp] section or DESKAPP_SMTP_HOST); "
            "replies wait in the outbox.",
        )
    try:
        mail = mail_settings(settings)
        password = smtp_password(mail)
    except ConfigError as error:
        return "FAIL", "mail", str(error)
    result = check_server(mail, password)
    return result.status, "mail", result.detail
