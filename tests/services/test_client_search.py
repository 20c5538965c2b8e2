"""The search box: ranking, status filter, paging, and text that must never break a query."""

from __future__ import annotations

import pytest
from hostile import HOSTILE

from deskapp.db import db
from deskapp.errors import ValidationError
from deskapp.models import Client, ClientStatus, Product, Service, Staff
from deskapp.services import client_search_index
from deskapp.services.actors import Actor, actor_from
from deskapp.services.client_search import (
    MATCH_CONTACT_EMAIL,
    MATCH_EMAIL,
    MATCH_NUMBER,
    MATCH_PREFIX,
    MATCH_SERVICE,
    MATCH_TEXT,
    search_clients,
)
from deskapp.services.clients import ClientForm, create_client, get_client, list_clients
from deskapp.services.contacts import ContactForm, add_contact
from deskapp.text import one_line

MORE_HOSTILE = [
    '"',
    '""',
    "'",
    "\\",
    "\\\\",
    "%",
    "_",
    "%%__",
    "a%b_c\\",
    "*",
    "NEAR(a b)",
    "a OR b",
    "col:term",
    "^start",
    "(",
    ")",
    "!",
    "&",
    "|",
    ":*",
    "<->",
    "\x00",
    "\x00abc",
    "abc\x00",
    "x" * 10_000,
    "c-",
    "C-",
    "C-0",
    "C-99999999999999999999",
    "-1",
    " ",
    "\t",
    "\u00a0",
]


@pytest.fixture
def agent(desk: str) -> Actor:
    return actor_from(Staff.create(username="ana", name="Ana Agent", role="agent"))


def client(actor: Actor, first: str, last: str, email: str, **more: str) -> Client:
    profile = create_client(actor, ClientForm(first, last, email, **more))
    return Client.get_by_id(profile.id)


def numbers(hits: list) -> list[int]:
    return [hit.number for hit in hits]


def test_exact_number_comes_first_in_either_spelling(agent: Actor) -> None:
    first = client(agent, "Ivo", "Number", "ivo@example.com")  # C-1001
    second = client(agent, "Ada", "Other", "ada@example.com", phone="+1 555 1001 99")
    for query in ("C-1001", "c1001", "1001"):
        hits = search_clients(query)
        assert hits[0].number == first.number and hits[0].matched == MATCH_NUMBER
    # "1001" is also inside the second client's phone: found, but after the exact number.
    hits = search_clients("1001")
    assert numbers(hits) == [first.number, second.number]
    assert hits[1].matched == MATCH_TEXT


def test_exact_email_of_client_and_contact_rank_before_prefix_and_substring(agent: Actor) -> None:
    owner = client(agent, "Ola", "Owner", "ops@target.example")
    via_contact = client(agent, "Kim", "Contact", "kim@else.example")
    add_contact(agent, via_contact.id, ContactForm("Ops", "Desk", "OPS@Target.Example"))
    longer = client(agent, "Lee", "Longer", "ops@target.example.org")
    inside = client(agent, "Sam", "Inside", "sam@else.example", company="devops@target.example ltd")

    hits = search_clients("Ops@TARGET.example")

    assert numbers(hits) == [owner.number, via_contact.number, longer.number, inside.number]
    assert [hit.matched for hit in hits] == [
        MATCH_EMAIL,
        MATCH_CONTACT_EMAIL,
        MATCH_PREFIX,
        MATCH_TEXT,
    ]


def test_service_identifier_is_an_exact_match(agent: Actor) -> None:
    owner = client(agent, "Rui", "Lines", "rui@example.com")
    other = client(agent, "Eva", "Lines", "eva@example.com")
    product = Product.create(code="FIBRE-1G", name="Fibre 1G", type="Internet")
    Service.create(client=owner.id, product=product, identifier="FTTH-000777", cycle="Monthly")
    Service.create(client=other.id, product=product, identifier="FTTH-0007770", cycle="Monthly")

    hits = search_clients("ftth-000777")

    assert [(hit.number, hit.matched) for hit in hits] == [
        (owner.number, MATCH_SERVICE),
        (other.number, MATCH_TEXT),
    ]


def test_prefix_matches_come_before_substring_matches(agent: Actor) -> None:
    inside = client(agent, "Jo", "Goldsmith", "jo@example.com")
    smith = client(agent, "Al", "Smith", "al@example.com")
    smithers = client(agent, "Bo", "Smithers", "bo@example.com")
    company = client(agent, "Cy", "Brown", "cy@example.com", company="Smithy Works")

    hits = search_clients("smith")

    assert numbers(hits) == [smith.number, smithers.number, company.number, inside.number]
    assert [hit.matched for hit in hits] == [MATCH_PREFIX] * 3 + [MATCH_TEXT]


def test_full_name_prefix_and_short_queries(agent: Actor) -> None:
    mina = client(agent, "Mina", "Okafor", "mina@example.net")
    otto = client(agent, "Otto", "Brand", "otto@example.net")

    assert numbers(search_clients("mina ok")) == [mina.number]
    assert search_clients("mina ok")[0].matched == MATCH_PREFIX
    # One or two characters: prefix matches only (no trigram substring tier).
    assert numbers(search_clients("OK")) == [mina.number]
    assert numbers(search_clients("o")) == [mina.number, otto.number]  # "okafor" < "otto brand"
    assert search_clients("fo") == []  # "okafor" contains "fo", but short queries are prefixes


