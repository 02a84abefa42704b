"""The question screen's coding part: runs, cancelling, the language switch and the trust
question. QuestionScreen's base, kept apart so the screen's general structure stays its own.

A run goes on the runner's thread (``CodingWork.run``); when it ends, that thread stores it
(``PracticeSession.record_run``) and posts ``CodingPanel.RunFinished``, so the UI never waits.
"""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.binding import Binding

from app.store.db import StoreError
from app.tui.screens.base import DrillbitScreen

if TYPE_CHECKING:
    from app.coding.results import RunResult
    from app.practice.session import Item, PracticeSession
    from app.tui.widgets.coding import CodeEditor, CodingPanel, RunResults

CODING_ACTIONS = frozenset({"run_tests", "switch_language", "cancel_run"})


class CodingScreen(DrillbitScreen):
    """What QuestionScreen does for a coding exercise; QuestionScreen is one of these."""

    BINDINGS = [
        Binding("ctrl+r", "run_tests", "Run tests"),
        Binding("ctrl+l", "switch_language", "Language"),
        Binding("escape", "cancel_run", "Cancel run", show=False),
    ]
    """Screen bindings, so they work from inside the editor too (TextArea binds none of them)."""

    session: PracticeSession
    _dirty: bool

    def __init__(self) -> None:
        super().__init__()
        self._trust: dict[Path, bool] = {}
        """The trust answers of this screen's banks, asked or read once."""
        self._latest_run: object | None = None
        """The last run started: only its end is shown."""

    def update_rating(self) -> None:
        raise NotImplementedError

    def save_draft(self) -> None:
        raise NotImplementedError

    @property
    def coding_panel(self) -> CodingPanel:
        # Mounted after the first paint, with the answer editor (the widgets import later).
        return cast("CodingPanel", self.query_one("#q-coding"))

    def check_coding_action(self, action: str) -> bool:
        item = self.session.current if self.session.items and not self.session.finished else None
        coding = item.coding if item is not None else None
        if coding is None or self.session.paused:
            return False
        if action == "run_tests":
            return self.session.can("write") or coding.running
        if action == "cancel_run":
            return coding.running
        return self.session.can("write") and len(coding.languages) > 1

    def show_coding(self, item: Item) -> None:
        """Show the panel for a coding exercise, hide it for any other question."""
        panel = self.coding_panel
        panel.display = item.coding is not None
        if item.coding is not None:
            panel.show(item)

    # -- running --------------------------------------------------------------------------

    def action_run_tests(self) -> None:
        item = self.session.current
        coding = item.coding
        if coding is None:
            return
        if coding.running:  # the same key stops it
            self.action_cancel_run()
            return
        bank = self._bank_of(item)
        trusted = self._trusted(bank) if bank is not None else True
        if trusted is None:
            from app.tui.screens.trust import TrustScreen

            def answered(yes: bool | None) -> None:
                from app.coding.trust import remember

                assert bank is not None
                self._trust[bank] = bool(yes)
                try:
                    remember(bank, bool(yes))
                except OSError as error:
                    self.notify(
                        f"The answer is kept for this session only: {error}",
                        severity="warning",
                        markup=False,
                    )
                if yes:
                    self._start_run(item)

            self.app.push_screen(TrustScreen(bank), answered)
        elif trusted:
            self._start_run(item)
        else:
            from app.paths import trust_file

            self.notify(
                f"You said no to running code from {bank}. To be asked again, remove its"
                f" entry from {trust_file()}.",
                title="Not run",
                severity="warning",
                markup=False,
                timeout=8,
            )

    def _bank_of(self, item: Item) -> Path | None:
        """The bank the question came from (None: the bundled bank, or not known)."""
        from app.coding.trust import bank_root

        bank, _ = self.drillbit.core
        placement = bank.placements.get(item.entry.id)
        if placement is None:
            return None
        return bank_root(Path(placement.path), self.drillbit.bank_dirs)

    def _trusted(self, bank: Path) -> bool | None:
        if bank not in self._trust:
            from app.coding.trust import decision

            answer = decision(bank)
            if answer is None:
                return None
            self._trust[bank] = answer
        return self._trust[bank]

    def _start_run(self, item: Item) -> None:
        coding = item.coding
        assert coding is not None
        session, panel = self.session, self.coding_panel
        # The code as typed so far is saved too: the run may outlive the app.
        session.set_answer(panel.editor.text)

        run = self._latest_run = object()

        def finished(result: RunResult, code: str) -> None:
            # The runner's thread: store, then hand over to the UI without waiting for it.
            error = None
            try:
                session.record_run(item, code, result)
            except StoreError as problem:
                error = str(problem)
            except Exception as problem:  # the app closing under the run: say so, never raise
                error = f"{type(problem).__name__}: {problem}"
            panel.post_message(panel.RunFinished(item, result, error, run))

        coding.run(finished)
        panel.results.show_running(coding.language)
        self.refresh_bindings()

    def action_cancel_run(self) -> None:
        coding = self.session.current.coding
        if coding is not None and coding.running:
            coding.cancel()

    # Handlers by name: the widgets' module is imported only once they are mounted.
    def on_coding_panel_run_finished(self, message: CodingPanel.RunFinished) -> None:
        if message.error is not None:
            self.notify(
                f"The run was not saved: {message.error}",
                severity="error",
                markup=False,
                timeout=8,
            )
        if message.item is not self.session.current or message.run is not self._latest_run:
            return  # stored with its own question, or a newer run replaced it
        result = message.result
        panel = self.coding_panel
        panel.results.show_result(result)
        first = next(
            (e for e in result.compile_errors if e.file == "solution" and e.line is not None),
            None,
        )
        if first is not None and first.line is not None:
            panel.go_to(first.line, first.column or 1)
        if message.item.revealed:
            self.update_rating()
        self.refresh_bindings()

    def on_run_results_go_to(self, message: RunResults.GoTo) -> None:
        panel = self.coding_panel
        panel.go_to(message.line, message.column)
        if self.session.can("write"):
            panel.editor.write()

    # -- editing --------------------------------------------------------------------------

    def on_code_editor_edited(self, event: CodeEditor.Edited) -> None:
        self.session.set_answer(event.text)
        self._dirty = True

    def action_switch_language(self) -> None:
        code = self.session.switch_language()
        coding = self.session.current.coding
        if code is None or coding is None:
            return
        self._dirty = True
        self.save_draft()  # the draft is in the new language from now on
        self.coding_panel.show(self.session.current)
        self.refresh_bindings()

    def on_unmount(self) -> None:
        """The screen goes: no run keeps going for it, and each is stored before the history
        closes (cancelling takes a moment: the processes are killed)."""
        for item in self.session.items:
            if item.coding is not None and item.coding.running:
                item.coding.cancel()
                with suppress(Exception):  # a run that fails to end reports it on its own
                    item.coding.wait(timeout=2)
