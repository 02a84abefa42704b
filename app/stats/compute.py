"""Pure statistics over attempts, cards and the bank index. No I/O, no Textual."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from statistics import fmean

from app.bank.index import IndexEntry
from app.review import scheduler
from app.store.db import Attempt, CardRow


@dataclass(frozen=True)
class SkillStats:
    skill: str
    total: int
    seen: int
    mean_coverage: float | None
    readiness: float
    """Mean recall probability over the skill's questions; unseen ones count as 0."""
    due: int
    time_accuracy: float | None
    """Mean of time spent / time budget; 1.0 is perfect pacing."""


@dataclass(frozen=True)
class DayStats:
    day: date
    attempts: int
    seconds: int


@dataclass(frozen=True)
class QuestionStats:
    question_id: str
    skill: str
    attempts: int
    mean_coverage: float | None
    mean_time_ratio: float
    ratings: Mapping[int, int]
    retired: bool
    ticked_share: tuple[float, ...] = field(default_factory=tuple)
    """Per rubric point, the share of attempts that ticked it."""


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def _score(attempt: Attempt) -> float | None:
    if attempt.rubric_coverage is not None:
        return attempt.rubric_coverage
    if attempt.auto_grade is not None:
        return float(attempt.auto_grade)
    return None


def _time_ratio(attempt: Attempt) -> float:
    return attempt.time_spent_ms / 1000 / attempt.time_budget_s


def skill_of(attempt: Attempt, index: Mapping[str, IndexEntry]) -> str:
    entry = index.get(attempt.question_id)
    return entry.skill if entry else (attempt.skill or "retired")


def per_skill(
    index: Sequence[IndexEntry],
    attempts: Sequence[Attempt],
    cards: Mapping[str, CardRow],
    now: datetime,
) -> list[SkillStats]:
    by_id = {entry.id: entry for entry in index}
    questions: dict[str, list[IndexEntry]] = defaultdict(list)
    for entry in index:
        questions[entry.skill].append(entry)
    skill_attempts: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        skill_attempts[skill_of(attempt, by_id)].append(attempt)
    result = []
    for skill, entries in questions.items():
        done = skill_attempts.get(skill, [])
        seen_ids = {a.question_id for a in done}
        recall = []
        due = 0
        for entry in entries:
            row = cards.get(entry.id)
            if row is None:
                recall.append(0.0)
                continue
            card = scheduler.load_card(row.card_json, entry.id, now)
            recall.append(scheduler.retrievability(card, now))
            due += row.due <= now
        result.append(
            SkillStats(
                skill=skill,
                total=len(entries),
                seen=len(seen_ids & {e.id for e in entries}),
                mean_coverage=_mean(_score(a) for a in done),
                readiness=fmean(recall) if recall else 0.0,
                due=due,
                time_accuracy=_mean(_time_ratio(a) for a in done),
            )
        )
    return result


def per_day(attempts: Iterable[Attempt], tz: tzinfo | None = None) -> list[DayStats]:
    """Attempts and seconds practised per local day, oldest first."""
    counts: Counter[date] = Counter()
    seconds: Counter[date] = Counter()
    for attempt in attempts:
        moment = attempt.rated_at or attempt.started_at
        day = moment.astimezone(tz).date() if tz else moment.date()
        counts[day] += 1
        seconds[day] += attempt.time_spent_ms // 1000
    return [DayStats(day, counts[day], seconds[day]) for day in sorted(counts)]


def streak(days: Iterable[date], today: date) -> int:
    """Consecutive practice days ending today (or yesterday, while today is still open)."""
    practised = set(days)
    cursor = today if today in practised else today - timedelta(days=1)
    count = 0
    while cursor in practised:
        count += 1
        cursor -= timedelta(days=1)
    return count


def per_question(
    index: Sequence[IndexEntry],
    attempts: Sequence[Attempt],
    rubric_sizes: Mapping[str, int] | None = None,
) -> list[QuestionStats]:
    by_id = {entry.id: entry for entry in index}
    grouped: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        grouped[attempt.question_id].append(attempt)
    result = []
    for question_id, done in grouped.items():
        size = (rubric_sizes or {}).get(question_id, 0)
        ticked = Counter(index for a in done for index in a.rubric_ticked)
        result.append(
            QuestionStats(
                question_id=question_id,
                skill=skill_of(done[0], by_id),
                attempts=len(done),
                mean_coverage=_mean(_score(a) for a in done),
                mean_time_ratio=fmean(_time_ratio(a) for a in done),
                ratings=Counter(a.rating for a in done if a.rating is not None),
                retired=question_id not in by_id,
                ticked_share=tuple(ticked[i] / len(done) for i in range(size)),
            )
        )
    return sorted(result, key=lambda s: (s.skill, s.question_id))


def coverage_over_time(
    attempts: Iterable[Attempt], tz: tzinfo | None = None
) -> list[tuple[date, float]]:
    """Mean rubric coverage per day, for a chart."""
    scores: dict[date, list[float]] = defaultdict(list)
    for attempt in attempts:
        score = _score(attempt)
        if score is not None:
            moment = attempt.rated_at or attempt.started_at
            scores[moment.astimezone(tz).date() if tz else moment.date()].append(score)
    return [(day, fmean(values)) for day, values in sorted(scores.items())]


@dataclass(frozen=True)
class SkillGlance:
    """A home-screen row: computed from cards alone, so it stays fast with a long history."""

    skill: str
    total: int
    scheduled: int
    due: int
    readiness: float


def at_a_glance(
    index: Sequence[IndexEntry], cards: Mapping[str, CardRow], now: datetime
) -> list[SkillGlance]:
    totals: Counter[str] = Counter()
    scheduled: Counter[str] = Counter()
    due: Counter[str] = Counter()
    recall: dict[str, float] = defaultdict(float)
    for entry in index:
        totals[entry.skill] += 1
        row = cards.get(entry.id)
        if row is None:
            continue
        scheduled[entry.skill] += 1
        due[entry.skill] += row.due <= now
        card = scheduler.load_card(row.card_json, entry.id, now)
        recall[entry.skill] += scheduler.retrievability(card, now)
    return [
        SkillGlance(skill, total, scheduled[skill], due[skill], recall[skill] / total)
        for skill, total in totals.items()
    ]
