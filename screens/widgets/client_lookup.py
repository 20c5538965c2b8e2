"""Finding a client by number, name, email or service identifier, searched as you type.

Each change of the text asks `search_clients` in a thread worker; an answer to what was typed
before is dropped. Enter picks the highlighted client, or the first one of the answer still on
its way; so does choosing an option. The lookup posts `ClientLookup.Chosen` and the screen
decides what the choice does (the merge counts what would move; a new ticket takes the client).

| Key(s) | Description |
| :- | :- |
| enter | Pick the highlighted client (once one is shown as chosen: go on to the next field). |
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from deskapp.services.client_search import search_clients
from deskapp.services.clients import ClientSummary
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.inert_fields import InertInput

__all__ = ["ClientLine", "ClientLookup"]

ClientLine = Callable[[ClientSummary], Text]
"""How one client found is shown in the list (names as inert text)."""


class ClientLookup(ReportsFailedWork, Vertical):
    """A search box (id `field`) and the clients it finds (a list, id `field`-matches, with the
    class `-empty` while it offers nobody)."""

    DEFAULT_CSS: ClassVar[str] = """
    ClientLookup {
        height: auto;
    }
    """

    class Chosen(Message):
        """A client was picked from what the lookup found."""

        def __init__(self, lookup: ClientLookup, client: ClientSummary) -> None:
            super().__init__()
            self.lookup = lookup
            """The lookup."""
            self.client = client
            """The client picked."""

        @property
        def control(self) -> ClientLookup:
            """The lookup (for `@on` selectors)."""
            return self.lookup

    class Dropped(Message):
        """The text no longer says the number `show_chosen` put there: the person typed over
        it, and the lookup searches again."""

        def __init__(self, lookup: ClientLookup) -> None:
            super().__init__()
            self.lookup = lookup
            """The lookup."""

        @property
        def control(self) -> ClientLookup:
            """The lookup (for `@on` selectors)."""
            return self.lookup

    class _Found(Message, bubble=False):
        def __init__(self, query: str, hits: Sequence[ClientSummary]) -> None:
            super().__init__()
            self.query = query
            self.hits = tuple(hits)

    def __init__(
        self,
        field: str,
        *,
        describe: ClientLine,
        limit: int,
        leave_out: uuid.UUID | None = None,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.field = field
        """The search box's id (a form shows refusals about the client under `field`)."""
        self.describe = describe
        """How a client found is shown in the list."""
        self.limit = limit
        """How many clients the list offers; a longer list means the query needs another word."""
        self.leave_out = leave_out
        """A client never offered (the one a merge starts from), or None."""
        self.placeholder = placeholder
        """What the empty box suggests typing."""
        self.hits: tuple[ClientSummary, ...] = ()
        """What the lookup found for what is typed (as listed)."""
        self._hits_for = ""
        self._pick_first = False
        self._shown: str | None = None

    def compose(self) -> ComposeResult:
        """The search box and the list of clients found."""
        yield InertInput(placeholder=self.placeholder, id=self.field, compact=True)
        yield OptionList(id=f"{self.field}-matches", classes="-empty")

    @property
    def box(self) -> Input:
        """The search box."""
        return self.query_one(f"#{self.field}", Input)

    @property
    def matches(self) -> OptionList:
        """The clients found."""
        return self.query_one(f"#{self.field}-matches", OptionList)

    def show_chosen(self, label: str) -> None:
        """Show the chosen client's number (`label`) in the box and put the list away; the box
        searches again (and posts Dropped) once something else is typed there."""
        self._shown = label
        self._show_hits(())
        box = self.box
        if box.value.strip() != label:
            box.value = label
            box.action_end()

    @on(Input.Changed)
    def _look_up(self, event: Input.Changed) -> None:
        query = event.value.strip()
        self._pick_first = False
        if self._shown is not None:
            if query == self._shown:
                return  # the chosen client's number, put there by show_chosen
            self._shown = None
            self.post_message(self.Dropped(self))
        if not query:
            self._show_hits(())
            return
        self.run_worker(
            partial(self._search, query),
            thread=True,
            exit_on_error=False,
            group="client-lookup",
            exclusive=True,
            name="look up",
        )

    def _search(self, query: str) -> None:
        asked = self.limit + (self.leave_out is not None)
        found = search_clients(query, limit=asked)
        hits = [hit for hit in found if hit.id != self.leave_out][: self.limit]
        self.post_message(self._Found(query, hits))

    @on(_Found)
    def _found(self, message: _Found) -> None:
        if message.query != self.box.value.strip() or self._shown is not None:
            return  # an answer to what was typed before, or a client is shown as chosen
        self._show_hits(message.hits, message.query)
        if self._pick_first and self.hits:
            self._choose(self.hits[0])
        self._pick_first = False

    def _show_hits(self, hits: Sequence[ClientSummary], query: str = "") -> None:
        self.hits = tuple(hits)
        self._hits_for = query
        matches = self.matches
        matches.clear_options()
        matches.add_options(Option(self.describe(hit), id=str(hit.id)) for hit in self.hits)
        matches.set_class(not self.hits, "-empty")
        if self.hits:
            matches.highlighted = 0

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter here picks a client; it does not send the form around the lookup
        if self._shown is not None:
            self.screen.focus_next()
            return
        if self._hits_for != event.value.strip():
            self._pick_first = True  # Enter before the answer came: pick its first client
            return
        index = self.matches.highlighted
        if index is not None and index < len(self.hits):
            self._choose(self.hits[index])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.hits):
            self._choose(self.hits[event.option_index])

    def _choose(self, client: ClientSummary) -> None:
        self.post_message(self.Chosen(self, client))
