"""The form every dialog of the desk is: one service call, its refusal shown under the field.

A `FormDialog` may first load what it shows (one service call in a thread worker), then sends
what was typed to one service in a thread worker, shows a ValidationError's sentence under the
field at fault (or on the form's own error line) and keeps the form as it was, and finishes once
the service succeeded. DeskErrors listed in SHOWN_IN_FORM (a Conflict, say) are shown on the
form's error line; any other error reaches the app's one error handler (a notification) and
leaves the form open and usable.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, RadioSet, Select, Static, Switch
from textual.widgets.button import ButtonVariant
from textual.worker import Worker, WorkerState

from deskapp.errors import DeskError, ValidationError
from deskapp.services.conflicts import ChangedMeanwhile
from screens.widgets.choice_bar import ChoiceBar
from screens.widgets.desk_session import desk_session
from screens.widgets.failed_work import ReportsFailedWork
from screens.widgets.their_version import their_version_text
from screens.widgets.untrusted import untrusted, untrusted_message

if TYPE_CHECKING:
    from deskapp.services.actors import Actor

__all__ = ["FORM_ERROR", "FormDialog"]

ResultT = TypeVar("ResultT")

FORM_ERROR = "form"
"""The field name of the form's own error line (for sentences about no one field)."""

ENTER_SENDS_FROM = (Select, Checkbox, RadioSet, Switch, ChoiceBar)
"""Choices on which Enter sends the form when they are its last field (space or the arrows
still open or change them; a one-line field sends on Enter anyway, a text area takes Enter as a
new line)."""