def test_status_filter(agent: Actor) -> None:
    active = client(agent, "Pat", "Filter", "pat@example.com")
    closed = client(agent, "Pam", "Filter", "pam@example.com")
    Client.update(status=ClientStatus.CLOSED).where(Client.id == closed.id).execute()

    assert numbers(search_clients("filter", status="Active")) == [active.number]
    assert numbers(search_clients("filter", status="Closed")) == [closed.number]
    assert search_clients("filter", status="Inactive") == []
    assert sorted(numbers(search_clients("filter", status="All"))) == [active.number, closed.number]
    assert numbers(search_clients("", status="Closed")) == [closed.number]
    with pytest.raises(ValidationError):
        search_clients("filter", status="Gone")


def test_paging_after_a_hit_gives_each_hit_once_in_rank_order(agent: Actor) -> None:
    made = [client(agent, f"N{i}", f"Pager{i:02d}", f"p{i}@example.com") for i in range(7)]
    made.append(client(agent, "Zed", "Zz", "zed@example.com", company="The Pager Group"))

    everything = search_clients("pager", limit=50)
    pages = [search_clients("pager", limit=3)]
    while pages[-1]:
        pages.append(search_clients("pager", limit=3, after=pages[-1][-1]))

    assert [len(page) for page in pages] == [3, 3, 2, 0]
    assert [hit.rank for hit in everything] == list(range(1, 9))
    assert search_clients("pager", limit=2, after=everything[4]) == everything[5:7]
    assert [hit.number for page in pages for hit in page] == numbers(everything)
    assert sorted(numbers(everything)) == sorted(row.number for row in made)
    assert everything[-1].number == made[-1].number  # the substring match comes last


def test_empty_query_lists_clients_in_number_order(agent: Actor) -> None:
    for i in range(5):
        client(agent, f"L{i}", "Lister", f"l{i}@example.com")

    first = search_clients("  ", limit=2)
    after = search_clients("", limit=10, after=first[-1])

    assert numbers(first) == [row.number for row in list_clients(limit=2)]
    assert numbers(first + after) == [row.number for row in list_clients(limit=10)]
    assert {hit.matched for hit in first + after} == {""}


@pytest.mark.parametrize("status", [None, "Active"])
def test_hostile_queries_never_raise(agent: Actor, status: str | None) -> None:
    client(agent, "Robert", "Tables", "bobby@example.com", company='100%_off \\ "quoted"')
    for query in HOSTILE + MORE_HOSTILE:
        hits = search_clients(query, status=status)
        assert isinstance(hits, list)
    assert numbers(search_clients("100%_off")) == numbers(search_clients('"quoted"'))
    assert search_clients("%") == [] and search_clients("_") == []


def test_a_client_named_with_hostile_text_is_stored_exactly_and_found(agent: Actor) -> None:
    for text in HOSTILE:
        try:
            profile = create_client(
                agent, ClientForm("Hostile", "Company", "h@example.com", company=text)
            )
        except ValidationError as refused:
            # Only what a one-line field of 200 characters cannot hold is refused.
            assert "\x00" in text or "\n" in text or "\r" in text or len(text.strip()) > 200
            assert str(refused) and refused.field == "company"
            continue
        assert get_client(profile.id).company == text.strip()
        if text.strip():
            assert profile.number in numbers(search_clients(text.strip())), repr(text)


def test_markup_and_escapes_in_a_name_come_back_as_typed(agent: Actor) -> None:
    profile = create_client(agent, ClientForm("[bold red]x[/]", "Clear\x1b[2J", "m@example.com"))

    hit = search_clients("[bold red]x[/]")[0]

    assert hit.number == profile.number
    assert hit.name == "[bold red]x[/] Clear\x1b[2J"
    assert one_line(hit.name) == "[bold red]x[/] Clear\u241b[2J"
    assert numbers(search_clients("clear\x1b[2j")) == [profile.number]


def test_every_plan_of_the_contains_tier_finds_the_same_clients(
    agent: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large indexes choose a plan from a sample (rare trigrams, reading in order, LIKE on the
    query less its common ends); each must find what the plain index query finds."""
    for i, (first, last, company) in enumerate(
        [
            ("Jack", "Becker", "Becker Optics"),
            ("Jackie", "Beck", ""),
            ("Marco", "Weber", "Weber-Opt"),
            ("Ümit", "Müller", "MÜLLER & Söhne"),
            ("Ana", "Example", "Examples Ltd"),
            ("Zoë", "Quotes", 'The "Best" 100%_off'),
            ("Kay", "Vance", "Kirk & Vance"),
        ]
    ):
        client(agent, first, last, f"c{i}@{last[:3].lower()}.example", company=company)
    queries = [
        "becker",
        "ck.be",
        "r@becker.ex",
        "weber-op",
        "example",
        "üller & s",
        "müller",
        '"best"',
        "100%_",
        "zzzz",
        "jack",
        "ample.ex",
        "c-100",
        "bec.example",
        "k & v",
        "l &",
        "c1@bec.example",
        "ker opt",
    ]
    by_index = {query: numbers(search_clients(query)) for query in queries}
    assert by_index["becker"] and by_index["müller"] and by_index['"best"'] and by_index["k & v"]

    db.execute_sql("ANALYZE client_search")  # PostgreSQL's row estimate, for the sample
    plans = [
        {"SMALL_INDEX": 0},
        {"SCAN_SHARE": 2.0},  # never read in order
        {"GIN_SHARE": -1.0},  # PostgreSQL: never GIN on trigrams: LIKE on the query's middle
        {"CANDIDATE_LIMIT": 1},  # SQLite: too many candidates, the phrase decides
    ]
    try:
        for settings in plans:
            for name, value in settings.items():
                monkeypatch.setattr(client_search_index, name, value)
            client_search_index.forget_samples()
            found = {query: numbers(search_clients(query)) for query in queries}
            assert found == by_index, settings
    finally:
        client_search_index.forget_samples()
