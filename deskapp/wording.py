"""Counts in words: "1 client", "2 clients", "1,204 credit entries", never "all 1 clients".

Every count line and sentence with a number of things goes through `counted` (or `showing` for
a list's count line), so the plural rules and the thousands separator live in one place; every
waiting time goes through `duration`.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["counted", "duration", "noun_for", "showing", "singular_of"]

_IRREGULAR = {"staff": "staff"}
"""Plural words whose singular is not made by the rules in `singular_of`."""


def singular_of(plural: str) -> str:
    """The singular of an English plural noun phrase, by its last word: "credit entries" ->
    "credit entry", "mails" -> "mail", "active clients" -> "active client". For the regular
    nouns the desk's lists use; an irregular one is given explicitly to `counted`."""
    head, _, last = plural.rpartition(" ")
    if last in _IRREGULAR:
        word = _IRREGULAR[last]
    elif last.endswith("ies") and len(last) > 3:
        word = last[:-3] + "y"
    elif last.endswith(("sses", "xes", "ches", "shes")):
        word = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        word = last[:-1]
    else:
        word = last
    return f"{head} {word}" if head else word


def noun_for(count: int, singular: str, plural: str | None = None) -> str:
    """The noun that goes with `count`: singular for exactly one, else the plural (given, or
    the singular with an s)."""
    if count == 1:
        return singular
    return plural if plural is not None else f"{singular}s"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """The count and its noun: "0 clients", "1 client", "12,345 clients"."""
    return f"{count:,} {noun_for(count, singular, plural)}"


def showing(shown: int, complete: bool, plural: str, singular: str | None = None) -> str:
    """A list's count line without its ending: "Showing 1 client", "Showing all 2 clients",
    "Showing 50 clients" (more to load). Nothing shown reads "No clients"."""
    one = singular if singular is not None else singular_of(plural)
    if shown == 0:
        return f"No {plural}"
    if complete and shown > 1:
        return f"Showing all {counted(shown, one, plural)}"
    return f"Showing {counted(shown, one, plural)}"


def duration(span: dt.timedelta) -> str:
    """A waiting time as <1m, 45m, 3h 12m or 2d 4h (minutes, hours, then days)."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return "<1m"
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h {minutes % 60:02d}m"
    return f"{minutes // (24 * 60)}d {minutes % (24 * 60) // 60}h"
