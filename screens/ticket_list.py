"""The ticket queue: open, completed or every ticket, narrowed and sorted the way a shift works.

| Key(s) | Description |
| :- | :- |
| left / right | (on the view choice) Open, Completed or All; each shows how many it holds. |
| m | Mine, unassigned or anyone's (cycles). |
| d | Pick a department (or every department). |
| p | Pick a priority (or any priority). |
| s | Sort by last activity, by age or by how long the client has waited (cycles). |
| / | Search: a ticket number (T-20311 or 20311) or words of the subject or client. |
| enter | Open the highlighted ticket's conversation. |
| n | Open a new ticket for a client. |
| o | The mail outbox. |
| u | Mail from unknown senders waiting for triage (the line under the list counts it). |
| r | Load the queue again. |
| escape | From the search back to the list; from the list back where you were. |

On a narrow terminal (80 columns over SSH) the columns give way in this order: tags,
department, assignee, client, priority, waiting; number, subject and status always stay.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from deskapp import clock
from deskapp.services.changes import Entity
from deskapp.services.mail_triage import count_unassigned_mail
from deskapp.services.ticket_open import DepartmentInfo, list_departments
from deskapp.services.tickets import QueueFilter, TicketSummary, count_queue
from deskapp.wording import showing
from screens.area import AreaScreen
from screens.queue_narrowing import ASSIGNEES, SORTS, QueuePages, narrowing_text
from screens.queue_picker import QueuePicker
from screens.widgets.cells import duration_cell, label_cell
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.record_table import RecordColumn, RecordTable
from screens.widgets.search_box import SearchBox
from screens.widgets.ticket_presence import presence_mark
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from screens.app import DeskApp

__all__ = [
    "TicketListScreen",
    "open_ticket_screen",
    "show_queue_narrowed",
    "show_queue_view",
]

VIEWS: tuple[tuple[str, str], ...] = (("Open", "open"), ("Completed", "completed"), ("All", "all"))
"""The queue's views as (label, QueueFilter.view)."""
PRIORITIES = ("Low", "Medium", "High", "Urgent")
"""The priorities the priority picker offers."""
WAIT_WARNING = dt.timedelta(hours=4)
"""A client waiting longer than this shows in the warning colour."""
WAIT_ERROR = dt.timedelta(hours=24)
"""A client waiting longer than this shows in the error colour."""
TRIAGE_COUNT = "unassigned"
"""The key of the count of mail waiting for triage, beside the views' counts."""
WIDE_ENOUGH_FOR_TAGS = 140
"""Terminal width from which the queue also shows each ticket's tags."""


