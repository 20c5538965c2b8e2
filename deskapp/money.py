"""Money as an integer count of minor units (cents); parsing and formatting at the edges only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from deskapp.errors import ValidationError

MAX_CENTS = 10**13
"""A hundred billion in major units: beyond this an amount is a typo, not a payment."""

_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<whole>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d*))?$")


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in the installation's currency."""

    cents: int
    """The amount in minor units; negative for money going out."""

    @classmethod
    def parse(cls, text: str, field: str = "amount") -> Money:
        """Read what a person typed ("12", "12.5", "1,200.00", "-3.10") or raise ValidationError."""
        cleaned = text.strip().replace(" ", "")
        match = _AMOUNT.match(cleaned)
        if not cleaned or not match or (match["whole"] is None and not match["frac"]):
            raise ValidationError(
                field, f"“{text.strip()[:40]}” is not an amount; type it like 12.50."
            )
        frac = match["frac"] or ""
        if len(frac) > 2:
            raise ValidationError(field, "An amount has at most two decimals (cents).")
        whole = int((match["whole"] or "0").replace(",", ""))
        cents = whole * 100 + int(frac.ljust(2, "0"))
        if cents >= MAX_CENTS:
            raise ValidationError(field, "That amount is too large to be real; check the digits.")
        return cls(-cents if match["sign"] else cents)

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        whole, frac = divmod(abs(self.cents), 100)
        return f"{sign}{whole:,}.{frac:02d}"

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)
