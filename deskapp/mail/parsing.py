"""Reading one incoming mail (RFC 5322 bytes): its Message-ID, sender, subject, the mails it
answers, its text and its files. Untrusted input from the internet, so its cost is capped
before and while it is parsed (Python's header parser grows super-linearly on encoded words
and recurses on nesting), and a header the parser chokes on still yields what can be read of
it. Where the mail goes is deskapp.services.incoming_mail's business.

- The caps (MailRefused beyond them, which the command turns into exit status 65 so the mail
  server bounces the mail): the whole mail (the `[mail] max_size` setting, default 25 MB) and
  its lines (MAX_LINES), its header section (MAX_HEADER_BYTES, checked on the raw bytes before
  parsing), every header of every part (MAX_ONE_HEADER_BYTES), all headers of all parts
  together (MAX_HEADER_BYTES again), the parts (MAX_PARTS, counted as the parser makes them),
  their nesting (MAX_DEPTH) and comment nesting in a header (MAX_COMMENT_DEPTH).
- A Message-ID, a reference or an address holding a control character (NUL among them,
  which PostgreSQL cannot store) is not one: ids are ignored, a sender address is refused.

- A mail without a Message-ID gets one made from a hash of its bytes, so re-importing it is
  harmless.
- Text/plain is preferred; an HTML-only mail is reduced to its text. The body is kept as the
  client wrote it (it is untrusted text, made harmless where it is shown).
- Attachments, and inline parts that have a file name (a pasted picture), are files.
- An automatic mail is one RFC 3834's Auto-Submitted, X-Autoreply or Precedence says a program
  sent (an out-of-office, a bulk or list mail).
"""

from __future__ import annotations

import email
import email.feedparser
import email.policy
import email.utils
import hashlib
import re
from email.message import EmailMessage
from typing import Any, NamedTuple, cast

from deskapp.errors import DeskError
from deskapp.mail.html_text import html_to_text

