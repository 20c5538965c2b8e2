"""Open a ticket on a client's behalf: who, which contact, department (and its own questions),
priority, subject and the client's request.

The client is found as in the lookup (number, email or name, searched as you type: see
screens.widgets.client_lookup). Choosing a department shows exactly the extra fields it asks for,
required ones marked with *. The form sends what was typed to open_ticket, whose refusals appear
under the field at fault (see screens.widgets.form_dialog).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Select, Static, TextArea

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.services import clients
from deskapp.services.clients import ClientSummary
from deskapp.services.contacts import ContactDetails, list_contacts
from deskapp.services.ticket_open import DepartmentInfo, list_departments, open_ticket
from deskapp.services.tickets import TicketSummary
from screens.widgets.client_lookup import ClientLookup
from screens.widgets.form_dialog import FormDialog
from screens.widgets.inert_fields import InertInput, InertTextArea
from screens.widgets.untrusted import untrusted

__all__ = ["NewTicketScreen", "open_new_ticket_form"]

PRIORITIES = ("Low", "Medium", "High", "Urgent")
"""The priorities a ticket can have; Medium unless chosen."""
LOOKUP_LIMIT = 5
"""How many clients the lookup offers; a longer list means the query needs another word."""
FIELD_OF = {
    "client_id": "client",
    "contact_id": "contact",
    "department_id": "department",
    "extra": "department",
}
"""The form field a service field name belongs to, where the two differ."""


@dataclass(frozen=True)
class ChosenClient:
    """The client the ticket is for, as the lookup found it."""

    id: uuid.UUID
    """The client's key."""
    label: str
    """C-1042."""
    line: Text
    """C-1042 Mina Okafor, Northwind Hosting, as inert text."""


def _chosen(client: ClientSummary | Any) -> ChosenClient:
    who = client.name + (f", {client.company}" if client.company else "")
    status = "" if client.status == "Active" else f"  ({client.status})"
    line = Text.assemble((client.label, "bold"), " ", untrusted(who, limit=60), status)
    return ChosenClient(client.id, client.label, line)


def _match_line(client: ClientSummary) -> Text:
    """A client the lookup found: number, name and company, status unless Active, email."""
    return Text.assemble(_chosen(client).line, "  ", untrusted(client.email, limit=30))


def _contact_label(contact: ContactDetails) -> Text:
    """Name <email>, on one line (the Select shows it in a narrow box)."""
    label = Text.assemble(
        untrusted(contact.name, limit=30), " <", untrusted(contact.email, limit=36), ">"
    )
    label.no_wrap = True
    label.overflow = "ellipsis"
    return label


