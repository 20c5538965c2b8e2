"""Mail out: the SMTP sender of the outbox (`deskapp mail send`).

Replies queue OutboxMail rows in the same transaction as the reply (deskapp.services
.conversation); this module delivers them. The rule is *never twice*:

1. Only one sender runs per desk at a time (a PostgreSQL advisory lock held by the sender's
   connection, or a lock file beside the SQLite file; both vanish with a process that dies).
   So a row still "sending" when a sender starts belongs to a sender that died between
   claiming it and marking it sent: nobody knows whether the server took it. It becomes
   "uncertain" and is never resent automatically; staff resend or discard it in the outbox.
2. Each due row is claimed in its own short transaction ("queued" -> "sending", a conditional
   update, so two claims cannot both succeed), then handed to the server, then marked "sent".
3. A temporary failure (the server is unreachable, times out, or answers 4xx) puts the row back
   in the queue with attempts + 1, after 1, 2, 4, ... minutes (capped); a permanent refusal (5xx)
   or the last allowed attempt makes it "failed", with the reason in words in last_error.

The Message-ID header is the row's message_id, so the recipient's side can tell a resend, and a
client's answer can be matched back to its ticket (In-Reply-To, see
deskapp.services.incoming_mail). The rows' side of the rule (the lock, claims, backoff) is in
deskapp.mail.queue; this module talks to the mail server. No Textual here.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

from deskapp import clock
from deskapp.errors import ConfigError
from deskapp.mail.queue import (
    REPLY_MESSAGE_ID,
    Claimed,
    abandon_claims,
    claim_next,
    count_due,
    defer_due,
    fail,
    mark_sent,
    release,
    sender_lock,
)
from deskapp.mail.settings import MailSettings, no_password


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    """Accepted by the mail server."""
    failed: int = 0
    """Refused for good (or out of attempts) in this run."""
    retrying: int = 0
    """Failed temporarily in this run; each will be tried again after its backoff."""
    uncertain: int = 0
    """Found claimed by a sender that died; left for staff to resend or discard."""
    problem: str = field(default="", compare=False)
    """The last failure's reason in words (the server's answer), empty when none failed."""

    def line(self) -> str:
        """One line for the command: "Sent 3, retrying 1, failed 0, uncertain 0"."""
        return (
            f"Sent {self.sent}, retrying {self.retrying}, failed {self.failed}, "
            f"uncertain {self.uncertain}"
        )


def send_outbox(
    mail: MailSettings, password: str | None, *, limit: int | None = None
) -> SendReport:
    """Send the mail that is due, at most `limit` rows (None: whatever is due when it starts).

    Needs the database open. Raises Conflict when another sender is running, ConfigError when
    the server refuses the login, has no STARTTLS, or its certificate does not verify (those are
    for a person to fix; no row is touched for them). Every other failure is counted per row.
    """
    if mail.user and not password:
        raise no_password()
    if limit is not None and limit < 1:
        return SendReport()
    with sender_lock():
        uncertain = abandon_claims()
        budget = limit if limit is not None else count_due()
        sender = _Sender(mail, password)
        try:
            sent, failed, retrying = sender.run(budget)
        finally:
            sender.close()
    return SendReport(
        sent=sent, failed=failed, retrying=retrying, uncertain=uncertain, problem=sender.problem
    )


class _Temporary(Exception):
    """Try again later; `drop` when the connection is no longer usable."""

    def __init__(self, reason: str, *, drop: bool) -> None:
        super().__init__(reason)
        self.drop = drop


class _Permanent(Exception):
    """The server (or the address itself) refuses this mail for good."""


class _Sender:
    """One connection to the mail server, opened on first need and reopened after a drop."""

    def __init__(self, mail: MailSettings, password: str | None) -> None:
        self.mail = mail
        self.password = password
        self.smtp: smtplib.SMTP | None = None
        self.problem = ""

    def run(self, budget: int) -> tuple[int, int, int]:
        sent = failed = retrying = 0
        for done in range(budget):
            if self.smtp is None and count_due(1) == 0:
                break
            if self.smtp is None:
                try:
                    self.smtp = self._connect()
                except _Temporary as error:
                    # The server is not there: every row due now waits, each counting a try.
                    self.problem = str(error)
                    more_failed, more_retrying = defer_due(str(error), budget - done)
                    return sent, failed + more_failed, retrying + more_retrying
            row = claim_next()
            if row is None:
                break
            try:
                self._send(row)
            except _Temporary as error:
                self.problem = str(error)
                if error.drop:
                    self.close()
                if release(row, str(error)):
                    retrying += 1
                else:
                    failed += 1
            except _Permanent as error:
                self.problem = str(error)
                fail(row, str(error))
                failed += 1
            else:
                mark_sent(row)
                sent += 1
        return sent, failed, retrying

    def close(self) -> None:
        if self.smtp is None:
            return
        smtp, self.smtp = self.smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _where(self) -> str:
        return f"{self.mail.host}:{self.mail.port}"

    def _connect(self) -> smtplib.SMTP:
        mail = self.mail
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if mail.security == "tls":
                smtp = smtplib.SMTP_SSL(mail.host, mail.port, timeout=mail.timeout, context=context)
            else:
                smtp = smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout)
            smtp.ehlo_or_helo_if_needed()
            if mail.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if mail.user:
                smtp.login(mail.user, self.password or "")
        except BaseException as error:
            if smtp is not None:
                smtp.close()
            if isinstance(error, Exception):
                raise self._connect_error(error) from None
            raise
        return smtp

    def _connect_error(self, error: Exception) -> Exception:
        where = self._where()
        if isinstance(error, ssl.SSLCertVerificationError):
            return ConfigError(
                f"The certificate of the mail server {where} could not be verified: "
                f"{error.verify_message or error}."
            )
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return ConfigError(
                f"The mail server {where} refused the login for {self.mail.user}: "
                f"{server_said(error.smtp_code, error.smtp_error)} Check the smtp-password secret."
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            what = "STARTTLS" if self.mail.security == "starttls" else "logging in"
            return ConfigError(
                f"The mail server {where} does not offer {what}; check tls and user in the "
                "[smtp] section of the config file."
            )
        return _Temporary(unreachable_words(error, where, self.mail.timeout), drop=True)

    def _send(self, row: Claimed) -> None:
        assert self.smtp is not None
        try:
            message = _message(row, self.mail.from_address)
        except (ValueError, TypeError, IndexError) as error:
            raise _Permanent(f"The mail could not be written: {error}.") from None
        recipient = email.utils.parseaddr(row.to_address)[1]
        sender = email.utils.parseaddr(self.mail.from_address)[1]
        if "@" not in recipient:
            raise _Permanent(f"“{row.to_address[:80]}” is not an email address.")
        try:
            refused = self.smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, said = next(iter(error.recipients.values()), (-1, b""))
            raise _classify(code, said, f"The mail server refused {recipient}") from None
        except smtplib.SMTPSenderRefused as error:
            raise _classify(
                error.smtp_code, error.smtp_error, f"The mail server refused the sender {sender}"
            ) from None
        except smtplib.SMTPNotSupportedError as error:
            raise _Permanent(f"The mail server cannot take this mail: {error}.") from None
        except smtplib.SMTPResponseException as error:
            raise _classify(error.smtp_code, error.smtp_error, "The mail server said") from None
        except (smtplib.SMTPException, OSError) as error:
            raise _Temporary(
                unreachable_words(error, self._where(), self.mail.timeout), drop=True
            ) from None
        if refused:
            code, said = next(iter(refused.values()))
            raise _classify(code, said, f"The mail server refused {recipient}")


def _classify(code: int, said: bytes | str, what: str) -> Exception:
    words = f"{what}: {server_said(code, said)}"
    if 500 <= code < 600:
        return _Permanent(words)
    return _Temporary(words, drop=code == 421 or code < 0)


def server_said(code: int, said: bytes | str) -> str:
    """A server's answer on one line: "550 No such user here."."""
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    text = " ".join(text.split())
    return f"{code} {text}".strip() + ("" if text.endswith(".") else ".")


def unreachable_words(error: Exception, where: str, timeout: float) -> str:
    """Why the mail server at `where` could not be talked to, in words."""
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return f"The mail server {where} did not answer within {timeout:g} seconds."
    if isinstance(error, ConnectionRefusedError):
        return f"The mail server {where} refused the connection."
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"The mail server {where} closed the connection."
    if isinstance(error, smtplib.SMTPConnectError):
        return f"The mail server {where} turned the connection away: " + server_said(
            error.smtp_code, error.smtp_error
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server {where} said: " + server_said(error.smtp_code, error.smtp_error)
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"Could not reach the mail server {where}: {reason}."


def _message(row: Claimed, from_address: str) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = from_address
    message["To"] = row.to_address
    message["Subject"] = " ".join(row.subject.split())
    message["Date"] = email.utils.format_datetime(clock.now().replace(tzinfo=dt.UTC))
    message["Message-ID"] = row.message_id
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    if not REPLY_MESSAGE_ID.fullmatch(row.message_id):
        # Not a person's reply (a welcome mail): auto-responders must not answer it (RFC 3834).
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    for filename, content_type, content in row.files:
        maintype, _, subtype = content_type.partition("/")
        if not maintype or not subtype or maintype == "multipart":
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message
