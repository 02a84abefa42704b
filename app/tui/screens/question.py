"""The question screen: prompt, clocks, answer editor, hints, reveal, rubric and rating."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Markdown, Static

from app.practice.scheduler import Grade, format_interval
from app.practice.session import PracticeSession
from app.store.db import StoreError
from app.tui.markdown import markdown_parser
from app.tui.messages import SessionFinished

if TYPE_CHECKING:
    # Mounted after the first paint, so imported then too (see _mount_workspace).
    from textual.widgets import Button, OptionList, SelectionList, TextArea

    from app.bank.models import Question

DRAFT_SAVE_SECONDS = 2.0
CHOICE_KEYS = "abcde"


def format_clock(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes:02}:{secs:02}"


def _meta(question: Question, skill: str) -> Content:
    parts: list[str | tuple[str, str]] = [
        (skill, "bold"),
        " · ",
        (
            question.difficulty,
            f"bold {'red' if question.difficulty == 'hard' else 'yellow' if question.difficulty == 'medium' else 'green'}",
        ),
        " · ",
        question.kind,
    ]
    if question.tags:
        parts += ["  ", (" ".join(f"#{tag}" for tag in question.tags), "dim")]
    return Content.assemble(*parts)


def _bullets(items: list[str]) -> str:
    # Markdown lists; the text stays Markdown, never console markup.
    return "\n".join(f"- {item}" for item in items)


class QuestionScreen(Screen[None]):
    """One question at a time; the session object decides, this screen shows."""

    # Nothing has the focus until the candidate writes (i) or reveals: single keys then reach
    # the screen's bindings, and the first paint skips a focus-and-restyle pass.
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("space", "reveal", "Reveal"),
        Binding("1", "rate(1)", "Again"),
        Binding("2", "rate(2)", "Hard"),
        Binding("3", "rate(3)", "Good"),
        Binding("4", "rate(4)", "Easy"),
        Binding("h", "hint", "Hint"),
        Binding("i", "edit_answer", "Write"),
        Binding("n", "next", "Next"),
        Binding("s", "skip", "Skip"),
        Binding("u", "undo", "Undo"),
        Binding("p", "pause", "Pause"),
        Binding("e", "open_editor", "Edit YAML", show=False),
        Binding("q", "quit_session", "Quit"),
        Binding("escape", "leave_editor", "Back", show=False, priority=True),
        *(Binding(key, f"pick({n})", show=False) for n, key in enumerate(CHOICE_KEYS)),
    ]

    def __init__(self, session: PracticeSession) -> None:
        super().__init__()
        self.session = session
        self._dirty = False
        self._loading_answer = False
        self._pending_markdown: list = []
        self._reveal_lock = asyncio.Lock()
        self.phase = "answer"
        """In a loop: 'answer' while the round runs, 'review' once it is over."""
        self.ready = False
        """True once the whole screen is mounted; until then keys wait in _early_keys."""
        self._early_keys: list[events.Key] = []

    @property
    def in_loop(self) -> bool:
        return bool(self.session.rounds)

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Only what the first paint shows: the heading, the prompt and the status line. The
        # editor, choices, reveal section, rating bar and footer follow in _mount_workspace,
        # right after that paint, so the question is on screen as soon as possible.
        item = self.session.current
        # A two-by-two grid: title and countdown, then skill line and session clock.
        with Container(id="q-top"):
            yield Static(self._title(), id="q-title")
            yield Static(id="q-countdown")
            yield Static(_meta(item.question, item.entry.skill), id="q-meta")
            yield Static(id="q-session")
        with VerticalScroll(id="q-body"):
            yield Markdown(
                item.question.prompt,
                id="q-prompt",
                open_links=False,
                parser_factory=markdown_parser,
            )
            yield Static(id="q-hints")
        yield Static(id="q-status")

    def on_mount(self) -> None:
        self.show_hints()
        self.set_status(self._hidden_status())
        self.tick()
        self.call_after_refresh(self._mount_workspace)

    async def _mount_workspace(self) -> None:
        from textual.widgets import Footer, OptionList, TextArea

        body = self.query_one("#q-body", VerticalScroll)
        await body.mount(OptionList(id="q-choices"), after="#q-prompt")
        await body.mount_all(
            [
                TextArea(
                    id="q-answer",
                    soft_wrap=True,
                    tab_behavior="focus",
                    placeholder="Your answer or notes. Escape to leave the editor.",
                ),
                # Filled on the first reveal (see _build_reveal).
                Vertical(id="q-reveal"),
            ]
        )
        await self.mount_all([Horizontal(id="q-rating"), Footer()])
        self.ready = True
        self.set_interval(0.5, self.tick)
        self.set_interval(DRAFT_SAVE_SECONDS, self.save_draft)
        self.show_item()
        for key in self._early_keys:
            self.app.post_message(events.Key(key.key, key.character))
        self._early_keys.clear()
        self.app.first_screen_ready()  # type: ignore[attr-defined]

    def on_key(self, event: events.Key) -> None:
        # A key typed between the first paint and the rest of the mount is kept for later,
        # not dropped: its action may need a widget that is not there yet.
        if not self.ready:
            event.stop()
            event.prevent_default()
            self._early_keys.append(event)

    @property
    def answer_editor(self) -> TextArea:
        return cast("TextArea", self.query_one("#q-answer"))

    @property
    def choice_list(self) -> OptionList:
        return cast("OptionList", self.query_one("#q-choices"))

    # -- showing ------------------------------------------------------------------------------

    def _title(self) -> Content:
        session = self.session
        item = session.current
        position = f"{session.position + 1}/{session.total}"
        if self.in_loop:
            position = f"{session.rounds[item.round_index].title} · {position}"
        return Content.assemble((item.question.title, "bold"), "  ", (position, "dim"))

    def show_item(self) -> None:
        session = self.session
        item = session.current
        question = item.question
        self.query_one("#q-title", Static).update(self._title())
        self.query_one("#q-meta", Static).update(_meta(question, item.entry.skill))
        prompt = self.query_one("#q-prompt", Markdown)
        if prompt.source != question.prompt:
            prompt.update(question.prompt)
        choices = self.choice_list
        choices.clear_options()
        if question.choices:
            from textual.widgets.option_list import Option

            choices.add_options(
                Option(Content.assemble((f"{CHOICE_KEYS[n]}) ", "bold"), choice.text), id=str(n))
                for n, choice in enumerate(question.choices[: len(CHOICE_KEYS)])
            )
        choices.display = bool(question.choices)
        answer = self.answer_editor
        self._loading_answer = True
        answer.load_text(item.answer)
        self._loading_answer = False
        self.show_hints()
        self.show_reveal()
        self.query_one("#q-body", VerticalScroll).scroll_home(animate=False)
        self.tick()
        if not item.revealed:
            self.set_focus(None)
        self.refresh_bindings()

    def show_hints(self) -> None:
        item = self.session.current
        hints = item.question.hints[: item.hints_used]
        widget = self.query_one("#q-hints", Static)
        widget.display = bool(hints)
        if hints:
            parts: list[str | tuple[str, str]] = []
            for number, hint in enumerate(hints, 1):
                parts += [(f"Hint {number}: ", "bold"), hint, "\n"]
            widget.update(Content.assemble(*parts).rstrip())

    def show_reveal(self) -> None:
        """Hide the reveal section, or fill it (asynchronously) for a revealed question."""
        revealed = self.session.current.revealed
        self._display_reveal(revealed)
        if revealed:
            self.call_later(self.fill_reveal)
        else:
            self.set_status(self._hidden_status())

    def _display_reveal(self, revealed: bool) -> None:
        self.set_class(revealed, "-revealed")
        self.query_one("#q-reveal").display = revealed
        self.query_one("#q-rating").display = revealed

    async def _build_reveal(self) -> None:
        from textual.widgets import Button, SelectionList

        reveal = self.query_one("#q-reveal")
        if reveal.children:
            return
        await reveal.mount_all(
            [
                Static(Content("Model answer"), classes="section-title"),
                Markdown(id="q-model-answer", open_links=False, parser_factory=markdown_parser),
                Static(
                    Content("Rubric: tick what your answer covered (tab, then space)"),
                    classes="section-title",
                    id="q-rubric-title",
                ),
                SelectionList[int](id="q-rubric"),
                Markdown(id="q-extras", open_links=False, parser_factory=markdown_parser),
            ]
        )
        await self.query_one("#q-rating").mount_all(
            Button(Content(g.label), id=f"rate-{int(g)}", classes=f"rate rate-{g.name.lower()}")
            for g in Grade
        )

    async def fill_reveal(self) -> None:
        """Model answer, rubric, follow-ups and rating buttons for the current question."""
        async with self._reveal_lock:
            await self._build_reveal()
            self._fill_reveal()
            for pending in self._pending_markdown:
                await pending

    def _fill_reveal(self) -> None:
        item = self.session.current
        question = item.question
        self._pending_markdown = [
            self.query_one("#q-model-answer", Markdown).update(question.answer)
        ]
        from textual.widgets.selection_list import Selection

        rubric = cast("SelectionList[int]", self.query_one("#q-rubric"))
        rubric.clear_options()
        rubric.add_options(
            Selection(
                Content.assemble((f"({point.weight}) ", "dim"), point.point), n, n in item.ticked
            )
            for n, point in enumerate(question.rubric)
        )
        rubric.display = bool(question.rubric)
        self.query_one("#q-rubric-title").display = bool(question.rubric)
        extras = []
        if question.follow_ups:
            extras.append("### Follow-ups")
            for follow_up in question.follow_ups:
                extras.append(f"- {follow_up.question}")
                if follow_up.answer:
                    extras.append("\n  " + follow_up.answer.replace("\n", "\n  "))
        if question.red_flags:
            extras += ["### Red flags", _bullets(question.red_flags)]
        if question.interviewer_notes:
            extras += ["### Interviewer notes", question.interviewer_notes]
        if question.references:
            extras += ["### References", _bullets(question.references)]
        self._pending_markdown.append(
            self.query_one("#q-extras", Markdown).update("\n\n".join(extras))
        )
        self.update_rating_buttons()

    def update_rating_buttons(self) -> None:
        session = self.session
        try:
            intervals = session.intervals()
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            intervals = {}
        suggestion = session.suggestion()
        for grade in Grade:
            button = cast("Button", self.query_one(f"#rate-{int(grade)}"))
            interval = (
                format_interval(intervals[grade])
                if session.reschedule and grade in intervals
                else "mock"
            )
            button.label = Content.assemble(
                (f"{int(grade)} ", "bold"), grade.label, f" · {interval}"
            )
            button.set_class(grade == suggestion.grade, "-suggested")
        item = session.current
        grade_text = ""
        if item.auto_grade is not None:
            grade_text = "Correct. " if item.auto_grade else "Not quite. "
        why = ", ".join(suggestion.reasons)
        self.set_status(
            Content.assemble(
                grade_text,
                "Suggested: ",
                (suggestion.grade.label, "bold"),
                f" ({why}). Press 1-4 to rate; the rating is saved at once.",
            )
        )

    def _hidden_status(self) -> Content:
        item = self.session.current
        left = len(item.question.hints) - item.hints_used
        if self.in_loop and self.phase == "answer":
            return Content(
                "Mock interview: answers are revealed when the round ends. n: next question."
            )
        choose = "a-e: choose · " if item.question.choices else ""
        return Content(f"{choose}i: write · h: hint ({left} left) · space: reveal · s: skip")

    def set_status(self, content: Content) -> None:
        self.query_one("#q-status", Static).update(content)

    def tick(self) -> None:
        session = self.session
        if session.finished and not session.items:
            return
        item = session.current
        if self.in_loop:
            round_ = session.rounds[item.round_index]
            spent = sum(
                (i.timer.elapsed() for i in session.round_items(item.round_index) if i.timer),
                timedelta(0),
            )
            remaining = timedelta(seconds=round_.time_seconds) - spent
            label = "round"
        else:
            remaining = session.remaining()
            label = "left"
        countdown = self.query_one("#q-countdown", Static)
        overtime = remaining < timedelta(0)
        countdown.set_class(overtime, "-overtime")
        countdown.set_class(session.paused, "-paused")
        text = (
            f"+{format_clock(remaining)} over" if overtime else f"{format_clock(remaining)} {label}"
        )
        if session.paused:
            text = "paused · " + text
        countdown.update(Content(text))
        self.query_one("#q-session", Static).update(
            Content(f"session {format_clock(session.session_timer.elapsed())}")
        )

    # -- drafts -------------------------------------------------------------------------------

    # Handlers by name, not @on: the widget classes are imported after the first paint.
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._loading_answer:
            return
        self.session.set_answer(event.text_area.text)
        self._dirty = True

    def save_draft(self) -> None:
        if not self._dirty or self.session.finished:
            return
        try:
            self.session.save_draft()
            self._dirty = False
        except StoreError as error:
            self.notify(f"{error}. Your answer is kept on screen.", severity="error", markup=False)

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.ready:
            return False
        session = self.session
        if session.finished:
            return action in ("quit_session", "undo")
        item = session.current
        revealed = item.revealed
        if action == "reveal":
            return not revealed and not (self.in_loop and self.phase == "answer")
        if action == "rate":
            return revealed
        if action == "hint":
            return not revealed and item.hints_used < len(item.question.hints)
        if action == "pick":
            index = int(parameters[0]) if parameters else 0
            return (
                not revealed
                and bool(item.question.choices)
                and index < len(item.question.choices or [])
            )
        if action == "next":
            return self.in_loop and self.phase == "answer"
        if action == "undo":
            return session.can_undo
        if action == "skip":
            return not (self.in_loop and self.phase == "review")
        if action == "edit_answer":
            return not revealed
        return True

    async def action_reveal(self) -> None:
        self.save_draft_now()
        self.session.reveal()
        self._display_reveal(True)
        await self.fill_reveal()
        self.answer_editor.blur()
        suggested = self.query_one(".rate.-suggested")
        self.set_focus(suggested, scroll_visible=False)
        self.call_after_refresh(self._scroll_to_reveal)
        self.refresh_bindings()

    def _scroll_to_reveal(self) -> None:
        body = self.query_one("#q-body", VerticalScroll)
        reveal = self.query_one("#q-reveal")
        body.scroll_to(y=reveal.virtual_region.y, animate=False)

    def save_draft_now(self) -> None:
        self._dirty = True
        self.save_draft()

    def action_hint(self) -> None:
        hint = self.session.next_hint()
        if hint is not None:
            self.show_hints()
            self.set_status(self._hidden_status())
            self.refresh_bindings()

    def action_pick(self, index: int) -> None:
        correct = self.session.pick(index)
        self.choice_list.highlighted = index
        if not self.in_loop:
            self.call_later(self.action_reveal)
        else:
            self.notify(f"Chose {CHOICE_KEYS[index]}", timeout=2)
            self.refresh_bindings()
        del correct

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # The rubric is an OptionList too; only the choices pick an answer.
        if event.option_list.id == "q-choices" and self.check_action("pick", (event.option_index,)):
            self.action_pick(event.option_index)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        item = self.session.current
        item.ticked.clear()
        item.ticked.update(event.selection_list.selected)
        self.update_rating_buttons()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if not event.button.has_class("rate") or event.button.id is None:
            return
        self.action_rate(int(event.button.id.removeprefix("rate-")))

    def action_rate(self, value: int) -> None:
        if not self.check_action("rate", (value,)):
            return
        grade = Grade(value)
        try:
            self.session.rate(grade)
        except StoreError as error:
            self.notify(
                f"Not saved: {error}. Rate again once it is fixed.",
                title="Rating not recorded",
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        item = self.session.current
        when = ""
        if item.due_after is not None:
            when = f" · back in {format_interval(item.due_after - self.session.clock.now())}"
        self.notify(f"Rated {grade.label}{when}", timeout=3)
        self.move_on()

    def move_on(self) -> None:
        """After a rating or a skip: the next question, the next phase, or the summary."""
        session = self.session
        if self.in_loop and self.phase == "review":
            current_round = session.current.round_index
            pending = [
                i
                for i, item in enumerate(session.items)
                if item.round_index == current_round and not item.done
            ]
            if pending:
                session.goto(pending[0])
                self.show_item()
                return
            self.phase = "answer"
        if not session.advance():
            self.finish()
            return
        if (
            self.in_loop
            and session.current.round_index != session.items[session.position - 1].round_index
        ):
            self.notify(
                f"Next round: {session.rounds[session.current.round_index].title}", timeout=4
            )
        self.show_item()

    def action_next(self) -> None:
        """Loops: move on within the round; after its last question, review the round."""
        session = self.session
        item = session.current
        if item.timer:
            item.timer.stop()
        self.save_draft_now()
        round_index = item.round_index
        next_index = session.position + 1
        if next_index < session.total and session.entries[next_index].id in {
            e.id for e in session.rounds[round_index].questions
        }:
            session.goto(next_index)
            self.show_item()
            return
        self.start_review(round_index)

    def start_review(self, round_index: int) -> None:
        self.phase = "review"
        session = self.session
        first = next(
            i
            for i, item in enumerate(session.items)
            if item.round_index == round_index and not item.done
        )
        self.notify(
            "Round over: review and rate each answer.",
            title=session.rounds[round_index].title,
            timeout=5,
        )
        session.goto(first)
        for item in session.round_items(round_index):
            item.revealed = True
            if item.timer:
                item.timer.stop()
        self.show_item()
        self.call_later(self.action_reveal)

    def action_skip(self) -> None:
        try:
            self.session.skip()
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if self.in_loop:
            self.action_next()
            return
        self.move_on()

    def action_undo(self) -> None:
        try:
            undone = self.session.undo()
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if undone:
            self.notify("Rating undone: rate this question again.", timeout=3)
            self.show_item()

    def action_pause(self) -> None:
        session = self.session
        if session.paused:
            session.resume()
            self.notify("Resumed", timeout=2)
        else:
            self.save_draft_now()
            session.pause()
            self.notify("Paused: the clocks are stopped. p resumes.", timeout=3)
        self.tick()

    def action_edit_answer(self) -> None:
        if not self.session.current.revealed:
            # set_focus is immediate, so keys typed straight after `i` land in the editor.
            self.set_focus(self.answer_editor)

    def action_leave_editor(self) -> None:
        if self.focused is not None:
            self.set_focus(None)

    def action_quit_session(self) -> None:
        from app.tui.screens.confirm import ConfirmScreen

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.save_draft_now()
                self.finish()

        if self.session.finished:
            self.finish()
            return
        self.app.push_screen(
            ConfirmScreen("End this session? Ratings given so far are saved.", "End session"),
            answered,
        )

    def finish(self) -> None:
        try:
            self.session.finish()
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
        self.app.post_message(SessionFinished(self.session))

    # -- curators: edit the YAML in $EDITOR -----------------------------------------------------

    def action_open_editor(self) -> None:
        app = self.app
        bank = app.bank  # type: ignore[attr-defined]
        item = self.session.current
        placement = bank.placements.get(item.entry.id)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if placement is None:
            self.notify("This question is no longer in the bank.", severity="warning")
            return
        if not editor:
            self.notify("Set $EDITOR (or $VISUAL) to edit questions from here.", severity="warning")
            return
        from app.paths import own_bank_advice

        advice = own_bank_advice(placement.path)
        if advice:  # never edit the installed package: the next install would undo it
            self.notify(advice, title="Not editing", severity="warning", markup=False, timeout=20)
            return
        import shlex
        import subprocess

        self.save_draft_now()
        self.session.pause()
        command = [*shlex.split(editor), f"+{placement.line}", str(placement.path)]
        try:
            with app.suspend():
                subprocess.run(command, check=False)
        except OSError as error:
            self.notify(f"Cannot run {editor}: {error}", severity="error", markup=False)
        self.session.resume()
        self.reload_bank(placement.path)

    def reload_bank(self, edited: object) -> None:
        from app.bank.loader import load_bank

        app = self.app
        bank, problems = load_bank(app.bank_dirs)  # type: ignore[attr-defined]
        # The cached bank names files by absolute path, load_bank as given: compare resolved.
        edited_path = Path(str(edited)).resolve()
        mine = [p for p in problems if Path(p.path).resolve() == edited_path]
        if mine:
            first = mine[0]
            more = f"\n(and {len(mine) - 1} more)" if len(mine) > 1 else ""
            self.notify(
                f"{first}{more}",
                title="The edited file has problems",
                severity="error",
                markup=False,
                timeout=15,
            )
            self.set_status(Content(str(first)))
        app.bank = bank  # type: ignore[attr-defined]
        self.session.bank = bank
        item = self.session.current
        if item.entry.id in bank.questions:
            item.question = bank.questions[item.entry.id]
            if not mine:
                self.notify("Bank reloaded.", timeout=2)
            self.show_item()
