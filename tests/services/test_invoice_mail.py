"""Mail categories drive mail: an issued invoice is queued, as its text, to the contacts that
ticked Invoice, else the billing contact, else the client, in the invoice's own transaction;
an order approved goes to the Product contacts; `deskapp mail send` delivers an invoice to a
real aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from ledger_helpers import client, order, service, staff
from mail_helpers import SENDER, RecordingHandler, smtp_server
from order_rows import add_catalogue

from deskapp.cli import main
from deskapp.db import close_database, open_database
from deskapp.models import Client, Contact, Invoice, OutboxMail, PaymentMethod, Role
from deskapp.services import desk_settings, invoices, outbox
from deskapp.services.billing_run import run_billing
from deskapp.services.invoice_document import invoice_text, load_invoice_document
from deskapp.services.mail_routes import DEFAULT_MAIL_ROUTES, recipients, route
from deskapp.services.order_decide import approve_order
from deskapp.services.order_place import parse_cart_item, place_order

TODAY = dt.date(2026, 3, 14)


def contact(client_id: uuid.UUID, name: str, **flags: bool) -> str:
    email = f"{name.lower()}@client.example"
    Contact.create(
        client=client_id,
        first_name=name,
        last_name="Berg",
        email=email,
        mail_general=flags.get("general", False),
        mail_invoice=flags.get("invoice", False),
        mail_support=flags.get("support", False),
        mail_product=flags.get("product", False),
        is_billing=flags.get("billing", False),
    )
    return email


def mails() -> list[OutboxMail]:
    return list(OutboxMail.select().order_by(OutboxMail.created_at, OutboxMail.to_address))


def test_the_billing_run_mails_each_invoice_to_its_invoice_contact(desk: str) -> None:
    mina = client(company="Okafor AB")
    ada = contact(mina, "Ada", invoice=True)
    contact(mina, "Bo", billing=True, support=True)
    service(mina, TODAY + dt.timedelta(days=3), identifier="LS1-0042")
    other = client()
    service(other, TODAY, price_cents=9_900)
    contact(other, "Cy", invoice=True)
    contact(other, "Di", invoice=True, billing=True)

    result = run_billing(TODAY)

    assert (len(result.invoices), result.mails, result.unmailed) == (2, 3, ())
    by_client = {
        row.client_id: row.number for row in Invoice.select(Invoice.client, Invoice.number)
    }
    [to_mina] = [m for m in mails() if by_client[mina] in m.subject]
    doc = load_invoice_document(by_client[mina])
    assert to_mina.to_address == ada
    assert to_mina.subject == f"Invoice {doc.number} — amount due 45.00"
    assert to_mina.body == invoice_text(doc)
    assert to_mina.ticket_id is None and to_mina.status == "queued"
    # Two contacts ticked Invoice: each gets it once, the billing contact first.
    assert [m.to_address for m in mails() if by_client[other] in m.subject] == [
        "cy@client.example",
        "di@client.example",
    ]
    # The outbox shows them, newest first, with no ticket.
    listed = outbox.list_outbox()
    assert {row.subject for row in listed} >= {to_mina.subject}
    assert all(row.ticket_label == "" for row in listed)


def test_without_an_invoice_contact_the_billing_contact_then_the_client_is_mailed(
    desk: str,
) -> None:
    with_billing = client()
    billing = contact(with_billing, "Bo", billing=True, product=True)
    contact(with_billing, "Al", general=True)
    alone = client(email="owner@alone.example")
    silent = client(email="")
    for who in (with_billing, alone, silent):
        service(who, TODAY)

    result = run_billing(TODAY)

    issued = {row.client_id: row.number for row in Invoice.select()}
    assert len(issued) == 3  # the client without an address is invoiced all the same
    sent = {m.to_address: m.subject for m in mails()}
    assert sent == {
        billing: f"Invoice {issued[with_billing]} — amount due 45.00",
        "owner@alone.example": f"Invoice {issued[alone]} — amount due 45.00",
    }
    label = f"C-{Client.get_by_id(silent).number}"
    assert result.unmailed == (
        f"{issued[silent]} was issued but not mailed: {label} has no email address.",
    )


def test_the_billing_run_output_says_which_invoice_was_not_mailed(
    desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    service(client(email=""), TODAY)
    service(client(), TODAY)
    close_database()

    assert main(["billing", "run", "--db", desk]) == 0

    out = capsys.readouterr().out
    assert "2 invoices, 2 lines, 90.00 in all; 2 clients due; 1 mail queued.\n" in out
    assert out.endswith("INV-2026-00001 was issued but not mailed: C-1001 has no email address.\n")
    open_database(desk)


def test_an_order_invoice_is_mailed_with_what_is_left_to_pay(desk: str) -> None:
    kim = staff(Role.ADMIN, "kim")
    mina = client()
    ada = contact(mina, "Ada", invoice=True)
    from deskapp.services import credit

    credit.add_credit(kim, mina, "10.00", "Goodwill")

    made = invoices.issue_invoice_for_order(kim, order(mina, ("Router", 12_000, 1)))

    [mail] = mails()
    assert (mail.to_address, mail.subject) == (
        ada,
        f"Invoice {made.number} — amount due 110.00",
    )
    assert "Credit applied" in mail.body and mail.body.endswith("Issued     Kim\n")


def test_an_order_approved_mails_the_product_contacts(desk: str) -> None:
    add_catalogue()
    admin, agent = staff(Role.ADMIN, "ann"), staff(Role.AGENT, "sam")
    mina = client()
    product_person = contact(mina, "Pia", product=True)
    invoice_person = contact(mina, "Ivo", invoice=True, billing=True)
    placed = place_order(agent, mina, [parse_cart_item("FIBRE-1G")], PaymentMethod.REQUEST)
    before = {m.id for m in mails()}

    approve_order(admin, placed.id)

    new = [m for m in mails() if m.id not in before]
    approved = [m for m in new if m.ticket_id is not None]
    invoiced = [m for m in new if m.ticket_id is None]
    assert [m.to_address for m in approved] == [product_person]
    assert approved[0].body.startswith(f"Your order {placed.label} is approved:")
    assert [m.to_address for m in invoiced] == [invoice_person]
    assert invoiced[0].subject.startswith("Invoice INV-2026-00001 — amount due ")


def test_the_route_comes_from_the_desk_settings(desk: str) -> None:
    mina = client()
    contact(mina, "Ada", invoice=True)
    general = contact(mina, "Gus", general=True)
    assert route("invoice") == "Invoice" == DEFAULT_MAIL_ROUTES["invoice"]

    desk_settings.set_mail_route(staff(Role.ADMIN, "ann"), "invoice", "General")

    assert route("invoice") == "General" and route("order") == "Product"
    assert recipients(mina, "invoice") == [general]


def test_mail_send_delivers_the_text_invoice(
    desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in list(os.environ):
        if variable.startswith("DESKAPP_") and not variable.startswith("DESKAPP_TEST"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    mina = client(company="Okafor AB")
    ada = contact(mina, "Ada", invoice=True)
    service(mina, TODAY, identifier="LS1-0042")
    [number] = run_billing(TODAY).invoices
    text = invoice_text(load_invoice_document(number))
    close_database()
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        monkeypatch.setenv("DESKAPP_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("DESKAPP_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DESKAPP_SMTP_TLS", "none")
        monkeypatch.setenv("DESKAPP_SMTP_SENDER", SENDER)

        assert main(["mail", "send", "--db", desk]) == 0

    assert capsys.readouterr().out == "Sent 1, retrying 0, failed 0, uncertain 0\n"
    [received] = handler.received
    assert received.rcpt_tos == [ada]
    assert received.message["Subject"] == f"Invoice {number} — amount due 45.00"
    body = received.message.get_content()
    assert body.replace("\r\n", "\n") == text
    assert "LS1-0042" in body and "AMOUNT DUE" in body
    open_database(desk)
