"""The client screen: one place to understand a client, with keys into each of its areas.

Profile and status, credit and prepaid support (left, bought, used), contacts (the billing
contact marked, the five mail categories), services, recent invoices, open tickets and pending
orders, all loaded by one service call in a thread.

| Key(s) | Description |
| :- | :- |
| l | The client's credit ledger and invoices. |
| enter | On an invoice: open it. |
| t | The client's tickets. |
| o | The client's orders. |
| n | A new order for the client (the cart). |
| e | Edit the profile. |
| s | Change the status (Active, Inactive, Closed). |
| c | Add a contact (enter on a contact edits it). |
| x | Remove the highlighted contact. |
| M | Merge with another client (admins). |
| D | Delete the client (admins). |
| r | Load the client again. |
| tab | Move between the sections; j / k move in one. |
| escape | Back. |
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerCancelled, WorkerFailed, WorkerState

from deskapp.money import Money
from deskapp.services.changes import Entity
from deskapp.services.client_profile import ClientProfile, get_client
from deskapp.services.contacts import ContactDetails
from deskapp.services.rights import Right
from screens.admin_keys import ExplainsAdminKeys
from screens.client_sections import (
    CONTACT_COLUMNS,
    INVOICE_COLUMNS,
    ORDER_COLUMNS,
    SERVICE_COLUMNS,
    TICKET_COLUMNS,
    SectionColumn,
    SectionTable,
    address_line,
    count_phrase,
    support_time,
)
from screens.held_output import DrawnWhenReady
from screens.messages import FollowsChanges
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.untrusted import untrusted, untrusted_message

if TYPE_CHECKING:
    from deskapp.services.changes import Change
    from screens.app import DeskApp

SECTIONS: dict[str, tuple[str, Sequence[SectionColumn[Any]]]] = {
    "contacts": ("Contacts", CONTACT_COLUMNS),
    "services": ("Services", SERVICE_COLUMNS),
    "tickets": ("Open tickets", TICKET_COLUMNS),
    "invoices": ("Recent invoices", INVOICE_COLUMNS),
    "orders": ("Pending orders", ORDER_COLUMNS),
}
"""Each section's id, title and columns."""


ROOMY_WIDTH = 100
"""From this many columns the client screen's sections sit side by side at their full width."""