class TicketListScreen(AreaScreen):
    """The queue (the tickets area), or one client's tickets.

    As the tickets area it shows every client's; pushed with a `client_id` (the client screen's
    `t`), only that client's, titled with its number, and escape goes back to the client.
    """

    AREA_TITLE = "Tickets"
    NOUN = "tickets"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = VIEWS
    FILTER_NOUNS: ClassVar[dict[str, str]] = {
        "open": "open tickets",
        "completed": "completed tickets",
    }
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.TICKET, Entity.UNASSIGNED_MAIL})
    COMPONENT_CLASSES: ClassVar[set[str]] = {"queue--waiting-long", "queue--waiting-too-long"}
    """How long waits look (warning and error colours, set in styles/ticket_list.tcss)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "cycle_assignee", "Whose", tooltip="Mine, unassigned or anyone's tickets."),
        Binding("d", "pick_department", "Dept", tooltip="Show one department's tickets."),
        Binding("p", "pick_priority", "Priority", tooltip="Show tickets of one priority."),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by last activity, by age or by waiting."),
        Binding("slash", "focus_filter", "Search", tooltip="Find a ticket by number or by words."),
        Binding("n", "new_ticket", "New", tooltip="Open a new ticket for a client."),
        Binding(
            "o",
            "outbox",
            "Outbox",
            show=False,
            tooltip="The mail outbox: what is sent, what waits, what failed.",
        ),
        Binding(
            "u",
            "unassigned_mail",
            "Unassigned mail",
            show=False,
            tooltip="Mail from unknown senders: attach it to a client, or discard it.",
        ),
        Binding("v", "cycle_view", "View", show=False, tooltip="Open, completed or all tickets."),
        Binding(
            "r", "refresh", "Refresh", show=False, tooltip="Load the queue again from the database."
        ),
    ]

    class _Counted(Message, bubble=False):
        def __init__(self, asked: QueueFilter, counts: dict[str, int]) -> None:
            super().__init__()
            self.asked = asked
            self.counts = counts

    class _Departments(Message, bubble=False):
        def __init__(self, departments: Sequence[DepartmentInfo], then_pick: bool) -> None:
            super().__init__()
            self.departments = tuple(departments)
            self.then_pick = then_pick

    def __init__(self, client_id: uuid.UUID | None = None, client_label: str = "") -> None:
        super().__init__(client_id, client_label)
        self.narrowing = QueueFilter(client_id=client_id)
        """Whose, department, priority, sort and search (the view is the choice bar's)."""
        self.departments: tuple[DepartmentInfo, ...] = ()
        """The departments, once loaded (for the picker and the narrowing line)."""
        self._reload_on_resume = False
        self._keep_cursor_on: uuid.UUID | None = None
        self._counted_for: QueueFilter | None = None
        self._counts: dict[str, int] = {}
        """How many tickets each view holds for `_counted_for` (empty until counted)."""
        self._loaded_page: tuple[int, bool] | None = None
        """The list's (rows shown, complete) once its first page is in; None while loading."""

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The area's layout, with the narrowing line just above the list."""
        for widget in super().compose():
            if isinstance(widget, RecordTable):
                yield Static(narrowing_text(self.narrowing, ""), id="narrowing")
            yield widget
            if isinstance(widget, Static) and widget.id == "count":
                yield Static(id="triage-waiting")

    def compose_filter_extras(self) -> ComposeResult:
        """The search box, after the view choice."""
        yield Label(Text("Search"), id="search-label")
        yield SearchBox("T-20311, or words of the subject or the client's name", id="search")

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, subject, client, department, status, priority, assignee, waiting (tags when
        the terminal is wide)."""
        columns: list[RecordColumn[TicketSummary]] = [
            RecordColumn("Number", lambda t: label_cell(t.label), 8),
            RecordColumn("Subject", subject_cell, 25),
            RecordColumn("Client", lambda t: untrusted(t.client_name, limit=16), 16, drop_rank=4),
            RecordColumn("Department", lambda t: untrusted(t.department, limit=10), 10, False, 2),
            RecordColumn("Status", lambda t: untrusted(t.status), 14),
            RecordColumn("Priority", lambda t: untrusted(t.priority), 8, drop_rank=5),
            RecordColumn("Assignee", lambda t: untrusted(t.assignee, limit=10), 10, False, 3),
            RecordColumn("Waiting", self.waiting_cell, 8, align_right=True, drop_rank=6),
        ]
        if self.app.size.width >= WIDE_ENOUGH_FOR_TAGS:
            tags = RecordColumn("Tags", lambda t: untrusted(t.tags, limit=20), 20, drop_rank=1)
            columns.append(tags)
        return columns

    def waiting_cell(self, ticket: TicketSummary) -> Text:
        """How long the client's last message has waited; long waits stand out."""
        waited = ticket.waiting(clock.now())
        cell = duration_cell(waited)
        if waited is not None and waited > WAIT_ERROR:
            cell.stylize(self.get_component_rich_style("queue--waiting-too-long", partial=True))
        elif waited is not None and waited > WAIT_WARNING:
            cell.stylize(self.get_component_rich_style("queue--waiting-long", partial=True))
        return cell

    # -- what the list holds --------------------------------------------------------------

    @property
    def search_box(self) -> SearchBox:
        """The search box."""
        return self.query_one("#search", SearchBox)

    @property
    def department_name(self) -> str:
        """The chosen department's name ("" for every department)."""
        for department in self.departments:
            if department.id == self.narrowing.department_id:
                return department.name
        return ""

    def queue_filter(self, view: str | None = None) -> QueueFilter:
        """The narrowing with a view (default: the chosen one) and the signed-in staff's id."""
        return replace(
            self.narrowing,
            view=view or self.filter_value or "open",
            staff_id=self.desk_app.session.actor.id,
            client_id=self.client_id,
        )

    def page_fetcher(self, filter_value: str) -> QueuePages:
        """Pages of list_queue() for the view and the narrowing; the counts follow."""
        self.search_box.cancel_pending()
        self.narrowing = replace(self.narrowing, search=self.search_box.value.strip())
        self._loaded_page = None
        self._show_narrowing()
        self._count_views()
        return QueuePages(self.queue_filter(filter_value))

    def on_mount(self) -> None:
        """The departments; then AreaScreen.on_mount (which Textual calls after this one, never
        to be called from here too) loads the first page."""
        self._load_departments(then_pick=False)

    def _show_narrowing(self) -> None:
        self.query_one("#narrowing", Static).update(
            narrowing_text(self.narrowing, self.department_name)
        )

    def _reload(self, keep_cursor: bool = False) -> None:
        """Show the list for the narrowing as it is now, from the first page; with
        `keep_cursor`, the cursor stays on its ticket if that is still in the list."""
        highlighted = self.records.highlighted_record if keep_cursor else None
        # A reload while one is on its way (the table empty) aims where that one aimed.
        still_aimed = self._keep_cursor_on if keep_cursor else None
        self._keep_cursor_on = highlighted.id if highlighted else still_aimed
        self.query_one("#count", Static).update(Text("Loading…"))
        self.records.reload(self.page_fetcher(self.filter_value))

    # -- counts on the views --------------------------------------------------------------

    def _count_views(self) -> None:
        asked = self.queue_filter("open")
        if asked == self._counted_for:
            return
        self._counted_for = asked
        self._counts = {}
        self.run_worker(
            partial(self._count, asked),
            thread=True,
            exit_on_error=False,
            group="queue-counts",
            exclusive=True,
            name="count tickets",
        )

    def _count(self, asked: QueueFilter) -> None:
        counts = {view: count_queue(replace(asked, view=view)) for _, view in VIEWS}
        if self.client_id is None:
            counts[TRIAGE_COUNT] = count_unassigned_mail()
        self.post_message(self._Counted(asked, counts))

    @on(_Counted)
    def _show_counts(self, message: _Counted) -> None:
        if message.asked != self._counted_for:
            return  # counts for a narrowing no longer shown
        bar = self.query_one("#filter", ChoiceBar)
        bar.choices = tuple(
            (f"{label} {message.counts.get(view, 0):,}", view) for label, view in VIEWS
        )
        bar.refresh(layout=True)
        self._show_waiting_mail(message.counts.get(TRIAGE_COUNT, 0))
        self._counts = message.counts
        if self._loaded_page is not None and self._loaded_page[0] == 0 and self.narrowing.search:
            self._show_search_line(*self._loaded_page)

    def _show_waiting_mail(self, waiting: int) -> None:
        """A line under the count while mail from unknown senders waits for triage."""
        line = self.query_one("#triage-waiting", Static)
        line.set_class(waiting > 0, "-shown")
        if waiting:
            mails = "1 mail" if waiting == 1 else f"{waiting:,} mails"
            wait = "waits" if waiting == 1 else "wait"
            line.update(Text(f"{mails} from unknown senders {wait} for triage: press u."))

    # -- departments ----------------------------------------------------------------------

    def _load_departments(self, then_pick: bool) -> None:
        self.run_worker(
            partial(self._read_departments, then_pick),
            thread=True,
            exit_on_error=False,
            group="queue-departments",
            name="load departments",
        )

    def _read_departments(self, then_pick: bool) -> None:
        self.post_message(self._Departments(list_departments(), then_pick))

    @on(_Departments)
    def _departments_loaded(self, message: _Departments) -> None:
        self.departments = message.departments
        self._show_narrowing()
        if message.then_pick:
            self.action_pick_department()

    # -- keys -----------------------------------------------------------------------------

    def action_cycle_assignee(self) -> None:
        """Mine, then unassigned, then anyone's."""
        order = list(ASSIGNEES)
        following = order[(order.index(self.narrowing.assignee) + 1) % len(order)]
        self.narrowing = replace(self.narrowing, assignee=following)
        self._reload()

    def action_cycle_sort(self) -> None:
        """By last activity, then by age, then by waiting."""
        order = list(SORTS)
        following = order[(order.index(self.narrowing.sort) + 1) % len(order)]
        self.narrowing = replace(self.narrowing, sort=following)
        self._reload()

    def action_cycle_view(self) -> None:
        """Open, then completed, then all tickets."""
        self.query_one("#filter", ChoiceBar).action_move(1)

    def show_view(self, view: str) -> None:
        """Show the view `view` ("open", "completed" or "all"); the palette's queue entries."""
        self.show_filter(view)

    def narrow(self, narrowing: QueueFilter) -> None:
        """Show the open view narrowed as `narrowing` says (whose, department, priority, sort),
        without a search: the dashboard's figures open the queue this way."""
        self.narrowing = replace(narrowing, view="open", search="", client_id=self.client_id)
        if not self.is_mounted:
            self.show_filter("open")
            return
        self.search_box.value = ""
        if self.filter_value != "open":
            self.show_filter("open")  # the choice's change loads the list
        else:
            self._reload()

    def action_pick_department(self) -> None:
        """Ask which department's tickets to show."""
        if not self.departments:
            self._load_departments(then_pick=True)
            return
        choices = [(untrusted(d.name, limit=40), d.id.hex) for d in self.departments]
        current = self.narrowing.department_id.hex if self.narrowing.department_id else ""
        picker = QueuePicker("Show tickets of", [(Text("Every department"), ""), *choices], current)
        self.app.push_screen(picker, self._department_picked)

    def _department_picked(self, picked: str | None) -> None:
        if picked is None:
            return
        self.narrowing = replace(
            self.narrowing, department_id=uuid.UUID(hex=picked) if picked else None
        )
        self._reload()

    def action_pick_priority(self) -> None:
        """Ask which priority to show."""
        choices = [(Text("Any priority"), ""), *((Text(p), p) for p in PRIORITIES)]
        picker = QueuePicker("Show tickets of priority", choices, self.narrowing.priority or "")
        self.app.push_screen(picker, self._priority_picked)

    def _priority_picked(self, picked: str | None) -> None:
        if picked is None:
            return
        self.narrowing = replace(self.narrowing, priority=picked or None)
        self._reload()

    def action_focus_filter(self) -> None:
        """Focus the search box (the view choice is one shift+tab away)."""
        self.search_box.focus()

    def action_refresh(self) -> None:
        """Load the queue and its counts again."""
        self._counted_for = None
        self._reload(keep_cursor=True)

    def action_new_ticket(self) -> None:
        """The new-ticket form (for this client, on one client's list)."""
        from screens.ticket_new import open_new_ticket_form

        open_new_ticket_form(self.app, self.client_id)

    def action_unassigned_mail(self) -> None:
        """The mail waiting for triage."""
        from screens.mail_triage import UnassignedMailScreen

        self.app.push_screen(UnassignedMailScreen())

    def action_outbox(self) -> None:
        """The mail outbox."""
        from screens.outbox_list import OutboxScreen

        self.app.push_screen(OutboxScreen())

    # -- search ---------------------------------------------------------------------------

    @on(SearchBox.Paused, "#search")
    def _search_now(self) -> None:
        """Show the tickets for what the search box holds now (newer results replace these)."""
        self._keep_cursor_on = None
        fetch = self.page_fetcher(self.filter_value)
        self.query_one("#count", Static).update(
            Text("Searching…" if fetch.filter.search else "Loading…")
        )
        self.records.reload(fetch)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        """Enter in the search shows its results now and moves to the list."""
        if self.search_box.pending:
            self._search_now()
        self.records.focus()

    # -- the list -------------------------------------------------------------------------

    @on(RecordTable.Loaded, "#records")
    def _loaded(self, event: RecordTable.Loaded) -> None:
        """Put the cursor back on the ticket it was on; say what a search found."""
        if self._keep_cursor_on is not None:
            for row, ticket in enumerate(self.records.records):
                if ticket.id == self._keep_cursor_on:
                    self.records.move_cursor(row=row)
                    break
            self._keep_cursor_on = None
        self._loaded_page = (event.shown, event.complete)
        if not self.narrowing.search:
            return
        event.prevent_default()
        self._show_search_line(event.shown, event.complete)

    def _show_search_line(self, shown: int, complete: bool) -> None:
        """The count line of a search; when this view has none, where the matches are."""
        noun = self.FILTER_NOUNS.get(self.filter_value, self.NOUN)
        query = untrusted(self.narrowing.search, limit=40)
        if shown == 0:
            elsewhere = [
                f"{label} has {self._counts[view]:,}"
                for label, view in VIEWS
                if view not in (self.filter_value, "all") and self._counts.get(view)
            ]
            hint = f" {'; '.join(elsewhere)} (v)." if elsewhere else ""
            line = Text.assemble(f"No {noun} match “", query, f"”.{hint}")
        elif complete:
            line = Text.assemble(f"{showing(shown, True, noun)} matching “", query, "”.")
        else:
            line = Text.assemble(
                f"{showing(shown, False, noun)} matching “", query, "”; more load as you scroll."
            )
        self.query_one("#count", Static).update(line)

    @on(RecordTable.Selected, "#records")
    def _open_selected(self) -> None:
        ticket = self.records.highlighted_record
        if ticket is not None:
            open_ticket_screen(self.app, ticket.id)

    def on_screen_suspend(self) -> None:
        """A full screen took over (a ticket, the outbox, another area): reload on return.

        Dialogs over the queue (a picker, the palette, the key list) change no ticket.
        """
        self._reload_on_resume = not isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        """Back from a ticket or another area: statuses and waiting times may have moved."""
        if self._reload_on_resume:
            self._reload_on_resume = False
            self.action_refresh()


def subject_cell(ticket: TicketSummary) -> Text:
    """The subject, after a mark naming who else is on the ticket (✎ replying, ◉ viewing)."""
    mark = presence_mark(ticket.present)
    return Text.assemble(mark, untrusted(ticket.subject, limit=max(8, 25 - len(mark))))


def open_ticket_screen(app: App[Any], ticket_id: uuid.UUID) -> None:
    """Push the conversation of `ticket_id`."""
    from screens.ticket_detail import TicketScreen

    app.push_screen(TicketScreen(ticket_id))


def the_queue(app: App[Any]) -> TicketListScreen | None:
    """The queue on screen (the tickets area, or a client's list that is showing), else the
    tickets area's queue after going there."""
    if isinstance(app.screen, TicketListScreen):
        return app.screen
    cast("DeskApp", app).action_switch_area("tickets")
    for screen in reversed(app.screen_stack):
        if isinstance(screen, TicketListScreen):
            return screen
    return None


def show_queue_view(app: App[Any], view: str) -> None:
    """Go to the tickets area's queue showing `view` (the palette's queue entries)."""
    if (queue := the_area_queue(app)) is not None:
        queue.show_view(view)


def show_queue_narrowed(app: App[Any], narrowing: QueueFilter) -> None:
    """Go to the tickets area's open queue narrowed as `narrowing` says (the dashboard's
    figures: one department's tickets, or the tickets nobody has)."""
    if (queue := the_area_queue(app)) is not None:
        queue.narrow(narrowing)


def the_area_queue(app: App[Any]) -> TicketListScreen | None:
    """The tickets area's queue, after going there (from one client's tickets too)."""
    screen = app.screen
    if isinstance(screen, TicketListScreen) and screen.client_id is not None:
        cast("DeskApp", app).action_switch_area("tickets")
    return the_queue(app)
