"""The composer under a ticket's conversation: a reply to the client, or an internal note.

The mode is unmistakable: its own label, border colour and title, and the send key says what
it does. The text and the attached files' paths are a draft on local disk (deskapp.drafts) from
the moment they are typed or attached (debounced) and whenever the composer loses focus or
closes, so a crash or a dropped database loses nothing; a successful send discards it. A failed
send keeps the text and says why. A file of the draft that is gone since is shown as missing
(and the send says so), never dropped in silence.

| Key(s) | Description |
| :- | :- |
| ctrl+s | Send the reply / save the note. |
| ctrl+o | Write the text in $VISUAL / $EDITOR (vi when neither is set). |
| ctrl+r | Insert a canned reply at the cursor. |
| ctrl+f | Attach a file (sent with the reply or note). |
| ctrl+l | Drop the attached files. |
"""

from __future__ import annotations

import threading
import uuid
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea

from deskapp.drafts import DraftStore
from deskapp.errors import DatabaseUnavailable, DeskError
from screens.widgets.desk_session import desk_session
from screens.widgets.external_editor import EditorFailed, edit_in_editor
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.recipients_line import RecipientsLine
from screens.widgets.since_writing import AsksAboutNewMessages
from screens.widgets.untrusted import untrusted

if TYPE_CHECKING:
    from deskapp.services.conversation import ConversationMessage, WritingMark

__all__ = ["MODES", "Composer"]

MODES = {
    "reply": ("Reply to the client", "REPLY · mailed to the client"),
    "note": ("Internal note", "INTERNAL NOTE · not sent to the client; only staff see it"),
}
"""Each mode's border title and label."""
DRAFT_SAVE_DELAY = 0.3
"""Seconds of quiet typing before the draft is written."""


