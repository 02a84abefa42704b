"""The home screen: the bank at a glance, the streak, and how to start."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Header, LoadingIndicator, Static

from app.practice.planner import Filters
from app.practice.request import PracticeRequest
from app.stats.compute import at_a_glance, skill_title
from app.store.db import StoreError
from app.tui.screens.base import DrillbitScreen
from app.tui.widgets.keybar import KeyBar


class HomeScreen(DrillbitScreen):
    BINDINGS = [
        Binding("enter", "quick", "Practise skill", priority=True),
        Binding("a", "quick_all", "All skills"),
        Binding("n", "setup", "New session"),
        Binding("s", "stats", "Stats"),
        Binding("q", "app.quit", "Quit"),  # a screen has no quit action of its own
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(Content("drillbit"), id="home-title")
            yield Static(Content("Loading the bank…"), id="home-status")
            yield LoadingIndicator()
            yield DataTable(id="skills", cursor_type="row", zebra_stripes=True)
            yield Static(id="home-help")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#skills").display = False
        if self.drillbit.bank is not None:
            self.refresh_data()

    def on_screen_resume(self) -> None:
        if self.drillbit.bank is not None:
            self.refresh_data()

    def refresh_data(self) -> None:
        app = self.drillbit
        bank, store = app.core
        now = app.clock.now()
        try:
            rows = at_a_glance(bank.index(), store.cards(), store.seen_ids(), now)
            current = store.current_streak(now.astimezone().date())
        except StoreError as error:
            self.notify(str(error), title="Cannot read the history", severity="error", markup=False)
            return
        self.query_one(LoadingIndicator).display = False
        table = self.query_one("#skills", DataTable)
        table.clear(columns=True)
        titles = [skill_title(bank.skills, row.skill) for row in rows]
        # Cells, not characters: a CJK title is twice as wide as its length.
        table.add_column("Skill", width=min(40, max(map(cell_len, titles), default=5)))
        table.add_columns("Questions", "Practised", "Due", "Readiness")
        due_total = 0
        for row, title in zip(rows, titles, strict=True):
            due_total += row.due
            table.add_row(
                Text(title, overflow="ellipsis", no_wrap=True),
                Text(str(row.total), justify="right"),
                Text(str(row.practised), justify="right"),
                Text(str(row.due), justify="right", style="bold" if row.due else ""),
                Text(f"{row.readiness:.0%}", justify="right"),
                key=row.skill,
            )
        table.display = True
        # The table's auto height is measured before its rows land; measure again once drawn,
        # or the skills stay invisible (a 0-line table) until the terminal is resized.
        self.call_after_refresh(table.refresh, layout=True)
        self.call_after_refresh(app.first_screen_ready)
        if self.focused is None:
            table.focus()
        flame = f"{current}-day streak" if current else "no streak yet: practise today to start one"
        self.query_one("#home-status", Static).update(
            Content(
                f"{len(bank)} questions in {len(bank.skills)} skills · {due_total} due · {flame}"
            )
        )
        self.query_one("#home-help", Static).update(
            Content.assemble(
                ("enter", "bold"),
                " practise the highlighted skill   ",
                ("a", "bold"),
                " all skills   ",
                ("n", "bold"),
                " choose a session   ",
                ("s", "bold"),
                " stats   ",
                ("?", "bold"),
                " help",
            )
        )

    def action_quick(self) -> None:
        """Five questions of the highlighted skill: due first, then new, then the weakest."""
        table = self.query_one("#skills", DataTable)
        if self.drillbit.bank is None or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self._start((str(key),))

    def action_quick_all(self) -> None:
        if self.drillbit.bank is not None:
            self._start(())

    def _start(self, skills: tuple[str, ...]) -> None:
        self.drillbit.start_practice(PracticeRequest(filters=Filters(skills)))

    def action_setup(self) -> None:
        self.drillbit.action_setup()

    def action_stats(self) -> None:
        self.drillbit.action_stats()
