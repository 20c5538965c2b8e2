"""Mail in: a mail opens a ticket for the sender's client, or joins the ticket named in its
subject (or the desk mail it answers); the same Message-ID twice is one message; attachments
are kept with the ticket; unknown senders' mail waits for triage; HTML-only mail becomes text;
`deskapp ticket import -` reads stdin."""

from __future__ import annotations

import io
import os
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from mail_helpers import SmallDesk, queue_mail, small_desk

from deskapp.cli import main
from deskapp.errors import Conflict
from deskapp.mail import html_to_text
from deskapp.mail.parsing import NO_TEXT
from deskapp.models import (
    Attachment,
    Client,
    ClientStatus,
    Department,
    Message,
    Ticket,
)
from deskapp.services.attachments import MAX_ATTACHMENT_BYTES
from deskapp.services.contacts import get_contact, update_contact
from deskapp.services.incoming_mail import ImportResult, import_message


@pytest.fixture
def shop(desk: str) -> SmallDesk:
    return small_desk()


def a_mail(
    *,
    sender: str = "Ola Okafor <ola@okafor.example>",
    to: str = "Example Support <support@example.net>",
    subject: str = "Our VPN drops every hour",
    body: str | None = "Hello,\n\nthe VPN drops every hour since the update.\n\nOla\n",
    message_id: str | None = "<abc.1@mail.okafor.example>",
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message


def messages_of(ticket_id: object) -> list[Message]:
    return list(
        Message.select().where(Message.ticket == ticket_id).order_by(Message.created_at, Message.id)
    )


def ticket_by_label(label: str) -> Ticket:
    return Ticket.get(Ticket.number == int(label.removeprefix("T-")))


def test_a_new_mail_opens_a_ticket_for_the_senders_client(shop: SmallDesk) -> None:
    result = import_message(bytes(a_mail()))

    assert result.created and not result.duplicate
    assert result.client_label == f"C-{shop.client_number}"
    ticket = ticket_by_label(result.ticket_label)
    assert ticket.number == shop.ticket_number + 1
    assert (ticket.client_id, ticket.contact_id) == (shop.client_id, shop.contact_id)
    assert (ticket.subject, ticket.status, ticket.department_id) == (
        "Our VPN drops every hour",
        "Open",
        shop.support_id,
    )
    assert ticket.waiting_since is not None
    [first] = messages_of(ticket.id)
    assert (first.kind, first.author_name, first.message_id) == (
        "client",
        "Ola Okafor",
        "<abc.1@mail.okafor.example>",
    )
    assert first.body == "Hello,\n\nthe VPN drops every hour since the update.\n\nOla"


def test_the_department_is_the_one_whose_address_the_mail_went_to(shop: SmallDesk) -> None:
    to_billing = a_mail(to="someone@example.org", headers={"Cc": "Billing <BILLING@example.net>"})
    elsewhere = a_mail(to="info@example.net", message_id="<abc.2@mail.okafor.example>")

    billing = ticket_by_label(import_message(bytes(to_billing)).ticket_label)
    support = ticket_by_label(import_message(bytes(elsewhere)).ticket_label)

    assert billing.department_id == shop.billing_id  # its required field is not asked of mail
    assert support.department_id == shop.support_id


def test_the_ticket_number_in_the_subject_adds_to_that_ticket(shop: SmallDesk) -> None:
    Ticket.update(status="Completed", waiting_since=None).where(
        Ticket.id == shop.ticket_id
    ).execute()
    reply = a_mail(
        sender="mina@EXAMPLE.net",
        subject=f"RE: [T-{shop.ticket_number}] Mail bounces since Monday",
        body="Still bouncing, see below.\n> quoted\n",
        message_id="<reply.1@mail.example.net>",
    )

    result = import_message(bytes(reply))

    assert result == ImportResult(
        f"T-{shop.ticket_number}",
        created=False,
        duplicate=False,
        client_label=f"C-{shop.client_number}",
    )
    ticket = Ticket.get_by_id(shop.ticket_id)
    assert ticket.status == "Customer-Reply"  # a Completed ticket reopens
    assert ticket.waiting_since is not None
    [message] = messages_of(shop.ticket_id)
    assert (message.kind, message.contact_id, message.body) == (
        "client",
        None,
        "Still bouncing, see below.\n> quoted",
    )
    assert message.author_name == "Mina Okafor"
    assert Ticket.select().count() == 1


@pytest.mark.parametrize(
    "header",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated; owner-email=it@okafor.example"},
        {"X-Autoreply": "yes"},
        {"Precedence": "auto_reply"},
        {"Precedence": "bulk"},
    ],
    ids=["auto-replied", "auto-generated", "x-autoreply", "precedence-auto-reply", "bulk"],
)
def test_an_out_of_office_reply_is_filed_without_reopening(
    shop: SmallDesk, header: dict[str, str]
) -> None:
    Ticket.update(status="Completed", waiting_since=None).where(
        Ticket.id == shop.ticket_id
    ).execute()
    before = Ticket.get_by_id(shop.ticket_id)
    away = a_mail(
        sender="mina@example.net",
        subject=f"Out of office: RE: [T-{shop.ticket_number}] Mail bounces since Monday",
        body="I am away until Monday.\n",
        message_id="<away.1@mail.example.net>",
        headers=header,
    )

    result = import_message(bytes(away))

    assert result.automatic and result.ticket_label == f"T-{shop.ticket_number}"
    ticket = Ticket.get_by_id(shop.ticket_id)
    assert (ticket.status, ticket.waiting_since) == ("Completed", None)  # not reopened
    assert ticket.last_activity_at == before.last_activity_at  # the queue's order stays
    [message] = messages_of(shop.ticket_id)
    assert message.author_name == "Mina Okafor (automatic reply)"
    assert message.body == "I am away until Monday."


