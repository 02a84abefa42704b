"""The drillbit Textual application: loads the core in a worker and routes between screens."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from app.bank.index import Bank
from app.bank.problems import Problem
from app.clock import Clock, SystemClock
from app.practice.planner import Filters, plan, plan_loop
from app.practice.session import PracticeSession, history_for
from app.store.db import Store, StoreError
from app.tui.messages import BankLoaded, LoadFailed, SessionFinished
from app.tui.preload import Preload, PreloadError

FIRST_SCREEN_TIMEOUT_S = 3.0
"""When the garbage collector comes back on at the latest (see first_screen_ready)."""


class PracticeRequest(NamedTuple):
    mode: str = "auto"
    filters: Filters = Filters()
    count: int | None = 5
    total_seconds: int | None = None
    loop: str | None = None
    reschedule: bool = False
    seed: int | None = None


class Notice(NamedTuple):
    """Why a practice could not start, as a notification."""

    message: str
    title: str
    severity: SeverityLevel


class DrillbitApp(App[None]):
    """Keyboard-first practice for systems and edge-network interviews."""

    TITLE = "drillbit"
    CSS_PATH = "drillbit.tcss"
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+t", "toggle_dark", "Theme", show=False),
    ]

    def __init__(
        self,
        bank_dirs: list[Path],
        db_path: Path,
        *,
        practice: PracticeRequest | None = None,
        clock: Clock | None = None,
        preload: Preload | None = None,
    ) -> None:
        super().__init__()
        self.preload = preload
        self.bank_dirs = bank_dirs
        self.db_path = db_path
        self.practice_request = practice
        self.clock: Clock = clock or SystemClock()
        self.bank: Bank | None = None
        self.store: Store | None = None
        self.problems: list[Problem] = []
        self.fatal_error: str | None = None

    def get_default_screen(self) -> Screen:
        # The usual `drillbit practice`: the bank and history loaded while Textual was imported
        # (see Preload), so the first question is the app's first screen, rather than a blank
        # one painted first and then covered (measured: the question paints about 3% sooner).
        request, preload = self.practice_request, self.preload
        if request is not None and preload is not None and preload.succeeded:
            self._take(*preload.result())
            session = self._new_session(request)
            if isinstance(session, PracticeSession):
                from app.tui.screens.question import QuestionScreen

                self.practice_request = None
                return QuestionScreen(session)
            # Nothing to practise: on_mount says so and shows the home screen.
        return super().get_default_screen()

    def on_mount(self) -> None:
        # Whatever happens to the first screen (a slow cold load, an error), collect again soon.
        self.set_timer(FIRST_SCREEN_TIMEOUT_S, self.first_screen_ready)
        if self.bank is not None:  # taken by get_default_screen
            self._bank_ready()
            return
        if self.practice_request is None:
            from app.tui.screens.home import HomeScreen

            self.push_screen(HomeScreen())
        # Straight into practice: the default screen stays blank until the first question;
        # the home screen is built when the session ends.
        if self.preload is not None and self.preload.finished:
            # Usually loaded while Textual was imported: hand the result over now rather than
            # start a worker thread to wait for nothing (measured: the question paints sooner).
            self._deliver(self.preload)
        else:
            self.load_core()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_core(self) -> None:
        """Parse the bank and open the history off the UI thread, so the first paint is instant."""
        self._deliver(self.preload or Preload(self.bank_dirs, self.db_path).start())

    def _deliver(self, preload: Preload) -> None:
        """Post what the preload gave (waiting for it when called from the worker)."""
        try:
            bank, problems, store = preload.result()
        except (StoreError, PreloadError) as error:
            self.post_message(LoadFailed(str(error)))
            return
        self.store = store
        self.post_message(BankLoaded(bank, problems))

    def _take(self, bank: Bank, problems: list[Problem], store: Store) -> None:
        self.bank, self.problems, self.store = bank, problems, store

    def first_screen_ready(self) -> None:
        """The first screen is whole: start the history's integrity check, which on a long
        history would have slowed that screen down, and turn back on the garbage collector that
        ``run_tui`` turned off for start-up. The objects made so far live as long as the app,
        so they are frozen out of future collections rather than scanned by the next one."""
        if self.store is not None:
            self.store.start_verification()
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def show_home(self) -> None:
        """Back to the home screen, building it if the app started straight into practice."""
        from app.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.push_screen(HomeScreen())

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.fatal_error = message.error
        self.exit()

    @on(BankLoaded)
    def _bank_loaded(self, message: BankLoaded) -> None:
        self.bank = message.bank
        self.problems = message.problems
        self._bank_ready()

    def _bank_ready(self) -> None:
        """Report the bank's problems, refresh what shows the bank, start a requested practice."""
        if self.problems:
            first = self.problems[0]
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            self.notify(
                f"{first}{more}", title="Bank problems", severity="warning", markup=False, timeout=8
            )
        # Screens that show the bank refresh themselves (the home screen); checked by duck
        # typing so that a practice start never imports the home screen's widgets.
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_data", None)
            if callable(refresh):
                refresh()
        if self.practice_request is not None:
            request, self.practice_request = self.practice_request, None
            if not self.start_practice(request):
                self.show_home()

    # -- sessions ---------------------------------------------------------------------------

    def start_practice(self, request: PracticeRequest) -> bool:
        """Plan a session and show its first question. False (saying why) when nothing matches."""
        from app.tui.screens.question import QuestionScreen

        session = self._new_session(request)
        if isinstance(session, Notice):
            self.notify(
                session.message, title=session.title, severity=session.severity, markup=False
            )
            return False
        self.push_screen(QuestionScreen(session))
        return True

    def _new_session(self, request: PracticeRequest) -> PracticeSession | Notice:
        """Plan a session, or say why there is nothing to practise."""
        assert self.bank is not None and self.store is not None
        now = self.clock.now()
        history = history_for(self.store, now)
        index = self.bank.index()
        seed = request.seed if request.seed is not None else int(now.timestamp())
        rounds = None
        if request.loop:
            loop = self.bank.loops.get(request.loop)
            if loop is None:
                names = ", ".join(sorted(self.bank.loops)) or "none defined"
                return Notice(f"No loop named '{request.loop}' (loops: {names})", "", "error")
            rounds = plan_loop(index, loop, history, now, seed)
            entries = [entry for r in rounds for entry in r.questions]
        else:
            entries = plan(
                index,
                mode=request.mode,
                filters=request.filters,
                history=history,
                now=now,
                count=request.count,
                total_seconds=request.total_seconds,
                seed=seed,
            )
        if not entries:
            return Notice(
                "No questions match: try another mode (new, random) or fewer filters.",
                "Nothing to practise",
                "warning",
            )
        reschedule = request.reschedule or (request.mode != "mock" and not request.loop)
        # Writes nothing yet (see PracticeSession), so nothing here can fail to record.
        return PracticeSession(
            self.bank,
            self.store,
            self.clock,
            entries,
            mode=request.mode,
            filters=request.filters,
            reschedule=reschedule,
            rounds=rounds,
            loop_name=request.loop,
        )

    @on(SessionFinished)
    def _session_finished(self, message: SessionFinished) -> None:
        from app.tui.screens.summary import SummaryScreen

        summary = SummaryScreen(message.session)
        if len(self.screen_stack) == 1:
            # The first question was the app's first screen (see get_default_screen), and
            # Textual switches only from pushed screens: the summary goes over it.
            self.push_screen(summary)
        else:
            self.switch_screen(summary)

    # -- app-wide actions -------------------------------------------------------------------

    def action_help(self) -> None:
        from app.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_stats(self) -> None:
        from app.tui.screens.stats import StatsScreen

        if self.bank is not None and self.store is not None:
            self.push_screen(StatsScreen())

    def action_setup(self) -> None:
        from app.tui.screens.setup import SetupScreen

        if self.bank is not None:
            self.push_screen(SetupScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Practice: new session", "Choose skills, difficulty, mode and length", self.action_setup
        )
        yield SystemCommand(
            "Practice: quick session",
            "Five questions: due first, then new",
            lambda: self.start_practice(PracticeRequest()),
        )
        yield SystemCommand(
            "Statistics", "Readiness, heatmap, coverage and time accuracy", self.action_stats
        )
        yield SystemCommand("Help: keys", "Every key drillbit understands", self.action_help)
        yield SystemCommand(
            "Toggle light/dark theme",
            "Switch between textual-dark and textual-light",
            self.action_toggle_dark,
        )

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
