"""The client profile's support time: left (prepaid on the client), used (logged on its
tickets), bought (the two together)."""

from __future__ import annotations

from deskapp.models import Client, Department, Ticket, TimeEntry
from deskapp.services.client_profile import get_client


def client(number: int, support_minutes: int) -> Client:
    """A client with that much prepaid support left."""
    return Client.create(
        number=number,
        first_name="Ada",
        last_name=f"Client{number}",
        email=f"c{number}@example.net",
        support_minutes=support_minutes,
    )


def log(owner: Client, number: int, *minutes: int) -> None:
    """A ticket of `owner` with time entries of those minutes."""
    department = Department.get_or_create(name="Support")[0]
    ticket = Ticket.create(number=number, client=owner.id, department=department.id, subject="x")
    for spent in minutes:
        TimeEntry.create(ticket=ticket.id, minutes=spent)


def test_bought_is_what_is_left_plus_what_was_logged(desk: str) -> None:
    ada, other = client(1001, 210), client(1002, 0)
    log(ada, 20001, 30, 45)
    log(ada, 20002, 15)
    log(other, 20003, 600)
    profile = get_client(ada.id)
    assert (profile.support_minutes, profile.support_minutes_used) == (210, 90)
    assert profile.support_minutes_bought == 300


def test_a_client_without_time_logged_used_none(desk: str) -> None:
    profile = get_client(client(1001, 0).id)
    assert (profile.support_minutes_used, profile.support_minutes_bought) == (0, 0)
