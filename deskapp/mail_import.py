"""Mail in: one email (RFC 5322 bytes) becomes a client message on a ticket
(`deskapp ticket import FILE|-`, e.g. from the mail server's pipe or a maildir hook).

- The sender (From) is found by its address among contacts and clients (any case). An address
  nobody has is a NotFound naming it: the mail is not filed anywhere.
- "T-20311" in the subject, or an In-Reply-To/References header naming a mail of the desk,
  points at a ticket; when that ticket is the sender's client's, the mail is added to it
  (deskapp.services.conversation.record_client_message). Otherwise it opens a new ticket
  (deskapp.services.ticket_open.open_ticket, as the client: actor None) in the department whose
  address is in To or Cc, else Support, without asking for the department's extra fields.
- The same Message-ID twice is one message: the second import adds nothing and says so. A mail
  without a Message-ID gets one made from a hash of its bytes, so re-importing it is harmless.
- Text/plain is preferred; an HTML-only mail is reduced to its text. The body is stored as the
  client wrote it (it is untrusted text, made harmless where it is shown).
- Attachments (and inline files that have a name) are stored with the ticket, on the message.
- An automatic mail (an out-of-office or other auto-reply, a bulk or list mail: RFC 3834's
  Auto-Submitted, X-Autoreply, Precedence) is filed on the ticket it answers, marked, without
  reopening it or making it wait on staff; one that answers no ticket opens none. So a
  vacation notice never reopens a finished ticket, and two auto-responders cannot loop.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import html
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from html.parser import HTMLParser

import peewee

from deskapp.db import is_postgres
from deskapp.errors import Conflict, DeskError, NotFound
from deskapp.ids import format_number
from deskapp.models import (
    Client,
    ClientStatus,
    Contact,
    Department,
    Message,
    OutboxMail,
    Ticket,
)

SUBJECT_MAX = 300
"""The longest subject a ticket keeps; longer ones are cut."""
NO_SUBJECT = "(no subject)"
"""The subject of a ticket opened from a mail without one."""
NO_TEXT = "(The mail had no text.)"
"""The body recorded for a mail without any text (only attachments, say)."""
BODY_MAX = 200_000
"""The longest text a message keeps (as open_ticket allows); the rest is cut with a note."""
CUT_NOTE = "[deskapp: the rest of this mail's text was cut; it was too long to keep.]"
MAX_ATTACHMENTS = 50
"""Files of one mail kept, at most."""
DEFAULT_DEPARTMENT = "Support"
"""Where a new ticket goes when no department's address is in To or Cc."""
MAX_PARTS = 200
"""Parts of a mail looked at, at most (a hostile mail may nest thousands)."""
_TICKET_IN_SUBJECT = re.compile(r"(?<![\w-])T-(\d{1,12})(?!\d)", re.IGNORECASE)
_MESSAGE_IDS = re.compile(r"<[^<>\s]{1,298}>")
_ANGLE_ADDRESS = re.compile(r"<([^<>\s@]{1,64}@[^<>\s@]{1,255})>")
_PRE_SPACE = "\ue000"  # a space inside <pre> while lines are trimmed


@dataclass(frozen=True)
class ImportResult:
    """Where an imported mail went."""

    ticket_label: str
    """The ticket it was added to or opened ("T-20311")."""
    created: bool
    """Whether it opened a new ticket."""
    duplicate: bool
    """Whether it had been imported before (nothing was added this time)."""
    client_label: str = ""
    """The client it was filed under ("C-1042")."""
    automatic: bool = False
    """Whether it was an automatic reply (filed without reopening; "" ticket_label: not filed,
    since it answered no ticket)."""


@dataclass(frozen=True)
class _Sender:
    client_id: uuid.UUID
    client_number: int
    client_closed: bool
    contact_id: uuid.UUID | None
    name: str


