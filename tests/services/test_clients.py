"""Adding and editing clients, their status, and the profile the client screen shows."""

from __future__ import annotations

import datetime as dt
import json
import string

import pytest
from hostile import HOSTILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import (
    AuditEntry,
    ChangeEvent,
    Client,
    Department,
    Invoice,
    Order,
    OutboxMail,
    Product,
    Service,
    Staff,
    Ticket,
)
from deskapp.services.actors import Actor, actor_from
from deskapp.services.clients import (
    ClientForm,
    ClientProfile,
    change_status,
    create_client,
    ensure_client_open,
    find_client_by_number,
    get_client,
    update_client,
)
from deskapp.services.conflicts import ChangedMeanwhile

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def agent(desk: str) -> Actor:
    return actor_from(Staff.create(username="ana", name="Ana Agent", role="agent"))


@pytest.fixture
def admin(desk: str) -> Actor:
    """Only an admin closes a client."""
    return actor_from(Staff.create(username="kim", name="Kim Admin", role="admin"))


def mina(agent: Actor, **more: str) -> ClientProfile:
    fields = {"first_name": "Mina", "last_name": "Okafor", "email": "mina@example.net", **more}
    return create_client(agent, ClientForm(**fields))


def test_create_gives_the_next_number_and_records_who_did_it(agent: Actor) -> None:
    first = mina(agent, country="gb", phone="+44 20 7946 0958 ext 12", notes="Line one\nline two")
    second = create_client(agent, {"first_name": "Ola", "last_name": "Ade", "email": "o@ade.ng"})

    assert (first.label, second.label) == ("C-1001", "C-1002")
    assert (first.status, first.version, first.country) == ("Active", 1, "GB")
    assert first.notes == "Line one\nline two"
    audit = AuditEntry.get(AuditEntry.entity_id == str(first.id))
    assert (audit.action, audit.staff_name) == ("client.create", "Ana Agent")
    assert ChangeEvent.select().where(ChangeEvent.entity_id == str(first.id)).count() == 1
    assert OutboxMail.select().count() == 0


def test_welcome_mail_is_queued_on_request(agent: Actor) -> None:
    profile = mina(agent, first_name="[b]Mina\x1b]0;x\x07")
    assert OutboxMail.select().count() == 0
    queued = create_client(agent, ClientForm("Ola", "Ade", "ola@ade.ng"), queue_welcome=True)

    mail = OutboxMail.get()
    assert (mail.to_address, mail.status) == ("ola@ade.ng", "queued")
    assert queued.label in mail.subject and queued.label in mail.body
    assert mail.message_id.startswith(f"<welcome-{queued.id.hex}-")
    assert profile.first_name == "[b]Mina\x1b]0;x\x07"


def test_a_subject_never_carries_control_characters(agent: Actor) -> None:
    create_client(agent, ClientForm("Evil\x1b]52;c;x\x07", "Ade", "e@ade.ng"), queue_welcome=True)
    subject = OutboxMail.get().subject
    assert not any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in subject)


BAD_CLIENT_FORMS = [
    ({"first_name": " ", "last_name": "A", "email": "a@b.co"}, "first_name", "required"),
    ({"first_name": "A", "last_name": "", "email": "a@b.co"}, "last_name", "required"),
    ({"first_name": "A", "last_name": "B", "email": ""}, "email", "required"),
    ({"first_name": "A", "last_name": "B", "email": "a@b"}, "email", "not an email"),
    ({"first_name": "A", "last_name": "B", "email": "a b@c.de"}, "email", "not an email"),
    (
        {"first_name": "A", "last_name": "B", "email": "x@y.com\r\nBcc: z@y.com"},
        "email",
        "one line",
    ),
    (
        {"first_name": "A", "last_name": "B", "email": "a@b.co", "phone": "call me"},
        "phone",
        "digits",
    ),
    (
        {"first_name": "A", "last_name": "B", "email": "a@b.co", "country": "UK"},
        "country",
        "country code",
    ),
    ({"first_name": "A" * 101, "last_name": "B", "email": "a@b.co"}, "first_name", "most"),
    ({"first_name": "A", "last_name": "B\x00", "email": "a@b.co"}, "last_name", "NUL"),
    ({"first_name": "A", "last_name": "B", "email": "a@b.co", "city": "x\ny"}, "city", "one line"),
    (
        {"first_name": "A", "last_name": "B", "email": "a@b.co", "colour": "red"},
        "colour",
        "no field",
    ),
    ({"first_name": 7, "last_name": "B", "email": "a@b.co"}, "first_name", "text"),
]
"""(form, the field at fault, words of the message)."""


