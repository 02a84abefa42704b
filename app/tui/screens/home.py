"""The home screen: the bank at a glance, the streak, and how to start."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static

from app.stats.compute import at_a_glance


class HomeScreen(Screen[None]):
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
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#skills").display = False
        if self.app.bank is not None:  # type: ignore[attr-defined]
            self.refresh_data()

    def on_screen_resume(self) -> None:
        if self.app.bank is not None:  # type: ignore[attr-defined]
            self.refresh_data()

    def refresh_data(self) -> None:
        app = self.app
        bank, store = app.bank, app.store  # type: ignore[attr-defined]
        now = app.clock.now()  # type: ignore[attr-defined]
        rows = at_a_glance(bank.index(), store.cards(), now)
        current = store.current_streak(now.astimezone().date())
        self.query_one(LoadingIndicator).display = False
        table = self.query_one("#skills", DataTable)
        table.clear(columns=True)
        titles = {slug: skill.title for slug, skill in bank.skills.items()}
        table.add_column("Skill", width=max((len(t) for t in titles.values()), default=5))
        table.add_columns("Questions", "Practised", "Due", "Readiness")
        due_total = 0
        for row in rows:
            title = bank.skills[row.skill].title if row.skill in bank.skills else row.skill
            due_total += row.due
            table.add_row(
                Text(title),
                Text(str(row.total), justify="right"),
                Text(str(row.scheduled), justify="right"),
                Text(str(row.due), justify="right", style="bold" if row.due else ""),
                Text(f"{row.readiness:.0%}", justify="right"),
                key=row.skill,
            )
        table.display = True
        # The table's auto height is measured before its rows land; measure again once drawn,
        # or the skills stay invisible (a 0-line table) until the terminal is resized.
        self.call_after_refresh(table.refresh, layout=True)
        self.call_after_refresh(app.first_screen_ready)  # type: ignore[attr-defined]
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
        if self.app.bank is None or not table.row_count:  # type: ignore[attr-defined]
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self._start((str(key),))

    def action_quick_all(self) -> None:
        if self.app.bank is not None:  # type: ignore[attr-defined]
            self._start(())

    def _start(self, skills: tuple[str, ...]) -> None:
        from app.practice.planner import Filters
        from app.tui.app import PracticeRequest

        self.app.start_practice(PracticeRequest(filters=Filters(skills)))  # type: ignore[attr-defined]

    def action_setup(self) -> None:
        self.app.action_setup()  # type: ignore[attr-defined]

    def action_stats(self) -> None:
        self.app.action_stats()  # type: ignore[attr-defined]
