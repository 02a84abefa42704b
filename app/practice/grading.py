"""The rating drillbit suggests after a reveal. The candidate's own choice is what counts.

The rule (documented in docs/scheduling.md):

1. Rubric coverage, the weighted share of ticked points, gives the base suggestion:
   under 40% Again, under 70% Hard, under 90% Good, otherwise Easy.
   A choice question uses its automatic grade instead: wrong is Again, right is Good
   (Easy when answered in under half the budget without hints).
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


def grade_choice(question: Question, picked: int | None) -> bool | None:
    """Whether the picked option is correct (None when there are no choices or no pick)."""
    if not question.choices or picked is None or not 0 <= picked < len(question.choices):
        return None
    return question.choices[picked].correct


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