class ClientScreen(
    ExplainsAdminKeys, DrawnWhenReady, FollowsChanges, ReportsFailedWork, Screen[bool]
):
    """One client at a glance; dismisses True when something of it changed, for the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "l", "ledger", "Its ledger", tooltip="Open this client's credit ledger and invoices."
        ),
        Binding("t", "tickets", "Its tickets", tooltip="List this client's tickets."),
        Binding("o", "orders", "Its orders", tooltip="List this client's orders."),
        Binding(
            "n",
            "new_order",
            "New order for client…",
            show=False,
            tooltip="Open the cart: a new order for this client.",
        ),
        Binding("e", "edit", "Edit", tooltip="Edit the client's profile."),
        Binding(
            "s", "change_status", "Status", tooltip="Set the client Active, Inactive or Closed."
        ),
        Binding("c", "add_contact", "Add contact", tooltip="Add a contact to this client."),
        Binding(
            "x",
            "delete_contact",
            "Remove contact",
            show=False,
            tooltip="Remove the highlighted contact.",
        ),
        Binding("M", "merge", "Merge", tooltip="Merge this client with another one (admins)."),
        Binding(
            "D", "delete_client", "Delete", tooltip="Delete this client and all of it (admins)."
        ),
        Binding("r", "refresh", "Refresh", show=False, tooltip="Load the client again."),
        Binding("escape", "back", "Back", tooltip="Go back to where the client was opened."),
        *AREAS_NOT_IN_FOOTER,
    ]

    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {
        "merge": Right.MERGE_CLIENTS,
        "delete_client": Right.DELETE_CLIENT,
    }
    AUTO_FOCUS = "#contacts"
    AREA_TITLE = "Client"
    """The place's name in the header and the key list."""
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-narrow"),
        (ROOMY_WIDTH, "-roomy"),
    ]
    """Under 100 columns (80 over SSH) the left sections narrow, so the tickets' and orders'
    numbers, subjects and statuses keep their room (styles/client_detail.tcss)."""

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__()
        self.client_id = client_id
        """Which client."""
        self.profile: ClientProfile | None = None
        """What is shown, once loaded."""
        self.changed = False
        """Whether something of the client changed here (the list reloads when it did)."""

    def compose(self) -> ComposeResult:
        """Header, profile and money, the five sections, footer."""
        yield DeskHeader()
        with Horizontal(id="profile"):
            with Vertical(id="identity"):
                yield Static(Text("Loading…"), id="client-name")
                yield Static(id="client-reach")
                yield Static(id="client-address")
                yield Static(id="client-notes")
            with Vertical(id="standing"):
                yield Static(id="client-status")
                yield Static(id="credit")
                yield Static(id="support")
                yield Static(id="support-use")
                yield Static(id="since")
        with Vertical(id="sections"):
            yield from self._section("contacts")
            with Horizontal(classes="pair"):
                yield from self._section("services")
                yield from self._section("tickets")
            with Horizontal(classes="pair"):
                yield from self._section("invoices")
                yield from self._section("orders")
        yield DeskFooter()

    def _section(self, name: str) -> ComposeResult:
        title, columns = SECTIONS[name]
        with Vertical(id=f"{name}-section", classes="section"):
            yield Static(Text(title), id=f"{name}-title", classes="section-title")
            yield SectionTable(columns, id=name)

    @property
    def desk_app(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    def section(self, name: str) -> SectionTable[Any]:
        """One of the sections' tables: contacts, services, tickets, invoices, orders."""
        return self.query_one(f"#{name}", SectionTable)

    @property
    def highlighted_contact(self) -> ContactDetails | None:
        """The contact under the contacts' cursor, if any."""
        return cast("ContactDetails | None", self.section("contacts").highlighted_record)

    async def on_mount(self) -> None:
        """Fill the header and load the client; follow what others change of it.

        From 100 columns the client is loaded before the screen first shows, so that it is
        drawn once, whole (screens.held_output). Narrower, the sections fit their columns only
        once laid out, and a screen filled before it shows is laid out again for that: there
        the client arrives after the screen shows, fewer bytes (bench/README.md, wire).
        """
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.follow_changes()
        loading = self.reload()
        if self.app.size.width >= ROOMY_WIDTH:
            with suppress(WorkerFailed, WorkerCancelled):  # the app reports why; see below
                self._show_profile(await loading.wait())

    def shows_change(self, change: Change) -> bool:
        """The client itself (profile, status, credit) or one of its contacts."""
        if change.entity == Entity.CLIENT:
            return change.entity_id == str(self.client_id)
        if change.entity == Entity.CONTACT and self.profile is not None:
            return any(change.entity_id == str(c.id) for c in self.profile.contacts)
        return False

    @work(thread=True, exit_on_error=False, group="client-profile", name="load the client")
    def reload(self) -> ClientProfile:
        """Load the client again (in a thread); the screen shows it when it arrives."""
        return get_client(self.client_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Show the client as loaded; one that could not be loaded says so (the app's notice
        says why)."""
        if event.worker.group != "client-profile":
            return
        if event.state is WorkerState.SUCCESS and event.worker.result is not self.profile:
            self._show_profile(event.worker.result)
        elif event.state is WorkerState.ERROR and self.profile is None:
            self.query_one("#client-name", Static).update(
                Text("The client could not be loaded; press r to try again.")
            )

    def _show_profile(self, profile: ClientProfile) -> None:
        self.profile = profile
        self.query_one(DeskHeader).area = f"{self.AREA_TITLE} · {profile.label}"
        self._show_identity(profile)
        self._show_standing(profile)
        self._fill("contacts", profile.contacts, len(profile.contacts))
        self._fill("services", profile.services, profile.service_count)
        self._fill("tickets", profile.open_tickets, profile.open_ticket_count)
        self._fill("invoices", profile.recent_invoices, None)
        self._fill("orders", profile.pending_orders, profile.pending_order_count)
        self.refresh_bindings()

    def _show_identity(self, profile: ClientProfile) -> None:
        name = Text.assemble(
            (profile.label, "bold"), "  ", untrusted(profile.name, limit=50, style="bold")
        )
        if profile.company:
            name.append("  ·  ")
            name.append_text(untrusted(profile.company, limit=50))
        self.query_one("#client-name", Static).update(name)
        reach = untrusted(profile.email, limit=60)
        if profile.phone:
            reach.append_text(Text.assemble("  ·  ", untrusted(profile.phone, limit=30)))
        self.query_one("#client-reach", Static).update(reach)
        self.query_one("#client-address", Static).update(address_line(profile))
        notes = profile.notes.strip()
        self.query_one("#client-notes", Static).update(
            Text.assemble(("Notes  ", "dim"), untrusted(notes, limit=70)) if notes else Text("")
        )

    def _show_standing(self, profile: ClientProfile) -> None:
        status = self.query_one("#client-status", Static)
        status.update(Text(profile.status))
        for name in ("Active", "Inactive", "Closed"):
            status.set_class(profile.status == name, f"-{name.lower()}")
        self.query_one("#credit", Static).update(
            Text.assemble(("Credit balance   ", "dim"), (str(Money(profile.credit_cents)), "bold"))
        )
        self.query_one("#support", Static).update(
            Text.assemble(
                ("Prepaid support  ", "dim"),
                support_time(profile.support_minutes),
                (" left", "dim") if profile.support_minutes > 0 else "",
            )
        )
        self.query_one("#support-use", Static).update(
            Text.assemble(
                ("Support bought   ", "dim"),
                support_time(profile.support_minutes_bought),
                ("  used ", "dim"),
                support_time(profile.support_minutes_used),
            )
        )
        self.query_one("#since", Static).update(
            Text.assemble(("Client since     ", "dim"), f"{profile.created_at:%Y-%m-%d}")
        )

    def _fill(self, name: str, records: Sequence[Any], total: int | None) -> None:
        title, _ = SECTIONS[name]
        self.query_one(f"#{name}-title", Static).update(
            Text.assemble((title, "bold"), "  ", (count_phrase(len(records), total), "dim"))
        )
        self.section(name).show(records)

    @on(SectionTable.Highlighted, "#contacts")
    def _contact_highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Merge and delete are an admin's (dimmed for agents, who are told why when they press
        them); the rest wait for the client."""
        if self.refused_because(action):
            return None
        if action in ("back", "refresh"):
            return True
        if self.profile is None:
            return None
        if action == "delete_contact":
            return True if self.highlighted_contact is not None else None
        return True

    def _ask(
        self, dialog: Screen[Any], *, leave_on_success: bool = False, follow: bool = False
    ) -> None:
        """Push a form or dialog; a truthy answer means the client changed.

        `leave_on_success`: the client is gone (deleted), go back. `follow`: the answer is the
        id of the client to show from now on (the one a merge kept).
        """

        def done(result: object) -> None:
            if not result:
                return
            self.changed = True
            if leave_on_success:
                self.leave()
                return
            if follow and isinstance(result, uuid.UUID):
                self.client_id = result
            self.reload()

        self.app.push_screen(dialog, done)

    def _open(self, make: Callable[[], Screen[Any]]) -> None:
        if self.profile is not None:
            self.app.push_screen(make())

    def action_ledger(self) -> None:
        """The client's credit ledger and invoices."""
        from screens.client_ledger import ClientLedgerScreen

        self._open(lambda: ClientLedgerScreen(self.client_id))

    def action_tickets(self) -> None:
        """The client's tickets (open first; the filter shows the others)."""
        from screens.ticket_list import TicketListScreen

        label = self.profile.label if self.profile else ""
        self._open(lambda: TicketListScreen(self.client_id, label))

    def action_orders(self) -> None:
        """The client's orders."""
        from screens.order_list import OrderListScreen

        label = self.profile.label if self.profile else ""
        self._open(lambda: OrderListScreen(self.client_id, label))

    def action_new_order(self) -> None:
        """The cart for this client; the screen shows the pending order once it is placed."""
        from screens.order_cart import open_cart

        if self.profile is not None:
            open_cart(self.app, self.client_id, lambda _result: self._order_placed())

    def _order_placed(self) -> None:
        self.changed = True
        self.reload()

    def action_edit(self) -> None:
        """Edit the profile; the screen shows the saved profile afterwards."""
        from screens.client_form import ClientFormScreen

        self._ask(ClientFormScreen(self.client_id))

    def action_change_status(self) -> None:
        """Ask for the new status."""
        from screens.client_status import ChangeStatusDialog

        self._ask(ChangeStatusDialog(self.client_id))

    def action_add_contact(self) -> None:
        """Ask for a new contact's details."""
        from screens.contact_form import ContactFormDialog

        self._ask(ContactFormDialog(self.client_id))

    def _edit_contact(self, contact: ContactDetails) -> None:
        from screens.contact_form import ContactFormDialog

        self._ask(ContactFormDialog(self.client_id, contact_id=contact.id))

    def action_delete_contact(self) -> None:
        """Ask whether to remove the highlighted contact."""
        from screens.contact_form import DeleteContactDialog

        contact = self.highlighted_contact
        if contact is not None:
            label = untrusted_message(f"{contact.name} <{contact.email}>")
            self._ask(DeleteContactDialog(contact.id, label))

    def action_merge(self) -> None:
        """Merge this client with another (an admin's); shows the client that was kept."""
        from screens.client_merge import MergeClientsScreen

        self._ask(MergeClientsScreen(self.client_id), follow=True)

    def action_delete_client(self) -> None:
        """Delete the client after the admin types its number; back to the list when done."""
        from screens.client_delete import DeleteClientDialog

        self._ask(DeleteClientDialog(self.client_id), leave_on_success=True)

    @on(SectionTable.Selected, "#contacts")
    def _contact_chosen(self) -> None:
        contact = self.highlighted_contact
        if contact is not None:
            self._edit_contact(contact)

    @on(SectionTable.Selected, "#tickets")
    def _ticket_chosen(self) -> None:
        self.action_tickets()

    @on(SectionTable.Selected, "#orders")
    def _order_chosen(self) -> None:
        self.action_orders()

    @on(SectionTable.Selected, "#invoices")
    def _invoice_chosen(self) -> None:
        from screens.invoice_detail import InvoiceScreen

        invoice = self.section("invoices").highlighted_record
        if invoice is not None:
            self.app.push_screen(InvoiceScreen(invoice.id))

    def action_refresh(self) -> None:
        """Load the client again."""
        self.reload()

    def action_back(self) -> None:
        """Back to where the client was opened (saying whether it changed)."""
        self.leave()

    def leave(self) -> None:
        """Close the client screen, saying whether the client changed (escape, or an area key
        going to its list)."""
        # Leaving announces new keys (focus reset, suspend); DeskFooter would schedule a
        # rebuild that runs once it is detached and raise NoScreen. It has nothing to show.
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        # One frame for the list coming back, not two (the list resumed, then again once
        # this screen is removed): a whole screen less over SSH (bench/wire.py).
        self.app.delay_update(0.1)
        self.dismiss(self.changed)
