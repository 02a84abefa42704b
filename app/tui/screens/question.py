"""The question screen: wires the question widgets to the session. The session decides what a
key may do and what comes next; this screen shows its state and forwards the keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.widgets import Static

from app.practice.scheduler import Grade, format_interval
from app.practice.session import PracticeSession, Step
from app.store.db import StoreError
from app.tui.messages import SessionFinished
from app.tui.screens.coding import CODING_ACTIONS, CodingScreen
from app.tui.widgets.question import CHOICE_KEYS, ChoiceList, Hints, QuestionHeader
from app.tui.widgets.rendered import RenderedMarkdown

if TYPE_CHECKING:
    from app.practice.session import Item
    from app.tui.widgets.answer import AnswerEditor
    from app.tui.widgets.reveal import RatingBar, Reveal, RubricChecklist

DRAFT_SAVE_SECONDS = 2.0
WIDE_COLUMNS = 120
"""From this width the answer and the model answer sit side by side."""


class QuestionScreen(CodingScreen):
    """One question at a time; the session object decides, this screen shows."""

    # Nothing has the focus until the candidate writes (i) or reveals: single keys then reach
    # the screen's bindings.
    AUTO_FOCUS = ""

    DEFAULT_CSS = """
    #q-question { height: auto; max-height: 45%; padding: 0 1; scrollbar-gutter: stable; }
    #q-work { height: 1fr; layout: vertical; }
    #q-work.-wide { layout: horizontal; }
    #q-work.-wide > * { width: 1fr; }
    #q-reveal { display: none; }
    #q-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("space", "reveal", "Reveal"),
        Binding("1", "rate(1)", "Again"),
        Binding("2", "rate(2)", "Hard"),
        Binding("3", "rate(3)", "Good"),
        Binding("4", "rate(4)", "Easy"),
        Binding("h", "hint", "Hint"),
        Binding("i", "write", "Write"),
        Binding("t", "rubric", "Rubric"),
        Binding("n", "next", "Next"),
        Binding("s", "skip", "Skip"),
        Binding("u", "undo", "Undo"),
        Binding("p", "pause", "Pause"),
        Binding("ctrl+e", "edit", "Edit YAML", show=False),
        *(
            Binding(key, f"scroll_reveal('{key}')", show=False)
            for key in ("up", "down", "pageup", "pagedown", "home", "end")
        ),
        Binding("q", "quit_session", "Quit"),
        *(Binding(key, f"pick({n})", show=False) for n, key in enumerate(CHOICE_KEYS)),
    ]

    def __init__(self, session: PracticeSession) -> None:
        super().__init__()
        self.session = session
        self._dirty = False
        self._save_failed = False
        self.ready = False
        """True once the widgets mounted after the first paint are there; keys wait for it."""
        self._early_keys: list[events.Key] = []

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield QuestionHeader(id="q-top")
        with VerticalScroll(id="q-question"):
            yield RenderedMarkdown(id="q-prompt")
            yield ChoiceList(id="q-choices")
            yield Hints(id="q-hints", markup=False)
        # The editor, the reveal, the rating bar and the key bar follow right after the first
        # paint (see _mount_rest): the question is on screen sooner without their imports.
        yield Container(id="q-work")
        yield Static(id="q-status", markup=False)

    def on_mount(self) -> None:
        self.set_interval(0.5, self.tick)
        self.set_interval(DRAFT_SAVE_SECONDS, self.save_draft)
        self.show_item()
        self.call_after_refresh(self._mount_rest)

    async def _mount_rest(self) -> None:
        from app.tui.widgets.answer import AnswerEditor
        from app.tui.widgets.coding import CodingPanel
        from app.tui.widgets.keybar import KeyBar
        from app.tui.widgets.reveal import RatingBar, Reveal

        await self.query_one("#q-work").mount_all(
            [AnswerEditor(id="q-answer"), CodingPanel(id="q-coding"), Reveal(id="q-reveal")]
        )
        await self.mount_all([RatingBar(id="q-rating")], before="#q-status")
        await self.mount(KeyBar())
        self.ready = True
        self._set_wide(self.size.width)
        self.show_item()
        for key in self._early_keys:
            self.app.post_message(events.Key(key.key, key.character))
        self._early_keys.clear()
        self.drillbit.first_screen_ready()

    def on_key(self, event: events.Key) -> None:
        # A key typed between the first paint and the rest of the mount is kept for later, not
        # dropped: its action may need a widget that is not there yet.
        if not self.ready:
            event.stop()
            event.prevent_default()
            self._early_keys.append(event)

    def on_resize(self, event: Resize) -> None:
        self._set_wide(event.size.width)

    def _set_wide(self, width: int) -> None:
        if self.ready:
            self.query_one("#q-work").set_class(width >= WIDE_COLUMNS, "-wide")
            self._size_prompt(width)

    def _size_prompt(self, width: int) -> None:
        # Stacked, the answer and the model answer share the room below the prompt, so the
        # prompt gives up some at the reveal. Side by side each has the full height and the
        # prompt stays where it was (laying it out again would also delay the reveal). Writing
        # code wants lines more than the prompt (which still scrolls). An inline style, not a
        # class on the screen: that would restyle every widget below it.
        session = self.session
        revealed = bool(session.items) and not session.finished and session.current.revealed
        writing_code = self.focused is not None and self.focused.id == "q-code"
        room = "45%"
        if writing_code:
            room = "25%"
        elif revealed and width < WIDE_COLUMNS:
            room = "30%"
        self.query_one("#q-question").styles.max_height = room

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.ready:
            self._size_prompt(self.size.width)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if self.ready:
            self._size_prompt(self.size.width)

    @property
    def editor(self) -> AnswerEditor:
        return cast("AnswerEditor", self.query_one("#q-answer"))

    @property
    def reveal(self) -> Reveal:
        return cast("Reveal", self.query_one("#q-reveal"))

    @property
    def rating_bar(self) -> RatingBar:
        return cast("RatingBar", self.query_one("#q-rating"))

    # -- showing ------------------------------------------------------------------------------

    def show_item(self) -> None:
        """Show the current question in its state."""
        session = self.session
        item = session.current
        self.query_one(QuestionHeader).show(session)
        self.query_one("#q-prompt", RenderedMarkdown).show(item.question.prompt)
        self.query_one(Hints).show(item)
        self.query_one("#q-question", VerticalScroll).scroll_home(animate=False)
        if not self.ready:
            return
        self.editor.display = item.coding is None
        if item.coding is None and self.editor.text != item.answer:
            self.editor.load(item.answer)
        self.show_coding(item)
        self.show_state()
        if not item.revealed:
            # Render the model answer while the candidate works, so the reveal only shows it.
            self.call_after_refresh(self._render_ahead, item)
        if item.restored:
            self.notify("Your unsaved answer from last time is back in the editor.", timeout=4)

    def show_state(self) -> None:
        """What changes with the question's state: the reveal, the rating bar, the status."""
        item = self.session.current
        revealed = item.revealed
        self.query_one(ChoiceList).show(item)
        self.editor.read_only = self.coding_panel.editor.read_only = True
        self._size_prompt(self.size.width)
        if revealed:
            self.reveal.appear()
        else:
            self.reveal.display = False
        self.rating_bar.display = revealed
        # Nothing takes the focus (a focus change restyles what is below it): the screen's
        # scroll keys move the reveal, t goes to the rubric, i to the answer.
        self.set_focus(None)
        if revealed:
            reveal = self.reveal
            reveal.show(item)
            reveal.scroll_home(animate=False)
            self.update_rating()
        else:
            self.set_status(self._answering_status())
        self.refresh_bindings()

    def _render_ahead(self, item: Item) -> None:
        width = self.query_one("#q-work").size.width
        # Side by side, the two halves of an odd width differ by one column: render both.
        widths = (width // 2, (width + 1) // 2) if width >= WIDE_COLUMNS else (width,)
        reveal = self.reveal
        reveal.show(item)  # hidden: the rubric's options are ready too
        self._in_background(reveal.render_ahead(item.question, widths))

    @work(thread=True, exclusive=True, group="render-ahead", exit_on_error=False)
    def _in_background(self, job: Callable[[], None]) -> None:
        job()

    def update_rating(self) -> None:
        session = self.session
        try:
            intervals = session.intervals()
        except StoreError as error:
            self.notify(f"{error}. Rating still works.", severity="error", markup=False)
            intervals = {}
        suggestion = session.suggestion()
        self.rating_bar.show(intervals, suggestion, session.reschedule)
        grade = session.current.choice_grade
        verdict: list[str | tuple[str, str]] = []
        if grade is not None:
            verdict.append(("Correct. ", "bold") if grade.correct else ("Not quite. ", "bold"))
            if session.current.multi_select and not grade.correct:
                verdict.append(
                    f"{len(grade.right)} right, {len(grade.wrong)} wrong,"
                    f" {len(grade.missing)} missing. "
                )
        self.set_status(
            Content.assemble(
                *verdict,
                "Suggested: ",
                (suggestion.grade.label, "bold"),
                f" ({', '.join(suggestion.reasons)}). 1-4: rate · t: rubric",
            )
        )

    def _answering_status(self) -> Content:
        session = self.session
        item = session.current
        if session.paused:
            return Content("Paused: the clocks and keys are stopped. p resumes.")
        if session.hiding_answers:
            return Content("Mock interview: answers are revealed when the round ends. n: next.")
        left = len(item.question.hints) - item.hints_used
        choose = ""
        if item.question.choices:
            last = CHOICE_KEYS[min(len(item.question.choices), len(CHOICE_KEYS)) - 1]
            choose = f"a-{last}: {'select all that apply' if item.multi_select else 'choose'} · "
        return Content(f"{choose}i: write · h: hint ({left} left) · space: reveal · s: skip")

    def set_status(self, content: Content) -> None:
        self.query_one("#q-status", Static).update(content)

    def tick(self) -> None:
        if self.session.items and not self.session.finished:
            self.query_one(QuestionHeader).tick(self.session)

    # -- drafts: written off the UI thread, kept in memory until they are ----------------------

    # Handlers by name, not @on: these widgets' classes are imported after the first paint.
    def on_answer_editor_edited(self, event: AnswerEditor.Edited) -> None:
        self.session.set_answer(event.text)
        self._dirty = True

    def save_draft(self) -> None:
        """Write the draft if it changed (in a worker: a busy database must not freeze typing)."""
        if self._dirty and not self.session.finished:
            self._dirty = False
            self._write_draft(self.session.current)

    @work(thread=True, group="draft", exit_on_error=False)
    def _write_draft(self, item: Item) -> None:
        try:
            self.session.save_draft(item)
        except StoreError as error:
            self.app.call_from_thread(self._draft_failed, str(error))
        else:
            self._save_failed = False

    def _draft_failed(self, error: str) -> None:
        self._dirty = True  # kept in memory; the next save tries again
        if not self._save_failed:
            self._save_failed = True
            self.notify(
                f"{error}. Your answer is kept here and saved again every few seconds.",
                title="Draft not saved",
                severity="error",
                markup=False,
                timeout=8,
            )

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.ready:
            return action == "quit_session"
        if action in CODING_ACTIONS:
            return self.check_coding_action(action)
        if action == "scroll_reveal":
            return self.session.current.revealed and not self.session.finished
        names = {"quit_session": "quit", "rubric": "tick", "edit": "edit"}
        argument = int(cast(int, parameters[0])) if parameters else None
        return self.session.can(names.get(action, action), argument)

    def action_reveal(self) -> None:
        if self.session.reveal():
            self._dirty = True
            self.show_state()
            # After the paint: the write's worker would share the interpreter with it.
            self.call_after_refresh(self.save_draft)

    def action_hint(self) -> None:
        if self.session.next_hint() is not None:
            self.query_one(Hints).show(self.session.current)
            self.set_status(self._answering_status())
            self.refresh_bindings()

    def action_pick(self, index: int) -> None:
        complete = self.session.pick(index)
        self.query_one(ChoiceList).show(self.session.current)
        if complete and not self.session.hiding_answers:
            self.action_reveal()
        elif complete:
            self.notify(f"Chose {CHOICE_KEYS[index]}", timeout=2)
        self.refresh_bindings()

    @on(ChoiceList.Picked)
    def _picked(self, event: ChoiceList.Picked) -> None:
        if self.session.can("pick", event.index):
            self.action_pick(event.index)

    def on_rubric_checklist_ticked(self, event: RubricChecklist.Ticked) -> None:
        self.session.set_rubric(event.ticked)
        self.update_rating()

    def on_rating_bar_rated(self, event: RatingBar.Rated) -> None:
        self.action_rate(int(event.grade))

    def action_rate(self, value: int) -> None:
        if not self.session.can("rate"):
            return
        grade = Grade(value)
        item = self.session.current
        try:
            step = self.session.rate(grade)
        except StoreError as error:
            self.notify(
                f"Not saved: {error}. Rate again once it is fixed.",
                title="Rating not recorded",
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        when = ""
        if item.due_after is not None:
            when = f" · back in {format_interval(item.due_after - self.session.clock.now())}"
        self.notify(f"Rated {grade.label}{when}", timeout=3)
        self.show_step(step)

    def show_step(self, step: Step) -> None:
        if step.kind == "finished":
            self.app.post_message(SessionFinished(self.session))
            return
        if step.kind == "round":
            self.notify(Content.assemble("Next round: ", step.title), timeout=4, markup=False)
        elif step.kind == "review":
            self.notify(
                "Round over: review and rate each answer.",
                title=step.title,
                timeout=5,
                markup=False,
            )
        self.show_item()

    def action_next(self) -> None:
        self._dirty = True
        self.save_draft()
        self.show_step(self.session.next_in_round())

    def action_skip(self) -> None:
        try:
            step = self.session.skip()
        except StoreError as error:
            self.notify(f"Not skipped: {error}", severity="error", markup=False)
            return
        self.show_step(step)

    def action_undo(self) -> None:
        if self.undo_rating(self.session):
            self.notify("Rating undone: rate this question again.", timeout=3)
            self.show_item()

    def action_pause(self) -> None:
        session = self.session
        if session.paused:
            session.resume()
            self.notify("Resumed", timeout=2)
            self.show_item()
        else:
            self._dirty = True
            self.save_draft()
            session.pause()
            self.editor.read_only = self.coding_panel.editor.read_only = True
            self.set_focus(None)
            self.set_status(self._answering_status())
        self.tick()
        self.refresh_bindings()

    def action_scroll_reveal(self, key: str) -> None:
        reveal = self.reveal
        scroll = {
            "up": reveal.scroll_up,
            "down": reveal.scroll_down,
            "pageup": reveal.scroll_page_up,
            "pagedown": reveal.scroll_page_down,
            "home": reveal.scroll_home,
            "end": reveal.scroll_end,
        }[key]
        scroll(animate=False)

    def action_write(self) -> None:
        # Focus is immediate, so keys typed straight after `i` land in the editor.
        if self.session.current.coding is not None:
            self.coding_panel.editor.write()
        else:
            self.editor.write()

    def action_rubric(self) -> None:
        self.reveal.query_one("#q-rubric").focus()

    def action_quit_session(self) -> None:
        from app.tui.screens.confirm import ConfirmScreen

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.drillbit.end_session()
                self.app.post_message(SessionFinished(self.session))

        self.app.push_screen(
            ConfirmScreen("End this session? Ratings given so far are saved.", "End session"),
            answered,
        )

    # -- curators: edit the YAML in $EDITOR -----------------------------------------------------

    def action_edit(self) -> None:
        from app.editor import EditorError, editor_command, run_editor

        app = self.drillbit
        bank, _ = app.core
        placement = bank.placements.get(self.session.current.entry.id)
        if placement is None:
            self.notify("This question is no longer in the bank.", severity="warning")
            return
        from app.paths import own_bank_advice

        advice = own_bank_advice(placement.path)
        if advice:  # never edit the installed package: the next install would undo it
            self.notify(advice, title="Not editing", severity="warning", markup=False, timeout=20)
            return
        try:
            command = editor_command(placement.path, placement.line)
        except EditorError as error:
            self.notify(
                f"{error}.", title="Cannot open the editor", severity="warning", markup=False
            )
            return
        self._dirty = True
        self.save_draft()
        self.session.pause()
        try:
            with app.suspend():
                run_editor(command)
        except EditorError as error:
            self.notify(f"{error}.", severity="error", markup=False)
        except Exception as error:  # SuspendNotSupported and the like: say so, keep going
            self.notify(f"Cannot open the editor here: {error}", severity="error", markup=False)
        self.session.resume()
        self.reload_bank(placement.path)

    def reload_bank(self, edited: object) -> None:
        problems = self.drillbit.reload_bank(edited)
        if problems:
            first = problems[0]
            more = f"\n(and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self.notify(
                f"{first}{more}",
                title="The edited file has problems",
                severity="error",
                markup=False,
                timeout=15,
            )
        else:
            self.notify("Bank reloaded.", timeout=2)
        self.session.edited(self.drillbit.core[0])
        self.show_item()