def test_an_automatic_mail_that_answers_no_ticket_opens_none(shop: SmallDesk) -> None:
    newsletter = a_mail(sender="mina@example.net", headers={"Auto-Submitted": "auto-generated"})
    result = import_message(bytes(newsletter))
    assert result.automatic and result.ticket_label == "" and not result.created
    assert Ticket.select().count() == 1
    person = a_mail(sender="mina@example.net", headers={"Auto-Submitted": "no"})
    assert import_message(bytes(person)).created  # "no" means a person wrote it


def test_another_clients_ticket_number_is_not_followed(shop: SmallDesk) -> None:
    other = Client.create(number=9999, first_name="Eve", last_name="Other", email="eve@example.org")
    foreign = Ticket.create(
        number=30000, client=other.id, department=shop.support_id, subject="Eve's secret"
    )

    result = import_message(bytes(a_mail(subject="About T-30000 please")))

    assert result.created
    assert messages_of(foreign.id) == []
    assert ticket_by_label(result.ticket_label).client_id == shop.client_id


def test_an_answer_to_a_desk_mail_joins_its_ticket(shop: SmallDesk) -> None:
    sent = queue_mail(shop.contact_email, ticket_id=shop.ticket_id)
    answer = a_mail(
        subject="Re: your answer",
        message_id="<answer.1@mail.okafor.example>",
        headers={"In-Reply-To": sent.message_id, "References": f"<x@y> {sent.message_id}"},
    )

    result = import_message(bytes(answer))

    assert (result.ticket_label, result.created) == (f"T-{shop.ticket_number}", False)
    assert messages_of(shop.ticket_id)[0].contact_id == shop.contact_id


def test_the_same_message_id_twice_is_one_message(shop: SmallDesk) -> None:
    first = import_message(bytes(a_mail()))
    again = import_message(bytes(a_mail(subject=f"Re: {first.ticket_label}")))

    assert again == ImportResult(
        first.ticket_label, created=False, duplicate=True, client_label=first.client_label
    )
    assert Ticket.select().count() == 2
    assert len(messages_of(ticket_by_label(first.ticket_label).id)) == 1

    no_id = bytes(a_mail(message_id=None, subject=f"Re: [{first.ticket_label}]"))
    added = import_message(no_id)
    assert (added.created, added.duplicate) == (False, False)
    assert import_message(no_id).duplicate
    assert len(messages_of(ticket_by_label(first.ticket_label).id)) == 2


