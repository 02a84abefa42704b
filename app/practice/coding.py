"""The coding part of a practice attempt: what the question screen shows and forwards.

``CodingWork`` keeps the candidate's code in each language the exercise offers and the machine
can run, starts runs of the tests off the caller's thread (one at a time; a new one cancels the
old), and remembers their results. ``record_run`` stores a run with the attempt;
``suggest_coding`` turns the last result, the time and the hints into a suggested rating.

The suggestion (documented in docs/scheduling.md):

1. The share of tests passed by the last run gives the base, on the rubric's scale: under 40%
   Again, under 70% Hard, under 90% Good, all of them Easy. No run, a compile error, a timeout
   or a crash counts as none passed.
2. Hints and time cap it exactly as for any question (``grading.suggest``).
3. The rubric (what the tests cannot judge), when ticked: under 40% of it caps at Hard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.coding.languages import Name
from app.coding.results import RunResult
from app.practice.grading import Suggestion, suggest
from app.practice.scheduler import Grade

if TYPE_CHECKING:
    from app.bank.models import Question
    from app.coding.runner import RunHandle
    from app.store.db import Store

RUBRIC_FLOOR = 0.40


def tests_share(result: RunResult | None) -> float:
    """The share of tests passed; 0 without a run or without test results."""
    if result is None or not result.total:
        return 0.0
    return result.passed / result.total


def suggest_coding(
    question: Question,
    *,
    result: RunResult | None,
    coverage: float | None,
    hints_used: int,
    time_spent_s: float,
) -> Suggestion:
    share = tests_share(result)
    base = suggest(
        question,
        coverage=share,
        auto_grade=None,
        hints_used=hints_used,
        time_spent_s=time_spent_s,
    )
    tests = f"tests {result.passed}/{result.total}" if result and result.total else "no test passed"
    if result is None:
        tests = "tests not run"
    grade, reasons = base.grade, [tests, *base.reasons[1:]]
    if coverage is not None and coverage < RUBRIC_FLOOR and grade > Grade.HARD:
        grade = Grade.HARD
        reasons.append(f"rubric {coverage:.0%}")
    return Suggestion(grade, tuple(reasons))


def available_languages(question: Question) -> list[Name]:
    """The languages the exercise offers that this machine can run, in the bank's order."""
    from app.coding.toolchains import toolchain

    if question.code is None:
        return []
    return [name for name in question.code.languages if toolchain(name).available]


class CodingWork:
    """The candidate's code and runs for one coding exercise.

    ``draft`` is code recovered from the store (``Store.last_code_draft``): it opens in its
    language; every other language starts from its starter.
    """

    def __init__(
        self,
        question: Question,
        *,
        languages: list[Name] | None = None,
        draft: tuple[str, str] | None = None,
    ) -> None:
        if question.code is None:
            raise ValueError(f"{question.id} is not a coding exercise")
        self.question = question
        self.languages = languages if languages is not None else available_languages(question)
        if not self.languages:
            offered = ", ".join(question.code.languages)
            raise ValueError(f"none of {offered} is installed: see drillbit doctor")
        self._code: dict[str, str] = {
            name: question.code.languages[name].starter for name in self.languages
        }
        self.language: Name = self.languages[0]
        if draft is not None and draft[1] in self._code:
            self.language = draft[1]  # type: ignore[assignment]
            self._code[self.language] = draft[0]
        self.results: list[RunResult] = []
        """Every finished run, oldest first."""
        self._handle: RunHandle | None = None
        self._lock = threading.Lock()

    @property
    def code(self) -> str:
        """The code in the current language, as last set by the editor."""
        return self._code[self.language]

    @code.setter
    def code(self, text: str) -> None:
        self._code[self.language] = text

    def switch(self, language: Name) -> str:
        """Make ``language`` current; returns its code for the editor."""
        if language not in self._code:
            raise ValueError(f"{language} is not available for {self.question.id}")
        self.language = language
        return self._code[language]

    def reset(self) -> str:
        """Back to the starter in the current language; returns it."""
        assert self.question.code is not None
        self._code[self.language] = self.question.code.languages[self.language].starter
        return self._code[self.language]

    @property
    def solution(self) -> str:
        """The reference solution in the current language, for the reveal."""
        assert self.question.code is not None
        return self.question.code.languages[self.language].solution

    @property
    def running(self) -> bool:
        return self._handle is not None and not self._handle.done

    @property
    def last_result(self) -> RunResult | None:
        return self.results[-1] if self.results else None

    def run(self, on_result: Callable[[RunResult, str], None] | None = None) -> RunHandle:
        """Run the tests on the current code, off this thread; a run under way is cancelled.

        ``on_result(result, code)`` is called on the run's thread once it ends (a cancelled run
        included): the place to store it (``record_run``) and to post a message to the UI.
        """
        from app.coding.runner import start_run

        self.cancel()
        code, language = self.code, self.language
        handle = start_run(self.question, language, code)

        def finished(result: RunResult) -> None:
            with self._lock:
                self.results.append(result)
            if on_result is not None:
                on_result(result, code)

        handle.on_done(finished)
        self._handle = handle
        return handle

    def cancel(self) -> None:
        """Stop the run under way, if any (its result comes back as "cancelled")."""
        if self._handle is not None and not self._handle.done:
            self._handle.cancel()

    def suggestion(
        self, *, coverage: float | None, hints_used: int, time_spent_s: float
    ) -> Suggestion:
        """The suggested rating from the last finished run that was not cancelled."""
        finished = [r for r in self.results if r.status != "cancelled"]
        return suggest_coding(
            self.question,
            result=finished[-1] if finished else None,
            coverage=coverage,
            hints_used=hints_used,
            time_spent_s=time_spent_s,
        )


def record_run(store: Store, attempt_id: int, code: str, result: RunResult) -> int:
    """Store a run with its attempt (the attempt's answer becomes the code that ran)."""
    return store.record_run(
        attempt_id,
        language=result.language,
        code=code,
        status=result.status,
        passed=result.passed,
        total=result.total,
        seconds=result.seconds,
        result_json=result.to_json(),
    )
