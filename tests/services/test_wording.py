"""Counts in words (deskapp.wording): one thing is singular, and big numbers get separators."""

from __future__ import annotations

import pytest

from deskapp.wording import counted, showing, singular_of


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 clients"), (1, "1 client"), (2, "2 clients"), (1234567, "1,234,567 clients")],
)
def test_counted_says_one_in_the_singular_and_separates_thousands(
    count: int, expected: str
) -> None:
    assert counted(count, "client") == expected


def test_counted_takes_an_irregular_plural() -> None:
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(12000, "entry", "entries") == "12,000 entries"


@pytest.mark.parametrize(
    ("shown", "complete", "expected"),
    [
        (0, True, "No clients"),
        (1, True, "Showing 1 client"),
        (2, True, "Showing all 2 clients"),
        (50, False, "Showing 50 clients"),
        (12345, True, "Showing all 12,345 clients"),
    ],
)
def test_showing_never_says_all_of_one(shown: int, complete: bool, expected: str) -> None:
    assert showing(shown, complete, "clients") == expected


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("clients", "client"),
        ("credit entries", "credit entry"),
        ("staff members", "staff member"),
        ("“Added” entries", "“Added” entry"),
        ("pending orders", "pending order"),
        ("mails", "mail"),
        ("addresses", "address"),
    ],
)
def test_singular_of_the_lists_nouns(plural: str, singular: str) -> None:
    assert singular_of(plural) == singular
    assert showing(1, True, plural) == f"Showing 1 {singular}"
