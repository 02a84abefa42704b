"""The drillbit Textual application: loads the core in a worker and routes between screens."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import Resize
from textual.geometry import Size
from textual.screen import Screen

from app.bank.index import Bank
from app.bank.problems import Problem
from app.clock import Clock, SystemClock
from app.practice.request import PracticeRequest, Refusal, start_session
from app.practice.session import PracticeSession
from app.store.db import Store, StoreError
from app.tui.messages import BankLoaded, LoadFailed, SessionFinished
from app.tui.preload import Preload, PreloadError

MIN_SIZE = (60, 16)
"""Columns and lines below which a screen cannot show its layout (see TooSmallScreen)."""

FIRST_SCREEN_TIMEOUT_S = 3.0
"""When the garbage collector comes back on at the latest (see first_screen_ready)."""


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
        self.fatal_code = 1
        """The exit status for fatal_error: 2 when the command line asked for something wrong."""
        self.session: PracticeSession | None = None
        """The session shown or last shown; ended by end_session whichever way the app exits."""

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
                self.session = session
                return QuestionScreen(session)
            # Nothing to practise: on_mount says so and shows the home screen.
        return super().get_default_screen()

    def on_mount(self) -> None:
        self.call_after_refresh(self.check_size)
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
        history would have slowed that screen down, and end start-up's tricks."""
        from app.tui.launch import first_screen_shown

        if self.store is not None:
            self.store.start_verification()
        first_screen_shown()

    def show_home(self) -> None:
        """Back to the home screen, building it if the app started straight into practice."""
        from app.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.push_screen(HomeScreen())

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.fatal_error, self.fatal_code = message.error, 1
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
            self._start(request, from_cli=True)

    # -- sessions ---------------------------------------------------------------------------

    def start_practice(self, request: PracticeRequest) -> None:
        """The one way a session starts (CLI, home, setup, palette). A running session is ended
        properly first, once the candidate agrees; when nothing matches, say why."""
        running = self.session
        if running is not None and not running.finished:
            from app.tui.screens.confirm import ConfirmScreen

            def answered(end_it: bool | None) -> None:
                if end_it:
                    self.end_session()
                    self._start(request)

            self.push_screen(
                ConfirmScreen(
                    "End the running session and start another? Its ratings are saved.",
                    "End and start",
                ),
                answered,
            )
            return
        self._start(request)

    def _start(self, request: PracticeRequest, *, from_cli: bool = False) -> bool:
        from app.tui.screens.question import QuestionScreen

        session = self._new_session(request)
        if isinstance(session, Refusal):
            if from_cli and session.usage:
                # `drillbit practice --id nope`: a usage error, said on the command line.
                self.fatal_error, self.fatal_code = session.message, 2
                self.exit()
                return False
            self.notify(session.message, title=session.title, severity="warning", markup=False)
            if len(self.screen_stack) <= 1:
                self.show_home()
            return False
        self.session = session
        if len(self.screen_stack) > 1:
            self.show_home()  # under the question, so that the session ends there
        self.push_screen(QuestionScreen(session))
        return True

    def _new_session(self, request: PracticeRequest) -> PracticeSession | Refusal:
        """Plan a session (writing nothing), or say why there is nothing to practise."""
        bank, store = self.core
        try:
            return start_session(bank, store, self.clock, request)
        except StoreError as error:
            return Refusal(str(error), "Cannot read the history", False)

    def end_session(self) -> None:
        """Close the running session, its unrated questions recorded as skipped with the
        answers typed so far: the one place every way out goes through (ending it, replacing
        it, q, app.exit(), a signal handler that exits the app)."""
        session = self.session
        if session is None or session.finished:
            return
        try:
            session.finish()
        except StoreError as error:
            self.notify(f"The session could not be closed: {error}", severity="error", markup=False)

    def reload_bank(self, edited: object) -> list[Problem]:
        """Load the bank again after an edit; the problems found in the edited file."""
        from app.bank.loader import load_bank

        bank, problems = load_bank(self.bank_dirs)
        # The cached bank names files by absolute path, load_bank as given: compare resolved.
        edited_path = Path(str(edited)).resolve()
        self.bank = bank
        return [p for p in problems if Path(p.path).resolve() == edited_path]

    @property
    def core(self) -> tuple[Bank, Store]:
        """The bank and the history; screens that need them open only once they are loaded."""
        assert self.bank is not None and self.store is not None, "the core is not loaded yet"
        return self.bank, self.store

    @on(SessionFinished)
    def _session_finished(self, message: SessionFinished) -> None:
        from app.team.sync import sync_in_background
        from app.tui.screens.summary import SummaryScreen

        sync_in_background(self.db_path, self._sync_trouble)  # team mode: no-op without a server

        summary = SummaryScreen(message.session)
        if len(self.screen_stack) == 1:
            # The first question was the app's first screen (see get_default_screen), and
            # Textual switches only from pushed screens: the summary goes over it.
            self.push_screen(summary)
        else:
            self.switch_screen(summary)

    def _sync_trouble(self, line: str) -> None:
        """From the sync thread: one quiet line (the ratings are saved; the next sync retries)."""
        with suppress(RuntimeError):  # the app has exited meanwhile
            self.call_from_thread(self.notify, line, severity="warning", markup=False)

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

    def on_resize(self, event: Resize) -> None:
        self.check_size(event.size)

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        # Whatever screen comes up goes under the too-small message while the terminal is small.
        result = super().push_screen(*args, **kwargs)
        self.call_after_refresh(self.check_size)
        return result

    def check_size(self, size: Size | None = None) -> None:
        """Below MIN_SIZE a message replaces the layout; resizing back restores the screen."""
        from app.tui.screens.too_small import TooSmallScreen

        width, height = size or self.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        if small and not isinstance(self.screen, TooSmallScreen):
            self.push_screen(TooSmallScreen())
        elif not small and isinstance(self.screen, TooSmallScreen):
            self.pop_screen()

    def on_unmount(self) -> None:
        self.end_session()
        if self.store is not None:
            self.store.close()
