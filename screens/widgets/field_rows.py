"""The fields a department asks for, one editable row each: label, key, kind, required, choices.

Rows are added at the end (`add_row`), removed, and moved up or down with their buttons or with
ctrl+up / ctrl+down / ctrl+d in the row. A key left alone follows the label as it is typed
("Invoice number" gives invoice_number); typing a key by hand stops that. The rows hold text as
typed: the departments service checks keys, kinds and choices and says what is wrong.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Select, Static

from deskapp.services.ticket_open import FIELD_KINDS, ExtraField
from screens.widgets.inert_fields import InertInput

__all__ = ["FieldRow", "FieldRows", "key_from_label"]

CHOICES_HINT = "a, b, c"
"""What the choices field shows, empty, for a choice field."""
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def key_from_label(label: str) -> str:
    """The key a label suggests: "Invoice number" gives invoice_number ("" for no letters)."""
    key = _NOT_KEY.sub("_", label.strip().lower()).strip("_")
    return f"field_{key}" if key[:1].isdigit() else key


def choices_of(typed: str) -> tuple[str, ...]:
    """ "Fibre, ADSL, 4G" as ("Fibre", "ADSL", "4G"); empty entries dropped."""
    return tuple(choice.strip() for choice in typed.split(",") if choice.strip())


class FieldRow(Horizontal):
    """One field of the department: label, key, kind, required, choices, and its buttons.

    | Key(s) | Description |
    | :- | :- |
    | ctrl+up / ctrl+down | Move the field up / down. |
    | ctrl+d | Remove the field. |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+up", "move(-1)", "Field up", tooltip="Move this field up."),
        Binding("ctrl+down", "move(1)", "Field down", tooltip="Move this field down."),
        Binding("ctrl+d", "remove_field", "Remove field", tooltip="Remove this field."),
    ]

    def __init__(self, field: ExtraField | None = None, *, read_only: bool = False) -> None:
        super().__init__(classes="field-row")
        self.field = field or ExtraField("", "", False)
        """The field as it was when the row was made."""
        self.read_only = read_only
        """Shown only: every part disabled, no buttons."""
        self.key_typed = bool(field and field.name and field.name != key_from_label(field.label))
        """Whether the key was typed by hand (else it follows the label)."""

    def compose(self) -> ComposeResult:
        """Label, key, kind, required, choices; up, down and remove."""
        off = self.read_only
        field = self.field
        yield InertInput(
            field.label, placeholder="Label", classes="row-label", compact=True, max_length=80
        )
        yield InertInput(
            field.name, placeholder="key", classes="row-key", compact=True, max_length=40
        )
        kinds = [(Text(kind), kind) for kind in FIELD_KINDS]
        kind = field.kind if field.kind in FIELD_KINDS else FIELD_KINDS[0]
        yield Select(kinds, value=kind, allow_blank=False, classes="row-kind", compact=True)
        yield Checkbox("", field.required, classes="row-required", compact=True)
        yield InertInput(
            ", ".join(field.choices),
            placeholder=CHOICES_HINT if kind == "choice" else "",
            classes="row-choices",
            compact=True,
            disabled=kind != "choice",
        )
        if not off:
            yield Button("▲", classes="row-up", compact=True, tooltip="Move this field up.")
            yield Button("▼", classes="row-down", compact=True, tooltip="Move this field down.")
            yield Button("✕", classes="row-remove", compact=True, tooltip="Remove this field.")

    def on_mount(self) -> None:
        """A read-only row shows its values and takes no input."""
        if self.read_only:
            for part in self.query("Input, Select, Checkbox"):
                part.disabled = True

    def focus_label(self) -> None:
        """Put the focus on the row's label."""
        for label in self.query(".row-label").results(Input):
            label.focus()

    @property
    def typed(self) -> ExtraField:
        """The field as the row holds it now (unchecked: the service checks it)."""
        kind = self.query_one(".row-kind", Select).value
        kind_text = kind if isinstance(kind, str) else FIELD_KINDS[0]
        return ExtraField(
            name=self.query_one(".row-key", Input).value.strip(),
            label=self.query_one(".row-label", Input).value.strip(),
            required=self.query_one(".row-required", Checkbox).value,
            kind=kind_text,
            choices=choices_of(self.query_one(".row-choices", Input).value)
            if kind_text == "choice"
            else (),
        )

    @on(Input.Changed, ".row-label")
    def _label_typed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.key_typed:
            self.query_one(".row-key", Input).value = key_from_label(event.value)

    @on(Input.Changed, ".row-key")
    def _key_typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.query_one(".row-key", Input).has_focus:
            self.key_typed = True

    @on(Select.Changed, ".row-kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        event.stop()
        choices = self.query_one(".row-choices", Input)
        choices.disabled = self.read_only or event.value != "choice"
        choices.placeholder = CHOICES_HINT if event.value == "choice" else ""

    @on(Button.Pressed, ".row-up")
    def _up(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_move(-1)

    @on(Button.Pressed, ".row-down")
    def _down(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_move(1)

    @on(Button.Pressed, ".row-remove")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_remove_field()

    def action_move(self, step: int) -> None:
        """Move the row `step` places (kept within the list)."""
        if not self.read_only and isinstance(self.parent, FieldRows):
            self.parent.move_row(self, step)

    def action_remove_field(self) -> None:
        """Remove the row."""
        if not self.read_only and isinstance(self.parent, FieldRows):
            self.parent.remove_row(self)


class FieldRows(Vertical):
    """The department's fields as rows, with a heading; empty says so."""

    def __init__(self, *, read_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.read_only = read_only
        """Shown only (an agent's view)."""

    def compose(self) -> ComposeResult:
        """The column heading and the line saying there are none."""
        with Horizontal(classes="field-rows-heading"):
            for text, kind in (
                ("Label", "row-label"),
                ("Key", "row-key"),
                ("Kind", "row-kind"),
                ("Req", "row-required"),
                ("Choices", "row-choices"),
            ):
                yield Static(Text(text), classes=kind)
        yield Static(Text("No fields: a ticket asks only for the subject and text."), id="no-rows")

    @property
    def rows(self) -> list[FieldRow]:
        """The rows, in order."""
        return list(self.query_children(FieldRow))

    @property
    def fields(self) -> tuple[ExtraField, ...]:
        """The fields as typed, in order (rows left wholly empty are skipped)."""
        typed = (row.typed for row in self.rows)
        return tuple(field for field in typed if field.name or field.label or field.choices)

    def show_fields(self, fields: tuple[ExtraField, ...]) -> None:
        """Replace the rows with these fields."""
        for row in self.rows:
            row.remove()
        if fields:
            self.mount_all(FieldRow(field, read_only=self.read_only) for field in fields)
        self._say_empty(bool(fields))

    def add_row(self) -> FieldRow:
        """A new empty row at the end, its label focused."""
        row = FieldRow(read_only=self.read_only)
        self.mount(row)
        self._say_empty(True)
        self.call_after_refresh(row.focus_label)
        return row

    def remove_row(self, row: FieldRow) -> None:
        """Remove `row`; the focus goes to the row that takes its place."""
        rows = self.rows
        index = rows.index(row)
        rest = rows[:index] + rows[index + 1 :]
        row.remove()
        self._say_empty(bool(rest))
        if rest:
            rest[min(index, len(rest) - 1)].focus_label()

    def move_row(self, row: FieldRow, step: int) -> None:
        """Move `row` up (-1) or down (1), keeping the focus on it."""
        rows = self.rows
        index = rows.index(row)
        target = index + step
        if not 0 <= target < len(rows):
            return
        focused = self.screen.focused
        if step < 0:
            self.move_child(row, before=rows[target])
        else:
            self.move_child(row, after=rows[target])
        if focused is not None:
            self.call_after_refresh(focused.focus)

    def _say_empty(self, has_rows: bool) -> None:
        self.query_one("#no-rows", Static).display = not has_rows