class FormDialog(ReportsFailedWork, ModalScreen[ResultT | None], Generic[ResultT]):
    """A form that one service call answers.

    Subclasses compose their fields (each followed by `field_error(name)`), collect the values
    and call the service; escape cancels (dismisses None).

    | Key(s) | Description |
    | :- | :- |
    | enter | Send the form (in a one-line field, or on a choice that is the last field). |
    | escape | Close without changing anything. |

    The buttons are the submit button, any other decision (`compose_decisions`), then Cancel.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing anything."),
        Binding(
            "enter",
            "send_from_last_field",
            "Send",
            show=False,
            priority=True,  # before a Select opens its menu or a Checkbox toggles
            tooltip="Send the form from its last field.",
        ),
    ]

    QUESTION: ClassVar[str] = ""
    """The question, at the top of the panel."""
    SUBMIT: ClassVar[str] = "Save"
    """The label of the button that calls the service."""
    SUBMIT_VARIANT: ClassVar[ButtonVariant] = "primary"
    """The button's look: "error" for an action that deletes or cancels something."""
    CANCEL: ClassVar[str] = "Cancel"
    """The label of the button that closes without a change."""
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = ()
    """DeskErrors the form shows on its own error line instead of as a notification."""
    LOADS_FIRST: ClassVar[bool] = False
    """Whether `load` runs (in a thread) before the form can be sent."""
    WORK_GROUP: ClassVar[str] = "form-dialog"
    """The worker group of the dialog's service calls."""

    working: reactive[bool] = reactive(False)
    """Whether a service is being called or the form is still loading (the submit button is
    off meanwhile: no double booking from a second Enter)."""

    class _Loaded(Message, bubble=False):
        def __init__(self, data: Any) -> None:
            super().__init__()
            self.data = data

    class _Rejected(Message, bubble=False):
        def __init__(self, field: str, sentence: str, *, loading: bool = False) -> None:
            super().__init__()
            self.field = field
            self.sentence = sentence
            self.loading = loading

    class _ChangedMeanwhile(Message, bubble=False):
        def __init__(self, error: ChangedMeanwhile) -> None:
            super().__init__()
            self.error = error

    class _Accepted(Message, bubble=False):
        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.load_failed = False
        """Loading failed (its sentence is shown): the form cannot be sent."""
        self.field_labels: dict[str, str] = {}
        """Each field's label by its name (to name fields in their version)."""

    def compose(self) -> ComposeResult:
        """Title, the fields, a line for errors of no one field, the buttons.

        The buttons are docked at the panel's foot, outside the part that scrolls: on a short
        terminal (80x24 over SSH) the fields scroll and the buttons stay in reach."""
        with Vertical(id="dialog-panel", classes="dialog-panel"):
            yield Static(
                untrusted(self.heading(), limit=160), id="dialog-title", classes="dialog-title"
            )
            with VerticalScroll(id="dialog-body", classes="dialog-body", can_focus=False):
                yield from self.compose_fields()
                yield Static(id="form-error", classes="field-error")
                yield Static(id="their-version", classes="their-version")
            with Horizontal(id="dialog-buttons", classes="dialog-buttons"):
                yield from self.compose_buttons()

    def compose_buttons(self) -> ComposeResult:
        """The submit button, the dialog's other decisions, then Cancel (Approve | Decline,
        then Cancel: the decisions together, the way out last)."""
        yield Button(self.submit_label(), variant=self.SUBMIT_VARIANT, id="submit")
        yield from self.compose_decisions()
        yield Button(self.CANCEL, id="cancel")

    def compose_decisions(self) -> ComposeResult:
        """Buttons for other decisions, between the submit button and Cancel ("Decline")."""
        yield from ()

    def submit_label(self) -> str:
        """The submit button's label (SUBMIT unless the dialog's purpose decides it)."""
        return self.SUBMIT

    def loads_first(self) -> bool:
        """Whether `load` runs before the form can be sent (LOADS_FIRST unless it depends)."""
        return self.LOADS_FIRST

    def heading(self) -> str:
        """The question at the top (QUESTION unless the dialog names what it is about); it may
        hold a client's name, so it is shown as inert text."""
        return self.QUESTION

    def set_heading(self, heading: str) -> None:
        """Change the question at the top (once what the dialog is about has loaded)."""
        self.query_one("#dialog-title", Static).update(untrusted(heading, limit=160))

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

    def field(self, label: str, widget: Widget, *, classes: str = "field") -> Vertical:
        """A labelled field: the label, the widget (its id is the field's name), its error line."""
        if widget.id is None:
            raise ValueError("a field's widget needs the field's name as its id")
        self.field_labels[widget.id] = label
        return Vertical(self.label(label), widget, self.field_error(widget.id), classes=classes)

    def load(self) -> Any:
        """Runs in a thread when `loads_first()`: read what the form shows (one service call)."""
        return None

    def loaded(self, data: Any) -> None:
        """On the UI thread: fill the form from what `load` returned."""

    def values(self) -> dict[str, Any]:
        """What the form holds now; raise ValidationError for what only the form can know."""
        return {}

    def call_service(self, values: Mapping[str, Any]) -> Any:
        """Runs in a thread: the one service call, with the signed-in staff member."""
        raise NotImplementedError

    def done(self, result: Any) -> None:
        """The service succeeded: close with its result (a dialog may say what happened)."""
        self.dismiss(result)

    def summary(self, result: Any) -> str:
        """One sentence saying what happened, for the notification."""
        return "Done."

    def say(self, sentence: str) -> None:
        """A notification in the desk's words (may carry untrusted names: never markup)."""
        self.app.notify(untrusted_message(sentence), markup=False)

    def submit_allowed(self) -> bool:
        """Whether the form may be sent now, apart from a call under way (override to wait for
        a typed confirmation)."""
        return True

    @property
    def actor(self) -> Actor:
        """The signed-in staff member, whom the service call acts as."""
        return desk_session(self).actor

    def on_mount(self) -> None:
        """Load what the form shows first, when it needs to."""
        self.refresh_submit()
        if self.loads_first():
            self.working = True
            self.run_worker(
                self._load, thread=True, exit_on_error=False, group=self.WORK_GROUP, name="load"
            )

    def _load(self) -> None:
        try:
            data = self.load()
        except DeskError as error:
            field = getattr(error, "field", FORM_ERROR)
            self.post_message(self._Rejected(field, str(error), loading=True))
            return
        self.post_message(self._Loaded(data))

    @on(_Loaded)
    def _fill(self, message: _Loaded) -> None:
        self.loaded(message.data)
        self.working = False

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without a change."""
        self.dismiss(None)

    @on(Button.Pressed, "#submit")
    def submit(self) -> None:
        """Send the form to the service, unless it is already on its way or not allowed yet."""
        if self.working or self.load_failed or not self.submit_allowed():
            return
        self.clear_errors()
        try:
            values = self.values()
        except ValidationError as error:
            self.show_error(error.field, str(error))
            return
        self.working = True
        self.run_worker(
            partial(self._send, values),
            thread=True,
            exit_on_error=False,
            group=self.WORK_GROUP,
            name="save",
        )

    def last_field(self) -> Widget | None:
        """The last widget of the form's fields that takes focus (None without one)."""
        body = self.query("#dialog-body")
        if not body:
            return None
        fields = [widget for widget in self.focus_chain if body.first() in widget.ancestors]
        return fields[-1] if fields else None

    def action_send_from_last_field(self) -> None:
        """Enter on a choice that is the form's last field sends the form; anywhere else the
        key goes on to the focused widget (an open menu, a button, a text area, a lookup).
        A form whose button deletes, merges or rejects is never sent from a choice."""
        focused = self.focused
        if self.SUBMIT_VARIANT == "error":
            raise SkipAction
        if not isinstance(focused, ENTER_SENDS_FROM) or focused is not self.last_field():
            raise SkipAction
        if isinstance(focused, Select) and focused.expanded:
            raise SkipAction
        self.submit()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.input_submitted(event.input)

    def input_submitted(self, field: Input) -> None:
        """Enter in a one-line field sends the form (a lookup field may do otherwise)."""
        self.submit()

    def _send(self, values: Mapping[str, Any]) -> None:
        try:
            result = self.call_service(values)
        except ValidationError as error:
            self.post_message(self._Rejected(error.field, str(error)))
            return
        except ChangedMeanwhile as error:
            self.post_message(self._ChangedMeanwhile(error))
            return
        except self.SHOWN_IN_FORM as error:
            self.post_message(self._Rejected(FORM_ERROR, str(error)))
            return
        self.post_message(self._Accepted(result))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed call (shown by the app's error handler) leaves the form usable again."""
        if event.worker.group == self.WORK_GROUP and event.state is WorkerState.ERROR:
            self.working = False

    @on(_Rejected)
    def _rejected(self, message: _Rejected) -> None:
        if message.loading:
            self.load_failed = True
            self.refresh_submit()
        self.working = False
        self.show_error(message.field, message.sentence)
        self.rejected(message.field, message.sentence)

    @on(_ChangedMeanwhile)
    def _changed_meanwhile(self, message: _ChangedMeanwhile) -> None:
        """Someone saved it first: say who and when, show theirs beside what was typed (kept),
        and take their version as the one read, so saving again is a choice made seeing it."""
        error = message.error
        self.working = False
        self.show_error(FORM_ERROR, str(error))
        try:
            yours = self.values()
        except ValidationError:
            yours = {}
        panel = self.query_one("#their-version", Static)
        panel.update(their_version_text(error.theirs, yours, self.field_labels))
        panel.add_class("-shown")
        self.adopt_version(error.version)
        self.rejected(FORM_ERROR, str(error))

    def adopt_version(self, version: int) -> None:
        """Take `version` as the one read (a form that keeps it elsewhere says where)."""
        if hasattr(self, "version"):
            self.version = version

    def rejected(self, field: str, sentence: str) -> None:
        """The service refused (its sentence is shown); a dialog may offer a way out."""

    @on(_Accepted)
    def _accepted(self, message: _Accepted) -> None:
        self.working = False
        self.done(message.result)

    def watch_working(self, working: bool) -> None:
        """The submit button is off while the service works."""
        self.refresh_submit()

    def refresh_submit(self) -> None:
        """Turn the submit button on or off for what the form holds now."""
        allowed = not self.working and not self.load_failed and self.submit_allowed()
        for button in self.query("#submit").results(Button):
            button.disabled = not allowed

    def clear_errors(self) -> None:
        """Hide every sentence the service gave before."""
        for line in self.query(".field-error, .their-version").results(Static):
            line.update(Text(""))
            line.remove_class("-shown")

    def show_error(self, field: str, sentence: str) -> None:
        """Show `sentence` under `field` (on the form's line when it has none), focus the field."""
        found = self.query(f"#{field}-error") if field.isidentifier() else None
        line = found.first(Static) if found else self.query_one("#form-error", Static)
        line.update(untrusted(sentence, limit=300))
        line.add_class("-shown")
        widgets = self.query(f"#{field}") if field.isidentifier() else None
        if widgets:
            widgets.first().focus()
