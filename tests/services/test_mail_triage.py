"""Mail from an unknown address waits for triage (issue 13): attached to a client, or the client
created from it, it becomes a ticket with the original message; discarded, it is gone; the
same mail twice is one item; agents triage too. Both backends."""

from __future__ import annotations

import json
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from mail_helpers import SmallDesk, small_desk

from deskapp.errors import NotFound, ValidationError
from deskapp.models import (
    Attachment,
    AuditEntry,
    Client,
    Contact,
    Department,
    Message,
    Ticket,
)
from deskapp.models.triage import UnassignedFile, UnassignedMail
from deskapp.services.client_form import ClientForm
from deskapp.services.incoming_mail import import_message
from deskapp.services.mail_triage import (
    attach_unassigned_mail,
    count_unassigned_mail,
    create_client_from_mail,
    discard_unassigned_mail,
    get_unassigned_mail,
    list_unassigned_mail,
    split_name,
)

STRANGER = "Ada Lindqvist <Ada@Bluefjord.example>"


@pytest.fixture
def shop(desk: str) -> SmallDesk:
    return small_desk()


def stranger_mail(
    *,
    sender: str = STRANGER,
    subject: str = "Do you host mail for small offices?",
    message_id: str = "<q.1@bluefjord.example>",
    to: str = "Billing <billing@example.net>",
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content("Hello,\n\nwe are five people and need mail. [bold]Price?[/bold]\n\nAda\n")
    return message


def held_id() -> object:
    [row] = list_unassigned_mail()
    return row.id


def test_an_unknown_sender_waits_for_triage(shop: SmallDesk) -> None:
    mail = stranger_mail()
    mail.add_attachment(b"%PDF-1.4 plan", maintype="application", subtype="pdf", filename="a.pdf")

    result = import_message(bytes(mail))

    assert (result.ticket_label, result.duplicate, result.waiting_for_triage) == ("", False, 1)
    assert result.sender_address == "ada@bluefjord.example"
    assert Ticket.select().count() == 1 and Message.select().count() == 0
    [row] = list_unassigned_mail()
    assert (row.from_name, row.from_address, row.subject, row.files, row.unverified) == (
        "Ada Lindqvist",
        "ada@bluefjord.example",
        "Do you host mail for small offices?",
        1,
        False,
    )
    details = get_unassigned_mail(row.id)
    assert details.department == "Billing"  # the department whose address it was sent to
    assert "[bold]Price?[/bold]" in details.body
    assert (details.message_id, details.filenames) == ("<q.1@bluefjord.example>", ("a.pdf",))
    assert AuditEntry.get(AuditEntry.action == "mail.held").entity_id == str(row.id)


def test_the_same_mail_twice_is_one_item_and_a_second_mail_waits_beside_it(
    shop: SmallDesk,
) -> None:
    raw = bytes(stranger_mail())
    import_message(raw)

    again = import_message(b"Received: from mx2.example.net\r\n" + raw)
    other = import_message(bytes(stranger_mail(message_id="<q.2@bluefjord.example>")))

    assert again.duplicate and again.waiting_for_triage
    assert not other.duplicate and other.waiting_for_triage == 2
    assert count_unassigned_mail() == 2
    first, second = list_unassigned_mail()
    assert first.received_at <= second.received_at  # oldest first
    assert [row.id for row in list_unassigned_mail(after=first)] == [second.id]


def test_attaching_makes_a_ticket_with_the_original_message(shop: SmallDesk) -> None:
    mail = stranger_mail(sender="Ola Okafor <OLA@okafor.example.org>")
    mail.add_attachment(b"log line\n", maintype="text", subtype="plain", filename="vpn.log")
    import_message(bytes(mail))
    Contact.create(
        client=shop.client_id, first_name="Ola", last_name="O", email="ola@okafor.example.org"
    )  # added meanwhile: the ticket names this contact

    ticket = attach_unassigned_mail(shop.agent, held_id(), shop.client_id)

    row = Ticket.get(Ticket.id == ticket.id)
    assert (row.client_id, row.department_id, row.subject) == (
        shop.client_id,
        shop.billing_id,
        "Do you host mail for small offices?",
    )
    assert row.contact_id == Contact.get(Contact.email == "ola@okafor.example.org").id
    [message] = Message.select().where(Message.ticket == ticket.id)
    assert (message.kind, message.message_id, message.sender_address, message.author_name) == (
        "client",
        "<q.1@bluefjord.example>",
        "ola@okafor.example.org",
        "Ola Okafor",
    )
    assert "[bold]Price?[/bold]" in message.body
    [file] = Attachment.select().where(Attachment.ticket == ticket.id)
    assert (file.filename, bytes(file.content), file.message_id) == (
        "vpn.log",
        b"log line\n",
        message.id,
    )
    assert count_unassigned_mail() == 0 and UnassignedFile.select().count() == 0
    entry = AuditEntry.get(AuditEntry.action == "mail.attach")
    assert entry.staff_name == "Ana Agent"
    assert json.loads(entry.after)["ticket"] == ticket.label
    # The mail server delivering it again: the ticket has it (m0009's key), nothing waits.
    again = import_message(bytes(mail))
    assert (again.duplicate, again.ticket_label, again.waiting_for_triage) == (
        True,
        ticket.label,
        0,
    )
    assert count_unassigned_mail() == 0


def test_creating_the_client_from_the_mail_opens_its_ticket(shop: SmallDesk) -> None:
    import_message(bytes(stranger_mail(headers={"Cc": "x@elsewhere.example"}, to="a@b.example")))
    first, last = split_name("Ada Lindqvist", "ada@bluefjord.example")
    form = ClientForm(first, last, "ada@bluefjord.example", company="Bluefjord")

    client, ticket = create_client_from_mail(shop.agent, held_id(), form, queue_welcome=True)

    assert (client.first_name, client.last_name, client.email) == (
        "Ada",
        "Lindqvist",
        "ada@bluefjord.example",
    )
    row = Ticket.get(Ticket.id == ticket.id)
    assert (row.client_id, row.contact_id, row.department_id) == (client.id, None, shop.support_id)
    assert Message.get(Message.ticket == ticket.id).message_id == "<q.1@bluefjord.example>"
    assert count_unassigned_mail() == 0
    assert AuditEntry.select().where(AuditEntry.action == "mail.create_client").count() == 1
    # Next mail from Ada goes straight to a ticket.
    follow_up = import_message(bytes(stranger_mail(message_id="<q.3@bluefjord.example>")))
    assert follow_up.created and follow_up.client_label == client.label


def test_a_refused_client_form_keeps_the_mail_waiting(shop: SmallDesk) -> None:
    import_message(bytes(stranger_mail()))
    clients_before = Client.select().count()

    with pytest.raises(ValidationError) as refused:
        create_client_from_mail(shop.agent, held_id(), ClientForm("Ada", "", "ada@bluefjord"))

    assert refused.value.field in ("last_name", "email")
    assert count_unassigned_mail() == 1 and Client.select().count() == clients_before


def test_discarding_removes_it_for_good_and_is_audited(shop: SmallDesk) -> None:
    mail = stranger_mail(subject="Cheap pills")
    mail.add_attachment(b"x", maintype="application", subtype="octet-stream", filename="x.bin")
    import_message(bytes(mail))
    mail_id = held_id()

    discard_unassigned_mail(shop.agent, mail_id)

    assert UnassignedMail.select().count() == 0 and UnassignedFile.select().count() == 0
    assert Ticket.select().count() == 1 and Message.select().count() == 0
    entry = AuditEntry.get(AuditEntry.action == "mail.discard")
    assert (entry.staff_name, json.loads(entry.before)["subject"]) == ("Ana Agent", "Cheap pills")
    with pytest.raises(NotFound, match="no longer waiting"):
        discard_unassigned_mail(shop.agent, mail_id)
    with pytest.raises(NotFound, match="no longer waiting"):
        attach_unassigned_mail(shop.agent, mail_id, shop.client_id)


def test_an_unverified_sender_stays_marked_through_triage(shop: SmallDesk) -> None:
    headers = {"Authentication-Results": "mx.example.net; dmarc=fail header.from=bluefjord.example"}
    result = import_message(bytes(stranger_mail(headers=headers)), authserv_id="mx.example.net")

    assert result.unverified and result.waiting_for_triage == 1
    [row] = list_unassigned_mail()
    assert row.unverified
    ticket = attach_unassigned_mail(shop.agent, row.id, shop.client_id)
    assert Message.get(Message.ticket == ticket.id).sender_unverified


def test_an_unknown_sender_waits_even_on_a_desk_without_departments(desk: str) -> None:
    Department.delete().execute()  # m0006's Orders

    result = import_message(bytes(stranger_mail()))

    assert result.waiting_for_triage == 1
    assert get_unassigned_mail(held_id()).department == ""


@pytest.mark.parametrize(
    ("name", "address", "split"),
    [
        ("Ada Lindqvist", "a@x", ("Ada", "Lindqvist")),
        ("Lindqvist, Ada", "a@x", ("Ada", "Lindqvist")),
        ("Mary Ann van Dijk", "a@x", ("Mary", "Ann van Dijk")),
        ("", "ada.lindqvist@x", ("Ada", "Lindqvist")),
        ("Cher", "c@x", ("Cher", "")),
    ],
)
def test_the_from_name_splits_into_first_and_last(
    name: str, address: str, split: tuple[str, str]
) -> None:
    assert split_name(name, address) == split


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_ticket_import_of_an_unknown_sender_exits_0_through_the_real_command(
    shop: SmallDesk, desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("DESKAPP_DB", "DESKAPP_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    raw = bytes(stranger_mail(sender="Ada \x1b]0;owned\x07 <ada@bluefjord.example>"))

    def run() -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "deskapp", "ticket", "import", "-", "--db", desk],
            input=raw,
            capture_output=True,
            timeout=60,
        )

    first, second = run(), run()

    assert (first.returncode, first.stderr) == (0, b"")
    assert first.stdout == (
        b"Waiting for triage: nobody at the desk has the address ada@bluefjord.example; staff "
        b"attach it to a client under Unassigned mail\n"
    )
    assert (second.returncode, second.stdout) == (
        0,
        b"Already waiting for triage: the mail from ada@bluefjord.example\n",
    )
    assert count_unassigned_mail() == 1
