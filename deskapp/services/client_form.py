"""The add/edit client form's values and their checks (loaded when a client is added or
edited: the client list, the first screen, never needs them)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deskapp.services import validation

if TYPE_CHECKING:
    from deskapp.models import Client


@dataclass(frozen=True)
class ClientForm:
    """What the add/edit client form holds; every value is text as typed."""

    first_name: str
    """Required."""
    last_name: str
    """Required."""
    email: str
    """Required; the client's own address."""
    company: str = ""
    """Empty for a private person."""
    phone: str = ""
    """Optional; digits with spaces or dashes, a leading + and an extension allowed."""
    address1: str = ""
    """Street address."""
    address2: str = ""
    """Second address line."""
    city: str = ""
    """City."""
    region: str = ""
    """State, county or region."""
    postcode: str = ""
    """Postcode."""
    country: str = ""
    """ISO 3166 alpha-2 code (GB, DE, US); empty when unknown."""
    notes: str = ""
    """Staff notes, several lines allowed."""


FORM_FIELDS = {field.name for field in dataclasses.fields(ClientForm)}
_LINES = {
    "company": ("Company", 200),
    "address1": ("Address", 200),
    "address2": ("Address line 2", 200),
    "city": ("City", 100),
    "region": ("Region", 100),
    "postcode": ("Postcode", 20),
}
NOTES_LIMIT = 20_000
"""The longest staff note on a client."""


def validated(fields: ClientForm | Mapping[str, Any], current: Client | None) -> dict[str, Any]:
    """The form's values checked and ready to store; a mapping may leave out unchanged fields."""
    if isinstance(fields, ClientForm):
        given: dict[str, Any] = dataclasses.asdict(fields)
    elif isinstance(fields, Mapping):
        given = dict(fields)
        validation.unknown_fields(given, FORM_FIELDS)
        for name in FORM_FIELDS - given.keys():
            given[name] = getattr(current, name) if current is not None else ""
    else:
        raise TypeError("fields must be a ClientForm or a mapping of field names")
    values = {
        "first_name": validation.text(
            "first_name", given["first_name"], "First name", limit=100, required=True
        ),
        "last_name": validation.text(
            "last_name", given["last_name"], "Last name", limit=100, required=True
        ),
        "email": validation.email("email", given["email"]),
        "phone": validation.phone("phone", given["phone"]),
        "country": validation.country("country", given["country"]),
        "notes": validation.text(
            "notes", given["notes"], "Notes", limit=NOTES_LIMIT, multiline=True
        ),
    }
    for name, (label, limit) in _LINES.items():
        values[name] = validation.text(name, given[name], label, limit=limit)
    return values
