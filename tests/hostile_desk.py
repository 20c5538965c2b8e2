"""The demo desk turned hostile, for the tests that show untrusted text must stay inert.

The demo (`deskapp demo`) shows believable customers only. Tests that need a desk full of
normal rows with a few hostile ones call `add_hostile_rows()` after `load_demo()`: it renames
three demo clients (their first contact, invoices and payments too, as if the customer had
typed the name) and rewrites the two router tickets and the log attached to one of them into
markup, terminal escapes and a right-to-left override, at the numbers the tests look for. The
rows change through the models, so the search documents follow them (the migrations' triggers).
"""

from __future__ import annotations

from hostile import CORPUS

from deskapp.demo.texts import ROUTER_SCENARIO
from deskapp.models import (
    Attachment,
    Client,
    Contact,
    Invoice,
    Message,
    PaymentTransaction,
    Ticket,
)


def corpus_text(what: str) -> str:
    """The corpus's text for the entry `what` (tests/data/hostile_text.json)."""
    return next(entry["text"] for entry in CORPUS if entry["what"] == what)


TITLE = corpus_text("OSC window title")
"""An escape that renames the terminal's window ("owned")."""

HOSTILE_CLIENTS: dict[int, dict[str, str]] = {
    1018: {"company": "[bold red]x[/]"},
    1059: {"first_name": "[@click=app.quit]Eve", "last_name": "Mallory"},
    1134: {"last_name": f"Fox{TITLE}", "company": "Fox [/b] Consulting"},
}
"""Client number -> the names that replace the demo's: markup, an action link, an escape."""

HOSTILE_SUBJECT = "[/b] Router [@click=app.quit]keeps[/] rebooting \x1b[31m"
"""The router tickets' subject: a stray closing tag, an action link and a colour escape."""

HOSTILE_OPENING = (
    f"Since the update the router reboots.{corpus_text('ANSI clear screen')} Log below:\n"
    f"\t[bold]ERR[/bold] 0x1f\n{corpus_text('OSC 52 clipboard write')} {TITLE} "
    f"{corpus_text('right-to-left override')}"
)
"""The client's first message: clear screen, markup, a clipboard write, a title, an RLO."""

HOSTILE_WORDS = {
    ROUTER_SCENARIO.follow_up: corpus_text("link markup"),
    ROUTER_SCENARIO.note: "Client pasted terminal junk; shown as-is.",
}
"""The router tickets' other messages (demo body -> hostile body)."""

HOSTILE_TAGS = "router,[red]"
"""Tags, one of them markup."""

HOSTILE_FILENAME = "invoice\x1b[31m\u202efdp.exe"
"""The attachment's name: a colour escape and an RLO that shows "invoice…exe.pdf"."""


def add_hostile_rows() -> None:
    """Make the demo desk (loaded, open) hostile: C-1018, C-1059 and C-1134 renamed with their
    first contacts, invoices and payments; the two router tickets (C-1059's and C-1134's)
    rewritten, and the log attached to the first renamed "invoice<ESC>[31m<RLO>fdp.exe"."""
    for number, names in HOSTILE_CLIENTS.items():
        client = Client.get(Client.number == number)
        Client.update(**names).where(Client.id == client.id).execute()
        _rename_money(client, Client.get_by_id(client.id))
        person = {key: value for key, value in names.items() if key != "company"}
        if person:
            first = (
                Contact.select()
                .where(
                    (Contact.client == client.id)
                    & (Contact.first_name == client.first_name)
                    & (Contact.last_name == client.last_name)
                )
                .order_by(Contact.id)
                .first()
            )
            Contact.update(**person).where(Contact.id == first.id).execute()
            named = Contact.get_by_id(first.id)
            Message.update(author_name=f"{named.first_name} {named.last_name}").where(
                Message.contact == first.id
            ).execute()
    router = [
        ticket.id for ticket in Ticket.select().where(Ticket.subject == ROUTER_SCENARIO.subject)
    ]
    assert len(router) == 2, "the demo has two router tickets"
    Ticket.update(subject=HOSTILE_SUBJECT, tags=HOSTILE_TAGS).where(Ticket.id.in_(router)).execute()
    words = {ROUTER_SCENARIO.opening.format(): HOSTILE_OPENING, **HOSTILE_WORDS}
    for demo, hostile in words.items():
        Message.update(body=hostile).where(
            Message.ticket.in_(router) & (Message.body == demo)
        ).execute()
    content = b"%PDF-1.4 not really\n"
    Attachment.update(filename=HOSTILE_FILENAME, content=content, size=len(content)).where(
        Attachment.ticket.in_(router) & (Attachment.filename == "router-log.txt")
    ).execute()


def _rename_money(before: Client, after: Client) -> None:
    """Invoices and payments billed to the client's old name take the new one, as the demo would
    have written them for a client of that name."""

    def billed(client: Client) -> str:
        return str(client.company or f"{client.first_name} {client.last_name}")

    old, new = billed(before), billed(after)
    Invoice.update(bill_to_name=new).where(
        (Invoice.client == before.id) & (Invoice.bill_to_name == old)
    ).execute()
    PaymentTransaction.update(client_name=new).where(
        (PaymentTransaction.client == before.id) & (PaymentTransaction.client_name == old)
    ).execute()
