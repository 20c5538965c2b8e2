"""Field checks shared by every form: each returns the value to store or raises ValidationError
naming the field, with a sentence a support person understands.

Text is stored as typed, less surrounding whitespace. Markup, escape sequences and other odd
characters are kept (screens make them inert); only NUL is refused, as PostgreSQL text cannot
hold it and no person types one.
"""

from __future__ import annotations

import re

from deskapp.errors import ValidationError
from deskapp.text import has_surrogates, is_number

COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()
)
"""The 249 ISO 3166-1 alpha-2 country codes."""

EMAIL_MAX = 254
"""The longest address SMTP carries (RFC 5321)."""

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?$")
_TOP_LEVEL = re.compile(r"^(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})$", re.IGNORECASE)
_PHONE = re.compile(
    r"^\+?\(?[0-9][0-9 ().\-/]*[0-9)](?:\s*(?:x|ext\.?|extension)\s*[0-9]{1,6})?$", re.IGNORECASE
)
_PHONE_DIGITS = (5, 15)
"""A phone number has 5 (a short internal number) to 15 digits (the E.164 maximum)."""


def as_text(field: str, value: object, label: str) -> str:
    """The value as a string; None counts as empty, anything else that is not text is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, f"{label} must be text.")
    return value


def text(
    field: str,
    value: object,
    label: str,
    *,
    limit: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Free text, at most `limit` characters, present when `required`.

    Single-line fields are trimmed and refuse line breaks, which would split a mail header or a
    table row; multi-line text (notes, addresses) is kept exactly as typed.
    """
    cleaned = as_text(field, value, label)
    if not multiline:
        cleaned = cleaned.strip()
    if "\x00" in cleaned:
        raise ValidationError(field, f"{label} contains a NUL character; remove it.")
    if has_surrogates(cleaned):
        raise ValidationError(field, f"{label} contains a broken character; type it again.")
    if required and not cleaned.strip():
        raise ValidationError(field, f"{label} is required.")
    if len(cleaned) > limit:
        raise ValidationError(
            field, f"{label} is {len(cleaned):,} characters long; the most is {limit:,}."
        )
    if not multiline and ("\n" in cleaned or "\r" in cleaned):
        raise ValidationError(field, f"{label} must be on one line.")
    return cleaned


def email(field: str, value: object, label: str = "Email", *, required: bool = True) -> str:
    """An email address like name@example.com (the domain may be internationalized)."""
    address = text(field, value, label, limit=EMAIL_MAX, required=required)
    if not address:
        return ""
    local, at, domain = address.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or not _LOCAL_PART.match(local)
        or len(local) > 64
        or len(labels) < 2
        or not all(_DOMAIN_LABEL.match(part) for part in labels)
        or not _TOP_LEVEL.match(labels[-1])
    ):
        shown = address if len(address) <= 60 else address[:59] + "…"
        raise ValidationError(
            field, f"“{shown}” is not an email address; type it like name@example.com."
        )
    return address


def phone(field: str, value: object, label: str = "Phone") -> str:
    """An optional phone number: digits with spaces, dashes, dots, brackets, a leading + and an
    extension ("+44 20 7946 0958 ext 12")."""
    number = text(field, value, label, limit=40)
    if not number:
        return ""
    digits = sum(is_number(char) for char in number)
    shortest, longest = _PHONE_DIGITS
    if not number.isascii() or not _PHONE.match(number) or not shortest <= digits <= longest + 6:
        raise ValidationError(
            field, f"{label} must be digits with spaces or dashes, like +44 20 7946 0958."
        )
    return number


def country(field: str, value: object, label: str = "Country") -> str:
    """An optional ISO 3166 country code, returned upper-case ("gb" becomes "GB")."""
    code = text(field, value, label, limit=60).upper()
    if code and code not in COUNTRY_CODES:
        shown = code if len(code) <= 10 else code[:9] + "…"
        raise ValidationError(
            field, f"“{shown}” is not a country code; use two letters such as GB, DE or US."
        )
    return code


def flag(field: str, value: object, label: str) -> bool:
    """A checkbox: a real bool (a string like "no" is refused rather than read as true)."""
    if not isinstance(value, bool):
        raise ValidationError(field, f"{label} must be ticked or not.")
    return value


def choice(field: str, value: object, label: str, choices: tuple[str, ...]) -> str:
    """One of a fixed set of values."""
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(field, f"{label} must be one of {', '.join(choices)}.")
    return value


def unknown_fields(given: object, known: set[str]) -> None:
    """Refuse form keys that no field has (a typo would otherwise be dropped silently)."""
    extra = sorted(set(given) - known) if isinstance(given, dict) else []
    if extra:
        raise ValidationError(extra[0], f"There is no field called “{extra[0][:40]}” here.")
