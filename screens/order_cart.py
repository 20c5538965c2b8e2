"""The cart: a new order for one client, from the products that may be ordered.

Pick a product (type its code or name in the list), its billing cycle and how many, and add the
line; the lines are priced by the service that places the order (deskapp.services.order_place),
so the total shown is the total charged. Then one of: send the order as a request for an admin,
record a manual payment (method and reference), or charge the card Stripe holds for the client
(offered only when Stripe is configured; otherwise the reason is shown). Placing opens the
order's ticket in Orders; the notice names both.

The cart is a FormDialog: refusals appear under the field at fault, a Closed client's refusal on
the form's own line, and the buttons stay on screen however small the terminal (the lines
scroll instead).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Select, Static
from textual.worker import Worker, WorkerState

from deskapp.config import load_settings
from deskapp.errors import Conflict, DeskError, NotFound, PermissionDenied, ValidationError
from deskapp.ids import format_number
from deskapp.services.actors import Actor
from deskapp.services.cart import check_client_can_order, parse_quantity
from deskapp.services.catalogue import ProductInfo, list_products
from deskapp.services.clients import get_client
from deskapp.services.invoices import PAYMENT_METHODS
from deskapp.services.order_card import card_payments_available, charge_order, payment_gateway
from deskapp.services.order_place import (
    CartLine,
    CartPrice,
    OrderPlaced,
    place_order,
    price_cart,
)
from screens.widgets.cart_lines import CartLines
from screens.widgets.form_dialog import FORM_ERROR, FormDialog
from screens.widgets.payment_choice import CARD, MANUAL, REQUEST, CardPayment, PaymentChoice
from screens.widgets.product_picker import ProductPicker

__all__ = ["CartResult", "OrderCartScreen", "TakesNewOrders", "open_cart"]

SUBMIT_LABELS = {REQUEST: "Send request", CARD: "Charge card", MANUAL: "Place, paid"}
"""The place button's label for each way of paying."""
LINE_FIELDS = frozenset({"items", "cycle", "quantity", "product"})
"""The service's field names that mean the line being added."""
PRODUCT_PAGE = 500
"""Products read per call while loading the catalogue (a desk sells tens, not thousands)."""


def card_payment_offer() -> CardPayment:
    """Runs in a thread: whether Stripe is configured (the card option is off, with the
    reason, when it is not)."""
    available, reason = card_payments_available(load_settings())
    return CardPayment(available, reason)


def charge_card(actor: Actor, order_id: uuid.UUID) -> str:
    """Runs in a thread: charge a card order just placed; what Stripe said, in a sentence. A
    refusal (no card on file, Stripe unreachable) is said too: the order stays placed, its
    payment Pending or Failed, to be retried from the order screen."""
    try:
        return charge_order(actor, order_id, payment_gateway(load_settings())).message
    except DeskError as error:
        return str(error)


@dataclass(frozen=True)
class CartLoaded:
    """What the cart shows before anything is picked."""

    heading: str
    """New order for C-1042 Mina Okafor (Northwind Hosting) — untrusted names inside."""
    products: tuple[ProductInfo, ...]
    """The products a new order may include, by code."""
    card: CardPayment
    """Whether the card can be charged, and why not."""


@dataclass(frozen=True)
class CartResult:
    """An order placed from the cart."""

    placed: OrderPlaced
    """The order and its ticket."""
    card_message: str
    """What the card charge said ("" for a request or a manual payment)."""

    @property
    def sentence(self) -> str:
        """The notice: "O-5531 placed; its ticket is T-20311." and how the card went."""
        ticket = format_number("ticket", self.placed.ticket_number)
        said = f"{self.placed.label} placed; its ticket is {ticket}."
        return f"{said} {self.card_message}".strip()


