"""What the reveal shows: the model answer, the rubric checklist, the extras, the rating bar.
Mounted after the question's first paint, and filled while the candidate answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, SelectionList, Static
from textual.widgets.selection_list import Selection

from app.practice.grading import Suggestion
from app.practice.scheduler import Grade, format_interval
from app.tui.widgets.rendered import RenderedMarkdown

if TYPE_CHECKING:
    from app.bank.models import Question
    from app.practice.session import Item


class RubricChecklist(SelectionList[int]):
    """The rubric: space ticks the highlighted point; the first is highlighted on focus."""

    DEFAULT_CSS = """
    RubricChecklist {
        height: auto; text-wrap: wrap; text-overflow: fold; border: none; padding: 0;
        &:focus { border: none; }
    }
    """

    @dataclass
    class Ticked(Message):
        ticked: set[int]

    _showing: tuple[str, set[int]] | None = None

    def show(self, question: Question, ticked: set[int]) -> None:
        if (question.content_hash, ticked) == self._showing:
            return
        self._showing = (question.content_hash, set(ticked))
        self.clear_options()
        self.add_options(
            Selection(Content.assemble((f"({point.weight}) ", "dim"), point.point), n, n in ticked)
            for n, point in enumerate(question.rubric)
        )
        self.display = bool(question.rubric)

    def _on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def _on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        self.post_message(self.Ticked(set(self.selected)))


class Reveal(VerticalScroll):
    """The model answer, the rubric and the extras, built while the candidate answers so that
    revealing only shows them. Focusable: arrows and page keys scroll it."""

    DEFAULT_CSS = """
    Reveal { height: 1fr; border-top: solid $primary; padding: 0 1; scrollbar-gutter: stable; }
    Reveal:focus { border-top: solid $accent; }
    Reveal .section-title { color: $accent; text-style: bold; margin: 1 0 0 0; }
    Reveal #q-extras { margin-top: 1; }
    """

    can_focus = True

    def compose(self) -> ComposeResult:
        yield Static(Content("Model answer"), classes="section-title")
        yield RenderedMarkdown(id="q-model-answer")
        yield Static(
            Content("Rubric: tick what your answer covered (t, then space)"),
            classes="section-title",
            id="q-rubric-title",
        )
        yield RubricChecklist(id="q-rubric")
        yield RenderedMarkdown(id="q-extras")

    def show(self, item: Item) -> None:
        """Show the reveal of ``item`` (rendered ahead by ``render_ahead`` when it could be)."""
        question = item.question
        self.query_one("#q-model-answer", RenderedMarkdown).show(question.answer)
        self.query_one("#q-extras", RenderedMarkdown).show(extras(question))
        self.query_one("#q-rubric-title").display = bool(question.rubric)
        self.query_one(RubricChecklist).show(question, item.ticked)

    def render_ahead(self, question: Question, outer_widths: tuple[int, ...]) -> Callable[[], None]:
        """A job that renders the model answer and the extras for the widths the reveal may
        have, to run in a worker thread while the candidate answers."""
        # The gutter is stable, so the text's width follows from the reveal's own width.
        inner = self.styles.gutter.width + 2 + 2  # padding, scrollbar, the text's padding
        answer = self.query_one("#q-model-answer", RenderedMarkdown)
        more = self.query_one("#q-extras", RenderedMarkdown)
        texts = ((answer, question.answer), (more, extras(question)))

        def job() -> None:
            from app.practice.scheduler import warm_up

            warm_up()  # the rating bar's intervals need the FSRS library: import it now
            for width in outer_widths:
                for widget, source in texts:
                    widget.lines(width - inner, source)

        return job


def extras(question: Question) -> str:
    """Follow-ups, red flags, interviewer notes and references, as Markdown."""
    parts = []
    if question.follow_ups:
        parts.append("### Follow-ups")
        for follow_up in question.follow_ups:
            parts.append(f"- {follow_up.question}")
            if follow_up.answer:
                parts.append("\n  " + follow_up.answer.replace("\n", "\n  "))
    if question.red_flags:
        parts += ["### Red flags", "\n".join(f"- {flag}" for flag in question.red_flags)]
    if question.interviewer_notes:
        parts += ["### Interviewer notes", question.interviewer_notes]
    if question.references:
        parts += ["### References", "\n".join(f"- {ref}" for ref in question.references)]
    return "\n\n".join(parts)


class RatingBar(Horizontal):
    """Again, Hard, Good, Easy with the next interval each gives; the suggestion stands out."""

    DEFAULT_CSS = """
    RatingBar { height: 1; align-horizontal: center; display: none; }
    RatingBar Button.rate { margin: 0 1; min-width: 16; height: 1; border: none; }
    RatingBar .rate-again { color: $text-error; }
    RatingBar .rate-hard { color: $text-warning; }
    RatingBar .rate-good { color: $text-success; }
    RatingBar .rate-easy { color: $text-primary; }
    RatingBar Button.-suggested { text-style: bold reverse; }
    """

    @dataclass
    class Rated(Message):
        grade: Grade

    def compose(self) -> ComposeResult:
        for grade in Grade:
            button = Button(
                Content(grade.label),
                id=f"rate-{int(grade)}",
                classes=f"rate rate-{grade.name.lower()}",
            )
            button.can_focus = False  # 1-4 rate; Tab goes to the answer, reveal and rubric
            yield button

    def show(
        self, intervals: dict[Grade, timedelta], suggestion: Suggestion, reschedule: bool
    ) -> None:
        for grade in Grade:
            interval = (
                format_interval(intervals[grade]) if reschedule and grade in intervals else "mock"
            )
            button = self.query_one(f"#rate-{int(grade)}", Button)
            button.label = Content.assemble(
                (f"{int(grade)} ", "bold"), grade.label, f" · {interval}"
            )
            button.set_class(grade == suggestion.grade, "-suggested")

    def _on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id is not None:
            self.post_message(self.Rated(Grade(int(event.button.id.removeprefix("rate-")))))
