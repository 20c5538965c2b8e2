"""The floor for start-up time: the smallest Textual app with a header and a footer."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("C-0000 minimal")
        yield Footer()


if __name__ == "__main__":
    Minimal().run()
