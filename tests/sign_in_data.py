"""What the sign-in and staff screens' tests share: a password, and a shared desk's session as
`deskapp` opens it (nobody signed in yet)."""

from __future__ import annotations

from collections import Counter

from deskapp.models import AuditEntry
from deskapp.services.session import DeskSession, open_desk

PASSWORD = "correct horse battery"
"""Every test person's password (long enough for the rules)."""


def shared_session(url: str, *, staff: str | None = None) -> DeskSession:
    """The PostgreSQL desk at `url` as `deskapp --db URL [--staff NAME]` opens it."""
    session = open_desk(url, staff=staff)
    assert session.needs_sign_in
    return session


def sign_in_audit() -> Counter[str]:
    """How many sign-in audit entries of each action the desk holds."""
    rows = AuditEntry.select(AuditEntry.action).where(AuditEntry.entity == "sign-in")
    return Counter(row.action for row in rows)


def audit_text() -> str:
    """Every audit entry's words, to look for what must never be there (a password)."""
    rows = AuditEntry.select()
    return "\n".join(f"{r.action} {r.summary} {r.before} {r.after}" for r in rows)
