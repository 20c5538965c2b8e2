"""Opening a desk as a named person in UI tests, on either backend.

A local desk opens as `--staff` names; a shared one asks for a sign-in, which these tests skip
the way the SSH entry does (`deskapp --signed-in-as USER`): the person is trusted as named.
"""

from __future__ import annotations

from deskapp.models import Role, Staff
from deskapp.services.session import DeskSession, open_desk


def open_as(url: str, staff: str | None = None) -> DeskSession:
    """The desk at `url` opened as `staff`; without one, as the local user "admin" (conftest pins
    it), or on a shared desk as its first admin (one called "admin" is added to a desk with none).
    """
    if not url.startswith("postgresql"):
        return open_desk(url, staff=staff)
    if staff is None:
        open_desk(url)
        admins = Staff.select().where((Staff.role == Role.ADMIN) & (Staff.active == True))  # noqa: E712
        first = admins.order_by(Staff.created_at).first()
        if first is None:
            first = Staff.create(username="admin", name="Desk admin", role=Role.ADMIN)
        staff = first.username
    return open_desk(url, signed_in_as=staff)
