"""The rating drillbit suggests after a reveal. The candidate's own choice is what counts.

The rule (documented in docs/scheduling.md):

1. Rubric coverage, the weighted share of ticked points, gives the base suggestion:
   under 40% Again, under 70% Hard, under 90% Good, otherwise Easy.
   A choice question uses its automatic grade instead, on the whole set of picks: anything
   wrong or missing is Again, all right is Good (Easy when answered in under half the budget
   without hints). Revealing a choice question without a pick suggests Again.
2. Hints cap it: any hint caps at Good; half or more of the hints (at least two) caps at Hard.
3. Time caps it: over budget caps at Good; over one and a half times the budget caps at Hard.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from app.practice.scheduler import Grade

if TYPE_CHECKING:
    from app.bank.models import Question

COVERAGE_THRESHOLDS = ((0.40, Grade.AGAIN), (0.70, Grade.HARD), (0.90, Grade.GOOD))


def rubric_coverage(question: Question, ticked: Iterable[int]) -> float | None:
    """The weighted share of rubric points ticked, or None for a question without a rubric."""
    total = question.rubric_weight
    if not total:
        return None
    chosen = {index for index in ticked if 0 <= index < len(question.rubric)}
    return sum(question.rubric[index].weight for index in chosen) / total


class ChoiceGrade(NamedTuple):
    """A choice question's picks against its correct options."""

    right: frozenset[int]
    """Picked and correct."""
    wrong: frozenset[int]
    """Picked but not correct."""
    missing: frozenset[int]
    """Correct but not picked."""

    @property
    def correct(self) -> bool:
        return not self.wrong and not self.missing


def correct_options(question: Question) -> frozenset[int]:
    return frozenset(n for n, choice in enumerate(question.choices or ()) if choice.correct)


def select_all(question: Question) -> bool:
    """Several options are correct: the candidate picks a set, graded as a whole."""
    return len(correct_options(question)) > 1


def grade_choice(question: Question, picked: Iterable[int]) -> ChoiceGrade | None:
    """The picks graded as a set (None when there are no choices or no pick)."""
    chosen = frozenset(n for n in picked if 0 <= n < len(question.choices or ()))
    if not question.choices or not chosen:
        return None
    correct = correct_options(question)
    return ChoiceGrade(chosen & correct, chosen - correct, correct - chosen)


def score(coverage: float | None, auto_grade: bool | None) -> float | None:
    """An attempt's score: its rubric coverage, else its automatic grade as 0 or 1.

    The store's aggregates (``coalesce(rubric_coverage, auto_grade)``) use the same rule, so the
    summary, the stats and the home screen agree."""
    if coverage is not None:
        return coverage
    return None if auto_grade is None else float(auto_grade)


class Suggestion(NamedTuple):
    grade: Grade
    reasons: tuple[str, ...]


def suggest(
    question: Question,
    *,
    coverage: float | None,
    auto_grade: bool | None,
    hints_used: int,
    time_spent_s: float,
) -> Suggestion:
    reasons: list[str] = []
    budget = question.time_seconds
    if question.choices and auto_grade is None:
        return Suggestion(Grade.AGAIN, ("no option picked",))
    if auto_grade is not None:
        if not auto_grade:
            return Suggestion(Grade.AGAIN, ("wrong choice",))
        fast = time_spent_s < budget / 2 and hints_used == 0
        grade = Grade.EASY if fast else Grade.GOOD
        reasons.append("right choice" + (", quickly" if fast else ""))
    elif coverage is not None:
        grade = Grade.EASY
        for limit, below in COVERAGE_THRESHOLDS:
            if coverage < limit:
                grade = below
                break
        reasons.append(f"rubric {coverage:.0%}")
    else:
        grade = Grade.GOOD
        reasons.append("no rubric")
    if hints_used:
        many = hints_used >= 2 and hints_used * 2 >= len(question.hints)
        cap = Grade.HARD if many else Grade.GOOD
        if grade > cap:
            grade = cap
            reasons.append(f"{hints_used} hint(s)")
    if time_spent_s > budget:
        cap = Grade.HARD if time_spent_s > 1.5 * budget else Grade.GOOD
        if grade > cap:
            grade = cap
            reasons.append("over time")
    return Suggestion(grade, tuple(reasons))
