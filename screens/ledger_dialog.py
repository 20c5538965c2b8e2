"""The form every ledger dialog is: one service call, its refusal shown under the field.

A `LedgerDialog` sends what was typed to one service in a thread worker, shows a
ValidationError's sentence under the field at fault and keeps the form as it was, and dismisses
with the service's result once it succeeded. Any other DeskError reaches the app's one error
handler (a notification) and leaves the form open and usable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.widgets.button import ButtonVariant
from textual.worker import Worker, WorkerState

from deskapp.errors import ValidationError
from screens.messages import ReportsFailedWork
from screens.widgets.untrusted import untrusted

ResultT = TypeVar("ResultT")


class LedgerDialog(ReportsFailedWork, ModalScreen[ResultT | None], Generic[ResultT]):
    """A form over the ledger that one service call answers.

    Subclasses compose their fields (each followed by `field_error(name)`), collect the values
    and call the service; escape cancels (dismisses None).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing anything."),
    ]

    QUESTION: ClassVar[str] = ""
    """The question, at the top of the panel."""
    SUBMIT: ClassVar[str] = "Save"
    """The label of the button that calls the service."""
    SUBMIT_VARIANT: ClassVar[ButtonVariant] = "primary"
    """The button's look: "error" for an action that cancels something out."""

    working: reactive[bool] = reactive(False)
    """Whether the service is being called (the submit button is off meanwhile: no double
    booking from a second Enter)."""

    class _Rejected(Message, bubble=False):
        def __init__(self, field: str, sentence: str) -> None:
            super().__init__()
            self.field = field
            self.sentence = sentence

    class _Accepted(Message, bubble=False):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def compose(self) -> ComposeResult:
        """Title, the fields, a line for errors of no one field, the buttons."""
        with Vertical(id="dialog-panel"):
            yield Static(Text(self.heading()), id="dialog-title")
            yield from self.compose_fields()
            yield Static(id="form-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.SUBMIT, variant=self.SUBMIT_VARIANT, id="submit")
                yield Button("Cancel", id="cancel")

    def heading(self) -> str:
        """The question at the top (QUESTION unless the dialog names its client)."""
        return self.QUESTION

    def compose_fields(self) -> ComposeResult:
        """The form's labels, inputs and their error lines."""
        yield from ()

    @staticmethod
    def label(text: str) -> Static:
        """A field's label (the desk's own words)."""
        return Static(Text(text), classes="field-label")

    @staticmethod
    def field_error(field: str) -> Static:
        """The line under a field where the service's sentence about it appears."""
        return Static(id=f"{field}-error", classes="field-error")

    def values(self) -> dict[str, Any]:
        """What the form holds now; raise ValidationError for what only the form can know."""
        return {}

    def call_service(self, values: Mapping[str, Any]) -> ResultT:
        """Runs in a thread: the one service call, with the signed-in staff member."""
        raise NotImplementedError

    def summary(self, result: ResultT) -> str:
        """One sentence saying what happened, for the notification."""
        return "Done."

    @property
    def actor(self) -> Any:
        """The signed-in staff member (session.actor of the DeskApp)."""
        return self.app.session.actor  # type: ignore[attr-defined]

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    @on(Input.Submitted)
    def submit(self) -> None:
        """Send the form to the service, unless it is already on its way."""
        if self.working:
            return
        self._clear_errors()
        try:
            values = self.values()
        except ValidationError as error:
            self._show_error(error.field, str(error))
            return
        self.working = True
        self._send(values)

    @work(thread=True, exit_on_error=False, group="ledger-dialog", name="save")
    def _send(self, values: Mapping[str, Any]) -> None:
        try:
            result = self.call_service(values)
        except ValidationError as error:
            self.post_message(self._Rejected(error.field, str(error)))
            return
        self.post_message(self._Accepted(result))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed call (shown by the app's error handler) leaves the form usable again."""
        if event.worker.group == "ledger-dialog" and event.state is WorkerState.ERROR:
            self.working = False

    @on(_Rejected)
    def _rejected(self, message: _Rejected) -> None:
        self.working = False
        self._show_error(message.field, message.sentence)

    @on(_Accepted)
    def _accepted(self, message: _Accepted) -> None:
        self.working = False
        self.dismiss(message.result)

    def watch_working(self, working: bool) -> None:
        """The submit button is off while the service works."""
        for button in self.query("#submit").results(Button):
            button.disabled = working

    def _clear_errors(self) -> None:
        for line in self.query(".field-error").results(Static):
            line.update(Text(""))
            line.remove_class("-shown")

    def _show_error(self, field: str, sentence: str) -> None:
        found = self.query(f"#{field}-error")
        line = found.first(Static) if found else self.query_one("#form-error", Static)
        line.update(untrusted(sentence, limit=300))
        line.add_class("-shown")
        inputs = self.query(f"#{field}")
        if inputs:
            inputs.first().focus()