def test_bad_input_names_the_field(agent: Actor) -> None:
    for fields, field, words in BAD_CLIENT_FORMS:
        with pytest.raises(ValidationError, match=words) as refused:
            create_client(agent, fields)
        assert refused.value.field == field
    assert Client.select().count() == 0


def test_update_needs_the_version_that_was_read(agent: Actor) -> None:
    profile = mina(agent)
    changed = update_client(agent, profile.id, profile.version, {"company": "Okafor Ltd"})
    assert (changed.company, changed.version, changed.first_name) == ("Okafor Ltd", 2, "Mina")

    with pytest.raises(ChangedMeanwhile, match="Ana Agent changed C-1001 at .* UTC") as refused:
        update_client(agent, profile.id, profile.version, {"company": "Stale"})
    assert refused.value.theirs["company"] == "Okafor Ltd"
    assert refused.value.version == 2
    assert get_client(profile.id).company == "Okafor Ltd"
    with pytest.raises(NotFound):
        update_client(agent, Staff.get().id, 1, {"company": "x"})
    audit = AuditEntry.get(AuditEntry.action == "client.update")
    assert json.loads(audit.before)["company"] == "" and json.loads(audit.after)["company"]


def product(name: str = "Fibre 100") -> Product:
    return Product.get_or_create(name=name, defaults={"type": "Internet"})[0]


def test_closing_asks_to_cancel_open_services_first(agent: Actor, admin: Actor) -> None:
    profile = mina(agent)
    live = Service.create(client=profile.id, product=product(), cycle="Monthly", status="Active")
    waiting = Service.create(client=profile.id, product=product(), cycle="Monthly")
    gone = Service.create(client=profile.id, product=product(), cycle="Monthly", status="Cancelled")

    with pytest.raises(Conflict, match="C-1001 has 2 services .* cancel them first"):
        change_status(admin, profile.id, profile.version, "Closed")
    assert get_client(profile.id).status == "Active"

    closed = change_status(admin, profile.id, profile.version, "Closed", cancel_services=True)

    assert closed.status == "Closed" and closed.version == profile.version + 1
    statuses = {row.id: row.status for row in Service.select()}
    assert statuses == {live.id: "Cancelled", waiting.id: "Cancelled", gone.id: "Cancelled"}
    assert Service.get_by_id(live.id).version == 2 and Service.get_by_id(gone.id).version == 1
    with pytest.raises(Conflict, match="C-1001 is Closed: no new tickets or orders"):
        ensure_client_open(profile.id)
    reopened = change_status(admin, profile.id, closed.version, "Active")
    ensure_client_open(profile.id)
    assert reopened.status == "Active"


def test_status_change_checks_value_and_version(agent: Actor, admin: Actor) -> None:
    profile = mina(agent)
    with pytest.raises(ValidationError, match="Status must be one of"):
        change_status(admin, profile.id, profile.version, "Deleted")
    assert change_status(admin, profile.id, profile.version, "Inactive").status == "Inactive"
    with pytest.raises(Conflict):
        change_status(admin, profile.id, profile.version, "Closed")
    with pytest.raises(NotFound):
        ensure_client_open(Staff.get().id)


def test_a_closed_client_gets_no_new_ticket_whoever_opens_it(agent: Actor, admin: Actor) -> None:
    """Ticket opening asks ensure_client_open, the one rule for Closed clients."""
    from deskapp.services.ticket_open import open_ticket

    profile = mina(agent)
    support = Department.create(name="Support")
    closed = change_status(admin, profile.id, profile.version, "Closed")
    refusal = (
        "C-1001 is Closed: no new tickets or orders. Set it to Active first if it should have one."
    )
    for actor in (agent, None):  # staff at the desk, or the client's own mail
        with pytest.raises(Conflict) as refused:
            open_ticket(actor, profile.id, support.id, "Help", "Please call me.")
        assert str(refused.value) == refusal
    assert Ticket.select().count() == 0
    change_status(admin, profile.id, closed.version, "Active")
    opened = open_ticket(agent, profile.id, support.id, "Help", "Please call me.")
    assert opened.client_id == profile.id and Ticket.select().count() == 1


