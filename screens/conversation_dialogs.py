"""The dialogs about the conversation's text and files: a canned reply and a file to attach for
the composer, and saving one of the ticket's files on this computer.

A service's refusal is shown in the dialog, and the dialog stays open to correct it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Select
from textual.widgets.option_list import Option

from deskapp.errors import DeskError, ValidationError
from deskapp.services import attachments, canned
from deskapp.services.conversation import TicketDetail
from screens.ticket_dialogs import TicketDialog
from screens.widgets.conversation_view import size_text
from screens.widgets.form_dialog import FormDialog
from screens.widgets.untrusted import untrusted

__all__ = [
    "AttachFileDialog",
    "CannedReplyDialog",
    "SaveAttachmentDialog",
]


class CannedReplyDialog(FormDialog[str]):
    """Pick a canned reply of the ticket's department (or a general one); returns its text
    filled in for the ticket."""

    QUESTION = "Insert a canned reply"
    SUBMIT = "Insert"
    LOADS_FIRST = True
    WORK_GROUP: ClassVar[str] = "ticket-dialog"
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (DeskError,)

    def __init__(self, ticket_id: uuid.UUID, department_id: uuid.UUID | None) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        """The ticket the reply is filled in for."""
        self.department_id = department_id
        """Whose canned replies are offered (with the general ones)."""

    def compose_fields(self) -> ComposeResult:
        """The replies, by title."""
        yield OptionList(id="canned")
        yield self.field_error("canned")

    def load(self) -> Any:
        """list_canned_replies."""
        return canned.list_canned_replies(self.department_id)

    def loaded(self, data: Sequence[Any]) -> None:
        """One option per reply: title and department."""
        options = self.query_one("#canned", OptionList)
        options.add_options(
            Option(
                Text.assemble(
                    untrusted(choice.title, limit=50),
                    (f"  {untrusted(choice.department or 'general', limit=20).plain}", "dim"),
                ),
                id=str(choice.id),
            )
            for choice in data
        )
        if data:
            options.highlighted = 0
        else:
            self.show_error("canned", "There are no canned replies yet.")
        options.focus()

    @on(OptionList.OptionSelected, "#canned")
    def _picked(self) -> None:
        self.submit()

    def values(self) -> dict[str, Any]:
        """The highlighted reply."""
        options = self.query_one("#canned", OptionList)
        if options.highlighted is None:
            raise ValidationError("canned", "Choose a canned reply.")
        return {"id": uuid.UUID(options.get_option_at_index(options.highlighted).id or "")}

    def call_service(self, values: Mapping[str, Any]) -> str:
        """fill_canned_reply."""
        return canned.fill_canned_reply(values["id"], self.ticket_id, self.actor)


class AttachFileDialog(FormDialog[Path]):
    """Ask for a file to send with the reply or note (it is read when the message is sent)."""

    QUESTION = "Attach a file"
    SUBMIT = "Attach"
    WORK_GROUP: ClassVar[str] = "ticket-dialog"

    def compose_fields(self) -> ComposeResult:
        """The path."""
        limit = size_text(attachments.MAX_ATTACHMENT_BYTES)
        yield self.field(
            f"File (at most {limit})", Input(placeholder="~/Downloads/speedtest.png", id="path")
        )

    def values(self) -> dict[str, Any]:
        """The typed path, ~ expanded."""
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            raise ValidationError("path", "Type the path of the file to attach.")
        return {"path": Path(typed).expanduser()}

    def call_service(self, values: Mapping[str, Any]) -> Path:
        """Check the file can be sent (read_attachment_file: exists, a file, readable, small
        enough); it is read again when the message is sent."""
        attachments.read_attachment_file(values["path"])
        return Path(values["path"])


class SaveAttachmentDialog(TicketDialog):
    """Save one of the ticket's files to a folder or file on this computer."""

    SUBMIT = "Save"

    def __init__(self, ticket: TicketDetail, default_folder: Path) -> None:
        super().__init__(ticket)
        self.default_folder = default_folder
        """The folder offered."""
        self._replace: Path | None = None

    def heading(self) -> str:
        """Names the ticket."""
        return f"Save a file of {self.ticket.label}"

    def compose_fields(self) -> ComposeResult:
        """Which file, where to."""
        options = [
            (
                Text.assemble(untrusted(a.filename, limit=50), (f"  {size_text(a.size)}", "dim")),
                str(a.id),
            )
            for a in self.ticket.attachments
        ]
        newest = options[-1][1] if options else Select.BLANK
        yield self.field(
            "File",
            Select[str](options, prompt="The ticket has no files", value=newest, id="file"),
        )
        yield self.field(
            "Save to (a folder keeps the file's name)", Input(str(self.default_folder), id="path")
        )

    def values(self) -> dict[str, Any]:
        """The file and the path; replacing an existing file needs a second press."""
        value = self.query_one("#file", Select).value
        if not isinstance(value, str):
            raise ValidationError("file", "Choose the file to save.")
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            raise ValidationError("path", "Type the folder or file to save to.")
        path = Path(typed).expanduser()
        chosen = next(a for a in self.ticket.attachments if str(a.id) == value)
        target = path / attachments.safe_filename(chosen.filename) if path.is_dir() else path
        if target.is_file() and self._replace != target:
            self._replace = target
            raise ValidationError("path", f"{target} exists; press Save again to replace it.")
        return {"id": chosen.id, "path": path, "overwrite": self._replace == target}

    def call_service(self, values: Mapping[str, Any]) -> Path:
        """save_attachment."""
        return attachments.save_attachment(
            values["id"], values["path"], overwrite=values["overwrite"]
        )

    def summary(self, result: Any) -> str:
        """Saved the file to /home/kim/x.pdf."""
        return f"Saved the file to {result}."
