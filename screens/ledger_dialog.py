"""The form every ledger dialog is: one service call, its refusal shown under the field.

A `LedgerDialog` is a FormDialog (screens.widgets.form_dialog): it sends what was typed to one
service in a thread worker, shows a ValidationError's sentence under the field at fault and
keeps the form as it was, and dismisses with the service's result once it succeeded. Any other
DeskError reaches the app's one error handler (a notification) and leaves the form open and
usable. The client ledger screen says what happened, with the dialog's `summary`.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from screens.widgets.form_dialog import FormDialog

__all__ = ["LedgerDialog"]

ResultT = TypeVar("ResultT")


class LedgerDialog(FormDialog[ResultT], Generic[ResultT]):
    """A form over the ledger that one service call answers.

    Subclasses compose their fields (each followed by `field_error(name)`), collect the values
    and call the service; escape cancels (dismisses None).
    """

    WORK_GROUP: ClassVar[str] = "ledger-dialog"
