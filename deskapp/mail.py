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
client's answer can be matched back to its ticket (In-Reply-To, see deskapp.mail_import).
No Textual here.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import re
import smtplib
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING

import peewee

from deskapp import clock
from deskapp.db import db, feed, is_postgres
from deskapp.errors import ConfigError, Conflict
from deskapp.models import Attachment, Department, OutboxMail, Ticket

if TYPE_CHECKING:
    from deskapp.config import Settings

QUEUED = "queued"
"""Waiting to be sent (at next_attempt_at)."""
SENDING = "sending"
"""Claimed by a sender that is talking to the mail server right now."""
SENT = "sent"
"""The mail server accepted it."""
FAILED = "failed"
"""Refused for good, or given up after MAX_ATTEMPTS; staff may retry it."""
UNCERTAIN = "uncertain"
"""A sender died while sending it: it may or may not have gone out; staff resend or discard."""
DISCARDED = "discarded"
"""Staff decided it is not to be sent."""
STATUSES = (QUEUED, SENDING, SENT, FAILED, UNCERTAIN, DISCARDED)
"""Every status an outbox row can have."""

MAX_ATTEMPTS = 8
"""A mail is tried at most this many times; the last temporary failure makes it failed."""
FIRST_BACKOFF = dt.timedelta(minutes=1)
"""The wait after the first temporary failure; it doubles with each further one."""
MAX_BACKOFF = dt.timedelta(hours=6)
"""The longest wait between two attempts."""
SMTP_PASSWORD = "smtp-password"
"""The secret (deskapp.secrets) holding the SMTP login's password."""
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
"""The port used when none is configured, by security mode."""
_LOCK_KEY = 0x6465736B6D61696C  # "deskmail": the PostgreSQL advisory lock of the sender
_BUSY = "Another `deskapp mail send` is running on this desk; this one sent nothing."


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

    def line(self) -> str:
        """One line for the command: "Sent 3, retrying 1, failed 0, uncertain 0"."""
        return (
            f"Sent {self.sent}, retrying {self.retrying}, failed {self.failed}, "
            f"uncertain {self.uncertain}"
        )


def mail_settings(settings: Settings) -> MailSettings:
    """The mail settings from the desk's configuration; ConfigError saying what is missing."""
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
    from deskapp.secrets import environment_variable, get_secret

    password = get_secret(SMTP_PASSWORD)
    if not password:
        raise ConfigError(_no_password(environment_variable(SMTP_PASSWORD)))
    return password


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th temporary failure: 1, 2, 4, ... minutes, capped."""
    if attempts > 20:
        return MAX_BACKOFF
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def send_outbox(
    mail: MailSettings, password: str | None, *, limit: int | None = None
) -> SendReport:
    """Send the mail that is due, at most `limit` rows (None: whatever is due when it starts).

    Needs the database open. Raises Conflict when another sender is running, ConfigError when
    the server refuses the login, has no STARTTLS, or its certificate does not verify (those are
    for a person to fix; no row is touched for them). Every other failure is counted per row.
    """
    if mail.user and not password:
        from deskapp.secrets import environment_variable

        raise ConfigError(_no_password(environment_variable(SMTP_PASSWORD)))
    if limit is not None and limit < 1:
        return SendReport()
    with _sender_lock():
        uncertain = _abandon_claims()
        budget = limit if limit is not None else _count_due()
        sender = _Sender(mail, password)
        try:
            sent, failed, retrying = sender.run(budget)
        finally:
            sender.close()
    return SendReport(sent=sent, failed=failed, retrying=retrying, uncertain=uncertain)


@dataclass(frozen=True)
class _Claimed:
    id: uuid.UUID
    to_address: str
    subject: str
    body: str
    message_id: str
    attempts: int
    reply_to: str
    files: tuple[tuple[str, str, bytes], ...] = ()
    """The reply's attachments: (file name, content type, content)."""


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

    def run(self, budget: int) -> tuple[int, int, int]:
        sent = failed = retrying = 0
        for done in range(budget):
            if self.smtp is None and _count_due(1) == 0:
                break
            if self.smtp is None:
                try:
                    self.smtp = self._connect()
                except _Temporary as error:
                    # The server is not there: every row due now waits, each counting a try.
                    more_failed, more_retrying = _defer_due(str(error), budget - done)
                    return sent, failed + more_failed, retrying + more_retrying
            row = _claim_next()
            if row is None:
                break
            try:
                self._send(row)
            except _Temporary as error:
                if error.drop:
                    self.close()
                if _release(row, str(error)):
                    retrying += 1
                else:
                    failed += 1
            except _Permanent as error:
                _fail(row, str(error))
                failed += 1
            else:
                _mark_sent(row)
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
                f"{_said(error.smtp_code, error.smtp_error)} Check the smtp-password secret."
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            what = "STARTTLS" if self.mail.security == "starttls" else "logging in"
            return ConfigError(
                f"The mail server {where} does not offer {what}; check tls and user in the "
                "[smtp] section of the config file."
            )
        return _Temporary(_temporary_words(error, where, self.mail.timeout), drop=True)

    def _send(self, row: _Claimed) -> None:
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
                _temporary_words(error, self._where(), self.mail.timeout), drop=True
            ) from None
        if refused:
            code, said = next(iter(refused.values()))
            raise _classify(code, said, f"The mail server refused {recipient}")