class OrderCartScreen(FormDialog[CartResult]):
    """A new order for one client; dismisses the CartResult, or None.

    | Key(s) | Description |
    | :- | :- |
    | enter | In the quantity: add the line; in the reference: place the order. |
    | delete / x | On the lines: take the highlighted line out. |
    | escape | Close without placing an order. |
    """

    SUBMIT = SUBMIT_LABELS[REQUEST]
    LOADS_FIRST = True
    SHOWN_IN_FORM: ClassVar[tuple[type[DeskError], ...]] = (Conflict, NotFound, PermissionDenied)
    WORK_GROUP = "order-cart"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "delete,x",
            "remove_line",
            "Remove line",
            tooltip="Take the highlighted line out of the order.",
        ),
    ]

    class _Priced(Message, bubble=False):
        def __init__(self, price: CartPrice | None) -> None:
            super().__init__()
            self.price = price

    def __init__(self, client_id: uuid.UUID) -> None:
        super().__init__()
        self.client_id = client_id
        """Whose order."""
        self.lines: tuple[CartLine, ...] = ()
        """The lines of the order, as the service priced them last."""
        self.price: CartPrice | None = None
        """The priced lines and total (None while the cart is empty)."""
        self.pricing = False
        """A line is being priced (no second add meanwhile)."""

    def compose_buttons(self) -> ComposeResult:
        """Place and cancel, one line tall: a short terminal keeps its rows for the cart."""
        yield Button(self.submit_label(), variant=self.SUBMIT_VARIANT, id="submit", compact=True)
        yield Button(self.CANCEL, id="cancel", compact=True)

    def heading(self) -> str:
        """Until the client has loaded."""
        return "New order"

    def compose_fields(self) -> ComposeResult:
        """The line being added, the lines and the total, how it is paid; all of it scrolls
        above the buttons."""
        with VerticalScroll(id="cart-body"):
            yield ProductPicker(id="picker")
            yield self.field_error("line")
            yield CartLines(id="cart-lines")
            yield self.label("Payment")
            yield PaymentChoice(PAYMENT_METHODS, id="payment")

    # -- loading --------------------------------------------------------------------------

    def load(self) -> CartLoaded:
        """The client (refused when Closed: the rule placing applies), the orderable
        products, and whether the card can be charged."""
        profile = get_client(self.client_id)
        check_client_can_order(self.client_id)
        who = profile.name + (f" ({profile.company})" if profile.company else "")
        products: list[ProductInfo] = []
        while True:
            last = products[-1] if products else None
            page = list_products(orderable_only=True, after=last, limit=PRODUCT_PAGE)
            products += page
            if len(page) < PRODUCT_PAGE:
                break
        return CartLoaded(
            f"New order for {profile.label} {who}", tuple(products), card_payment_offer()
        )

    def loaded(self, data: CartLoaded) -> None:
        """Offer the products and the card (or say why not)."""
        self.set_heading(data.heading)
        self.query_one(ProductPicker).offer(data.products)
        self.query_one(PaymentChoice).offer_card(data.card)
        if not data.products:
            self.show_error("line", "Nothing in the catalogue may be ordered at the moment.")
        self.query_one("#product", Select).focus()

    # -- the line being added ---------------------------------------------------------------

    def input_submitted(self, field: Input) -> None:
        """Enter in the quantity adds the line; in the reference it places the order."""
        if field.id == "quantity":
            self.action_add_line()
        else:
            self.submit()

    @on(Button.Pressed, "#add-line")
    def action_add_line(self) -> None:
        """Price the cart with the line added (in a thread); the service's refusal is shown
        under the line."""
        if self.working or self.pricing or self.load_failed:
            return
        self._clear_line_error()
        picker = self.query_one(ProductPicker)
        if picker.product is None:
            self.show_error("line", "Pick a product first: type its code or name in the list.")
            return
        self.pricing = True
        self.run_worker(
            partial(self._price_with, picker.product.code, picker.cycle, picker.quantity),
            thread=True,
            exit_on_error=False,
            group=self.WORK_GROUP,
            name="price the cart",
        )

    def _price_with(self, code: str, cycle: str | None, quantity_text: str) -> None:
        try:
            quantity = parse_quantity(quantity_text)
            lines = _added(self.lines, CartLine(code, cycle, quantity))
            price = price_cart(lines)
        except ValidationError as error:
            self.post_message(self._Rejected("line", str(error)))
            return
        self.post_message(self._Priced(price))

    def _reprice(self, lines: tuple[CartLine, ...]) -> None:
        if not lines:
            self.post_message(self._Priced(None))
            return
        try:
            price = price_cart(lines)
        except ValidationError as error:
            self.post_message(self._Rejected("line", str(error)))
            return
        self.post_message(self._Priced(price))

    @on(_Priced)
    def _priced(self, message: _Priced) -> None:
        self.pricing = False
        self.price = message.price
        # The lines as priced: each names the cycle the service chose, so a second line of the
        # same product and cycle adds to this one.
        priced = message.price.lines if message.price else ()
        self.lines = tuple(CartLine(line.code, line.cycle, line.quantity) for line in priced)
        self.query_one(CartLines).show(message.price)
        self.query_one(ProductPicker).start_again()

    def action_remove_line(self) -> None:
        """Take the highlighted line out and price the rest again."""
        table = self.query_one(CartLines).lines
        if table.highlighted_record is None or self.working or self.pricing:
            return
        row = table.cursor_row
        lines = (*self.lines[:row], *self.lines[row + 1 :])
        self.pricing = True
        self.run_worker(
            partial(self._reprice, lines),
            thread=True,
            exit_on_error=False,
            group=self.WORK_GROUP,
            name="price the cart",
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Remove line is offered on the lines, when one is highlighted."""
        if action == "remove_line":
            table = self.query_one(CartLines).lines
            return self.focused is table and table.highlighted_record is not None
        return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed pricing (the app's error handler says why) leaves the cart usable."""
        super().on_worker_state_changed(event)
        if event.worker.group == self.WORK_GROUP and event.state is WorkerState.ERROR:
            self.pricing = False

    def _clear_line_error(self) -> None:
        line = self.query_one("#line-error", Static)
        line.update(Text(""))
        line.remove_class("-shown")

    # -- how it is paid -------------------------------------------------------------------

    @on(PaymentChoice.Changed)
    def _how_changed(self, message: PaymentChoice.Changed) -> None:
        self.query_one("#submit", Button).label = SUBMIT_LABELS[message.how]
        if message.how == MANUAL:  # its fields may be below the fold on a short terminal
            self.call_after_refresh(self.query_one("#manual-row").scroll_visible, animate=False)

    # -- placing --------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The lines priced and how it is paid; an empty cart is refused here."""
        if self.pricing:
            raise ValidationError("line", "A line is still being priced; try again.")
        if not self.lines:
            raise ValidationError("line", "The order is empty; add at least one product.")
        payment = self.query_one(PaymentChoice)
        return {
            "lines": self.lines,
            "how": payment.how,
            "manual_method": payment.manual_method,
            "reference": payment.reference,
        }

    def call_service(self, values: Mapping[str, Any]) -> CartResult:
        """Place the order; for a card, charge it (a charge that fails leaves the order placed,
        its payment Failed or Pending, and says why)."""
        placed = place_order(
            self.actor,
            self.client_id,
            values["lines"],
            values["how"],
            manual_method=values["manual_method"],
            reference=values["reference"],
        )
        message = ""
        if values["how"] == CARD:
            message = charge_card(self.actor, placed.id)
        return CartResult(placed, message)

    def show_error(self, field: str, sentence: str) -> None:
        """The service's sentence under the line for what is about a line, under the payment
        for how it is paid, else on the form's line."""
        if field in LINE_FIELDS:
            field = "line"
        elif field == "how":
            field = FORM_ERROR
        super().show_error(field, sentence)

    def rejected(self, field: str, sentence: str) -> None:
        """A refused line leaves the cart as it was, ready for the next try."""
        self.pricing = False

    def done(self, result: CartResult) -> None:
        """Say which order and ticket it made, and close with it."""
        self.say(result.sentence)
        self.dismiss(result)


def _added(lines: tuple[CartLine, ...], line: CartLine) -> tuple[CartLine, ...]:
    """The lines with `line` added: the same product and cycle again adds to its quantity."""
    same = (line.code.upper(), line.cycle)
    for position, kept in enumerate(lines):
        if (kept.code.upper(), kept.cycle) == same:
            merged = CartLine(kept.code, kept.cycle, kept.quantity + line.quantity)
            return (*lines[:position], merged, *lines[position + 1 :])
    return (*lines, line)


def open_cart(
    app: App[Any], client_id: uuid.UUID, placed: Callable[[CartResult], object] | None = None
) -> None:
    """Show the cart for a client; `placed(result)` is called with the order placed."""

    def answered(result: CartResult | None) -> None:
        if result is not None and placed is not None:
            placed(result)

    app.push_screen(OrderCartScreen(client_id), answered)


class TakesNewOrders(Screen[Any]):
    """Mixin for one client's order list: `n` opens the cart for that client (hidden on the
    list of every client's orders, where there is no one to order for).

    Put it after the screen's own base (Textual styles a screen by the types of its first
    base's chain), and let the screen's check_action ask this one about "new_order"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n", "new_order", "New order", tooltip="Open the cart: a new order for this client."
        ),
    ]

    client_id: uuid.UUID | None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """New order only on one client's list."""
        if action == "new_order":
            return self.client_id is not None
        return super().check_action(action, parameters)

    def action_new_order(self) -> None:
        """The cart for this list's client; the list loads again once an order is placed."""
        if self.client_id is not None:
            open_cart(
                self.app,
                self.client_id,
                lambda _result: self.call_later(self.run_action, "refresh"),
            )
