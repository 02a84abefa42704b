"""The summary after a session: per question, per skill, and what comes due next."""

from __future__ import annotations

from collections import defaultdict

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from app.bank.durations import format_duration
from app.practice.scheduler import Grade, format_interval
from app.practice.session import PracticeSession


class SummaryScreen(Screen[None]):
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
        yield Footer()

    def on_mount(self) -> None:
        session = self.session
        items = session.items
        rated = [item for item in items if item.rating is not None]
        total_time = session.session_timer.elapsed()
        self.query_one("#summary-title", Static).update(
            Content.assemble(
                ("Session complete", "bold"),
                f"  ·  {len(rated)} rated, {sum(i.skipped for i in items)} skipped",
                f"  ·  {format_duration(int(total_time.total_seconds()))} in all",
                "  ·  mock: ratings did not reschedule" if not session.reschedule else "",
            )
        )
        table = self.query_one("#summary-questions", DataTable)
        table.add_columns("Question", "Skill", "Time / budget", "Hints", "Rubric", "Rating", "Next")
        now = session.clock.now()
        for item in items:
            spent = int(item.timer.elapsed().total_seconds()) if item.timer else 0
            budget = item.question.time_seconds
            time_text = Text(f"{format_duration(spent)} / {format_duration(budget)}")
            if spent > budget:
                time_text.stylize("bold red")
            coverage = item.coverage
            rubric = "-" if coverage is None else f"{coverage:.0%}"
            if item.auto_grade is not None:
                rubric = "correct" if item.auto_grade else "wrong"
            rating = (
                Grade(item.rating).label if item.rating else ("skipped" if item.skipped else "-")
            )
            due = format_interval(item.due_after - now) if item.due_after else "-"
            table.add_row(
                Text(item.question.title),
                Text(item.entry.skill),
                time_text,
                Text(str(item.hints_used)),
                Text(rubric),
                Text(rating),
                Text(due),
            )
        per_skill: dict[str, list] = defaultdict(list)
        for item in items:
            per_skill[item.entry.skill].append(item)
        skills = self.query_one("#summary-skills", DataTable)
        skills.add_columns("Skill", "Questions", "Rated", "Mean rubric", "Time / budget")
        for skill, group in per_skill.items():
            coverages = [i.coverage for i in group if i.coverage is not None and i.rating]
            spent = sum(int(i.timer.elapsed().total_seconds()) for i in group if i.timer)
            budget = sum(i.question.time_seconds for i in group)
            mean = f"{sum(coverages) / len(coverages):.0%}" if coverages else "-"
            skills.add_row(
                Text(skill),
                Text(str(len(group))),
                Text(str(sum(1 for i in group if i.rating))),
                Text(mean),
                Text(f"{spent / budget:.2f}x" if budget else "-"),
            )
        self._show_due_next()

    def _show_due_next(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        now = self.session.clock.now()
        upcoming = sorted(store.cards().values(), key=lambda row: row.due)
        lines: list[str | tuple[str, str]] = [("Coming due next", "bold"), "\n"]
        bank = self.app.bank  # type: ignore[attr-defined]
        for row in upcoming[:5]:
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
        self.app.show_home()  # type: ignore[attr-defined]

    def action_stats(self) -> None:
        self.app.action_stats()  # type: ignore[attr-defined]

    def action_undo(self) -> None:
        from app.tui.screens.question import QuestionScreen

        if self.session.undo():
            self.app.switch_screen(QuestionScreen(self.session))
