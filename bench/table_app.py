"""The floor for a cursor move: a stock Textual DataTable with a header and a footer.

bench/wire.py counts the bytes it writes for a cursor move, beside the desk's client list.
Rows like the desk's (a number, a name, a company, an email, a status, an amount).
"""

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

COMPANIES = ("Bakery", "Architects", "Logistics", "Consulting", "Design Studio", "Florist")


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Number", "Name", "Company", "Email", "Status", "Credit")
        for number in range(1001, 1101):
            company = COMPANIES[number % len(COMPANIES)]
            table.add_row(
                f"C-{number}",
                f"Client {number}",
                f"{company} {number % 17}",
                f"client{number}@example.com",
                "Active",
                f"{number % 300}.00",
            )


if __name__ == "__main__":
    TableApp().run()
