"""Calibration: how questions fare in practice, and which ones need a curator's attention.

Pure functions over the bank's facts and the rated attempts: no I/O, no Textual.

- Time: mean time spent over the question's *current* budget. A budget is flagged as
  unrealistic when that ratio is above :data:`TIME_TOO_SHORT` or below :data:`TIME_TOO_LONG`,
  given at least :data:`MIN_TIME_ATTEMPTS` attempts.
- Rubric points: the share of rubric-graded attempts *on the current version of the question*
  (same content hash) that ticked each point. Older attempts are left out because an edit may
  reorder or rewrite the points their ticks refer to. A point is flagged as almost never met
  when it is ticked in under :data:`RARE_POINT` of at least :data:`MIN_POINT_ATTEMPTS` attempts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import TYPE_CHECKING, Any

from app.bank.durations import format_duration
from app.store.db import Attempt

if TYPE_CHECKING:
    from app.bank.index import Bank

TIME_TOO_SHORT = 1.5
"""Mean time / budget above this: the budget is too short."""
TIME_TOO_LONG = 0.4
"""Mean time / budget below this: the budget is too long."""
MIN_TIME_ATTEMPTS = 3
RARE_POINT = 0.15
MIN_POINT_ATTEMPTS = 5
RATINGS = ("again", "hard", "good", "easy")
"""Rating names by value - 1, as Anki and FSRS number them (1 Again to 4 Easy)."""


@dataclass(frozen=True)
class QuestionFacts:
    """What calibration needs to know of a question in the bank."""

    id: str
    skill: str
    title: str
    budget_seconds: int
    rubric: tuple[str, ...] = ()
    content_hash: str = ""


@dataclass(frozen=True)
class Flag:
    kind: str
    """``time-too-short``, ``time-too-long`` or ``rubric-point-rare``."""
    message: str
    point: int | None = None
    """The 0-based rubric point, for ``rubric-point-rare``."""


@dataclass(frozen=True)
class Calibration:
    question_id: str
    skill: str
    title: str
    attempts: int
    budget_seconds: int
    mean_seconds: float
    time_ratio: float
    """Mean time spent over the current budget."""
    mean_coverage: float | None
    ratings: Mapping[str, int]
    """Again, Hard, Good and Easy counts."""
    rubric_attempts: int
    """Rubric-graded attempts on the current version, which the point shares count."""
    point_shares: tuple[float, ...] = ()
    flags: tuple[Flag, ...] = field(default_factory=tuple)
    suggested_budget: int | None = None
    """A budget near the mean time, when the time budget is flagged."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.question_id,
            "skill": self.skill,
            "title": self.title,
            "attempts": self.attempts,
            "budget_seconds": self.budget_seconds,
            "mean_seconds": round(self.mean_seconds, 1),
            "time_ratio": round(self.time_ratio, 3),
            "mean_coverage": None if self.mean_coverage is None else round(self.mean_coverage, 3),
            "ratings": dict(self.ratings),
            "rubric_attempts": self.rubric_attempts,
            "point_shares": [round(share, 3) for share in self.point_shares],
            "suggested_budget": self.suggested_budget,
            "flags": [
                {"kind": flag.kind, "message": flag.message, "point": flag.point}
                for flag in self.flags
            ],
        }


def _score(attempt: Attempt) -> float | None:
    if attempt.rubric_coverage is not None:
        return attempt.rubric_coverage
    if attempt.auto_grade is not None:
        return float(attempt.auto_grade)
    return None


def suggest_budget(mean_seconds: float) -> int:
    """A round budget near ``mean_seconds``: whole minutes from 90 s up, else 15 s steps."""
    if mean_seconds >= 90:
        return max(60, round(mean_seconds / 60) * 60)
    return max(15, round(mean_seconds / 15) * 15)


def time_flag(ratio: float, attempts: int, budget_seconds: int, mean_seconds: float) -> Flag | None:
    if attempts < MIN_TIME_ATTEMPTS:
        return None
    budget = format_duration(budget_seconds)
    mean = format_duration(round(mean_seconds))
    suggestion = format_duration(suggest_budget(mean_seconds))
    if ratio > TIME_TOO_SHORT:
        return Flag(
            "time-too-short",
            f"time budget {budget} looks too short: {attempts} attempts took {mean} on average"
            f" ({ratio:.1f}x the budget); consider {suggestion}",
        )
    if ratio < TIME_TOO_LONG:
        return Flag(
            "time-too-long",
            f"time budget {budget} looks too long: {attempts} attempts took {mean} on average"
            f" ({ratio:.1f}x the budget); consider {suggestion}",
        )
    return None


