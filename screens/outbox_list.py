"""The mail outbox: what waits to be sent, what went, what failed; send again or discard by hand.

`deskapp mail send` does the sending. A mail it could not be sure about ("uncertain": the
sender died while handing it over) is never resent on its own: a person decides here.

| Key(s) | Description |
| :- | :- |
| left / right | (on the status choice) Which mail to show; each status shows how many. |
| enter | Open the highlighted mail: its full error, headers, text and ticket. |
| s | Send the highlighted queued, failed or uncertain mail now (asks first). |
| x | Discard the highlighted mail that has not gone out (asks first; admins). |
| r | Load the outbox again. |
| escape | Back where you came from. |

On a narrow terminal (80 columns over SSH) the columns give way in this order: last error,
next try, tries, ticket, to; status and subject always stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Static

from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied
from deskapp.services.changes import Entity
from deskapp.services.outbox import (
    OutboxRow,
    OutboxStatus,
    count_outbox,
    discard_mail,
    list_outbox,
    retry_mail,
)
from deskapp.services.rights import Right
from screens.admin_keys import ExplainsAdminKeys
from screens.area import AreaScreen
from screens.widgets.cells import label_cell
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.form_dialog import FormDialog
from screens.widgets.record_table import PageFetcher, RecordColumn, RecordTable
from screens.widgets.untrusted import untrusted

__all__ = ["MailDecisionDialog", "OutboxScreen"]

STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("All", "all"),
    ("Failed", OutboxStatus.FAILED),
    ("Uncertain", OutboxStatus.UNCERTAIN),
    ("Queued", OutboxStatus.QUEUED),
    ("Sending", OutboxStatus.SENDING),
    ("Sent", OutboxStatus.SENT),
    ("Discarded", OutboxStatus.DISCARDED),
)
"""The status choice as (label, list_outbox status; "all" for any)."""
CAN_RESEND = (OutboxStatus.FAILED, OutboxStatus.UNCERTAIN, OutboxStatus.QUEUED)
"""Statuses of mail that can be sent again."""
CAN_DISCARD = (OutboxStatus.QUEUED, OutboxStatus.FAILED, OutboxStatus.UNCERTAIN)
"""Statuses of mail that can be discarded."""


def _when(at: dt.datetime | None) -> Text:
    return Text(at.strftime("%d %b %H:%M") if at else "")


def _next_try(mail: OutboxRow) -> Text:
    """When a queued mail goes next; a sent one, when it went."""
    if mail.status == OutboxStatus.QUEUED:
        return _when(mail.next_attempt_at)
    if mail.status == OutboxStatus.SENT:
        return Text.assemble(("sent ", "dim"), _when(mail.sent_at))
    return Text("")


class OutboxScreen(ExplainsAdminKeys, AreaScreen):
    """Every mail the desk queued, newest first; the highlighted one's error in full below."""

    AREA_TITLE = "Mail outbox"
    ADMIN_KEYS: ClassVar[Mapping[str, Right]] = {"discard": Right.DISCARD_MAIL}
    NOUN = "mails"
    FILTERS: ClassVar[Sequence[tuple[str, str]]] = STATUS_CHOICES
    FILTER_NOUNS: ClassVar[dict[str, str]] = {
        value: f"{value} mails" for _, value in STATUS_CHOICES if value != "all"
    }
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "outbox--failed",
        "outbox--uncertain",
        "outbox--sent",
    }
    """How statuses look (set in styles/outbox_list.tcss)."""
    CHANGES_SHOWN: ClassVar[frozenset[str]] = frozenset({Entity.OUTBOX})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_mail", "Open", tooltip="Open the highlighted mail."),
        Binding(
            "s", "resend", "Send again", tooltip="Send a queued, failed or uncertain mail now."
        ),
        Binding(
            "x", "discard", "Discard", tooltip="Never send the highlighted mail (asks; admins)."
        ),
        Binding("slash", "focus_filter", "Status", tooltip="Choose which mail the list shows."),
    ]

    class _Counted(Message, bubble=False):
        def __init__(self, counts: Mapping[str, int]) -> None:
            super().__init__()
            self.counts = dict(counts)

    def compose(self) -> ComposeResult:
        """The area's layout, with the highlighted mail's last error under the list."""
        for widget in super().compose():
            if isinstance(widget, Static) and widget.id == "count":
                yield Static(id="mail-error")
            yield widget

    def columns(self) -> Sequence[RecordColumn[Any]]:
        """Status, to, subject, ticket, attempts, next try, last error."""
        return (
            RecordColumn("Status", self.status_cell, 9),
            RecordColumn("To", lambda m: untrusted(m.to_address, limit=24), 24, drop_rank=5),
            RecordColumn("Subject", lambda m: untrusted(m.subject, limit=28), 28),
            RecordColumn("Ticket", lambda m: label_cell(m.ticket_label), 7, drop_rank=4),
            RecordColumn("Tries", lambda m: Text(str(m.attempts), justify="right"), 5, True, 3),
            RecordColumn("Next try", _next_try, 17, drop_rank=2),
            RecordColumn(
                "Last error", lambda m: untrusted(m.last_error, limit=60), None, drop_rank=1
            ),
        )

    def status_cell(self, mail: OutboxRow) -> Text:
        """The status; failed, uncertain and sent mail each in their colour."""
        cell = Text(mail.status)
        if mail.status in (OutboxStatus.FAILED, OutboxStatus.UNCERTAIN, OutboxStatus.SENT):
            cell.stylize(self.get_component_rich_style(f"outbox--{mail.status}"))
        return cell

    def page_fetcher(self, filter_value: str) -> PageFetcher:
        """Pages of list_outbox() for the status chosen; the counts follow."""
        self._count()
        status = None if filter_value in ("", "all") else OutboxStatus(filter_value)
        return partial(_outbox_page, status)

    @property
    def highlighted_mail(self) -> OutboxRow | None:
        """The mail under the cursor."""
        return self.records.highlighted_record

    # -- counts ---------------------------------------------------------------------------

    def _count(self) -> None:
        self.run_worker(
            self._read_counts,
            thread=True,
            exit_on_error=False,
            group="outbox-counts",
            exclusive=True,
            name="count mail",
        )

    def _read_counts(self) -> None:
        self.post_message(self._Counted(count_outbox()))

    @on(_Counted)
    def _show_counts(self, message: _Counted) -> None:
        total = sum(message.counts.values())
        bar = self.query_one("#filter", ChoiceBar)
        bar.choices = tuple(
            (f"{label} {total if value == 'all' else message.counts.get(value, 0):,}", value)
            for label, value in STATUS_CHOICES
        )
        bar.refresh(layout=True)

    # -- the highlighted mail -------------------------------------------------------------

    @on(RecordTable.Highlighted, "#records")
    @on(RecordTable.Loaded, "#records")
    def _show_highlighted(self) -> None:
        mail = self.highlighted_mail
        line = self.query_one("#mail-error", Static)
        if mail is None or not mail.last_error:
            line.update(Text(""))
        else:
            line.update(Text.assemble(("Last error: ", "bold"), untrusted(mail.last_error)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Send again and Discard only for mail in a status that allows it, Discard only for
        admins (an agent pressing it is told why); Back always."""
        if action in ("resend", "discard"):
            if self.refused_because(action):
                return None
            tables = self.query("#records")
            mail = tables.first(RecordTable).highlighted_record if tables else None
            allowed = CAN_RESEND if action == "resend" else CAN_DISCARD
            return True if mail is not None and mail.status in allowed else None
        if action == "back":
            return True
        return super().check_action(action, parameters)

    def action_resend(self) -> None:
        """Ask, then queue the highlighted failed or uncertain mail again."""
        mail = self.highlighted_mail
        if mail is not None and mail.status in CAN_RESEND:
            self.app.push_screen(MailDecisionDialog(mail, discard=False), self._decided)

    def action_discard(self) -> None:
        """Ask, then discard the highlighted mail."""
        mail = self.highlighted_mail
        if mail is not None and mail.status in CAN_DISCARD and not self.refused_because("discard"):
            self.app.push_screen(MailDecisionDialog(mail, discard=True), self._decided)

    def _decided(self, done: bool | None) -> None:
        if done:
            self.action_refresh()

    @on(RecordTable.Selected, "#records")
    def _mail_chosen(self) -> None:
        self.action_open_mail()

    def action_open_mail(self) -> None:
        """Open the highlighted mail: full error, headers, text, its ticket."""
        from screens.outbox_mail import OutboxMailScreen

        if (mail := self.highlighted_mail) is not None:
            self.app.push_screen(OutboxMailScreen(mail.id), self._decided)

    def action_refresh(self) -> None:
        """Load the outbox and its counts again."""
        self._count()
        super().action_refresh()

    def action_back(self) -> None:
        """From the status choice to the list; from the list back where the outbox was opened."""
        if self.focused is not self.records:
            self.records.focus()
        else:
            self.app.pop_screen()


def _outbox_page(
    status: OutboxStatus | None, last: OutboxRow | None, limit: int
) -> list[OutboxRow]:
    return list_outbox(status, after=last, limit=limit)


class MailDecisionDialog(FormDialog[bool]):
    """Send a mail again, or discard it: says which mail and what it means; dismisses True."""

    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)

    def __init__(self, mail: OutboxRow, *, discard: bool) -> None:
        super().__init__()
        self.mail = mail
        """The mail decided about."""
        self.discard = discard
        """True to discard it, False to send it again."""

    def heading(self) -> str:
        """The question."""
        return "Discard this mail?" if self.discard else "Send this mail again?"

    def submit_label(self) -> str:
        """Discard, or Send again."""
        return "Discard" if self.discard else "Send again"

    def compose_fields(self) -> ComposeResult:
        """Which mail, and what the decision means."""
        ticket = f" ({self.mail.ticket_label})" if self.mail.ticket_label else ""
        yield Static(
            Text.assemble(
                ("To: ", "bold"),
                untrusted(self.mail.to_address, limit=60),
                "\n",
                ("Subject: ", "bold"),
                untrusted(self.mail.subject, limit=60),
                ticket,
            ),
            id="mail-summary",
        )
        yield Static(Text(self._consequence()), id="mail-consequence", classes="note")

    def _consequence(self) -> str:
        if self.discard:
            return "It will never be sent; the outbox keeps it as discarded."
        if self.mail.status == OutboxStatus.QUEUED:
            return (
                "It goes out with the next `deskapp mail send` instead of waiting for its next try."
            )
        if self.mail.status == OutboxStatus.UNCERTAIN:
            return (
                "The sender stopped while handing this mail over: it may have arrived already. "
                "Sending it again may deliver it twice."
            )
        return "It goes out with the next `deskapp mail send`, with fresh attempts."

    def on_mount(self) -> None:
        """Variant by decision; the focus on the button that decides (FormDialog.on_mount
        runs after this, as Textual calls each class's handler)."""
        if self.discard:
            self.query_one("#submit").variant = "error"  # type: ignore[attr-defined]
        self.query_one("#submit").focus()

    def call_service(self, values: Mapping[str, Any]) -> bool:
        """discard_mail or retry_mail, as the signed-in staff member."""
        if self.discard:
            discard_mail(self.actor, self.mail.id)
        else:
            retry_mail(self.actor, self.mail.id)
        return True

    def done(self, result: bool) -> None:
        """Say what happened and close."""
        self.say(
            f"Discarded the mail to {self.mail.to_address}."
            if self.discard
            else f"The mail to {self.mail.to_address} goes out with the next send."
        )
        self.dismiss(True)
