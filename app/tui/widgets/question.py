"""The question screen's widgets for its first paint: header, prompt, choices, hints. Each shows
the state it is given and posts a message for what the candidate does; the screen wires them to
the session. Bank and user text is shown as ``Content``, never read as markup; the prompt is a
``RenderedMarkdown`` (``rendered.py``). The answer editor (``answer.py``) and the reveal
(``reveal.py``) are mounted right after that paint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.practice.grading import correct_options

if TYPE_CHECKING:
    from app.practice.session import Item, PracticeSession

CHOICE_KEYS = "abcdefgjklmorvwxyz"
"""One key per option: the letters no other key of the question screen takes."""

DIFFICULTY_STYLE = {"easy": "bold green", "medium": "bold yellow", "hard": "bold red"}


def format_clock(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes:02}:{secs:02}"


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
        self._show_clock(countdown, text)
        left = session.session_remaining()
        clock = f"session {format_clock(session.session_timer.elapsed())}"
        if left is not None:
            clock = (
                f"session +{format_clock(left)} over"
                if left < timedelta(0)
                else f"session {format_clock(left)} left"
            )
        self._show_clock(self.query_one("#q-session", Static), clock)

    def _show_clock(self, label: Static, text: str) -> None:
        # The clocks tick twice a second: repaint only when the text changes, and without a
        # layout (their cells have a fixed width), so a key pressed just after a tick is not
        # kept waiting for the next frame.
        shown = str(label.content)
        if shown != text:
            label.update(Content(text), layout=not shown)


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
