"""The summary after a session: per question, per skill, and what comes due next."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Header, Static

from app.bank.durations import format_duration
from app.practice.scheduler import format_interval
from app.practice.session import PracticeSession
from app.practice.summary import per_skill, totals
from app.stats.compute import skill_title
from app.store.db import StoreError
from app.tui.screens.base import DrillbitScreen
from app.tui.widgets.keybar import KeyBar


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


class SummaryScreen(DrillbitScreen):
    BINDINGS = [
        Binding("enter,escape", "home", "Home"),
        Binding("s", "stats", "Stats"),
        Binding("u", "undo", "Undo last rating"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: PracticeSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(id="summary-title")
            yield DataTable(id="summary-questions", cursor_type="row", zebra_stripes=True)
            yield Static(Content("Per skill"), classes="section-title")
            yield DataTable(id="summary-skills", cursor_type="none")
            yield Static(id="summary-due")
        yield KeyBar()

    def on_mount(self) -> None:
        session = self.session
        bank, _ = self.drillbit.core
        done = totals(session)
        self.query_one("#summary-title", Static).update(
            Content.assemble(
                ("Session complete", "bold"),
                f"  ·  {done.rated} rated, {done.skipped} skipped",
                f"  ·  {format_duration(done.seconds)} in all",
                "  ·  mock: ratings did not reschedule" if not session.reschedule else "",
            )
        )
        table = self.query_one("#summary-questions", DataTable)
        table.add_columns("Question", "Skill", "Time / budget", "Hints", "Score", "Rating", "Next")
        now = session.clock.now()
        for item in session.items:
            spent, budget = item.spent_seconds, item.question.time_seconds
            time_text = Text(f"{format_duration(spent)} / {format_duration(budget)}")
            if spent > budget:
                time_text.stylize("bold red")
            grade = item.choice_grade
            if grade is not None:
                result = "correct" if grade.correct else "wrong"
            else:
                result = percent(item.score)
            rating = item.rating.label if item.rating else ("skipped" if item.skipped else "-")
            due = format_interval(item.due_after - now) if item.due_after else "-"
            table.add_row(
                Text(item.question.title),
                Text(skill_title(bank.skills, item.entry.skill)),
                time_text,
                Text(str(item.hints_used)),
                Text(result),
                Text(rating),
                Text(due),
            )
        skills = self.query_one("#summary-skills", DataTable)
        skills.add_columns("Skill", "Questions", "Rated", "Mean score", "Time / budget")
        for row in per_skill(session.items):
            skills.add_row(
                Text(skill_title(bank.skills, row.skill)),
                Text(str(row.questions)),
                Text(str(row.rated)),
                Text(percent(row.mean_score)),
                Text("-" if row.time_ratio is None else f"{row.time_ratio:.2f}x"),
            )
        self._show_due_next()

    def _show_due_next(self) -> None:
        bank, store = self.drillbit.core
        now = self.session.clock.now()
        try:
            upcoming = store.next_due(5)
        except StoreError as error:
            self.notify(str(error), title="Cannot read the history", severity="error", markup=False)
            return
        lines: list[str | tuple[str, str]] = [("Coming due next", "bold"), "\n"]
        for row in upcoming:
            title = (
                bank.questions[row.question_id].title
                if row.question_id in bank.questions
                else f"{row.question_id} (retired)"
            )
            when = "now" if row.due <= now else f"in {format_interval(row.due - now)}"
            lines += [f"  {when:>10}  ", title, "\n"]
        if not upcoming:
            lines.append("  nothing scheduled yet")
        self.query_one("#summary-due", Static).update(Content.assemble(*lines).rstrip())

    def action_home(self) -> None:
        self.drillbit.show_home()

    def action_stats(self) -> None:
        self.drillbit.action_stats()

    def action_undo(self) -> None:
        from app.tui.screens.question import QuestionScreen

        if self.undo_rating(self.session):
            self.app.switch_screen(QuestionScreen(self.session))