def test_the_profile_brings_everything_bounded(agent: Actor, desk: str) -> None:
    profile = mina(agent)
    other = create_client(agent, ClientForm("Ola", "Ade", "o@ade.ng"))
    Service.create(
        client=profile.id, product=product(), cycle="Monthly", identifier="old", status="Cancelled"
    )
    Service.create(
        client=profile.id,
        product=product(),
        cycle="Monthly",
        identifier="line-1",
        status="Active",
        price_cents=2999,
    )
    for day in range(1, 13):
        Invoice.create(
            client=profile.id,
            number=f"INV-2026-{day:05d}",
            issued_on=dt.date(2026, 1, day),
            due_on=dt.date(2026, 2, day),
        )
    department = Department.create(name="Support")
    for number, status in ((20001, "Open"), (20002, "Completed"), (20003, "Customer-Reply")):
        Ticket.create(
            number=number,
            client=profile.id,
            department=department,
            subject=f"Ticket {number}",
            status=status,
        )
    Ticket.create(number=20004, client=other.id, department=department, subject="theirs")
    Order.create(number=5001, client=profile.id, total_cents=500)
    Order.create(number=5002, client=profile.id, status="Active")
    Client.update(credit_cents=1250, support_minutes=90).where(Client.id == profile.id).execute()

    seen = get_client(profile.id)

    assert (seen.credit_cents, seen.support_hours) == (1250, 1.5)
    assert [s.identifier for s in seen.services] == ["line-1", "old"]  # active first
    assert seen.services[0].product == "Fibre 100" and seen.service_count == 2
    assert [i.number for i in seen.recent_invoices] == [
        f"INV-2026-{day:05d}" for day in range(12, 2, -1)
    ]
    assert {t.label for t in seen.open_tickets} == {"T-20001", "T-20003"}
    assert seen.open_ticket_count == 2 and seen.open_tickets[0].department == "Support"
    assert [o.label for o in seen.pending_orders] == ["O-5001"]
    with pytest.raises(NotFound):
        get_client(department.id)


def test_find_by_number(agent: Actor) -> None:
    profile = mina(agent)
    assert find_client_by_number("C-1001").id == profile.id
    assert find_client_by_number(1001).id == profile.id
    assert find_client_by_number("c1001").id == profile.id
    assert find_client_by_number("1002") is None
    assert find_client_by_number("Mina") is None


any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=string.printable, max_size=30),
    st.sampled_from(HOSTILE),
    st.emails(),
    st.none(),
    st.integers(),
)
client_forms = st.fixed_dictionaries(
    {"first_name": any_text, "last_name": any_text, "email": st.one_of(st.emails(), any_text)},
    optional={
        name: any_text
        for name in (
            "company",
            "phone",
            "address1",
            "address2",
            "city",
            "region",
            "postcode",
            "country",
            "notes",
        )
    },
)


@FUZZ
@given(fields=client_forms, welcome=st.booleans())
def test_any_create_form_is_saved_or_refused_with_a_sentence(
    agent: Actor, fields: dict, welcome: bool
) -> None:
    try:
        profile = create_client(agent, fields, queue_welcome=welcome)
    except ValidationError as refused:
        assert str(refused) and refused.field in client_forms_fields()
        return
    stored = get_client(profile.id)
    assert stored.first_name == fields["first_name"].strip()
    assert stored.email == fields["email"].strip()


def client_forms_fields() -> set[str]:
    return {
        "first_name",
        "last_name",
        "email",
        "company",
        "phone",
        "address1",
        "address2",
        "city",
        "region",
        "postcode",
        "country",
        "notes",
    }


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(sorted(client_forms_fields())), any_text))
def test_any_edit_is_saved_or_refused_with_a_sentence(agent: Actor, fields: dict) -> None:
    row = Client.select().first()
    profile = get_client(row.id) if row else mina(agent)
    try:
        changed = update_client(agent, profile.id, profile.version, fields)
    except ValidationError as refused:
        assert str(refused) and refused.field in fields
        assert get_client(profile.id).version == profile.version
        return
    assert changed.version == profile.version + 1
    for name, value in fields.items():
        if name != "country" and isinstance(value, str):
            assert getattr(changed, name) == (value if name == "notes" else value.strip())


def test_open_service_statuses_are_service_statuses() -> None:
    """services.clients names them as strings, so the billing models load only when needed."""
    from deskapp.models import ServiceStatus
    from deskapp.services.clients import OPEN_SERVICE_STATUSES

    expected = {ServiceStatus.ACTIVE, ServiceStatus.PENDING, ServiceStatus.SUSPENDED}
    assert set(OPEN_SERVICE_STATUSES) == expected


@pytest.mark.parametrize(
    ("count", "wording"),
    [
        (
            1,
            "1 service that is active, pending or suspended; cancel it first, or close the "
            "client and cancel it together.",
        ),
        (
            2,
            "2 services that are active, pending or suspended; cancel them first, or close the "
            "client and cancel them together.",
        ),
    ],
    ids=["one", "several"],
)
def test_closing_refusal_counts_one_service_or_several(
    agent: Actor, admin: Actor, count: int, wording: str
) -> None:
    profile = mina(agent)
    for _ in range(count):
        Service.create(client=profile.id, product=product(), cycle="Monthly", status="Active")

    with pytest.raises(Conflict) as refused:
        change_status(admin, profile.id, profile.version, "Closed")
    assert str(refused.value) == f"C-1001 has {wording}"
