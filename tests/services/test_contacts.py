"""Contacts: the form, one email per client, the billing contact, and who invoices go to."""

from __future__ import annotations

import pytest
from hostile import HOSTILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskapp.errors import Conflict, NotFound, ValidationError
from deskapp.models import AuditEntry, Contact, Department, Staff, Subscriber, Ticket
from deskapp.services.actors import Actor, actor_from
from deskapp.services.clients import ClientForm, ClientProfile, create_client
from deskapp.services.conflicts import ChangedMeanwhile
from deskapp.services.contacts import (
    ContactForm,
    add_contact,
    bill_to,
    delete_contact,
    get_contact,
    list_contacts,
    set_billing_contact,
    update_contact,
)


@pytest.fixture
def agent(desk: str) -> Actor:
    return actor_from(Staff.create(username="ana", name="Ana Agent", role="agent"))


@pytest.fixture
def okafor(agent: Actor) -> ClientProfile:
    return create_client(
        agent,
        ClientForm(
            "Mina",
            "Okafor",
            "mina@example.net",
            company="Okafor Hosting",
            address1="1 Quay St",
            city="Lagos",
            postcode="100001",
            country="NG",
        ),
    )


def test_add_list_edit_and_delete(agent: Actor, okafor: ClientProfile) -> None:
    ola = add_contact(
        agent,
        okafor.id,
        ContactForm(
            "Ola",
            "Okafor",
            "ola@okafor.example",
            phone="+234 1 234 5678",
            position="CTO",
            mail_domain=True,
        ),
    )
    ben = add_contact(
        agent,
        okafor.id,
        {"first_name": "Ben", "last_name": "Adeyemi", "email": "ben@okafor.example"},
    )

    assert [c.name for c in list_contacts(okafor.id)] == ["Ben Adeyemi", "Ola Okafor"]
    assert ola.categories == ("General", "Support", "Domain")
    assert ben.categories == ("General", "Support")

    edited = update_contact(agent, ola.id, ola.version, {"position": "CEO", "mail_support": False})
    assert (edited.position, edited.version, edited.categories) == ("CEO", 2, ("General", "Domain"))
    with pytest.raises(Conflict, match="Ana Agent changed Ola Okafor at .* UTC") as refused:
        update_contact(agent, ola.id, ola.version, {"position": "Stale"})
    assert isinstance(refused.value, ChangedMeanwhile)
    assert refused.value.theirs["position"] == "CEO"

    delete_contact(agent, ben.id)
    assert [c.id for c in list_contacts(okafor.id)] == [ola.id]
    assert AuditEntry.select().where(AuditEntry.action == "contact.delete").count() == 1
    with pytest.raises(NotFound):
        get_contact(ben.id)
    with pytest.raises(NotFound):
        add_contact(agent, ben.id, ContactForm("No", "Client", "no@client.example"))


def test_an_email_is_unique_within_a_client_whatever_its_case(
    agent: Actor, okafor: ClientProfile
) -> None:
    other = create_client(agent, ClientForm("Ola", "Ade", "ola@ade.ng"))
    ola = add_contact(agent, okafor.id, ContactForm("Ola", "Okafor", "ola@okafor.example"))
    ben = add_contact(agent, okafor.id, ContactForm("Ben", "Adeyemi", "ben@okafor.example"))

    with pytest.raises(ValidationError, match="already uses OLA@Okafor.example") as refused:
        add_contact(agent, okafor.id, ContactForm("Dup", "Licate", "OLA@Okafor.example"))
    assert refused.value.field == "email"
    with pytest.raises(ValidationError, match="already uses"):
        update_contact(agent, ben.id, ben.version, {"email": "Ola@okafor.EXAMPLE"})
    # Another client may know the same person; a contact may keep its own email in a new case.
    add_contact(agent, other.id, ContactForm("Ola", "Okafor", "ola@okafor.example"))
    assert update_contact(agent, ola.id, ola.version, {"email": "Ola@Okafor.example"}).email == (
        "Ola@Okafor.example"
    )


