"""The client list and lookup: one search box finds a client as you type; Enter opens it.

| Key(s) | Description |
| :- | :- |
| / | Search: name, company, any email, phone, client number (C-1042) or service identifier. |
| down / up | (in the search) Move through the results while typing on. |
| enter | Open the highlighted client (in the search: once the results for what you typed are in). |
| j / k | Move in the list. |
| n | Add a client (the client form); its screen opens once it is saved. |
| escape | From the search back to the list; from the list back to the previous area. |

On a narrow terminal (80 columns over SSH) the columns give way in this order: credit, match,
company, email; number, name and status always stay.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from deskapp.services.changes import Entity
from deskapp.services.client_search import MAX_RESULTS, ClientHit, search_clients
from deskapp.services.clients import ClientSummary
from deskapp.services.rights import Right, allows
from deskapp.wording import counted, showing, singular_of
from screens.area import AreaScreen
from screens.widgets.cells import label_cell, money_cell
from screens.widgets.record_table import RecordColumn, RecordTable
from screens.widgets.search_box import SearchBox
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.changes import Change

MATCH_WORDS = {
    "number": "number",
    "email": "email",
    "contact email": "contact",
    "service": "service",
    "phone": "phone",
    "starts with": "prefix",
    "contains": "text",
}
"""How the Match column names what a query matched (search_clients' words, shortened)."""
SEARCHING_AFTER = 0.3
"""Seconds a search may take before the count line says it is searching."""


EMPTY_DESK = Text("No clients yet — press n to add one.")
"""The count line of a desk with no clients at all."""


def _match_cell(client: ClientSummary) -> Text:
    matched = getattr(client, "matched", "")
    # In the row's own colour: a dimmed cell is two more colour changes on every result
    # line sent to the terminal (some 80 bytes a line over SSH).
    return Text(MATCH_WORDS.get(matched, matched))


COLUMNS: Sequence[RecordColumn[ClientSummary]] = (
    RecordColumn("Number", lambda c: label_cell(c.label), 8),
    RecordColumn("Name", lambda c: untrusted(c.name, limit=20), 20),
    RecordColumn("Company", lambda c: untrusted(c.company, limit=20), 20, drop_rank=3),
    RecordColumn("Email", lambda c: untrusted(c.email, limit=26), 26, drop_rank=4),
    RecordColumn("Status", lambda c: untrusted(c.status), 8),
    RecordColumn("Credit", lambda c: money_cell(c.credit_cents), 11, True, drop_rank=1),
    RecordColumn("Match", _match_cell, 7, drop_rank=2),
)


class ClientSearchPages:
    """`fetch(last, limit)` for the list: pages of search_clients() for one query and status.

    A page that starts after any record shown continues right after it (each hit carries its
    rank). An empty query pages through every client in number order instead.
    """

    def __init__(self, query: str, status: str | None) -> None:
        self.query = query.strip()
        """What was typed (stripped); empty lists every client."""
        self.status = status
        """Active, Inactive or Closed; None for any."""

    def __call__(self, last: ClientHit | None, limit: int) -> list[ClientHit]:
        """Runs in a thread: the page after `last` (None: the first page)."""
        return search_clients(self.query, self.status, limit, after=last)


class ClientListScreen(AreaScreen):
    """Every client, or those matching the search, best first; Active, Inactive, Closed or all."""

    AREA_TITLE = "Clients"
    NOUN = "clients"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "focus_filter",
            "Search",
            tooltip="Find a client by name, company, email, phone, number or service.",
        ),
        Binding(
            "n",
            "new_client",
            "New client",
            tooltip="Add a client (with the welcome mail if you like); its screen opens after.",
        ),
    ]
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = (
        ("All", "all"),
        ("Active", "Active"),
        ("Inactive", "Inactive"),
        ("Closed", "Closed"),
    )
    FILTER_NOUNS: ClassVar[dict[str, str]] = {
        "Active": "active clients",
        "Inactive": "inactive clients",
        "Closed": "closed clients",
    }
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.CLIENT})

    def shows_change(self, change: Change) -> bool:
        """A client added or deleted (the list may gain or lose it), or one the list shows
        changed (its name, status, credit...). Another client's edit is left alone: with a
        million clients a busy desk edits some every second, and each reload searches again."""
        if not super().shows_change(change):
            return False
        if change.action in ("created", "deleted"):
            return True
        return any(str(client.id) == change.entity_id for client in self.records.records)

    def __init__(self) -> None:
        super().__init__()
        self.searched_for = ""
        """The query the list shows results for (empty: every client in number order)."""
        self._open_when_loaded = False
        self._reload_on_resume = False
        self._searching_said: Timer | None = None

    def compose_filter_extras(self) -> ComposeResult:
        """The search box, after the status choice."""
        yield Label(Text("Search"), id="search-label")
        yield SearchBox("name, company, email, phone, C-1042 or service identifier", id="search")

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Number, name, company, email, status, credit, what the search matched."""
        return COLUMNS

    @property
    def search_box(self) -> SearchBox:
        """The search box."""
        return self.query_one("#search", SearchBox)

    def page_fetcher(self, filter_value: str) -> ClientSearchPages:
        """Pages of search_clients() for what the search box holds and the status chosen."""
        self.search_box.cancel_pending()
        status = None if filter_value == "all" else filter_value
        fetch = ClientSearchPages(self.search_box.value, status)
        self.searched_for = fetch.query
        return fetch

    @on(SearchBox.Paused, "#search")
    def _search_now(self) -> None:
        """Show the results for what the search box holds now (newer results replace these)."""
        fetch = self.page_fetcher(self.filter_value)
        self.records.reload(fetch)
        if self._searching_said is not None:
            self._searching_said.stop()
        # Said only when the results are slow to come: a count line that flickers to
        # "Searching…" and back for each letter is a line more over SSH per letter.
        line = Text("Searching…" if fetch.query else "Loading…")
        self._searching_said = self.set_timer(
            SEARCHING_AFTER, lambda: self._say_searching(line), name="say searching"
        )

    def _say_searching(self, line: Text) -> None:
        self._searching_said = None
        if self.records.fetching:
            self.query_one("#count", Static).update(line)

    @on(Input.Submitted, "#search")
    def _open_from_search(self) -> None:
        """Enter in the search opens the highlighted result once it belongs to what was typed."""
        if self.search_box.pending:
            self._search_now()
        if self.records.fetching:
            self._open_when_loaded = True
        else:
            self._open_highlighted()

    @on(RecordTable.Loaded, "#records")
    def _show_search_count(self, event: RecordTable.Loaded) -> None:
        """The count line of search results (the plain list's is the area's own)."""
        if self._searching_said is not None:
            self._searching_said.stop()
            self._searching_said = None
        if self._open_when_loaded:
            self._open_when_loaded = False
            self._open_highlighted()
        if not self.searched_for:
            if event.shown == 0 and self.filter_value == "all":
                event.prevent_default()  # an empty desk: say how to begin
                self.query_one("#count", Static).update(EMPTY_DESK)
                self._first_page_done()
            return
        event.prevent_default()
        noun = self.FILTER_NOUNS.get(self.filter_value, self.NOUN)
        query = untrusted(self.searched_for, limit=40)
        shown = showing(event.shown, event.complete, noun)
        if event.shown == 0:
            line = Text.assemble(f"No {noun} match “", query, "”.")
        elif event.complete and event.shown >= MAX_RESULTS:
            line = Text.assemble(
                f"Showing the best {counted(event.shown, singular_of(noun), noun)} matching “",
                query,
                "”; type more to narrow the search.",
            )
        elif event.complete:
            line = Text.assemble(f"{shown} matching “", query, "”.")
        else:
            line = Text.assemble(f"{shown} matching “", query, "”; more load as you scroll.")
        self.query_one("#count", Static).update(line)

    @on(RecordTable.Selected, "#records")
    def _open_selected(self) -> None:
        self._open_highlighted()

    def _open_highlighted(self) -> None:
        client = self.records.highlighted_record
        if client is not None:
            from screens.client_detail import ClientScreen  # not needed for the first screen

            # The client screen drawn once it has its parts (screens.held_output).
            self.desk_app.hold_output()
            self.app.push_screen(ClientScreen(client.id), self._client_closed)

    def _client_closed(self, changed: bool | None) -> None:
        """Show the list again as it is now when the client was changed, merged or deleted
        (once the list is back on screen)."""
        self._reload_on_resume = bool(changed)

    def on_screen_resume(self) -> None:
        """Back from a client that changed: show the list as it is now."""
        if self._reload_on_resume:
            self._reload_on_resume = False
            self.query_one("#count", Static).update(Text("Loading…"))
            self.records.reload(self.page_fetcher(self.filter_value))

    def action_focus_filter(self) -> None:
        """Focus the search box (the status choice is one shift+tab away)."""
        self.search_box.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """New client for whoever the rights table lets add clients (dimmed otherwise)."""
        if action == "new_client":
            return True if allows(self.desk_app.signed_in_actor, Right.EDIT_CLIENTS) else None
        return super().check_action(action, parameters)

    def action_new_client(self) -> None:
        """The client form; once saved, the new client's screen."""
        add_client(self.app)


def add_client(app: App[Any]) -> None:
    """The client form over the current screen; the new client's screen once it is saved."""
    from screens.client_form import ClientFormScreen  # not needed for the first screen

    def added(client_id: uuid.UUID | None) -> None:
        if client_id is not None:
            from screens.client_detail import ClientScreen

            app.push_screen(ClientScreen(client_id))

    app.push_screen(ClientFormScreen(), added)
