"""How an order is paid, as the cart asks it: a request for an admin, a manual payment (its
method and reference), or the card Stripe holds for the client (offered only when Stripe is
configured; otherwise the reason is shown where the choice is).

The manual fields are named as the placing service names them (`manual_method`, `reference`),
each with its error line, so a form's refusal lands under the right one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, RadioButton, RadioSet, Select, Static

from screens.widgets.inert_fields import InertInput

__all__ = ["CARD", "MANUAL", "REQUEST", "CardPayment", "PaymentChoice"]

REQUEST, CARD, MANUAL = "", "card", "manual"
"""The placing service's PaymentMethod values (screens never import the models)."""
CARD_GOES = "Charges the card Stripe holds for the client, now."
"""What the card option does, said when it is chosen."""


@dataclass(frozen=True)
class CardPayment:
    """Whether card payments are on, and why not."""

    available: bool
    """A Stripe key is configured."""
    reason: str
    """Why card payments are off ("" when they are on)."""


def _field(label: str, widget: Widget, classes: str) -> Vertical:
    """A labelled field with its error line, as FormDialog lays them out."""
    return Vertical(
        Static(Text(label), classes="field-label"),
        widget,
        Static(id=f"{widget.id}-error", classes="field-error"),
        classes=f"field {classes}",
    )


class PaymentChoice(Widget):
    """Request, manual payment or card; posts `PaymentChoice.Changed`."""

    DEFAULT_CSS = """
    PaymentChoice {
        height: auto;
    }
    """

    class Changed(Message):
        """Another way of paying was chosen."""

        def __init__(self, how: str) -> None:
            super().__init__()
            self.how = how
            """"" (a request), "card" or "manual"."""

    def __init__(self, methods: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.methods = tuple(methods)
        """The manual methods offered (the first is chosen)."""
        self.card = CardPayment(False, "Loading…")
        """Whether the card can be charged."""

    def compose(self) -> ComposeResult:
        """The choice, the card's note, the manual fields (shown when chosen)."""
        with RadioSet(id="how", compact=True):
            yield RadioButton(Text("Send as a request"), value=True, id="how-request")
            yield RadioButton(Text("Manual payment"), id="how-manual")
            yield RadioButton(Text("Pay now by card"), id="how-card", disabled=True)
        yield Static(id="card-note", classes="note")
        manual = Horizontal(id="manual-row", classes="form-row")
        manual.display = False
        with manual:
            method = Select[str](
                [(Text(name), name) for name in self.methods],
                value=self.methods[0],
                allow_blank=False,
                id="manual_method",
                compact=True,
            )
            yield _field("Method", method, "method-field")
            reference = InertInput(id="reference", compact=True, max_length=200)
            yield _field("Reference", reference, "grow")

    @property
    def how(self) -> str:
        """ "" (a request), "card" or "manual"."""
        pressed = self.query_one("#how", RadioSet).pressed_button
        return {"how-card": CARD, "how-manual": MANUAL}.get(pressed.id if pressed else "", "")

    @property
    def manual_method(self) -> str:
        """The manual method chosen ("" unless the payment is manual)."""
        method = self.query_one("#manual_method", Select).value
        return method if self.how == MANUAL and isinstance(method, str) else ""

    @property
    def reference(self) -> str:
        """The manual payment's reference ("" unless the payment is manual)."""
        return self.query_one("#reference", Input).value.strip() if self.how == MANUAL else ""

    def offer_card(self, card: CardPayment) -> None:
        """Turn the card option on, or leave it off and say why."""
        self.card = card
        self.query_one("#how-card", RadioButton).disabled = not card.available
        self._show_card_note()

    @on(RadioSet.Changed, "#how")
    def _how_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.query_one("#manual-row").display = self.how == MANUAL
        self._show_card_note()
        self.post_message(self.Changed(self.how))

    def _show_card_note(self) -> None:
        note = self.query_one("#card-note", Static)
        if not self.card.available:
            note.update(Text(f"Card: {self.card.reason}", style="dim"))
        else:
            note.update(Text(CARD_GOES if self.how == CARD else ""))