def point_flags(points: Sequence[str], shares: Sequence[float], attempts: int) -> list[Flag]:
    if attempts < MIN_POINT_ATTEMPTS:
        return []
    flags = []
    for index, (point, share) in enumerate(zip(points, shares, strict=True)):
        if share < RARE_POINT:
            ticked = round(share * attempts)
            flags.append(
                Flag(
                    "rubric-point-rare",
                    f"rubric point {index + 1} is almost never met: ticked in {ticked} of"
                    f" {attempts} attempts ({share:.0%}): {' '.join(point.split())}",
                    index,
                )
            )
    return flags


def calibrate_question(facts: QuestionFacts, attempts: Sequence[Attempt]) -> Calibration:
    """Calibration of one question from its rated attempts (at least one)."""
    count = len(attempts)
    mean_seconds = fmean(attempt.time_spent_ms / 1000 for attempt in attempts)
    ratio = mean_seconds / facts.budget_seconds
    scores = [score for score in map(_score, attempts) if score is not None]
    ratings = Counter(attempt.rating for attempt in attempts if attempt.rating is not None)
    graded = [
        attempt
        for attempt in attempts
        if attempt.rubric_coverage is not None and attempt.content_hash == facts.content_hash
    ]
    ticked = Counter(index for attempt in graded for index in set(attempt.rubric_ticked))
    shares = (
        tuple(ticked[index] / len(graded) for index in range(len(facts.rubric))) if graded else ()
    )
    flags: list[Flag] = []
    timing = time_flag(ratio, count, facts.budget_seconds, mean_seconds)
    if timing is not None:
        flags.append(timing)
    if shares:
        flags += point_flags(facts.rubric, shares, len(graded))
    return Calibration(
        question_id=facts.id,
        skill=facts.skill,
        title=facts.title,
        attempts=count,
        budget_seconds=facts.budget_seconds,
        mean_seconds=mean_seconds,
        time_ratio=ratio,
        mean_coverage=fmean(scores) if scores else None,
        ratings={name: ratings.get(value, 0) for value, name in enumerate(RATINGS, 1)},
        rubric_attempts=len(graded),
        point_shares=shares,
        flags=tuple(flags),
        suggested_budget=suggest_budget(mean_seconds) if timing is not None else None,
    )


def calibrate(questions: Iterable[QuestionFacts], attempts: Iterable[Attempt]) -> list[Calibration]:
    """One calibration per question that has rated attempts, in the order of ``questions``.

    Attempts at questions not in ``questions`` (retired, or filtered out) are ignored.
    """
    by_question: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        if attempt.status == "rated":
            by_question.setdefault(attempt.question_id, []).append(attempt)
    return [
        calibrate_question(facts, by_question[facts.id])
        for facts in questions
        if facts.id in by_question
    ]


def table_rows(calibrations: Sequence[Calibration]) -> list[tuple[str, ...]]:
    rows = []
    for item in calibrations:
        coverage = "-" if item.mean_coverage is None else f"{item.mean_coverage:.0%}"
        rows.append(
            (
                item.question_id,
                item.skill,
                str(item.attempts),
                format_duration(round(item.mean_seconds)),
                format_duration(item.budget_seconds),
                f"{item.time_ratio:.2f}",
                coverage,
                *(str(item.ratings[name]) for name in RATINGS),
                str(len(item.flags)) if item.flags else "",
            )
        )
    return rows


TABLE_HEADER = (
    "id",
    "skill",
    "attempts",
    "mean time",
    "budget",
    "time/budget",
    "coverage",
    "again",
    "hard",
    "good",
    "easy",
    "flags",
)


def question_facts(bank: Bank, skills: Sequence[str] = ()) -> list[QuestionFacts]:
    """What calibration needs to know of each question of ``skills`` (all when empty)."""
    return [
        QuestionFacts(
            id=question.id,
            skill=bank.skill_of(question.id),
            title=question.title,
            budget_seconds=question.time_seconds,
            rubric=tuple(point.point for point in question.rubric),
            content_hash=question.content_hash,
        )
        for question in bank.select(skills=skills)
    ]
