"""Merging two clients: find the other one, choose whose profile stays, see what moves, merge.

The lookup searches as you type (screens.widgets.client_lookup; this client is never offered).
The preview counts what will move before anything does; the merge itself is one transaction in
the service, which also refuses anyone but an admin (the screen says so up front).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import RadioButton, RadioSet, Static

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.money import Money
from deskapp.services import clients
from deskapp.services.client_merge import MergePreview, merge_clients, merge_preview
from deskapp.services.client_profile import ClientProfile
from deskapp.services.clients import ClientSummary
from deskapp.services.rights import Right, allows
from screens.widgets.client_lookup import ClientLookup
from screens.widgets.form_dialog import FORM_ERROR, FormDialog
from screens.widgets.untrusted import untrusted

__all__ = ["LOOKUP_LIMIT", "MergeClientsScreen", "preview_text"]

LOOKUP_LIMIT = 6
"""How many clients the lookup offers; a longer list means the query needs another word."""


def client_line(client: ClientSummary | ClientProfile, *, limit: int = 60) -> Text:
    """C-1042 Mina Okafor, Northwind Hosting (names as inert text)."""
    who = client.name + (f", {client.company}" if client.company else "")
    return Text.assemble((client.label, "bold"), " ", untrusted(who, limit=limit))


def match_line(client: ClientSummary) -> Text:
    """A client the lookup found: number, name and company, email, status."""
    return Text.assemble(
        client_line(client, limit=44), "  ", untrusted(client.email, limit=30), f"  {client.status}"
    )


def preview_text(preview: MergePreview) -> Text:
    """What the merge moves, as the screen shows it before the admin confirms."""
    keep, discard = preview.keep.label, preview.discard.label
    folded = f" ({preview.duplicate_contacts} already there)" if preview.duplicate_contacts else ""
    hours = f"{preview.support_minutes / 60:.2f}"
    rows = (
        (("Contacts", f"{preview.contacts}{folded}"), ("Payments", str(preview.payments))),
        (("Services", str(preview.services)), ("Tickets", str(preview.tickets))),
        (("Orders", str(preview.orders)), ("Credit", str(Money(preview.credit_cents)))),
        (("Invoices", str(preview.invoices)), ("Support hours", hours)),
    )
    text = Text.assemble(
        "Moves everything of ",
        client_line(preview.discard, limit=30),
        "\nto ",
        client_line(preview.keep, limit=30),
        ", whose profile stays:\n",
    )
    for (left, left_value), (right, right_value) in rows:
        text.append(f"  {left:<10}")
        text.append(f"{left_value:<24}", "bold")
        text.append(f"{right:<15}")
        text.append(f"{right_value:>10}\n", "bold")
    if preview.profile_becomes_contact:
        text.append(f"The name and email of {discard} become a contact of {keep}.\n")
    text.append(f"Then {discard} is deleted; a merge cannot be undone.")
    return text


class MergeClientsScreen(FormDialog[uuid.UUID]):
    """Merge another client into this one or this one into it; dismisses the kept client's id.

    | Key(s) | Description |
    | :- | :- |
    | enter | In the lookup: pick the highlighted client. |
    | escape | Close without merging. |
    """

    SUBMIT = "Merge"
    SUBMIT_VARIANT = "error"
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (PermissionDenied, Conflict, NotFound)

    class _Previewed(Message, bubble=False):
        def __init__(self, preview: MergePreview | None, sentence: str = "") -> None:
            super().__init__()
            self.preview = preview
            self.sentence = sentence

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__()
        self.client_id = client_id
        """The client the merge started from."""
        self.client: ClientProfile | None = None
        """That client, once loaded."""
        self.other: ClientSummary | None = None
        """The client picked to merge with."""
        self.preview: MergePreview | None = None
        """What the merge of the current choice moves, once counted."""

    def heading(self) -> str:
        """Names the client once loaded."""
        return "Merge clients…"

    def compose_fields(self) -> ComposeResult:
        """The admin note, the lookup and its results, whose profile stays, the preview."""
        note = Static(
            Text("Only an admin can merge clients; you can look at what a merge would move."),
            id="admin-note",
        )
        note.display = not allows(self.actor, Right.MERGE_CLIENTS)
        yield note
        yield self.label("Merge with (number, name, email or service identifier)")
        yield ClientLookup(
            "lookup",
            describe=match_line,
            limit=LOOKUP_LIMIT,
            leave_out=self.client_id,
            placeholder="C-1043, a name or an email",
        )
        yield self.field_error("discard")
        yield self.label("Whose profile stays")
        with RadioSet(id="keep", compact=True):
            yield RadioButton("This client", value=True, id="keep-this")
            yield RadioButton("The other client", id="keep-other")
        yield Static(Text("Pick the other client to see what the merge moves."), id="preview")

    def load(self) -> ClientProfile:
        """This client, for the heading and the choice of profile."""
        return clients.get_client(self.client_id)

    def loaded(self, data: ClientProfile) -> None:
        """Name the client; start in the lookup."""
        self.client = data
        self.set_heading(f"Merge {data.label} ({data.name}) with another client")
        self.query_one("#keep-this", RadioButton).label = Text.assemble(
            "This one: ", client_line(data, limit=50)
        )
        self.query_one(ClientLookup).box.focus()

    @on(ClientLookup.Chosen)
    def _chosen(self, message: ClientLookup.Chosen) -> None:
        self._pick(message.client)

    def _pick(self, other: ClientSummary) -> None:
        self.other = other
        self.query_one("#keep-other", RadioButton).label = Text.assemble(
            "The other: ", client_line(other, limit=50)
        )
        self.query_one("#keep", RadioSet).focus()
        self._ask_preview()

    @on(RadioSet.Changed, "#keep")
    def _ask_preview(self) -> None:
        self.preview = None
        self.refresh_submit()
        pair = self.pair
        if pair is None:
            return
        self.query_one("#preview", Static).update(Text("Counting what the merge moves…"))
        self.run_worker(
            partial(self._count, *pair),
            thread=True,
            exit_on_error=False,
            group="merge-preview",
            exclusive=True,
            name="merge preview",
        )

    @property
    def pair(self) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(kept, discarded) as chosen now, or None before the other client is picked."""
        if self.other is None:
            return None
        if self.query_one("#keep-other", RadioButton).value:
            return self.other.id, self.client_id
        return self.client_id, self.other.id

    def _count(self, keep_id: uuid.UUID, discard_id: uuid.UUID) -> None:
        try:
            preview = merge_preview(keep_id, discard_id)
        except DeskError as error:
            self.post_message(self._Previewed(None, str(error)))
            return
        self.post_message(self._Previewed(preview))

    @on(_Previewed)
    def _previewed(self, message: _Previewed) -> None:
        preview = message.preview
        if preview is None:
            self.show_error(FORM_ERROR, message.sentence)
            return
        if (preview.keep.id, preview.discard.id) != self.pair:
            return  # an answer for a choice already changed
        self.preview = preview
        self.query_one("#preview", Static).update(preview_text(preview))
        self.refresh_submit()

    def submit_allowed(self) -> bool:
        """An admin, with the preview of the current choice on screen."""
        return (
            allows(self.actor, Right.MERGE_CLIENTS)
            and self.preview is not None
            and (self.preview.keep.id, self.preview.discard.id) == self.pair
        )

    def values(self) -> dict[str, Any]:
        """Who is kept and who is merged away."""
        pair = self.pair
        if pair is None:
            raise ValidationError("discard", "Find and pick the client to merge with.")
        return {"keep": pair[0], "discard": pair[1]}

    def call_service(self, values: Mapping[str, Any]) -> ClientProfile:
        """merge_clients (admins only; one transaction)."""
        return merge_clients(self.actor, values["keep"], values["discard"])

    def done(self, result: ClientProfile) -> None:
        """Say what was merged and close with the kept client's id."""
        if self.preview is not None:
            self.say(f"Merged {self.preview.discard.label} into {result.label}.")
        self.dismiss(result.id)
