"""Pure statistics over the store's per-question and per-day totals and the bank index.

The store aggregates in SQL (a long history never becomes Python objects); these functions
combine the totals with the index and the FSRS cards. No I/O, no Textual.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.bank.index import IndexEntry, Skill
from app.practice import scheduler
from app.store.db import CardRow, QuestionTotals


@dataclass(frozen=True)
class SkillStats:
    skill: str
    total: int
    seen: int
    mean_coverage: float | None
    """Mean rubric coverage (or automatic grade) over the skill's rated attempts."""
    readiness: float
    """Mean recall probability over the skill's questions; unseen ones count as 0."""
    due: int
    time_accuracy: float | None
    """Mean of time spent / time budget; 1.0 is perfect pacing."""
    attempts: int


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    skill: str
    attempts: int
    mean_coverage: float | None
    mean_time_ratio: float
    ratings: tuple[int, int, int, int]
    retired: bool
    """The question has left the bank; its history stays."""


def recall(row: CardRow, now: datetime) -> float:
    return scheduler.retrievability(scheduler.load_card(row.card_json, row.question_id, now), now)


def per_question(
    index: Sequence[IndexEntry], totals: Iterable[QuestionTotals]
) -> list[QuestionStats]:
    skills = {entry.id: entry.skill for entry in index}
    result = [
        QuestionStats(
            t.question_id,
            skills.get(t.question_id, t.skill or "retired"),
            t.attempts,
            t.mean_score,
            t.mean_time_ratio,
            t.ratings,
            t.question_id not in skills,
        )
        for t in totals
    ]
    return sorted(result, key=lambda s: (s.skill, s.question_id))


def per_skill(
    index: Sequence[IndexEntry],
    totals: Iterable[QuestionTotals],
    cards: Mapping[str, CardRow],
    now: datetime,
) -> list[SkillStats]:
    """One row per skill of the index, in index order."""
    by_skill: dict[str, list[QuestionTotals]] = defaultdict(list)
    skills = {entry.id: entry.skill for entry in index}
    for total in totals:
        if total.question_id in skills:
            by_skill[skills[total.question_id]].append(total)
    questions: dict[str, list[IndexEntry]] = defaultdict(list)
    for entry in index:
        questions[entry.skill].append(entry)
    result = []
    for skill, entries in questions.items():
        done = by_skill.get(skill, [])
        scored = sum(t.scored for t in done)
        attempts = sum(t.attempts for t in done)
        readiness = due = 0.0
        for entry in entries:
            row = cards.get(entry.id)
            if row is not None:
                readiness += recall(row, now)
                due += row.due <= now
        result.append(
            SkillStats(
                skill=skill,
                total=len(entries),
                seen=len(done),
                mean_coverage=(
                    sum((t.mean_score or 0) * t.scored for t in done) / scored if scored else None
                ),
                readiness=readiness / len(entries),
                due=int(due),
                time_accuracy=(
                    sum(t.mean_time_ratio * t.attempts for t in done) / attempts
                    if attempts
                    else None
                ),
                attempts=attempts,
            )
        )
    return result


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive practice days ending today (or yesterday, while today is still open)."""
    practised = set(days)
    cursor = today if today in practised else today - timedelta(days=1)
    count = 0
    while cursor in practised:
        count += 1
        cursor -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class SkillGlance:
    """A home-screen row: computed from cards and the rated ids, fast with a long history."""

    skill: str
    total: int
    practised: int
    """Questions rated at least once: the stats screen's "seen", whether or not the ratings
    rescheduled (a loop's or a mock's do not)."""
    due: int
    readiness: float


def at_a_glance(
    index: Sequence[IndexEntry],
    cards: Mapping[str, CardRow],
    seen: Collection[str],
    now: datetime,
) -> list[SkillGlance]:
    totals: Counter[str] = Counter()
    practised: Counter[str] = Counter()
    due: Counter[str] = Counter()
    readiness: dict[str, float] = defaultdict(float)
    for entry in index:
        totals[entry.skill] += 1
        practised[entry.skill] += entry.id in seen
        row = cards.get(entry.id)
        if row is None:
            continue
        due[entry.skill] += row.due <= now
        readiness[entry.skill] += recall(row, now)
    return [
        SkillGlance(skill, total, practised[skill], due[skill], readiness[skill] / total)
        for skill, total in totals.items()
    ]


def skill_title(skills: Mapping[str, Skill], slug: str) -> str:
    """How every screen names a skill: its title, or its slug once it left the bank."""
    skill = skills.get(slug)
    return skill.title if skill is not None else slug