class Composer(ReportsFailedWork, AsksAboutNewMessages):
    """Write a reply or a note for one ticket; posts `Composer.Sent` when it went through, and
    asks its screen for canned replies and files (`CannedReplyWanted`, `AttachWanted`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s", "send", "Send", tooltip="Send the reply to the client, or save the note."
        ),
        Binding("ctrl+o", "open_editor", "Editor", tooltip="Write the text in your $EDITOR."),
        Binding("ctrl+r", "canned_reply", "Canned", tooltip="Insert a canned reply at the cursor."),
        Binding("ctrl+f", "attach_file", "Attach", tooltip="Attach a file to what you send."),
        Binding(
            "ctrl+l", "drop_files", "Drop files", show=False, tooltip="Drop the attached files."
        ),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"composer--missing"}
    """How a draft's file that is no longer there is marked (styles/ticket_detail.tcss)."""

    mode: reactive[str] = reactive("reply", init=False)
    """"reply" (mailed to the client) or "note" (only staff see it)."""
    sending: reactive[bool] = reactive(False, init=False)
    """Whether a send is under way (the text cannot change meanwhile)."""

    class Sent(Message):
        """A reply or note went through (the draft is discarded)."""

        def __init__(self, composer: Composer, message: ConversationMessage, kind: str) -> None:
            super().__init__()
            self.composer = composer
            """The composer."""
            self.message = message
            """The message as stored."""
            self.kind = kind
            """"reply" or "note"."""

    class CannedReplyWanted(Message):
        """The person asked for a canned reply; the screen offers the ticket's and hands the
        chosen text to `insert_text`."""

        def __init__(self, composer: Composer) -> None:
            super().__init__()
            self.composer = composer
            """The composer (its `ticket_id` is the ticket written to)."""

    class AttachWanted(Message):
        """The person asked to attach a file; the screen asks which and hands the path to
        `attach`."""

        def __init__(self, composer: Composer) -> None:
            super().__init__()
            self.composer = composer
            """The composer."""

    class _Done(Message, bubble=False):
        def __init__(self, message: Any, kind: str) -> None:
            super().__init__()
            self.message = message
            self.kind = kind

    class _DraftNotSaved(Message, bubble=False):
        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    class _Failed(Message, bubble=False):
        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    def __init__(
        self,
        ticket_id: uuid.UUID,
        drafts: DraftStore,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.ticket_id = ticket_id
        """The ticket written to."""
        self.drafts = drafts
        """Where drafts are kept."""
        self.recipients = ""
        """Who a reply is mailed to, as the label says it; the screen sets it."""
        self.attachments: list[Path] = []
        """Files sent with the next reply or note."""
        self._save_timer: Timer | None = None
        self._draft_lock = threading.Lock()
        self._draft_seq = 0
        self._draft_written = 0

    def compose(self) -> ComposeResult:
        """The mode's label, the text, attached files, an error line and the keys."""
        yield RecipientsLine(id="composer-mode")
        yield TextArea(soft_wrap=True, tab_behavior="focus", id="composer-text")
        yield Static(id="composer-files")
        yield Static(id="composer-error")
        yield Static(id="composer-keys")

    def on_mount(self) -> None:
        """Show the mode."""
        self._show_mode()

    @property
    def text_area(self) -> TextArea:
        """Where the text is typed."""
        return self.query_one("#composer-text", TextArea)

    @property
    def text(self) -> str:
        """The text as typed."""
        return self.text_area.text

    def open(self, mode: str) -> None:
        """Start (or go on) writing in `mode`; an empty composer takes up the saved draft."""
        if mode not in MODES:
            raise ValueError(f"unknown composer mode {mode!r}")
        written_as = self.mode
        if not self.text and not self.attachments:
            draft = self.drafts.load(self.ticket_id)
            if draft is not None:
                self.text_area.load_text(draft.text)
                self.text_area.move_cursor(self.text_area.document.end)
                self.attachments = [Path(path) for path in draft.attachments]
                written_as = draft.kind
        self._show_files()  # a file may have gone since it was attached
        if self.text.strip() and written_as != mode:
            self.app.notify(
                "The text written as a reply is now an internal note: it will not be sent."
                if mode == "note"
                else "The text written as a note is now a reply: it WILL be mailed to the client.",
                severity="warning",
                markup=False,
            )
        self.mode = mode
        self.save_draft()
        self.text_area.focus()
        if mode == "reply":
            self.take_mark()

    def watch_mode(self) -> None:
        """Label, border, title and the send key's words follow the mode."""
        self._show_mode()

    def _show_mode(self) -> None:
        title, label = MODES[self.mode]
        self.set_class(self.mode == "reply", "-reply")
        self.set_class(self.mode == "note", "-note")
        self.border_title = title
        recipients = self.recipients.split(", ") if self.mode == "reply" and self.recipients else []
        self.query_one("#composer-mode", RecipientsLine).show(label, recipients)
        send = "send the reply" if self.mode == "reply" else "save the note"
        self.query_one("#composer-keys", Static).update(
            Text(
                f"ctrl+s {send} · ctrl+o editor · ctrl+r canned reply · ctrl+f attach · "
                "escape leave (draft kept)"
            )
        )

    def show_recipients(self, recipients: str) -> None:
        """Say who a reply is mailed to (the ticket's contact and subscribers, separated by
        ", "); on a narrow line the last are counted ("and 3 more")."""
        self.recipients = recipients
        self._show_mode()

    # Drafts --------------------------------------------------------------------------------

    @on(TextArea.Changed, "#composer-text")
    def _typed(self) -> None:
        self.show_error("")
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, partial(self.save_draft, wait=False))

    def save_draft(self, *, wait: bool = True) -> None:
        """Write the text as this ticket's draft (empty text discards it): now, or in a thread
        when `wait` is false (typing never waits for the disk). Writes land in order."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if not self.is_mounted:
            return
        self._draft_seq += 1
        files = tuple(str(path) for path in self.attachments)
        job = partial(
            self._write_draft, self._draft_seq, self.ticket_id, self.mode, self.text, files
        )
        if wait:
            job()
        else:
            self.run_worker(job, thread=True, exit_on_error=False, group="composer-draft")

    def _write_draft(
        self, seq: int, ticket_id: uuid.UUID, kind: str, text: str, files: tuple[str, ...]
    ) -> None:
        with self._draft_lock:
            if seq <= self._draft_written:
                return  # a newer text is already on disk
            self._draft_written = seq
            try:
                self.drafts.save(ticket_id, kind, text, files)
            except OSError as error:
                sentence = f"The draft could not be saved: {error.strerror or error}."
                self.post_message(self._DraftNotSaved(sentence))

    def discard_draft(self) -> None:
        """Forget the draft (after a send); a save still on its way is dropped."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        with self._draft_lock:
            self._draft_seq += 1
            self._draft_written = self._draft_seq
            self.drafts.discard(self.ticket_id)

    @on(_DraftNotSaved)
    def _draft_not_saved(self, message: _DraftNotSaved) -> None:
        self.show_error(message.sentence)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving the text saves the draft at once."""
        self.save_draft()

    # Sending -------------------------------------------------------------------------------

    def action_send(self, *, asked: bool = False) -> None:
        """Send what is written, as the mode says, in a thread; the text stays until it went.

        A reply whose client wrote since it was begun is not sent yet: the screen is asked
        first (`NewMessagesFirst`), unless `asked`."""
        if self.sending:
            return
        text = self.text
        if not text.strip():
            self.show_error(f"Write the {self.mode} first.")
            return
        self.save_draft()  # on disk before the database is asked
        self.sending = True
        self.run_worker(
            partial(
                self._send, self.mode, text, tuple(self.attachments), None if asked else self.mark
            ),
            thread=True,
            exit_on_error=False,
            group="composer-send",
            name=f"send the {self.mode}",
        )

    def sent_stopped(self) -> None:
        """The send stopped to ask about new messages: the text may change again."""
        self.sending = False

    def focus_text(self) -> None:
        """Back to the text."""
        self.text_area.focus()

    def _send(
        self, mode: str, text: str, paths: tuple[Path, ...], mark: WritingMark | None
    ) -> None:
        from deskapp.services.conversation import post_note, post_reply

        actor = desk_session(self).actor
        try:
            if mode == "reply" and self.client_wrote_since(mark):
                return
            if mode == "note":
                message = post_note(actor, self.ticket_id, text, attachment_paths=paths)
            else:
                message = post_reply(actor, self.ticket_id, text, attachment_paths=paths)
        except DatabaseUnavailable as error:
            self.post_message(self._Failed(f"Not sent: {error} Your text is kept."))
            raise  # the app's one handler says so too and watches for the database's return
        except DeskError as error:
            self.post_message(self._Failed(f"Not sent: {error}"))
            return
        except Exception as error:
            self.post_message(
                self._Failed(
                    f"Not sent: the database did not answer ({type(error).__name__}). "
                    "Your text is kept as a draft; try ctrl+s again."
                )
            )
            raise
        self.post_message(self._Done(message, mode))

    def watch_sending(self, sending: bool) -> None:
        """The text cannot change while it is being sent."""
        self.text_area.read_only = sending
        self.set_class(sending, "-sending")

    @on(_Failed)
    def _failed(self, message: _Failed) -> None:
        self.sending = False
        self.show_error(message.sentence)

    @on(_Done)
    def _done(self, message: _Done) -> None:
        self.sending = False
        self.text_area.load_text("")
        self.attachments.clear()
        self._show_files()
        self.discard_draft()
        self.mark = None
        self.post_message(self.Sent(self, message.message, message.kind))

    def show_error(self, sentence: str) -> None:
        """Show why something did not work (empty: hide the line)."""
        line = self.query_one("#composer-error", Static)
        line.update(untrusted(sentence, limit=300))
        line.set_class(bool(sentence), "-shown")

    # Editor, canned replies, files ---------------------------------------------------------

    def action_open_editor(self) -> None:
        """Write the text in the external editor; the composer takes what it saved."""
        if self.sending:
            return
        self.save_draft()
        try:
            with self.app.suspend():
                edited = edit_in_editor(self.text)
        except SuspendNotSupported:
            self.show_error("This terminal cannot hand over to an editor.")
            return
        except EditorFailed as error:
            self.show_error(str(error))
            return
        area = self.text_area
        area.replace(edited, area.document.start, area.document.end)
        area.move_cursor(area.document.end)
        self.save_draft()
        area.focus()

    def action_canned_reply(self) -> None:
        """Ask for a canned reply (the screen offers them; `insert_text` takes the choice)."""
        if not self.sending:
            self.post_message(self.CannedReplyWanted(self))

    def insert_text(self, text: str | None) -> None:
        """Put `text` in at the cursor (None or empty: nothing) and go back to writing."""
        if text:
            self.text_area.insert(text)
            self.save_draft()
        self.text_area.focus()

    def action_attach_file(self) -> None:
        """Ask for a file to send with the reply or note (the screen asks; `attach` takes it)."""
        if not self.sending:
            self.post_message(self.AttachWanted(self))

    def attach(self, path: Path | None) -> None:
        """Send the file at `path` with the reply or note (None: nothing) and go back to
        writing."""
        if path is not None and path not in self.attachments:
            self.attachments.append(path)
            self._show_files()
            self.save_draft()
        self.text_area.focus()

    def action_drop_files(self) -> None:
        """Send no files after all."""
        if not self.sending:
            self.attachments.clear()
            self._show_files()
            self.save_draft()

    def _show_files(self) -> None:
        line = Text()
        if self.attachments:
            line.append("Attached: ", style="bold")
            missing_style = self.get_component_rich_style("composer--missing", partial=True)
            missing = 0
            for index, path in enumerate(self.attachments):
                if index:
                    line.append(", ")
                line.append_text(untrusted(path.name, limit=60))
                if not path.is_file():
                    missing += 1
                    line.append(" (missing)", style=missing_style)
            line.append("  (ctrl+l drops them)", style="dim")
            if missing:
                gone = "a file is" if missing == 1 else f"{missing} files are"
                line.append(
                    f"\n{gone.capitalize()} no longer where it was attached from; attach it "
                    "again or drop the files (ctrl+l) before sending.",
                    style=missing_style,
                )
        files = self.query_one("#composer-files", Static)
        files.update(line)
        files.set_class(bool(self.attachments), "-shown")
