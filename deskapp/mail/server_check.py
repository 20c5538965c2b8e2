"""`deskapp doctor`'s look at the outgoing mail server: it connects as the sender would, says
whether TLS is on (STARTTLS or implicit) and whether the login is accepted, and says goodbye.
It never sends a message (no MAIL FROM, no RCPT, no DATA).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass

from deskapp.mail.sending import server_said, unreachable_words
from deskapp.mail.settings import MailSettings


@dataclass(frozen=True)
class ServerCheck:
    """What the look at the mail server found."""

    status: str
    """"ok", "warn" (works, but mail crosses the network in clear text) or "FAIL"."""
    detail: str
    """One sentence: where, TLS, login; or what went wrong."""


def check_server(mail: MailSettings, password: str | None) -> ServerCheck:
    """Connect to the configured server, start TLS as configured, log in if a user is set,
    then QUIT. Never sends. A failure is a FAIL with the reason in words."""
    where = f"{mail.host}:{mail.port}"
    context = ssl.create_default_context()
    smtp: smtplib.SMTP | None = None
    try:
        if mail.security == "tls":
            smtp = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=context)
        else:
            smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
        smtp.ehlo_or_helo_if_needed()
        tls = _start_tls(smtp, mail, context, where)
        if isinstance(tls, ServerCheck):
            return tls
        login = _log_in(smtp, mail, password, where)
        if isinstance(login, ServerCheck):
            return login
    except ssl.SSLCertVerificationError as error:
        return ServerCheck(
            "FAIL",
            f"{where}: its certificate could not be verified: {error.verify_message or error}.",
        )
    except (smtplib.SMTPException, OSError) as error:
        return ServerCheck("FAIL", unreachable_words(error, where, mail.timeout))
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    if mail.security == "none":
        offered = ' (it offers STARTTLS: set tls = "starttls")' if "offered" in tls else ""
        return ServerCheck(
            "warn",
            f'{where} answers; no TLS (tls = "none"): mail crosses the network in clear '
            f"text{offered}; {login}.",
        )
    return ServerCheck("ok", f"{where} answers; {tls}; {login}; nothing was sent.")


def _start_tls(
    smtp: smtplib.SMTP, mail: MailSettings, context: ssl.SSLContext, where: str
) -> str | ServerCheck:
    """Words for the TLS state, or a FAIL when STARTTLS is wanted and not offered."""
    if mail.security == "tls":
        return f"implicit TLS on ({_version(smtp)})"
    if mail.security == "none":
        return "STARTTLS offered" if smtp.has_extn("starttls") else "no STARTTLS"
    if not smtp.has_extn("starttls"):
        return ServerCheck(
            "FAIL",
            f"{where} does not offer STARTTLS; check tls in the [smtp] section of the config file.",
        )
    smtp.starttls(context=context)
    smtp.ehlo()
    return f"STARTTLS on ({_version(smtp)})"


def _log_in(
    smtp: smtplib.SMTP, mail: MailSettings, password: str | None, where: str
) -> str | ServerCheck:
    """Words for the login, or a FAIL when it is refused or impossible."""
    if not mail.user:
        return "no login configured"
    if not password:
        from deskapp.mail.settings import no_password

        return ServerCheck("FAIL", f"{where}: {no_password()}")
    try:
        smtp.login(mail.user, password)
    except smtplib.SMTPAuthenticationError as error:
        return ServerCheck(
            "FAIL",
            f"{where} refused the login for {mail.user}: "
            f"{server_said(error.smtp_code, error.smtp_error)} Check the smtp-password secret.",
        )
    except smtplib.SMTPNotSupportedError:
        return ServerCheck(
            "FAIL", f"{where} does not offer logging in; check user in the [smtp] section."
        )
    return f"login as {mail.user} accepted"


def _version(smtp: smtplib.SMTP) -> str:
    sock = smtp.sock
    version = sock.version() if isinstance(sock, ssl.SSLSocket) else None
    return version or "TLS"