@pytest.mark.parametrize("message_id", ["<abc.1@mail.okafor.example>", None])
def test_a_mail_delivered_again_after_the_sender_changed_address_is_one_message(
    shop: SmallDesk, message_id: str | None
) -> None:
    raw = bytes(a_mail(message_id=message_id))
    first = import_message(raw)
    contact = get_contact(shop.contact_id)
    update_contact(shop.agent, shop.contact_id, contact.version, {"email": "ola@new.example"})
    # The mail server delivers the same mail again (a retry after a lost answer, say); with a
    # Message-ID it may carry one more Received header than the first time.
    again_raw = raw if message_id is None else b"Received: from mx2.example.net\r\n" + raw

    again = import_message(again_raw)

    assert again == ImportResult(
        first.ticket_label, created=False, duplicate=True, client_label=first.client_label
    )
    assert Ticket.select().count() == 2
    assert len(messages_of(ticket_by_label(first.ticket_label).id)) == 1
    # A new mail from the old address: nobody has it now, so it waits for triage.
    stranger = import_message(bytes(a_mail(message_id="<abc.9@mail.okafor.example>")))
    assert (stranger.ticket_label, stranger.waiting_for_triage) == ("", 1)


def test_attachments_are_kept_with_the_ticket_and_message(shop: SmallDesk) -> None:
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    mail = a_mail()
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="invoice 17.pdf")
    mail.add_attachment(png, maintype="image", subtype="png", filename="../../etc/[bold]shot.png")
    mail.add_attachment(b"plain log\n", maintype="text", subtype="plain", filename="vpn.log")

    result = import_message(bytes(mail))

    ticket = ticket_by_label(result.ticket_label)
    [message] = messages_of(ticket.id)
    files = {row.filename: row for row in Attachment.select().where(Attachment.ticket == ticket.id)}
    assert set(files) == {"invoice 17.pdf", "../../etc/[bold]shot.png", "vpn.log"}
    assert bytes(files["invoice 17.pdf"].content) == pdf
    assert files["invoice 17.pdf"].content_type == "application/pdf"
    assert bytes(files["../../etc/[bold]shot.png"].content) == png
    assert bytes(files["vpn.log"].content) == b"plain log\n"
    assert {row.message_id for row in files.values()} == {message.id}
    assert message.body.startswith("Hello,")

    reply = a_mail(subject=f"Re: [{result.ticket_label}]", message_id="<second@okafor>")
    reply.add_attachment(b"second", maintype="application", subtype="octet-stream", filename="b")
    import_message(bytes(reply))
    assert Attachment.select().where(Attachment.ticket == ticket.id).count() == 4


def test_a_file_too_big_is_named_in_the_message_instead(shop: SmallDesk) -> None:
    mail = a_mail()
    mail.add_attachment(
        b"x" * (MAX_ATTACHMENT_BYTES + 1),
        maintype="application",
        subtype="octet-stream",
        filename="disk.img",
    )

    ticket = ticket_by_label(import_message(bytes(mail)).ticket_label)

    assert Attachment.select().where(Attachment.ticket == ticket.id).count() == 0
    body = messages_of(ticket.id)[0].body
    assert "the attached file “disk.img” (10.0 MB) was not kept" in body
    assert "at most 10 MB" in body


def test_an_unknown_sender_waits_for_triage_instead_of_a_ticket(shop: SmallDesk) -> None:
    result = import_message(bytes(a_mail(sender="Stranger <stranger@example.org>")))

    assert (result.sender_address, result.waiting_for_triage) == ("stranger@example.org", 1)
    assert Ticket.select().count() == 1
    assert Message.select().count() == 0


def test_a_closed_client_cannot_open_a_ticket_by_mail(shop: SmallDesk) -> None:
    Client.update(status=ClientStatus.CLOSED).where(Client.id == shop.client_id).execute()

    with pytest.raises(Conflict, match="is Closed: no new tickets"):
        import_message(bytes(a_mail()))


def test_an_html_only_mail_becomes_text(shop: SmallDesk) -> None:
    html = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        "<p>Hello&nbsp;team,</p><p>the <b>VPN</b> &amp; the router are down.</p>"
        "<script>alert('x')</script><ul><li>since 9:00</li><li>both sites</li></ul>"
        "<div>[bold]Ola[/bold]<br>Okafor Hosting</div></body></html>"
    )
    result = import_message(bytes(a_mail(body=None, html=html)))

    body = messages_of(ticket_by_label(result.ticket_label).id)[0].body
    assert body == (
        "Hello\xa0team,\n\nthe VPN & the router are down.\n\n- since 9:00\n- both sites\n\n"
        "[bold]Ola[/bold]\nOkafor Hosting"
    )


