"""The ticket screen: who asked what, where it stands, the conversation, and the composer.

The header and the newest page of the conversation load in two thread workers at once; older
messages load as the reader scrolls up. `r` opens the composer for a reply to the client, `n`
for an internal note (the only way into note mode); the other keys open a dialog that calls one
service, and the ticket loads again afterwards.

| Key(s) | Description |
| :- | :- |
| r | Write a reply to the client. |
| n | Write an internal note (never mailed). |
| s | Status. |
| a | Assign to a staff member. |
| p | Priority. |
| t | Tags. |
| u | Subscribers (other contacts following the ticket). |
| e | Propose an estimate. |
| E | Record the client's answer to an estimate. |
| l | Log time (from the client's prepaid support). |
| m | Merge into another ticket of the client. |
| w | Save one of the ticket's files. |
| o | Open the order the ticket was opened for. |
| h | History: status, assignee, priority and tag changes, who and when. |
| c | Open the ticket's client. |
| L | Open the client's credit ledger and invoices. |
| f5 | Load the ticket again. |
| escape | Leave the composer (the draft is kept), then go back. |
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from deskapp.drafts import DraftStore
from deskapp.services.changes import Entity
from deskapp.services.conversation import (
    ConversationMessage,
    TicketDetail,
    get_ticket,
    list_messages,
)
from deskapp.services.presence import PRESENCE
from screens.messages import FollowsChanges
from screens.ticket_head import about_ticket, reply_recipients_of, ticket_state
from screens.widgets.composer import Composer
from screens.widgets.conversation_view import ConversationView
from screens.widgets.desk_footer import AREAS_NOT_IN_FOOTER, DeskFooter
from screens.widgets.desk_header import DeskHeader
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.ticket_presence import TicketPresence

if TYPE_CHECKING:
    from deskapp.services.changes import Change
    from screens.app import DeskApp

NEEDS_TICKET = frozenset(
    {
        "reply",
        "note",
        "status",
        "assign",
        "priority",
        "tags",
        "subscribers",
        "propose_estimate",
        "decide_estimate",
        "log_time",
        "merge",
        "save_file",
        "open_order",
        "history",
        "client",
        "client_ledger",
    }
)
"""Actions that wait for the ticket to load."""


def _binding(key: str, action: str, description: str, tooltip: str, show: bool = True) -> Binding:
    return Binding(key, action, description, show=show, tooltip=tooltip, id=f"ticket.{action}")


class TicketScreen(FollowsChanges, ReportsFailedWork, Screen[bool]):
    """One ticket; dismisses True when something of it changed here (for the queue)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _binding("r", "reply", "Reply", "Write a reply; it is mailed to the client."),
        _binding("n", "note", "Note", "Write an internal note; only staff see it."),
        _binding("s", "status", "Status", "Set the ticket's status."),
        _binding("a", "assign", "Assign", "Give the ticket to a staff member, or nobody."),
        _binding("p", "priority", "Priority", "Set the ticket's priority."),
        _binding("t", "tags", "Tags", "Set the ticket's tags."),
        _binding("u", "subscribers", "Subscribers", "Who else of the client follows it.", False),
        _binding("e", "propose_estimate", "Estimate", "Propose work with a price.", False),
        _binding("E", "decide_estimate", "Answer estimate", "Record the client's answer.", False),
        _binding("l", "log_time", "Log time", "Log time from the client's prepaid support."),
        _binding("m", "merge", "Merge", "Merge into another ticket of the client.", False),
        _binding("w", "save_file", "Save file", "Save one of the ticket's files.", False),
        _binding("o", "open_order", "Its order", "Open the order the ticket is about.", False),
        _binding("h", "history", "History", "Status, assignee, priority, tag changes.", False),
        _binding("c", "client", "Its client", "Open the client who asked.", False),
        _binding("L", "client_ledger", "Its ledger", "The client's credit and invoices.", False),
        _binding("f5", "refresh", "Refresh", "Load the ticket again.", False),
        _binding("escape", "back", "Back", "Leave the composer (draft kept), or go back."),
        *AREAS_NOT_IN_FOOTER,
    ]

    AUTO_FOCUS = "#conversation"
    AREA_TITLE = "Ticket"
    """The place's name in the header and the key list."""

    class _Loaded(Message, bubble=False):
        def __init__(self, ticket: TicketDetail) -> None:
            super().__init__()
            self.ticket = ticket

    def __init__(self, ticket_id: uuid.UUID, *, drafts: DraftStore | None = None) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        """Which ticket (after a merge, the ticket it went into)."""
        self.drafts = drafts or DraftStore()
        """Where unsent replies and notes are kept."""
        self.ticket: TicketDetail | None = None
        """What is shown, once loaded."""
        self.changed = False
        """Whether something of the ticket changed here (the queue reloads when it did)."""
        self.composing = False
        """Whether the composer is open."""

    def compose(self) -> ComposeResult:
        """Header, ticket head, conversation, draft line, composer (hidden), footer."""
        yield DeskHeader()
        with Horizontal(id="ticket-head"):
            yield Static(Text("Loading…"), id="ticket-about")
            yield Static(id="ticket-state")
        yield TicketPresence(self.ticket_id, id="presence")
        yield ConversationView(self._fetch_messages, id="conversation")
        yield Static(id="draft-hint")
        yield Composer(self.ticket_id, self.drafts, id="composer")
        yield DeskFooter()

    @property
    def desk_app(self) -> DeskApp:
        """The app, typed."""
        return cast("DeskApp", self.app)

    @property
    def conversation(self) -> ConversationView:
        """The message list."""
        return self.query_one("#conversation", ConversationView)

    @property
    def presence(self) -> TicketPresence:
        """Who else is on the ticket."""
        return self.query_one("#presence", TicketPresence)

    @property
    def composer(self) -> Composer:
        """The composer (hidden until r or n)."""
        return self.query_one("#composer", Composer)

    def _fetch_messages(
        self, before: ConversationMessage | None, limit: int
    ) -> list[ConversationMessage]:
        return list_messages(self.ticket_id, before=before, limit=limit)

    def on_mount(self) -> None:
        """Fill the header line; load the ticket and the newest messages at once; follow what
        others do to the ticket."""
        self.query_one(DeskHeader).area = self.AREA_TITLE
        self.reload()
        self.conversation.load_newest()
        self._show_draft_hint()
        self.follow_changes()

    def shows_change(self, change: Change) -> bool:
        """Changes to this ticket (another desk's reply or status, a mail that came in): the
        ticket shows as it is now, new messages added below; the place read and the composer
        stay as they are."""
        return (
            change.entity == Entity.TICKET
            and change.entity_id == str(self.ticket_id)
            and change.action != PRESENCE  # the presence line reads those itself
        )

    @work(thread=True, exit_on_error=False, group="ticket", name="load the ticket")
    def reload(self) -> None:
        """Load the ticket again (in a thread); the screen shows it when it arrives."""
        self.post_message(self._Loaded(get_ticket(self.ticket_id)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A ticket that could not be loaded says so (the app's notice says why)."""
        if event.worker.group == "ticket" and event.state is WorkerState.ERROR:
            if self.ticket is None:
                self.query_one("#ticket-about", Static).update(
                    Text("The ticket could not be loaded; press f5 to try again.")
                )

    @on(_Loaded)
    def _show_ticket(self, message: _Loaded) -> None:
        ticket = self.ticket = message.ticket
        self.query_one(DeskHeader).area = f"{self.AREA_TITLE} · {ticket.label}"
        self.query_one("#ticket-about", Static).update(about_ticket(ticket))
        self.query_one("#ticket-state", Static).update(ticket_state(ticket))
        self.composer.show_recipients(reply_recipients_of(ticket))
        self.refresh_bindings()

    def _show_draft_hint(self) -> None:
        hint = self.query_one("#draft-hint", Static)
        draft = None if self.composing else self.drafts.load(self.ticket_id)
        if draft is None:
            hint.update(Text(""))
            hint.remove_class("-shown")
            return
        what, key = ("note", "n") if draft.kind == "note" else ("reply", "r")
        count = len(draft.attachments)
        files = f", {count} file{'s' if count != 1 else ''} attached" if count else ""
        hint.update(
            Text(
                f"An unsent {what} is kept (saved {draft.saved_at:%Y-%m-%d %H:%M} UTC{files}): "
                f"press {key} to go on with it."
            )
        )
        hint.add_class("-shown")

    # Composer ------------------------------------------------------------------------------

    def action_reply(self) -> None:
        """Open the composer for a reply to the client."""
        self._open_composer("reply")

    def action_note(self) -> None:
        """Open the composer for an internal note."""
        self._open_composer("note")

    def _open_composer(self, mode: str) -> None:
        if self.ticket is None:
            return
        composer = self.composer
        self.composing = composer.display = True
        composer.open(mode)
        self.presence.replying = mode == "reply"
        self._show_draft_hint()

    def _close_composer(self) -> None:
        composer = self.composer
        composer.save_draft()
        self.composing = composer.display = False
        self.presence.replying = False
        self.conversation.focus()
        self._show_draft_hint()

    @on(Composer.Sent)
    def _sent(self, event: Composer.Sent) -> None:
        self.changed = True
        self._close_composer()
        self.app.notify(
            "Reply sent: it is queued to be mailed to the client."
            if event.kind == "reply"
            else "Note saved; it was not sent to the client.",
            markup=False,
        )
        self.conversation.refresh_newest()
        self.reload()

    @on(Composer.NewMessagesFirst)
    def _ask_about_new_messages(self, event: Composer.NewMessagesFirst) -> None:
        from screens.new_messages_dialog import NewMessagesDialog

        def answered(send: bool | None) -> None:
            if send:
                event.composer.send_anyway()
            else:
                event.composer.keep_writing(event.messages)

        self.app.push_screen(NewMessagesDialog(event.messages), answered)

    @on(Composer.CannedReplyWanted)
    def _offer_canned_replies(self, event: Composer.CannedReplyWanted) -> None:
        from screens.conversation_dialogs import CannedReplyDialog

        department = self.ticket.department_id if self.ticket is not None else None
        dialog = CannedReplyDialog(event.composer.ticket_id, department)
        self.app.push_screen(dialog, event.composer.insert_text)

    @on(Composer.AttachWanted)
    def _ask_for_a_file(self, event: Composer.AttachWanted) -> None:
        from screens.conversation_dialogs import AttachFileDialog

        self.app.push_screen(AttachFileDialog(), event.composer.attach)

    # Dialogs -------------------------------------------------------------------------------

    def _ask(self, make: Callable[[TicketDetail], Screen[Any]], *, follow: bool = False) -> None:
        """Push a dialog about the ticket; a truthy answer means the ticket changed.

        `follow`: the answer is the id of the ticket to show from now on (the one a merge kept).
        """
        if self.ticket is None:
            return

        def done(result: object) -> None:
            if not result:
                return
            self.changed = True
            if follow and isinstance(result, uuid.UUID):
                self._follow(result)
                return
            self.reload()
            self.conversation.refresh_newest()

        self.app.push_screen(make(self.ticket), done)

    def _follow(self, ticket_id: uuid.UUID) -> None:
        """Show another ticket from now on (the draft of this one stays with it)."""
        self.composer.save_draft()
        self.ticket_id = ticket_id
        self.composer.ticket_id = ticket_id
        self.presence.show_ticket(ticket_id)
        self.ticket = None
        self.reload()
        self.conversation.load_newest()

    def action_status(self) -> None:
        """Set the status."""
        from screens.ticket_dialogs import StatusDialog

        self._ask(StatusDialog)

    def action_assign(self) -> None:
        """Assign the ticket."""
        from screens.ticket_dialogs import AssignDialog

        self._ask(AssignDialog)

    def action_priority(self) -> None:
        """Set the priority."""
        from screens.ticket_dialogs import PriorityDialog

        self._ask(PriorityDialog)

    def action_tags(self) -> None:
        """Set the tags."""
        from screens.ticket_dialogs import TagsDialog

        self._ask(TagsDialog)

    def action_history(self) -> None:
        """Show who changed the status, assignee, priority and tags, and when."""
        from screens.ticket_history import TicketHistoryDialog

        if self.ticket is not None:
            self.app.push_screen(TicketHistoryDialog(self.ticket_id, self.ticket.label))

    def action_subscribers(self) -> None:
        """Subscribe or unsubscribe a contact of the client."""
        from screens.ticket_client_dialogs import SubscribersDialog

        self._ask(SubscribersDialog)

    def action_propose_estimate(self) -> None:
        """Propose an estimate."""
        from screens.ticket_client_dialogs import ProposeEstimateDialog

        self._ask(ProposeEstimateDialog)

    def action_decide_estimate(self) -> None:
        """Record the client's answer to a proposed estimate."""
        from screens.ticket_client_dialogs import DecideEstimateDialog

        self._ask(DecideEstimateDialog)

    def action_log_time(self) -> None:
        """Log time spent."""
        from screens.ticket_client_dialogs import LogTimeDialog

        self._ask(LogTimeDialog)

    def action_merge(self) -> None:
        """Merge into another ticket of the client; the screen then shows that ticket."""
        from screens.ticket_dialogs import MergeTicketDialog

        self._ask(MergeTicketDialog, follow=True)

    def action_save_file(self) -> None:
        """Save one of the ticket's files to disk."""
        from screens.conversation_dialogs import SaveAttachmentDialog

        self._ask(lambda ticket: SaveAttachmentDialog(ticket, Path.home()))

    def action_open_order(self) -> None:
        """The order the ticket was opened for."""
        from screens.order_detail import OrderScreen

        if self.ticket is not None and self.ticket.order_id is not None:
            self.app.push_screen(OrderScreen(self.ticket.order_id))

    def action_client(self) -> None:
        """The ticket's client, over the ticket (escape comes back)."""
        from screens.client_detail import ClientScreen

        if self.ticket is not None:
            self.app.push_screen(ClientScreen(self.ticket.client_id))

    def action_client_ledger(self) -> None:
        """The client's credit ledger and invoices, over the ticket (escape comes back)."""
        from screens.client_ledger import ClientLedgerScreen

        if self.ticket is not None:
            self.app.push_screen(ClientLedgerScreen(self.ticket.client_id))

    def action_refresh(self) -> None:
        """Load the ticket and the newest messages again."""
        self.reload()
        self.conversation.refresh_newest()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys about the ticket wait for it; some only when they have something to act on."""
        if action not in NEEDS_TICKET:
            return True
        ticket = self.ticket
        if ticket is None:
            return None
        if action == "decide_estimate":
            return True if any(e.status == "Proposed" for e in ticket.estimates) else None
        if action == "save_file":
            return True if ticket.attachments else None
        if action == "open_order":
            return ticket.order_id is not None
        return True

    def action_back(self) -> None:
        """From the composer to the conversation (draft kept); else back where it was opened."""
        if self.composing and self.composer.has_focus_within:
            self._close_composer()
            return
        self.leave()

    def leave(self) -> None:
        """Close the ticket screen, keeping the draft and saying whether the ticket changed
        (escape, or an area key going to its list)."""
        self.composer.save_draft()
        self.presence.leave()
        # Leaving announces new keys; DeskFooter would rebuild once detached (see ClientScreen).
        self.bindings_updated_signal.unsubscribe(self.query_one(DeskFooter))
        self.dismiss(self.changed)