def test_one_billing_contact_who_cannot_be_deleted_until_replaced(
    agent: Actor, okafor: ClientProfile
) -> None:
    assert bill_to(okafor.id).email == "mina@example.net"
    assert bill_to(okafor.id).address == "Okafor Hosting\n1 Quay St\n100001 Lagos\nNG"
    ola = add_contact(
        agent, okafor.id, ContactForm("Ola", "Okafor", "ola@okafor.example", is_billing=True)
    )
    ben = add_contact(
        agent,
        okafor.id,
        ContactForm("Ben", "Adeyemi", "ben@okafor.example", address="2 Marina\nLagos"),
    )

    assert [c.name for c in list_contacts(okafor.id) if c.is_billing] == ["Ola Okafor"]
    assert bill_to(okafor.id).email == "ola@okafor.example"
    assert bill_to(okafor.id).name == "Ola Okafor"
    with pytest.raises(
        ValidationError,
        match="Ola Okafor is the billing contact; choose another billing contact first.",
    ):
        delete_contact(agent, ola.id)
    with pytest.raises(ValidationError, match="choose another billing contact first"):
        update_contact(agent, ola.id, ola.version, {"is_billing": False})

    set_billing_contact(agent, ben.id)

    assert [c.name for c in list_contacts(okafor.id) if c.is_billing] == ["Ben Adeyemi"]
    assert bill_to(okafor.id).contact_id == ben.id
    assert bill_to(okafor.id).address == "Okafor Hosting\n2 Marina\nLagos"
    delete_contact(agent, get_contact(ola.id).id)
    third = add_contact(agent, okafor.id, ContactForm("Cy", "Obi", "cy@okafor.example"))
    update_contact(agent, third.id, third.version, {"is_billing": True})
    assert [c.name for c in list_contacts(okafor.id) if c.is_billing] == ["Cy Obi"]


def test_deleting_a_contact_keeps_its_tickets(agent: Actor, okafor: ClientProfile) -> None:
    ola = add_contact(agent, okafor.id, ContactForm("Ola", "Okafor", "ola@okafor.example"))
    ticket = Ticket.create(
        number=20001,
        client=okafor.id,
        contact=ola.id,
        subject="Down",
        department=Department.create(name="Support"),
    )
    Subscriber.create(ticket=ticket, contact=ola.id)

    delete_contact(agent, ola.id)

    assert Ticket.get_by_id(ticket.id).contact_id is None
    assert Subscriber.select().count() == 0


BAD_CONTACT_FORMS = [
    ({"first_name": "", "last_name": "O", "email": "o@x.io"}, "first_name"),
    ({"first_name": "O", "last_name": "\t", "email": "o@x.io"}, "last_name"),
    ({"first_name": "O", "last_name": "O", "email": "o@"}, "email"),
    ({"first_name": "O", "last_name": "O", "email": "o@x.io", "phone": "+-"}, "phone"),
    (
        {"first_name": "O", "last_name": "O", "email": "o@x.io", "mail_invoice": "yes"},
        "mail_invoice",
    ),
    ({"first_name": "O", "last_name": "O", "email": "o@x.io", "position": "p" * 101}, "position"),
    ({"first_name": "O", "last_name": "O", "email": "o@x.io", "address": "\x00"}, "address"),
    ({"first_name": "O", "last_name": "O", "email": "o@x.io", "fax": "1"}, "fax"),
]
"""(form, the field at fault)."""


def test_bad_contact_input_names_the_field(agent: Actor, okafor: ClientProfile) -> None:
    for fields, field in BAD_CONTACT_FORMS:
        with pytest.raises(ValidationError) as refused:
            add_contact(agent, okafor.id, fields)
        assert refused.value.field == field and str(refused.value)
    assert Contact.select().count() == 0


any_text = st.one_of(
    st.text(max_size=300), st.sampled_from(HOSTILE), st.emails(), st.none(), st.integers()
)
any_flag = st.one_of(st.booleans(), st.booleans(), st.none(), st.text(max_size=3))
contact_forms = st.fixed_dictionaries(
    {"first_name": any_text, "last_name": any_text, "email": st.one_of(st.emails(), any_text)},
    optional={
        "phone": any_text,
        "position": any_text,
        "address": any_text,
        "mail_general": any_flag,
        "mail_invoice": any_flag,
        "mail_support": any_flag,
        "mail_product": any_flag,
        "mail_domain": any_flag,
        "is_billing": any_flag,
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(fields=contact_forms)
def test_any_contact_form_is_saved_or_refused_with_a_sentence(
    agent: Actor, okafor: ClientProfile, fields: dict
) -> None:
    try:
        added = add_contact(agent, okafor.id, fields)
    except ValidationError as refused:
        assert str(refused) and refused.field in fields
        return
    assert added.first_name == fields["first_name"].strip()
    if isinstance(fields.get("address"), str):
        assert added.address == fields["address"]
    edit = {"last_name": fields.get("phone"), "phone": fields.get("position")}
    try:
        update_contact(agent, added.id, added.version, edit)
    except ValidationError as refused:
        assert str(refused) and refused.field in edit
    assert len([c for c in list_contacts(okafor.id) if c.is_billing]) <= 1
