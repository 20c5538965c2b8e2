"""The ticket screen's head: who asked what (number, subject, client, contact, department, tags)
and where it stands (status, priority, assignee, waiting, prepaid time, estimates), as inert
text; and who a reply is mailed to."""

from __future__ import annotations

from rich.text import Text

from deskapp import clock
from deskapp.services.conversation import TicketDetail
from screens.client_sections import support_time
from screens.widgets.cells import duration_cell
from screens.widgets.untrusted import untrusted

__all__ = ["about_ticket", "reply_recipients_of", "ticket_state"]


def about_ticket(ticket: TicketDetail) -> Text:
    """Number and subject; client and contact; department and its fields; tags, followers."""
    text = Text.assemble((ticket.label, "bold"), "  ", untrusted(ticket.subject, style="bold"))
    text.append("\n")
    text.append_text(
        Text.assemble((ticket.client_label, "bold"), " ", untrusted(ticket.client_name, limit=50))
    )
    text.append("\nContact ", style="dim")
    if ticket.contact_name or ticket.contact_email:
        text.append_text(untrusted(f"{ticket.contact_name} <{ticket.contact_email}>", limit=70))
    else:
        text.append("the client itself")
    text.append("\n")
    text.append_text(untrusted(ticket.department, limit=30, style="bold"))
    if ticket.order_label:
        text.append(f"  ·  order {ticket.order_label} (o opens it)")
    for label, value in ticket.extra:
        text.append("  ·  ")
        text.append_text(untrusted(label, limit=30, style="dim"))
        text.append(" ")
        text.append_text(untrusted(value or "—", limit=50))
    text.append("\n")
    text.append("Tags ", style="dim")
    text.append_text(untrusted(ticket.tags or "none", limit=60))
    if ticket.subscribers:
        text.append("  ·  following ", style="dim")
        text.append_text(untrusted(", ".join(s.name for s in ticket.subscribers), limit=60))
    return text


def ticket_state(ticket: TicketDetail) -> Text:
    """Status, priority, assignee, waiting time, prepaid support, estimates and files."""
    waiting = (
        duration_cell(clock.now() - ticket.waiting_since).plain
        if ticket.waiting_since
        else "not waiting"
    )
    proposed = sum(1 for e in ticket.estimates if e.status == "Proposed")
    rows = [
        ("Status", Text(ticket.status, style="bold")),
        ("Priority", Text(ticket.priority)),
        ("Assignee", untrusted(ticket.assignee or "nobody", limit=24)),
        ("Waiting", Text(waiting)),
        (
            "Prepaid",
            Text.assemble(
                support_time(ticket.support_minutes_left),
                (" left", "dim"),
                (f" · {ticket.time_logged_minutes}m logged", "dim"),
            ),
        ),
        (
            "Estimates",
            Text(f"{len(ticket.estimates)} ({proposed} waiting) · {len(ticket.attachments)} files"),
        ),
    ]
    text = Text()
    for index, (label, value) in enumerate(rows):
        if index:
            text.append("\n")
        text.append(f"{label:<10}", style="dim")
        text.append_text(value)
    return text


def reply_recipients_of(ticket: TicketDetail) -> str:
    """Who a reply is mailed to: the contact (or the client) and subscribers with mail on."""
    who = [ticket.contact_email or "the client's own address"]
    who += [s.email for s in ticket.subscribers if s.mail_support]
    return ", ".join(address for address in who if address)