def test_plain_text_is_preferred_over_html_and_an_empty_mail_still_opens(
    shop: SmallDesk,
) -> None:
    both = a_mail(body="The plain words\n", html="<p>The <i>html</i> words</p>")
    empty = a_mail(body="", message_id="<empty@okafor>", subject="")

    plain = import_message(bytes(both))
    nothing = import_message(bytes(empty))

    assert messages_of(ticket_by_label(plain.ticket_label).id)[0].body == "The plain words"
    opened = ticket_by_label(nothing.ticket_label)
    assert opened.subject == "(no subject)"
    assert messages_of(opened.id)[0].body == NO_TEXT


def test_html_to_text_keeps_preformatted_text() -> None:
    assert html_to_text("<pre>a  b\n  c</pre><p>x\n y</p>") == "a  b\n  c\n\nx y"


def test_hostile_headers_and_bodies_are_stored_as_written(shop: SmallDesk) -> None:
    body = "\x1b]52;c;ZXZpbA==\x07 [@click=app.quit]hi[/] \x00end\n"
    result = import_message(
        bytes(a_mail(sender="\x1b[31mOla <ola@okafor.example>", subject="[b]x\x1b[0m", body=body))
    )

    ticket = ticket_by_label(result.ticket_label)
    assert ticket.subject == "[b]x\x1b[0m"
    message = messages_of(ticket.id)[0]
    assert message.body == "\x1b]52;c;ZXZpbA==\x07 [@click=app.quit]hi[/] \ufffdend"


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def quiet_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path


def run_import(monkeypatch: pytest.MonkeyPatch, url: str, raw: bytes, *arguments: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    return main(["ticket", "import", *(arguments or ("-",)), "--db", url])


def test_ticket_import_command(
    shop: SmallDesk,
    desk: str,
    quiet_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = bytes(a_mail())
    assert run_import(monkeypatch, desk, raw) == 0
    opened = f"T-{shop.ticket_number + 1}"
    assert capsys.readouterr().out == f"Opened {opened} for C-{shop.client_number}\n"

    assert run_import(monkeypatch, desk, raw) == 0
    assert capsys.readouterr().out == f"Already imported: {opened}\n"

    file = quiet_environment / "reply.eml"
    file.write_bytes(bytes(a_mail(subject=f"Re: [{opened}] VPN", message_id="<r@okafor>")))
    assert run_import(monkeypatch, desk, b"", str(file)) == 0
    assert capsys.readouterr().out == f"Added to {opened}\n"

    away = a_mail(
        subject=f"Auto: [{opened}] VPN", message_id="<oof@okafor>", headers={"X-Autoreply": "1"}
    )
    assert run_import(monkeypatch, desk, bytes(away)) == 0
    assert (
        capsys.readouterr().out == f"Added to {opened} as an automatic reply (status unchanged)\n"
    )
    bulk = a_mail(
        subject="Our newsletter", message_id="<news@okafor>", headers={"Precedence": "bulk"}
    )
    assert run_import(monkeypatch, desk, bytes(bulk)) == 0
    assert capsys.readouterr().out == (
        f"Not filed: an automatic reply from C-{shop.client_number} that answers no ticket\n"
    )

    stranger = a_mail(sender="x@nowhere.example", message_id="<s@nowhere>")
    assert run_import(monkeypatch, desk, bytes(stranger)) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == (
        "Waiting for triage: nobody at the desk has the address x@nowhere.example; staff "
        "attach it to a client under Unassigned mail\n"
    )

    assert run_import(monkeypatch, desk, b"", str(quiet_environment / "missing.eml")) == 1
    assert capsys.readouterr().err.startswith("deskapp: There is no file ")
    assert run_import(monkeypatch, desk, b"  \n") == 65  # EX_DATAERR: the mail server bounces it
    assert capsys.readouterr().err == "deskapp: The mail is empty; there is nothing to import.\n"
    assert run_import(monkeypatch, desk, b"Subject: no sender\n\nhi\n") == 65
    assert "no sender address" in capsys.readouterr().err
    assert Department.select().count() == 3  # the two made here and Orders
