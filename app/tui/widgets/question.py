"""The question screen's widgets. Each shows the state it is given and posts a message for what
the candidate does; the screen wires them to the session. Bank and user text is shown as
``Content`` or Markdown, never read as markup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Markdown, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from app.practice.grading import Suggestion, correct_options
from app.practice.scheduler import Grade, format_interval
from app.tui.markdown import markdown_parser
from app.tui.widgets.rendered import RenderedMarkdown

if TYPE_CHECKING:
    from app.bank.models import Question
    from app.practice.session import Item, PracticeSession

CHOICE_KEYS = "abcdefgjklmorvwxyz"
"""One key per option: the letters no other key of the question screen takes."""

DIFFICULTY_STYLE = {"easy": "bold green", "medium": "bold yellow", "hard": "bold red"}


def format_clock(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes:02}:{secs:02}"


def prose(source: str = "", **options: str) -> Markdown:
    """A Markdown block for bank text (never read as markup; plain fences stay plain)."""
    return Markdown(source, open_links=False, parser_factory=markdown_parser, **options)


class QuestionHeader(Container):
    """Title and position, the question's countdown, the skill line and the session clock."""

    DEFAULT_CSS = """
    QuestionHeader {
        layout: grid; grid-size: 2; grid-columns: 1fr 24; grid-rows: auto;
        height: auto; max-height: 4; padding: 0 1; background: $boost;
    }
    QuestionHeader Static { height: auto; max-height: 2; }
    #q-title { text-overflow: ellipsis; }
    #q-countdown { text-align: right; text-style: bold; color: $success; }
    #q-countdown.-overtime { color: $error; text-style: bold reverse; }
    #q-countdown.-paused { color: $warning; }
    #q-session { text-align: right; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="q-title", markup=False)
        yield Static(id="q-countdown", markup=False)
        yield Static(id="q-meta", markup=False)
        yield Static(id="q-session", markup=False)

    def show(self, session: PracticeSession) -> None:
        item = session.current
        question = item.question
        self.query_one("#q-title", Static).update(
            Content.assemble((question.title, "bold"), "  ", (session.position_text(), "dim"))
        )
        parts: list[str | tuple[str, str]] = [
            (item.entry.skill, "bold"),
            " · ",
            (question.difficulty, DIFFICULTY_STYLE.get(question.difficulty, "bold")),
            " · ",
            question.kind,
        ]
        if question.tags:
            parts += ["  ", (" ".join(f"#{tag}" for tag in question.tags), "dim")]
        self.query_one("#q-meta", Static).update(Content.assemble(*parts))
        self.tick(session)

    def tick(self, session: PracticeSession) -> None:
        if session.in_loop:
            remaining, label = session.round_remaining(), "round"
        else:
            remaining, label = session.remaining(), "left"
        overtime = remaining < timedelta(0)
        text = (
            f"+{format_clock(remaining)} over" if overtime else f"{format_clock(remaining)} {label}"
        )
        if session.paused:
            text = "paused · " + text
        countdown = self.query_one("#q-countdown", Static)
        countdown.set_class(overtime, "-overtime")
        countdown.set_class(session.paused, "-paused")
        countdown.update(Content(text))
        left = session.session_remaining()
        clock = f"session {format_clock(session.session_timer.elapsed())}"
        if left is not None:
            clock = (
                f"session +{format_clock(left)} over"
                if left < timedelta(0)
                else f"session {format_clock(left)} left"
            )
        self.query_one("#q-session", Static).update(Content(clock))


class ChoiceList(OptionList):
    """A choice question's options, each with its own key; after the reveal, marked."""

    DEFAULT_CSS = """
    ChoiceList { height: auto; margin: 0 0 1 0; border: none; padding: 0; }
    """

    @dataclass
    class Picked(Message):
        index: int

    def __init__(self, **options: str) -> None:
        super().__init__(**options)
        self.can_focus = False  # options are picked by their keys (or the mouse)

    def show(self, item: Item) -> None:
        question = item.question
        self.display = bool(question.choices)
        if not question.choices:
            return
        correct = correct_options(question)
        revealed = item.revealed
        options = []
        if item.multi_select:
            options.append(
                Option(Content.styled("Select all that apply.", "italic"), disabled=True)
            )
        for n, choice in enumerate(question.choices):
            key = CHOICE_KEYS[n] if n < len(CHOICE_KEYS) else " "
            picked = n in item.picked
            box = (
                ("[x] " if picked else "[ ] ") if item.multi_select else ("> " if picked else "  ")
            )
            mark: tuple[str, str] | str = ""
            if revealed:
                if n in correct:
                    mark = (" ✓ correct" if picked else " ✓ correct (missed)", "bold $success")
                elif picked:
                    mark = (" ✗ wrong", "bold $error")
            options.append(
                Option(Content.assemble((f"{key}) ", "bold"), box, choice.text, mark), id=str(n))
            )
        self.set_options(options)

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Picked(int(event.option.id)))


class AnswerEditor(TextArea):
    """The candidate's answer. Read-only until ``i`` asks to write; escape leaves it."""

    DEFAULT_CSS = """
    AnswerEditor { height: 1fr; min-height: 3; }
    """

    BINDINGS = [Binding("escape", "leave", "Leave the editor", show=False)]

    @dataclass
    class Edited(Message):
        text: str

    def __init__(self, **options: str) -> None:
        super().__init__(
            soft_wrap=True,
            tab_behavior="focus",
            read_only=True,
            placeholder="Your answer or notes: press i to write, escape to leave.",
            **options,
        )
        self._loading = False

    def load(self, text: str) -> None:
        self._loading = True
        self.load_text(text)
        self._loading = False

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if not self._loading:
            self.post_message(self.Edited(self.text))

    def write(self) -> None:
        self.read_only = False
        # set_focus is immediate (focus() waits a turn), so keys typed straight after land here.
        self.screen.set_focus(self)

    def action_leave(self) -> None:
        self.read_only = True
        self.screen.set_focus(None)

    def _on_blur(self) -> None:
        self.read_only = True


class Hints(Static):
    DEFAULT_CSS = """
    Hints { background: $warning 15%; padding: 0 1; margin: 0 0 1 0; height: auto; }
    """

    def show(self, item: Item) -> None:
        hints = item.question.hints[: item.hints_used]
        self.display = bool(hints)
        if hints:
            parts: list[str | tuple[str, str]] = []
            for number, hint in enumerate(hints, 1):
                parts += [(f"Hint {number}: ", "bold"), hint, "\n"]
            self.update(Content.assemble(*parts).rstrip())


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