def _classify(code: int, said: bytes | str, what: str) -> Exception:
    words = f"{what}: {_said(code, said)}"
    if 500 <= code < 600:
        return _Permanent(words)
    return _Temporary(words, drop=code == 421 or code < 0)


def _said(code: int, said: bytes | str) -> str:
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    text = " ".join(text.split())
    return f"{code} {text}".strip() + ("" if text.endswith(".") else ".")


def _temporary_words(error: Exception, where: str, timeout: float) -> str:
    if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
        return f"The mail server {where} did not answer within {timeout:g} seconds."
    if isinstance(error, ConnectionRefusedError):
        return f"The mail server {where} refused the connection."
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return f"The mail server {where} closed the connection."
    if isinstance(error, smtplib.SMTPConnectError):
        return f"The mail server {where} turned the connection away: " + _said(
            error.smtp_code, error.smtp_error
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server {where} said: " + _said(error.smtp_code, error.smtp_error)
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"Could not reach the mail server {where}: {reason}."


def _no_password(variable: str) -> str:
    return (
        "The SMTP password is not set: store it with `deskapp secrets set smtp-password` or set "
        f"{variable}."
    )


def _message(row: _Claimed, from_address: str) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = from_address
    message["To"] = row.to_address
    message["Subject"] = " ".join(row.subject.split())
    message["Date"] = email.utils.format_datetime(clock.now().replace(tzinfo=dt.UTC))
    message["Message-ID"] = row.message_id
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    if not _REPLY_MESSAGE_ID.fullmatch(row.message_id):
        # Not a person's reply (a welcome mail): auto-responders must not answer it (RFC 3834).
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    for filename, content_type, content in row.files:
        maintype, _, subtype = content_type.partition("/")
        if not maintype or not subtype or maintype == "multipart":
            maintype, subtype = "application", "octet-stream"
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


_REPLY_MESSAGE_ID = re.compile(r"<([0-9a-f]{32})\.\d+@deskapp>")
"""A reply's mail: `<ticket message's id, in hex>.<recipient n>@deskapp>`."""


def _reply_files(message_id: str) -> tuple[tuple[str, str, bytes], ...]:
    """The files of the ticket message a reply mail carries (none for other mail)."""
    matched = _REPLY_MESSAGE_ID.fullmatch(message_id)
    if matched is None:
        return ()
    query = (
        Attachment.select(Attachment.filename, Attachment.content_type, Attachment.content)
        .where(Attachment.message == uuid.UUID(matched.group(1)))
        .order_by(Attachment.id)
        .tuples()
    )
    return tuple((name, kind, bytes(content)) for name, kind, content in query)


# --- the outbox rows: each change is its own short transaction -----------------------------


@contextmanager
def _sender_lock() -> Iterator[None]:
    """Hold the desk's one sender lock, or raise Conflict when another sender has it."""
    if is_postgres():
        cursor = db.execute_sql("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,))
        if not cursor.fetchone()[0]:
            raise Conflict(_BUSY)
        try:
            yield
        finally:
            try:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
            except peewee.DatabaseError:
                pass  # the connection is gone, and the lock with it
        return
    path = str(db.obj.database)
    try:
        import fcntl
    except ImportError:  # not POSIX: rely on the conditional claims alone
        fcntl = None  # type: ignore[assignment]
    if path == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{path}.mail-lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(_BUSY) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _due() -> peewee.Expression:
    return (OutboxMail.status == QUEUED) & (OutboxMail.next_attempt_at <= clock.now())


def _count_due(at_most: int | None = None) -> int:
    query = OutboxMail.select(OutboxMail.id).where(_due())
    if at_most is not None:
        query = query.limit(at_most)
    return query.count()


def _abandon_claims() -> int:
    """Rows left "sending" by a sender that died become "uncertain" (the lock is ours, so no
    live sender holds them)."""
    with db.atomic():
        rows = [
            row.id for row in OutboxMail.select(OutboxMail.id).where(OutboxMail.status == SENDING)
        ]
        if not rows:
            return 0
        changed = (
            OutboxMail.update(
                status=UNCERTAIN,
                last_error="The sender stopped while handing this mail to the mail server; "
                "it may or may not have been delivered. Resend it or discard it.",
            )
            .where(OutboxMail.id.in_(rows), OutboxMail.status == SENDING)
            .execute()
        )
        for key in rows:
            feed.publish("outbox", key, "updated")
    return changed


def _claim_next() -> _Claimed | None:
    """Take the oldest due row: "queued" -> "sending" only if still queued (so never twice)."""
    for _ in range(5):  # another claimer can only win a row a few times in a row
        with db.atomic():
            candidate = (
                OutboxMail.select(OutboxMail.id)
                .where(_due())
                .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
                .limit(1)
                .first()
            )
            if candidate is None:
                return None
            claimed = (
                OutboxMail.update(status=SENDING, next_attempt_at=clock.now())
                .where(OutboxMail.id == candidate.id, OutboxMail.status == QUEUED)
                .execute()
            )
            if not claimed:
                continue
            row = (
                OutboxMail.select(
                    OutboxMail.id,
                    OutboxMail.to_address,
                    OutboxMail.subject,
                    OutboxMail.body,
                    OutboxMail.message_id,
                    OutboxMail.attempts,
                    Department.email.alias("reply_to"),
                )
                .join(Ticket, peewee.JOIN.LEFT_OUTER)
                .join(Department, peewee.JOIN.LEFT_OUTER)
                .where(OutboxMail.id == candidate.id)
                .dicts()
                .get()
            )
            feed.publish("outbox", candidate.id, "updated")
        return _Claimed(
            id=row["id"],
            to_address=row["to_address"],
            subject=row["subject"],
            body=row["body"],
            message_id=row["message_id"],
            attempts=row["attempts"],
            reply_to=(row["reply_to"] or "").strip(),
            files=_reply_files(row["message_id"]),
        )
    return None


def _mark_sent(row: _Claimed) -> None:
    with db.atomic():
        OutboxMail.update(
            status=SENT, sent_at=clock.now(), attempts=row.attempts + 1, last_error=""
        ).where(OutboxMail.id == row.id, OutboxMail.status == SENDING).execute()
        feed.publish("outbox", row.id, "updated")


def _fail(row: _Claimed, reason: str) -> None:
    with db.atomic():
        OutboxMail.update(status=FAILED, attempts=row.attempts + 1, last_error=reason).where(
            OutboxMail.id == row.id, OutboxMail.status == SENDING
        ).execute()
        feed.publish("outbox", row.id, "updated")


def _release(row: _Claimed, reason: str) -> bool:
    """Back to the queue after a temporary failure; False when that was the last attempt."""
    attempts = row.attempts + 1
    with db.atomic():
        retry = attempts < MAX_ATTEMPTS
        values = _after_temporary(attempts, reason)
        OutboxMail.update(**values).where(
            OutboxMail.id == row.id, OutboxMail.status == SENDING
        ).execute()
        feed.publish("outbox", row.id, "updated")
    return retry


def _defer_due(reason: str, at_most: int) -> tuple[int, int]:
    """The server is unreachable: each due row (up to `at_most`) counts a temporary failure.
    Returns (failed, retrying)."""
    failed = retrying = 0
    if at_most < 1:
        return 0, 0
    with db.atomic():
        rows = list(
            OutboxMail.select(OutboxMail.id, OutboxMail.attempts)
            .where(_due())
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(at_most)
        )
        for row in rows:
            attempts = row.attempts + 1
            changed = (
                OutboxMail.update(**_after_temporary(attempts, reason))
                .where(OutboxMail.id == row.id, OutboxMail.status == QUEUED)
                .execute()
            )
            if not changed:
                continue
            feed.publish("outbox", row.id, "updated")
            if attempts < MAX_ATTEMPTS:
                retrying += 1
            else:
                failed += 1
    return failed, retrying


def _after_temporary(attempts: int, reason: str) -> dict[str, object]:
    if attempts >= MAX_ATTEMPTS:
        return {
            "status": FAILED,
            "attempts": attempts,
            "last_error": f"Gave up after {attempts} attempts. {reason}",
        }
    later = clock.now() + backoff(attempts)
    return {
        "status": QUEUED,
        "attempts": attempts,
        "next_attempt_at": later,
        "last_error": f"{reason} Trying again at {later:%Y-%m-%d %H:%M} UTC.",
    }
