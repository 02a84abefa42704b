"""The numbers a finished session shows, each computed once.

They follow the stats' definitions (see ``app.stats.compute`` and the store's aggregates), so the
summary and the stats screen agree on the same attempts: an attempt's score is its rubric
coverage or else its automatic grade (``grading.score``), averaged over rated attempts; pacing
is the mean of time spent over time budget, over rated attempts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from app.practice.session import Item, PracticeSession


class SkillSummary(NamedTuple):
    skill: str
    questions: int
    rated: int
    mean_score: float | None
    """Mean score of the rated attempts, or None when none has a score."""
    time_ratio: float | None
    """Mean of time spent / budget over the rated attempts."""


class SessionTotals(NamedTuple):
    rated: int
    skipped: int
    seconds: int


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (None when there are none)."""
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None


def time_ratio(item: Item) -> float:
    return item.timer.elapsed().total_seconds() / item.question.time_seconds


def totals(session: PracticeSession) -> SessionTotals:
    items = session.items
    return SessionTotals(
        sum(item.rating is not None for item in items),
        sum(item.skipped for item in items),
        int(session.session_timer.elapsed().total_seconds()),
    )


def per_skill(items: Sequence[Item]) -> list[SkillSummary]:
    """One row per skill, in the order the skills first came up."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.entry.skill, []).append(item)
    rows = []
    for skill, group in groups.items():
        rated = [item for item in group if item.rating is not None]
        rows.append(
            SkillSummary(
                skill,
                len(group),
                len(rated),
                mean(item.score for item in rated),
                mean(time_ratio(item) for item in rated),
            )
        )
    return rows
