"""The stats screen: readiness per skill, a practice heatmap, coverage over time, time accuracy."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Sparkline, Static

from app.stats.compute import per_skill, skill_title, streak
from app.store.db import StoreError
from app.tui.screens.base import DrillbitScreen
from app.tui.widgets.heatmap import Heatmap
from app.tui.widgets.keybar import KeyBar


class StatsScreen(DrillbitScreen):
    BINDINGS = [Binding("escape,q", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="stats"):
            yield Static(id="stats-title")
            yield Static(Content("Readiness per skill"), classes="section-title")
            yield DataTable(id="stats-skills", cursor_type="row", zebra_stripes=True)
            yield Static(Content("Practice, last 26 weeks"), classes="section-title")
            yield Heatmap(id="stats-heatmap")
            yield Static(
                Content("Rubric coverage over time (one bar per practice day)"),
                classes="section-title",
            )
            yield Sparkline([], id="stats-coverage")
            yield Static(id="stats-coverage-caption")
        yield KeyBar()

    def on_mount(self) -> None:
        app = self.drillbit
        bank, store = app.core
        now = app.clock.now()
        try:
            totals = store.question_totals()
            days = store.day_totals()
            cards = store.cards()
        except StoreError as error:
            self.notify(str(error), title="Cannot read the history", severity="error", markup=False)
            return
        today = now.astimezone().date()
        attempts = sum(t.attempts for t in totals)
        self.query_one("#stats-title", Static).update(
            Content.assemble(
                ("Statistics", "bold"),
                f"  ·  {attempts} rated attempts  ·  {streak((d.day for d in days), today)}-day streak",
            )
        )
        table = self.query_one("#stats-skills", DataTable)
        table.add_columns("Skill", "Seen", "Mean score", "Readiness", "Due", "Time / budget")
        for row in per_skill(bank.index(), totals, cards, now):
            accuracy = "-" if row.time_accuracy is None else f"{row.time_accuracy:.2f}x"
            coverage = "-" if row.mean_coverage is None else f"{row.mean_coverage:.0%}"
            slow = row.time_accuracy is not None and row.time_accuracy > 1.2
            table.add_row(
                Text(skill_title(bank.skills, row.skill)),
                Text(f"{row.seen}/{row.total}", justify="right"),
                Text(coverage, justify="right"),
                Text(f"{row.readiness:.0%}", justify="right"),
                Text(str(row.due), justify="right"),
                Text(accuracy, justify="right", style="red" if slow else ""),
            )
        self.query_one(Heatmap).show({d.day: d.attempts for d in days}, today)
        series = [(d.day, d.mean_score) for d in days if d.mean_score is not None]
        self.query_one("#stats-coverage", Sparkline).data = [value for _, value in series] or [0.0]
        caption = "no rated attempts yet"
        if series:
            first, latest = series[0], series[-1]
            caption = f"{first[0]} → {latest[0]}: first {first[1]:.0%}, latest {latest[1]:.0%}"
        self.query_one("#stats-coverage-caption", Static).update(Content(caption))

    def action_back(self) -> None:
        self.app.pop_screen()
