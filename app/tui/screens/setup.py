"""Session setup: skills (several), difficulty, mode or loop, and a count or a total time."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Header, Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from app.bank.durations import parse_duration
from app.practice.planner import MODE_HELP, MODES, Filters, matching
from app.practice.request import PracticeRequest
from app.tui.screens.base import DrillbitScreen
from app.tui.widgets.keybar import KeyBar


class SetupScreen(DrillbitScreen):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "start", "Start", priority=True),
    ]

    def compose(self) -> ComposeResult:
        bank, _ = self.drillbit.core
        yield Header()
        with Vertical(id="setup"):
            yield Static(Content("New session"), id="setup-title")
            yield Static(id="setup-matches")
            with Horizontal(id="setup-columns"):
                with Vertical(id="setup-left"):
                    yield Static(
                        Content("Skills (space to tick; none = all)"), classes="section-title"
                    )
                    yield SelectionList[str](
                        *(
                            Selection(Content(skill.title), slug)
                            for slug, skill in bank.skills.items()
                        ),
                        id="setup-skills",
                    )
                with Vertical(id="setup-right"):
                    yield Static(Content("Difficulty"), classes="section-title")
                    yield Select[str](
                        [(Content(d), d) for d in ("easy", "medium", "hard")],
                        prompt="any",
                        id="setup-difficulty",
                    )
                    yield Static(Content("Mode"), classes="section-title")
                    options = [(Content(f"{mode}: {MODE_HELP[mode]}"), mode) for mode in MODES]
                    options += [
                        (Content(f"loop: {loop.title}"), f"loop:{name}")
                        for name, loop in bank.loops.items()
                    ]
                    yield Select[str](options, value="auto", allow_blank=False, id="setup-mode")
                    yield Static(Content("Count, or a total time (45m)"), classes="section-title")
                    with Horizontal(id="setup-length"):
                        yield Input("5", placeholder="count", id="setup-count", type="integer")
                        yield Input("", placeholder="time, e.g. 45m", id="setup-time")
                    yield Button(Content("Start (ctrl+s)"), variant="primary", id="setup-start")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#setup-skills").focus()
        self.update_matches()

    def filters(self) -> Filters:
        skills = tuple(self.query_one("#setup-skills", SelectionList).selected)
        difficulty = self.query_one("#setup-difficulty", Select).value
        return Filters(skills, difficulty if isinstance(difficulty, str) else None)

    @on(SelectionList.SelectedChanged)
    @on(Select.Changed)
    @on(Input.Changed)
    def update_matches(self) -> None:
        bank, _ = self.drillbit.core
        mode = self.query_one("#setup-mode", Select).value
        if isinstance(mode, str) and mode.startswith("loop:"):
            loop = bank.loops[mode.removeprefix("loop:")]
            rounds = ", ".join(f"{r.title} ({r.time})" for r in loop.rounds)
            text = f"Loop: {rounds}. Skills and difficulty come from the loop."
        else:
            count = len(matching(bank.index(), self.filters()))
            text = f"{count} question(s) match these filters."
        self.query_one("#setup-matches", Static).update(Content(text))

    @on(Button.Pressed, "#setup-start")
    def action_start(self) -> None:
        mode = str(self.query_one("#setup-mode", Select).value)
        count_text = self.query_one("#setup-count", Input).value.strip()
        time_text = self.query_one("#setup-time", Input).value.strip()
        total_seconds = None
        if time_text:
            try:
                total_seconds = parse_duration(time_text)
            except ValueError as error:
                self.notify(str(error), severity="error", markup=False)
                return
        count = int(count_text) if count_text.isdigit() and int(count_text) > 0 else None
        if count is None and total_seconds is None:
            count = 5
        loop = mode.removeprefix("loop:") if mode.startswith("loop:") else None
        request = PracticeRequest(
            mode="auto" if loop else mode,
            filters=self.filters(),
            count=count if not total_seconds else None,
            total_seconds=total_seconds,
            loop=loop,
        )
        self.drillbit.start_practice(request)

    def action_back(self) -> None:
        self.app.pop_screen()
