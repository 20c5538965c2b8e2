"""Mail: out through the outbox and SMTP (`deskapp mail send`), in as parsed mail.

- settings: the [smtp] settings and the SMTP password.
- sending: the sender and its rule, *never twice*; queue: the outbox rows it claims and marks.
- parsing: reading one incoming mail, its cost capped; html_text: HTML to the text a person
  reads; authentication: whether the desk's mail server verified the sender
  (Authentication-Results).

Filing an incoming mail on a ticket is a domain operation: deskapp.services.incoming_mail.
Nothing here imports Textual or the screens.
"""

from deskapp.mail.html_text import html_to_text
from deskapp.mail.queue import FIRST_BACKOFF, MAX_ATTEMPTS, MAX_BACKOFF, backoff
from deskapp.mail.sending import SendReport, send_outbox
from deskapp.mail.settings import SMTP_PASSWORD, MailSettings, mail_settings, smtp_password

__all__ = [
    "FIRST_BACKOFF",
    "MAX_ATTEMPTS",
    "MAX_BACKOFF",
    "SMTP_PASSWORD",
    "MailSettings",
    "SendReport",
    "backoff",
    "html_to_text",
    "mail_settings",
    "send_outbox",
    "smtp_password",
]