SUBJECT_MAX = 300
"""The longest subject a ticket keeps; longer ones are cut."""
NO_SUBJECT = "(no subject)"
"""The subject of a ticket opened from a mail without one."""
NO_TEXT = "(The mail had no text.)"
"""The body recorded for a mail without any text (only attachments, say)."""
BODY_MAX = 200_000
"""The longest text a message keeps (as open_ticket allows); the rest is cut with a note."""
TEXT_ENCODED_MAX = 4 * 1024 * 1024
"""Characters of a text part's encoded form decoded at most (enough for BODY_MAX characters
even in quoted-printable UTF-8, 12 characters each at worst)."""
HTML_PER_TEXT = 4
"""Characters of HTML converted per character of text kept (tags and styles are dropped)."""
CUT_NOTE = "[deskapp: the rest of this mail's text was cut; it was too long to keep.]"
"""What ends a body that was cut."""
MAX_PARTS = 200
"""Parts a mail may have (itself, every attachment, every container); more is refused."""
MAX_DEPTH = 20
"""How deep parts may nest (a mail in a mail in a multipart counts each level)."""
MAX_HEADER_BYTES = 64 * 1024
"""The mail's header section, and all headers of all its parts together, at most."""
MAX_ONE_HEADER_BYTES = 8 * 1024
"""One header (with its folded lines), at most."""
MAX_COMMENT_DEPTH = 20
"""Comments in parentheses nested deeper than this in a header are refused."""
MAX_LINES = 1_000_000
"""Lines a mail may have (25 MB of real mail is some 350,000; the parser pays per line)."""
FEED_BYTES = 256 * 1024
"""The parser is fed the mail this much at a time."""
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
"""The largest mail imported when `[mail] max_size` is not set (as common mail servers)."""
_MESSAGE_IDS = re.compile(r"<[^<>\s\x00-\x1f\x7f-\x9f]{1,298}>")
_ANGLE_ADDRESS = re.compile(r"<([^<>\s@]{1,64}@[^<>\s@]{1,255})>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_AUTOMATIC_PRECEDENCE = frozenset({"auto_reply", "bulk", "junk", "list"})
_HEADER_ERRORS = (ValueError, TypeError, IndexError, LookupError, AttributeError)
"""What the email package raises on a header it cannot read."""


class MailFile(NamedTuple):
    """A file a mail carries, as the attachment services take it."""

    filename: str
    """Its name as the mail gives it (untrusted), or one made up from its type."""
    content_type: str
    """Its MIME type, e.g. "application/pdf"."""
    content: bytes
    """Its bytes, decoded from the transfer encoding."""


class MailRefused(DeskError):
    """The mail is malformed or beyond a cap: the mail server should bounce it (exit 65)."""


class _Budget:
    """What one parse has used so far: parts made, header bytes read."""

    def __init__(self) -> None:
        self.parts = 0
        self.header_bytes = 0


class _BoundedPolicy(email.policy.EmailPolicy):
    """The default policy, counting every part the parser makes and every header it reads, so
    a mail beyond the caps stops the parser early instead of after its whole cost."""

    budget: _Budget | None = None

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        size = sum(len(line) for line in sourcelines)
        if size > MAX_ONE_HEADER_BYTES:
            raise MailRefused(
                f"A header of the mail is longer than {MAX_ONE_HEADER_BYTES // 1024} KB; "
                "it was not imported."
            )
        if self.budget is not None:
            self.budget.header_bytes += size
            if self.budget.header_bytes > MAX_HEADER_BYTES:
                raise MailRefused(
                    f"The mail's headers are longer than {MAX_HEADER_BYTES // 1024} KB in all; "
                    "it was not imported."
                )
        text = "".join(sourcelines)
        if text.count("(") > MAX_COMMENT_DEPTH and _comment_depth(text) > MAX_COMMENT_DEPTH:
            raise MailRefused(
                "A header of the mail nests comments more than "
                f"{MAX_COMMENT_DEPTH} deep; it was not imported."
            )
        return super().header_source_parse(sourcelines)


def _comment_depth(text: str) -> int:
    depth = deepest = 0
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")" and depth:
            depth -= 1
    return deepest


def read_mail(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> EmailMessage:
    """The mail in `raw`, parsed within the caps (see the module's description); MailRefused
    with a sentence for something that is not a mail or is beyond a cap."""
    if not raw or not raw.strip():
        raise MailRefused("The mail is empty; there is nothing to import.")
    if len(raw) > max_bytes:
        raise MailRefused(too_large(max_bytes))
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES + 4)
    if end is None and len(raw) > MAX_HEADER_BYTES:
        raise MailRefused(
            f"The mail's header section is longer than {MAX_HEADER_BYTES // 1024} KB; "
            "it was not imported."
        )
    if raw.count(b"\n") > MAX_LINES:
        raise MailRefused(f"The mail has more than {MAX_LINES:,} lines; it was not imported.")
    budget = _Budget()

    def new_part(policy: Any = None) -> EmailMessage:
        budget.parts += 1
        if budget.parts > MAX_PARTS:
            raise MailRefused(f"The mail has more than {MAX_PARTS} parts; it was not imported.")
        return EmailMessage(policy=policy)

    # Policies take only their own attributes as keywords; typeshed knows the standard ones.
    policy = cast(Any, _BoundedPolicy)(budget=budget, message_factory=new_part)
    try:
        # Fed in pieces, not as one string: the whole mail is never copied at once.
        parser = email.feedparser.BytesFeedParser(policy=policy)
        view = memoryview(raw)
        for start in range(0, len(raw), FEED_BYTES):
            parser.feed(bytes(view[start : start + FEED_BYTES]))
        message = parser.close()
    except RecursionError:
        raise MailRefused("The mail nests too deeply to be read; it was not imported.") from None
    if not isinstance(message, EmailMessage):  # pragma: no cover - the factory makes one
        raise MailRefused("That is not an email message.")
    if _depth(message) > MAX_DEPTH:
        raise MailRefused(f"The mail's parts nest more than {MAX_DEPTH} deep; it was not imported.")
    return message


def _depth(message: EmailMessage) -> int:
    """How deep the parts nest (1: a mail of one part), walked without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(message, 1)]
    while pending:
        part, depth = pending.pop()
        deepest = max(deepest, depth)
        payload = part.get_payload()
        if isinstance(payload, list):
            pending.extend((child, depth + 1) for child in payload)
    return deepest


def too_large(limit: int) -> str:
    """The sentence for a mail larger than `limit` bytes."""
    size = f"{limit // (1024 * 1024)} MB" if limit % (1024 * 1024) == 0 else f"{limit:,} bytes"
    return f"The mail is larger than {size} (the [mail] max_size setting); it was not imported."


def text_of_header(value: object) -> str:
    """A header's text as a string the database can store: the raw 8-bit bytes the parser
    keeps as lone surrogates are read as UTF-8 (U+FFFD where they are not)."""
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def header(message: EmailMessage, name: str) -> str:
    """A header's decoded text ("" when missing or unreadable)."""
    try:
        return text_of_header(message.get(name) or "")
    except (*_HEADER_ERRORS, RecursionError):
        # A header the parser chokes on: its raw text is still better than nothing.
        for key, value in message.raw_items():
            if key.lower() == name.lower():
                return " ".join(text_of_header(value).split())
        return ""


def is_automatic(message: EmailMessage) -> bool:
    """Whether a program sent the mail, not a person: Auto-Submitted other than "no" (RFC
    3834: auto-replied, auto-generated, auto-notified), X-Autoreply / X-Autorespond, or
    Precedence auto_reply, bulk, junk or list."""
    submitted = header(message, "Auto-Submitted").strip().lower()
    if submitted and not submitted.startswith("no"):
        return True
    if header(message, "X-Autoreply").strip() or header(message, "X-Autorespond").strip():
        return True
    return header(message, "Precedence").strip().lower() in _AUTOMATIC_PRECEDENCE


def message_id(message: EmailMessage, raw: bytes) -> str:
    """The mail's Message-ID, or one made from a hash of its bytes when it has none."""
    found = _MESSAGE_IDS.search(header(message, "Message-ID"))
    if found:
        return found.group(0)
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@import.deskapp>"


def sender(message: EmailMessage) -> tuple[str, str]:
    """(display name, address) of From; DeskError when the mail has no sender address."""
    name = address = ""
    try:
        addresses = getattr(message["From"], "addresses", ())
        if addresses:
            name, address = addresses[0].display_name, addresses[0].addr_spec
    except (*_HEADER_ERRORS, RecursionError):
        pass
    if "@" not in address:
        name, address = email.utils.parseaddr(header(message, "From"))
    if "@" not in address:  # a display name the parser chokes on: take the <address> as written
        raw = next((str(v) for k, v in message.raw_items() if k.lower() == "from"), "")
        found = _ANGLE_ADDRESS.search(raw)
        if found:
            name, address = raw[: found.start()].strip().strip('"'), found.group(1)
    name, address = text_of_header(name), text_of_header(address).strip()
    if "@" not in address:
        raise MailRefused("The mail has no sender address (From); it cannot be filed.")
    if _CONTROL.search(address) or len(address) > 254:
        raise MailRefused(
            "The mail's sender address (From) holds a control character or is too long; "
            "it cannot be filed."
        )
    return " ".join(name.replace("\x00", "").split())[:200], address


def subject(message: EmailMessage) -> str:
    """The subject on one line, cut at SUBJECT_MAX; NO_SUBJECT when it has none."""
    text = " ".join(header(message, "Subject").replace("\x00", "").split())
    return text[:SUBJECT_MAX] or NO_SUBJECT


def referenced_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs the mail answers (In-Reply-To, then References), each once, at most 50."""
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        found.extend(_MESSAGE_IDS.findall(header(message, name)))
    return list(dict.fromkeys(found))[:50]


def recipients(message: EmailMessage) -> list[str]:
    """The addresses the mail was sent to, in lower case: To, Cc, Delivered-To, X-Original-To."""
    addresses: list[str] = []
    for name in ("To", "Cc", "Delivered-To", "X-Original-To"):
        try:
            values = message.get_all(name, failobj=[])
        except (ValueError, TypeError, LookupError):
            values = []
        addresses.extend(
            address.lower()
            for _, address in email.utils.getaddresses([text_of_header(v) for v in values])
        )
    return addresses


def parts(message: EmailMessage) -> list[EmailMessage]:
    """The mail's parts, depth first, at most MAX_PARTS."""
    found: list[EmailMessage] = []
    for part in message.walk():
        # The default policy makes every part an EmailMessage; walk() is typed for Message.
        found.append(cast(EmailMessage, part))
        if len(found) >= MAX_PARTS:
            break
    return found


def body(message: EmailMessage) -> str:
    """The mail's text: text/plain preferred, else HTML reduced to text; cut at BODY_MAX with
    CUT_NOTE; NO_TEXT when there is none."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError, ValueError):
        part = None
    text = ""
    if part is None and message.get_content_maintype() == "text":
        part = message
    if part is not None:
        text = _text_of(cast(EmailMessage, part))
        if part.get_content_subtype() == "html":
            # Only what can make BODY_MAX characters of text is converted.
            text = html_to_text(text[: BODY_MAX * HTML_PER_TEXT])
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd").strip("\n")
    if len(text) > BODY_MAX:
        text = text[: BODY_MAX - len(CUT_NOTE) - 2] + "\n\n" + CUT_NOTE
    return text if text.strip() else NO_TEXT


def _text_of(part: EmailMessage) -> str:
    encoded = part.get_payload()
    if isinstance(encoded, str) and len(encoded) > TEXT_ENCODED_MAX:
        # Only what can make BODY_MAX characters is decoded: cut at a line's end, so base64
        # and quoted-printable stay whole. (The part is this parse's own; files are read first.)
        end = encoded.rfind("\n", 0, TEXT_ENCODED_MAX)
        part.set_payload(encoded[: end + 1 if end > 0 else TEXT_ENCODED_MAX])
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    if isinstance(content, bytes):
        return content.decode("utf-8", "replace")
    return str(content)


def files(
    message: EmailMessage, max_bytes: int | None = None
) -> tuple[list[MailFile], list[tuple[str, int]]]:
    """Every part that is a file: an attachment, or an inline part with a file name (a pasted
    picture), in the mail's order; and (name, size) of those larger than `max_bytes`, which are
    not decoded at all (their size is reckoned from the encoded text: decoding 25 MB of
    base64 costs several times that in memory). How many are kept is the caller's rule."""
    found: list[MailFile] = []
    too_big: list[tuple[str, int]] = []
    for part in parts(message):
        if part.is_multipart():
            continue
        try:
            filename = part.get_filename()
        except (ValueError, TypeError, LookupError):
            filename = None
        disposition = part.get_content_disposition()
        if disposition != "attachment" and not filename:
            continue
        content_type = text_of_header(part.get_content_type()).replace("\x00", "")[:100]
        name = _file_name(filename, content_type, len(found) + len(too_big) + 1)
        size = _decoded_size(part)
        if max_bytes is not None and size > max_bytes:
            too_big.append((name, size))
            continue
        content = part.get_payload(decode=True)
        if isinstance(content, bytes):
            found.append(MailFile(name, content_type, content))
    return found, too_big


def _decoded_size(part: EmailMessage) -> int:
    """About how many bytes the part holds once decoded (exact enough to refuse by)."""
    encoded = part.get_payload()
    if not isinstance(encoded, str):
        return 0
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        breaks = encoded.count("\n") + encoded.count("\r") + encoded.count(" ")
        return (len(encoded) - breaks) * 3 // 4
    return len(encoded)


def _file_name(filename: str | None, content_type: str, number: int) -> str:
    name = " ".join(text_of_header(filename or "").replace("\x00", "\ufffd").split())[:255]
    if name:
        return name
    subtype = content_type.partition("/")[2] or "bin"
    return f"attachment-{number}.{re.sub(r'[^a-z0-9]+', '', subtype.lower())[:10] or 'bin'}"