class NewTicketScreen(FormDialog[TicketSummary]):
    """The new-ticket form; dismisses the ticket opened (a TicketSummary), or None.

    | Key(s) | Description |
    | :- | :- |
    | enter | In the client lookup: pick the highlighted client; elsewhere: open the ticket. |
    | escape | Close without opening a ticket. |
    """

    SUBMIT = "Open ticket"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (PermissionDenied, Conflict, NotFound)

    class _Contacts(Message, bubble=False):
        def __init__(self, client_id: uuid.UUID, contacts: Sequence[ContactDetails]) -> None:
            super().__init__()
            self.client_id = client_id
            self.contacts = tuple(contacts)

    def __init__(self, client_id: uuid.UUID | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        """The client the form starts with (the client's own ticket list), or None."""
        self.client: ChosenClient | None = None
        """The client picked."""
        self.departments: tuple[DepartmentInfo, ...] = ()
        """The departments, in queue order, once loaded."""

    def heading(self) -> str:
        """What the form does."""
        return "Open a ticket for a client"

    def compose_fields(self) -> ComposeResult:
        """Client lookup, contact, department, priority, the department's fields, subject and
        the request."""
        yield self.label("Client (number, email or name)")
        yield ClientLookup(
            "client",
            describe=_match_line,
            limit=LOOKUP_LIMIT,
            placeholder="C-1042, an email or a name",
        )
        yield Static(Text("No client chosen yet.", style="dim"), id="client-chosen")
        yield self.field_error("client")
        with Horizontal(classes="form-row"):
            contact = Select[str]([], prompt="None: the client itself", id="contact", compact=True)
            yield self.field("Contact (optional)", contact, classes="field contact-field")
            department = Select[str]([], prompt="Choose…", id="department", compact=True)
            yield self.field("Department", department)
            priority = Select[str](
                [(Text(p), p) for p in PRIORITIES],
                allow_blank=False,
                value="Medium",
                id="priority",
                compact=True,
            )
            yield self.field("Priority", priority)
        yield Vertical(id="extras")
        yield self.field("Subject", InertInput(id="subject", compact=True, max_length=300))
        yield self.field(
            "Request (the client's words)",
            InertTextArea(id="body", soft_wrap=True, compact=True, tab_behavior="focus"),
        )

    # -- loading --------------------------------------------------------------------------

    def load(self) -> tuple[list[DepartmentInfo], Any, list[ContactDetails]]:
        """The departments, and the client the form starts with (with its contacts)."""
        departments = list_departments()
        if self.client_id is None:
            return departments, None, []
        return departments, clients.get_client(self.client_id), list_contacts(self.client_id)

    def loaded(self, data: tuple[list[DepartmentInfo], Any, list[ContactDetails]]) -> None:
        """Offer the departments (each with its own fields) and the client, if one."""
        departments, profile, contacts = data
        self.departments = tuple(departments)
        self.query_one("#extras", Vertical).mount_all(
            self._extras(index, department) for index, department in enumerate(departments)
        )
        select = self.query_one("#department", Select)
        select.set_options((untrusted(d.name, limit=30), d.id.hex) for d in departments)
        if departments:
            select.value = departments[0].id.hex
        if profile is not None:
            self._pick(_chosen(profile))
            self._show_contacts(contacts)
            self.query_one("#subject", Input).focus()
        else:
            self.query_one(ClientLookup).box.focus()

    def _extras(self, index: int, department: DepartmentInfo) -> Horizontal:
        """The department's own fields (shown while it is the one chosen)."""
        fields = [
            self.field(
                f"{extra.label} *" if extra.required else f"{extra.label} (optional)",
                InertInput(id=self.extra_id(index, extra.name), compact=True),
                classes="field extra-field",
            )
            for extra in department.extra_fields
        ]
        box = Horizontal(*fields, id=f"extras_{index}", classes="form-row department-extras")
        box.display = False
        return box

    @staticmethod
    def extra_id(index: int, name: str) -> str:
        """The widget id of department `index`'s extra field `name`."""
        return f"extra_{index}_{name}"

    @property
    def department_index(self) -> int | None:
        """The chosen department's position in `departments`, or None."""
        value = self.query_one("#department", Select).value
        for index, department in enumerate(self.departments):
            if department.id.hex == value:
                return index
        return None

    @on(Select.Changed, "#department")
    def _department_changed(self) -> None:
        chosen = self.department_index
        for index in range(len(self.departments)):
            for box in self.query(f"#extras_{index}"):
                box.display = index == chosen

    # -- the client ---------------------------------------------------------------------------

    @on(ClientLookup.Chosen)
    def _chosen_in_lookup(self, message: ClientLookup.Chosen) -> None:
        self._pick(_chosen(message.client))

    @on(ClientLookup.Dropped)
    def _dropped(self) -> None:
        self._unpick()

    def _pick(self, client: ChosenClient) -> None:
        self.client = client
        self.query_one(ClientLookup).show_chosen(client.label)
        self.query_one("#client-chosen", Static).update(Text.assemble("For ", client.line))
        self.query_one("#contact", Select).focus()
        self.run_worker(
            partial(self._read_contacts, client.id),
            thread=True,
            exit_on_error=False,
            group="ticket-contacts",
            exclusive=True,
            name="load contacts",
        )

    def _unpick(self) -> None:
        self.client = None
        self.query_one("#client-chosen", Static).update(Text("No client chosen yet.", "dim"))
        self._show_contacts(())

    def _read_contacts(self, client_id: uuid.UUID) -> None:
        self.post_message(self._Contacts(client_id, list_contacts(client_id)))

    @on(_Contacts)
    def _contacts_loaded(self, message: _Contacts) -> None:
        if self.client is not None and self.client.id == message.client_id:
            self._show_contacts(message.contacts)

    def _show_contacts(self, contacts: Sequence[ContactDetails]) -> None:
        select = self.query_one("#contact", Select)
        select.set_options((_contact_label(c), c.id.hex) for c in contacts)

    # -- sending --------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """What the form holds; no client picked or no department is refused here."""
        if self.client is None:
            raise ValidationError(
                "client", "Choose the client: type its number, email or name and press Enter."
            )
        index = self.department_index
        if index is None:
            raise ValidationError("department", "Choose the department the request is for.")
        department = self.departments[index]
        contact = self.query_one("#contact", Select).value
        return {
            "client_id": self.client.id,
            "contact_id": uuid.UUID(hex=contact) if isinstance(contact, str) else None,
            "department_id": department.id,
            "priority": str(self.query_one("#priority", Select).value),
            "subject": self.query_one("#subject", Input).value,
            "body": self.query_one("#body", TextArea).text,
            "extra": {
                extra.name: self.query_one(f"#{self.extra_id(index, extra.name)}", Input).value
                for extra in department.extra_fields
            },
        }

    def call_service(self, values: Mapping[str, Any]) -> TicketSummary:
        """open_ticket, as the signed-in staff member; a Closed client's refusal is shown at
        the client (the one Conflict a ticket opened by staff can meet)."""
        try:
            return open_ticket(
                self.actor,
                values["client_id"],
                values["department_id"],
                values["subject"],
                values["body"],
                contact_id=values["contact_id"],
                priority=values["priority"],
                extra=values["extra"],
            )
        except Conflict as error:
            raise ValidationError("client", str(error)) from error

    def show_error(self, field: str, sentence: str) -> None:
        """Show the sentence under the form's own field for the service's field name."""
        super().show_error(self.form_field(field), sentence)

    def form_field(self, field: str) -> str:
        """The widget id for a field name the service used (an extra field's name or label
        belongs to the chosen department's input)."""
        index = self.department_index
        if index is not None:
            for extra in self.departments[index].extra_fields:
                named = {extra.name, extra.label, f"extra.{extra.name}", f"extra_{extra.name}"}
                if field in named:
                    return self.extra_id(index, extra.name)
        return FIELD_OF.get(field, field)

    def done(self, result: TicketSummary) -> None:
        """Say which ticket was opened and close with it."""
        self.say(f"Opened {result.label}: {result.subject}")
        self.dismiss(result)


def open_new_ticket_form(app: App[Any], client_id: uuid.UUID | None = None) -> None:
    """Show the new-ticket form; the ticket opened is shown next (its conversation)."""

    def opened(ticket: TicketSummary | None) -> None:
        if ticket is not None:
            from screens.ticket_list import open_ticket_screen

            open_ticket_screen(app, ticket.id)

    app.push_screen(NewTicketScreen(client_id), opened)
