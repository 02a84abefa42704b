"""What the reveal shows: the model answer, the rubric checklist, the extras, the rating bar.
Mounted after the question's first paint, and filled while the candidate answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widget import Widget
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from app.practice.grading import Suggestion
from app.practice.scheduler import Grade, format_interval
from app.tui.widgets.coding import reference_and_explanation
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
        with VerticalGroup(id="q-after-answer"):
            yield Static(
                Content("Rubric: tick what your answer covered (t, then space)"),
                classes="section-title",
                id="q-rubric-title",
            )
            yield RubricChecklist(id="q-rubric")
            yield RenderedMarkdown(id="q-extras")

    def appear(self) -> None:
        """Show the reveal, the model answer in the first frame and what follows it (below the
        fold of a long answer) in the next: laying it out would delay the answer."""
        if self.display:
            return
        after = self.query_one("#q-after-answer")
        after.display = False
        self.display = True
        self.call_after_refresh(setattr, after, "display", True)

    def show(self, item: Item) -> None:
        """Show the reveal of ``item`` (rendered ahead by ``render_ahead`` when it could be)."""
        question = item.question
        self.query_one("#q-model-answer", RenderedMarkdown).show(reference_and_explanation(item))
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
        dark = answer.dark  # read here, not on the worker's thread

        def job() -> None:
            from app.practice.scheduler import warm_up

            warm_up()  # the rating bar's intervals need the FSRS library: import it now
            for width in outer_widths:
                for widget, source in texts:
                    widget.lines(width - inner, source, dark)

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


class RatingBar(Widget):
    """Again, Hard, Good, Easy with the next interval each gives; the suggestion stands out.
    One line drawn as one widget (it appears at every reveal); a click on a rating rates."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "rating-bar--again",
        "rating-bar--hard",
        "rating-bar--good",
        "rating-bar--easy",
    }
    DEFAULT_CSS = """
    RatingBar {
        height: 1; text-align: center; display: none;
        & > .rating-bar--again { color: $text-error; background: $boost; }
        & > .rating-bar--hard { color: $text-warning; background: $boost; }
        & > .rating-bar--good { color: $text-success; background: $boost; }
        & > .rating-bar--easy { color: $text-primary; background: $boost; }
    }
    """

    @dataclass
    class Rated(Message):
        grade: Grade

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels: dict[Grade, str] = {grade: grade.label for grade in Grade}
        self.suggested: Grade | None = None
        self._spans: list[tuple[int, int, Grade]] = []

    def show(
        self, intervals: dict[Grade, timedelta], suggestion: Suggestion, reschedule: bool
    ) -> None:
        for grade in Grade:
            interval = (
                format_interval(intervals[grade]) if reschedule and grade in intervals else "mock"
            )
            self.labels[grade] = f"{int(grade)} {grade.label} · {interval}"
        self.suggested = suggestion.grade
        self.refresh()

    def render(self) -> Content:
        line, spans = self._line(intervals=True)
        if line.cell_length > self.size.width:  # a narrow terminal: the ratings alone
            line, spans = self._line(intervals=False)
        # Centred: the spans move with it.
        offset = max(0, (self.size.width - line.cell_length) // 2)
        self._spans = [(start + offset, end + offset, grade) for start, end, grade in spans]
        return line

    def _line(self, intervals: bool) -> tuple[Content, list[tuple[int, int, Grade]]]:
        parts: list[Content] = []
        spans: list[tuple[int, int, Grade]] = []
        x = 0
        for grade in Grade:
            style = self.get_visual_style(f"rating-bar--{grade.name.lower()}")
            if grade == self.suggested and style.foreground is not None:  # its colour, filled
                text = style.foreground.get_contrast_text()
                style = Style(background=style.foreground, foreground=text, bold=True)
            number, _, rest = self.labels[grade].partition(" ")
            if not intervals:
                rest = rest.partition(" · ")[0]
            label = Content.assemble((f" {number}", "bold"), f" {rest} ").stylize(style)
            if parts:
                parts.append(Content("  "))
                x += 2
            spans.append((x, x + label.cell_length, grade))
            x += label.cell_length
            parts.append(label)
        return Content("").join(parts), spans

    def _on_click(self, event: events.Click) -> None:
        for start, end, grade in self._spans:
            if start <= event.x < end:
                self.post_message(self.Rated(grade))
                return