def import_message(raw: bytes) -> ImportResult:
    """File one email (its raw bytes) on a ticket; see the module's description.

    Raises DeskError subclasses with a sentence: NotFound for an unknown sender, ValidationError
    from the ticket services (a Closed client cannot open tickets), DeskError for something that
    is not a mail at all.
    """
    if not raw or not raw.strip():
        raise DeskError("The mail is empty; there is nothing to import.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - the default policy makes one
        raise DeskError("That is not an email message.")
    message_id = _message_id(message, raw)
    seen = _already_imported(message_id)
    if seen is not None:
        return seen
    name, address = _from(message)
    senders = _senders(address)
    if not senders:
        raise NotFound(
            f"Nobody at the desk has the address {address}: add it to a client or contact "
            "first, then import the mail again."
        )
    subject = _subject(message)
    body = _body(message)
    attachments, left_out = _attachments(message)
    if left_out:
        body = f"{body}\n\n" + "\n".join(left_out)
    found = _ticket_for(subject, _referenced_ids(message), senders)
    automatic = is_automatic(message)
    try:
        if found is not None:
            ticket_id, number, sender = found
            return _append(
                ticket_id, number, sender, name, message_id, body, attachments, automatic
            )
        sender = _preferred(senders)
        if automatic:
            client = format_number("client", sender.client_number)
            return ImportResult("", created=False, duplicate=False, client_label=client,
                                automatic=True)  # fmt: skip
        department_id = _department(message)
        return _open(sender, name, department_id, subject, body, message_id, attachments)
    except (peewee.IntegrityError, Conflict):
        # Another import of the same Message-ID won the race: that one holds the message.
        seen = _already_imported(message_id)
        if seen is None:
            raise
        return seen


def _append(
    ticket_id: uuid.UUID,
    number: int,
    sender: _Sender,
    name: str,
    message_id: str,
    body: str,
    attachments: list[tuple[str, str, bytes]],
    automatic: bool = False,
) -> ImportResult:
    from deskapp.services.conversation import record_client_message

    author = _author(name, sender)
    added = record_client_message(
        ticket_id,
        body,
        contact_id=sender.contact_id,
        author_name=f"{author} (automatic reply)" if automatic else author,
        message_id=message_id,
        attachments=attachments,
        automatic=automatic,
    )
    label = format_number("ticket", number)
    client = format_number("client", sender.client_number)
    return ImportResult(
        label, created=False, duplicate=added is None, client_label=client, automatic=automatic
    )


def _open(
    sender: _Sender,
    name: str,
    department_id: uuid.UUID,
    subject: str,
    body: str,
    message_id: str,
    attachments: list[tuple[str, str, bytes]],
) -> ImportResult:
    from deskapp.services.attachments import store_attachment
    from deskapp.services.ticket_open import open_ticket
    from deskapp.services.transaction import write_transaction

    with write_transaction():
        summary = open_ticket(
            None,
            sender.client_id,
            department_id,
            subject,
            body,
            contact_id=sender.contact_id,
            check_extra=False,
            message_id=message_id,
            author_name=_author(name, sender),
        )
        if attachments:
            first = Message.get(Message.message_id == message_id)
            for filename, content_type, content in attachments:
                store_attachment(summary.id, filename, content_type, content, message_id=first.id)
    return ImportResult(
        format_number("ticket", summary.number),
        created=True,
        duplicate=False,
        client_label=format_number("client", sender.client_number),
    )


def _already_imported(message_id: str) -> ImportResult | None:
    row = (
        Message.select(Ticket.number, Client.number.alias("client_number"))
        .join(Ticket)
        .join(Client)
        .where(Message.message_id == message_id)
        .dicts()
        .first()
    )
    if row is None:
        return None
    return ImportResult(
        format_number("ticket", row["number"]),
        created=False,
        duplicate=True,
        client_label=format_number("client", row["client_number"]),
    )


# --- reading the mail ------------------------------------------------------------------------


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded text ("" when missing or unreadable)."""
    try:
        return str(message.get(name) or "")
    except (ValueError, TypeError, IndexError, LookupError, AttributeError):
        # A header the parser chokes on: its raw text is still better than nothing.
        for key, value in message.raw_items():
            if key.lower() == name.lower():
                return " ".join(str(value).split())
        return ""


_AUTOMATIC_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})


def is_automatic(message: EmailMessage) -> bool:
    """Whether a program sent the mail, not a person: Auto-Submitted other than "no" (RFC
    3834: auto-replied, auto-generated, auto-notified), X-Autoreply / X-Autorespond, or
    Precedence auto_reply, bulk, junk or list."""
    submitted = _header(message, "Auto-Submitted").strip().lower()
    if submitted and not submitted.startswith("no"):
        return True
    if _header(message, "X-Autoreply").strip() or _header(message, "X-Autorespond").strip():
        return True
    return _header(message, "Precedence").strip().lower() in _AUTOMATIC_PRECEDENCE


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = _MESSAGE_IDS.search(_header(message, "Message-ID"))
    if found:
        return found.group(0)
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@import.deskapp>"


def _from(message: EmailMessage) -> tuple[str, str]:
    name = address = ""
    try:
        addresses = getattr(message["From"], "addresses", ())
        if addresses:
            name, address = addresses[0].display_name, addresses[0].addr_spec
    except (ValueError, TypeError, IndexError, LookupError, AttributeError):
        pass
    if "@" not in address:
        name, address = email.utils.parseaddr(_header(message, "From"))
    if "@" not in address:  # a display name the parser chokes on: take the <address> as written
        raw = next((str(v) for k, v in message.raw_items() if k.lower() == "from"), "")
        found = _ANGLE_ADDRESS.search(raw)
        if found:
            name, address = raw[: found.start()].strip().strip('"'), found.group(1)
    address = address.strip()
    if "@" not in address:
        raise DeskError("The mail has no sender address (From); it cannot be filed.")
    return " ".join(name.replace("\x00", "").split())[:200], address


def _subject(message: EmailMessage) -> str:
    subject = " ".join(_header(message, "Subject").replace("\x00", "").split())
    return subject[:SUBJECT_MAX] or NO_SUBJECT


def _referenced_ids(message: EmailMessage) -> list[str]:
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        found.extend(_MESSAGE_IDS.findall(_header(message, name)))
    return list(dict.fromkeys(found))[:50]


def _parts(message: EmailMessage) -> list[EmailMessage]:
    parts: list[EmailMessage] = []
    for part in message.walk():
        parts.append(part)  # type: ignore[arg-type]
        if len(parts) >= MAX_PARTS:
            break
    return parts


def _body(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError, ValueError):
        part = None
    text = ""
    if part is not None:
        text = _text_of(part)  # type: ignore[arg-type]
        if part.get_content_subtype() == "html":
            text = html_to_text(text)
    elif message.get_content_maintype() == "text":
        text = _text_of(message)
        if message.get_content_subtype() == "html":
            text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd").strip("\n")
    if len(text) > BODY_MAX:
        text = text[: BODY_MAX - len(CUT_NOTE) - 2] + "\n\n" + CUT_NOTE
    return text if text.strip() else NO_TEXT


def _text_of(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return str(content)


def _attachments(message: EmailMessage) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """(file name, content type, bytes) of every part that is a file: an attachment, or an
    inline part with a file name (a pasted picture); and a line for each file too big to keep
    (at most MAX_ATTACHMENTS are kept)."""
    from deskapp.services.attachments import MAX_ATTACHMENT_BYTES, limit_text

    files: list[tuple[str, str, bytes]] = []
    left_out: list[str] = []
    for part in _parts(message):
        if part.is_multipart():
            continue
        try:
            filename = part.get_filename()
        except (ValueError, TypeError, LookupError):
            filename = None
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not filename:
            continue
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        content_type = part.get_content_type()
        name = _file_name(filename, content_type, len(files) + len(left_out) + 1)
        if len(content) > MAX_ATTACHMENT_BYTES:
            size = f"{len(content) / (1024 * 1024):.1f} MB"
            left_out.append(
                f"[deskapp: the attached file “{name}” ({size}) was not kept: an attachment "
                f"may be at most {limit_text()}.]"
            )
        elif len(files) >= MAX_ATTACHMENTS:
            left_out.append(
                f"[deskapp: the attached file “{name}” was not kept: at most "
                f"{MAX_ATTACHMENTS} files of one mail are kept.]"
            )
        else:
            files.append((name, content_type, content))
    return files, left_out


def _file_name(filename: str | None, content_type: str, number: int) -> str:
    name = " ".join((filename or "").split())[:255]
    if name:
        return name
    subtype = content_type.partition("/")[2] or "bin"
    return f"attachment-{number}.{re.sub(r'[^a-z0-9]+', '', subtype.lower())[:10] or 'bin'}"


class _TextFromHtml(HTMLParser):
    """The readable text of an HTML body: blocks become lines, scripts and styles vanish."""

    BLOCKS = frozenset(
        "address article aside blockquote br dd div dl dt fieldset figcaption figure footer "
        "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
    )
    HIDDEN = frozenset(("script", "style", "head", "title", "template"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.hidden = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "pre":
            self.pre += 1
        if tag == "li":
            self.pieces.append("\n- ")
        elif tag in self.BLOCKS:
            self.pieces.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag in self.BLOCKS and tag not in ("br", "li"):
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:  # spaces kept: marked so the line trimming below leaves them
            self.pieces.append(data.replace(" ", _PRE_SPACE))
        else:
            self.pieces.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> str:
    """The text a person reads in an HTML mail: one line per block, entities decoded, no tags,
    no scripts or styles; at most two blank-free line breaks in a row."""
    parser = _TextFromHtml()
    try:
        parser.feed(markup.replace(_PRE_SPACE, " "))
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    lines = [line.strip(" ") for line in "".join(parser.pieces).split("\n")]
    text = "\n".join(lines).replace(_PRE_SPACE, " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# --- who sent it, and where it goes ----------------------------------------------------------


def _lower_equals(column: peewee.Field, value: str) -> peewee.Expression:
    """lower(column) = value as the m0003 indexes have it ("C" collation on PostgreSQL)."""
    lowered = peewee.fn.lower(column)
    if is_postgres():
        lowered = peewee.NodeList((lowered, peewee.SQL('COLLATE "C"')))
    return lowered == value.lower()


def _senders(address: str) -> list[_Sender]:
    """Every contact and client that has `address` (any case)."""
    found: list[_Sender] = []
    contacts = (
        Contact.select(
            Contact.id,
            Contact.first_name,
            Contact.last_name,
            Client.id.alias("client_id"),
            Client.number.alias("client_number"),
            Client.status.alias("client_status"),
        )
        .join(Client)
        .where(_lower_equals(Contact.email, address))
        .limit(20)
        .dicts()
    )
    for row in contacts:
        found.append(
            _Sender(
                row["client_id"],
                row["client_number"],
                row["client_status"] == ClientStatus.CLOSED,
                row["id"],
                f"{row['first_name']} {row['last_name']}".strip(),
            )
        )
    clients = (
        Client.select(Client.id, Client.number, Client.status, Client.first_name, Client.last_name)
        .where(_lower_equals(Client.email, address))
        .limit(20)
        .dicts()
    )
    for row in clients:
        found.append(
            _Sender(
                row["id"],
                row["number"],
                row["status"] == ClientStatus.CLOSED,
                None,
                f"{row['first_name']} {row['last_name']}".strip(),
            )
        )
    return found


def _preferred(senders: list[_Sender]) -> _Sender:
    """Of several clients with the address: an open one before a Closed one, a contact before
    the client's own address, then the lowest client number (stable, so re-imports agree)."""
    return min(senders, key=lambda s: (s.client_closed, s.contact_id is None, s.client_number))


def _ticket_for(
    subject: str, referenced: list[str], senders: list[_Sender]
) -> tuple[uuid.UUID, int, _Sender] | None:
    """The sender's ticket the mail answers: by "T-20311" in the subject, else by a referenced
    Message-ID (a reply of the desk, or an earlier message). A ticket of another client never."""
    by_client: dict[uuid.UUID, _Sender] = {}
    for sender in sorted(senders, key=lambda s: s.contact_id is None):
        by_client.setdefault(sender.client_id, sender)
    numbers = [int(match) for match in _TICKET_IN_SUBJECT.findall(subject)][:10]
    if numbers:
        rows = Ticket.select(Ticket.id, Ticket.number, Ticket.client).where(
            Ticket.number.in_(numbers), Ticket.client.in_(list(by_client))
        )
        tickets = {row.number: row for row in rows}
        for number in numbers:
            if number in tickets:
                row = tickets[number]
                return row.id, row.number, by_client[row.client_id]
    if referenced:
        for model in (OutboxMail, Message):
            rows = (
                Ticket.select(Ticket.id, Ticket.number, Ticket.client)
                .join(model, on=(model.ticket == Ticket.id))
                .where(model.message_id.in_(referenced), Ticket.client.in_(list(by_client)))
                .order_by(Ticket.last_activity_at.desc())
                .limit(1)
            )
            for row in rows:
                return row.id, row.number, by_client[row.client_id]
    return None


def _department(message: EmailMessage) -> uuid.UUID:
    """The department whose address the mail was sent to (To, then Cc), else Support."""
    addresses: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        try:
            values = message.get_all(name, failobj=[])
        except (ValueError, TypeError, LookupError):
            values = []
        addresses.extend(
            address.lower() for _, address in email.utils.getaddresses([str(v) for v in values])
        )
    departments = list(
        Department.select(Department.id, Department.name, Department.email).order_by(
            Department.sort_order, Department.name
        )
    )
    by_address = {row.email.strip().lower(): row.id for row in departments if row.email.strip()}
    for address in addresses:
        if address in by_address:
            return by_address[address]
    for row in departments:
        if row.name.lower() == DEFAULT_DEPARTMENT.lower():
            return row.id
    if departments:
        return departments[0].id
    raise DeskError("The desk has no departments yet, so the mail cannot open a ticket.")


def _author(name: str, sender: _Sender) -> str:
    return (sender.name if sender.contact_id else "") or name or sender.name
