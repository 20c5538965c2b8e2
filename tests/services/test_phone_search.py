"""Phone numbers are found whatever their spacing and form (issue 13): the database keeps the
digits of every client's and contact's phone (m0012), and the search finds them by any run of
six or more digits, through the trigram index on either backend."""

from __future__ import annotations

import pytest

from deskapp.db import db
from deskapp.models import Client, Staff
from deskapp.services import client_search_index
from deskapp.services.actors import Actor, actor_from
from deskapp.services.client_search import MATCH_PHONE, phone_digits, search_clients
from deskapp.services.clients import ClientForm, create_client, get_client, update_client
from deskapp.services.contacts import ContactForm, add_contact

SWEDISH = ("+4685550642", "08 555 06 42", "555 0642", "+46 8-555 06 42", "0046 8 555 0642")
"""One Stockholm number as people type it: international, national with the trunk 0, local."""


@pytest.fixture
def agent(desk: str) -> Actor:
    return actor_from(Staff.create(username="ana", name="Ana Agent", role="agent"))


def _numbers(query: str) -> list[int]:
    return [hit.number for hit in search_clients(query)]


def test_every_form_of_a_number_finds_the_client(agent: Actor) -> None:
    wanted = create_client(
        agent, ClientForm("Sven", "Ek", "sven@ek.example", phone="+46 8 555 06 42")
    )
    create_client(agent, ClientForm("Other", "Person", "o@p.example", phone="+46 8 555 07 99"))
    for query in SWEDISH:
        assert _numbers(query) == [wanted.number], query
    exact = search_clients("+46 (8) 555.06.42")[0]
    assert exact.number == wanted.number and exact.matched == MATCH_PHONE
    assert _numbers("555 0643") == []


def test_a_contact_phone_finds_its_client(agent: Actor) -> None:
    owner = create_client(agent, ClientForm("Lena", "Berg", "lena@berg.example"))
    add_contact(
        agent, owner.id, ContactForm("Per", "Berg", "per@berg.example", phone="08-555 06 42")
    )
    for query in SWEDISH[1:3]:
        assert _numbers(query) == [owner.number], query


def test_the_digits_follow_the_phone_in_the_same_write(agent: Actor) -> None:
    profile = create_client(
        agent, ClientForm("Ola", "Lund", "ola@lund.example", phone="020 7946 0958 ext 12")
    )
    stored = db.execute_sql(
        "SELECT phone_digits FROM client WHERE number = " + str(profile.number)
    ).fetchone()[0]
    assert stored == "02079460958"  # the extension is not part of the number
    assert _numbers("+44 20 7946 0958") == []  # national form stored: no country code known
    assert _numbers("7946 0958") == [profile.number]
    version = Client.get_by_id(profile.id).version
    update_client(agent, profile.id, version, {"phone": "+46 8 555 06 42"})
    assert get_client(profile.id).phone == "+46 8 555 06 42"
    assert _numbers("7946 0958") == []
    assert _numbers("08 555 06 42") == [profile.number]


def test_short_or_wordy_queries_are_not_phone_numbers() -> None:
    assert phone_digits("20101") == ""  # a ticket or client number, not a phone
    assert phone_digits("abc 555 0642") == ""
    assert phone_digits("08 555 06 42") == "0855506 42".replace(" ", "")


def test_every_plan_of_the_trigram_index_finds_the_number(
    agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large indexes take other plans (rare trigrams, LIKE on a part): the digits still match."""
    wanted = create_client(
        agent, ClientForm("Sven", "Ek", "sven@ek.example", phone="+46 8 555 06 42")
    )
    for i in range(5):
        create_client(
            agent, ClientForm("Filler", f"N{i}", f"f{i}@x.example", phone=f"+46 8 555 1{i} 00")
        )
    db.execute_sql("ANALYZE client_search")
    try:
        for settings in ({"SMALL_INDEX": 0}, {"SCAN_SHARE": 2.0}, {"CANDIDATE_LIMIT": 1}):
            for name, value in settings.items():
                monkeypatch.setattr(client_search_index, name, value)
            client_search_index.forget_samples()
            for query in SWEDISH:
                assert _numbers(query) == [wanted.number], (settings, query)
    finally:
        client_search_index.forget_samples()
