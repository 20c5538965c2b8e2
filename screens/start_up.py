"""Start-up: the first screen with its rows as soon as possible, then the rest.

Until the first frame and the first list's rows are on screen, the desk holds back what would
delay them (bench/README.md has what each saves):
- the first screen's footer (some twenty key widgets), mounted afterwards;
- the list's second page (RecordTable.release_paging);
- the garbage collector: `deskapp` pauses it while starting (deskapp.cli); start-up makes a
  few hundred thousand objects that live as long as the app and almost no garbage, so they are
  frozen (never scanned again, which also keeps later full collections short);
- following other desks (screens.following);
- the other screens' stylesheets: only the first screen's load at start, the rest when another
  screen is first shown.
The first frame is drawn as Textual draws it (its public API has no hook at the end of its
start-up batch; the desk no longer reaches into its private names for it: bench/README.md).
"""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App
from textual.screen import Screen

from screens.styles_path import ParsedOnceStylesheet, first_stylesheets, later_stylesheets
from screens.widgets.record_table import RecordTable


class StartsQuickly(App[None]):
    """App part: start-up in the order above; `after_start_up` hands over to the rest."""

    CSS_PATH = first_stylesheets()
    FIRST_PAGE_WAIT_SECONDS = 0.5
    """How long start-up waits for the first list's rows before finishing anyway."""

    def __init__(self) -> None:
        super().__init__()
        self.stylesheet = ParsedOnceStylesheet(variables=self.get_css_variables())
        self.starting_up = True
        """True until the first frame and the first list's rows are on screen."""
        self._start_up_ready = False
        self._first_page_on_screen = False
        self._later_stylesheets_loaded = False

    def on_mount(self) -> None:
        """Load the other stylesheets when another screen is first shown."""
        # Immediate: a posted callback could run after the new screen's first rows are drawn
        # with their component styles (waiting colours) still missing.
        self.screen_change_signal.subscribe(self, self._load_later_stylesheets, immediate=True)

    def on_ready(self) -> None:
        """Textual has started (the first frame is out): finish once the first page shows too."""
        self._start_up_ready = True
        self.set_timer(self.FIRST_PAGE_WAIT_SECONDS, self.first_page_shown)
        self._finish_start_up()

    def first_page_shown(self) -> None:
        """The first screen's list shows its rows (or failed to load)."""
        self._first_page_on_screen = True
        self._finish_start_up()

    def _finish_start_up(self) -> None:
        if not (self._start_up_ready and self._first_page_on_screen and self.starting_up):
            return
        self.starting_up = False
        mount_footer = getattr(self.screen, "mount_footer", None)
        if mount_footer is not None:
            self.call_later(mount_footer)
        for table in self.screen.query(RecordTable):
            table.release_paging()
        if not gc.isenabled():
            gc.freeze()
            gc.enable()
        self.after_start_up()

    def after_start_up(self) -> None:
        """What starts once the first screen is on screen with its rows (the app adds it)."""

    def _load_later_stylesheets(self, _: Screen[Any]) -> None:
        """The first time another screen is shown: load every other screen's stylesheet.

        This runs before the new screen composes, so its widgets are styled from the start.
        """
        if self._later_stylesheets_loaded:
            return
        self._later_stylesheets_loaded = True
        for path in later_stylesheets():
            self.stylesheet.read(path)
        self.stylesheet.reparse()
        self.stylesheet.update(self)
