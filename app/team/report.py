"""Calibration and readiness over a whole team, aggregated by the server in SQL.

A rated attempt is an attempt's latest review that was not undone. Its score is the rubric
coverage, or the automatic grade (0 or 1) of a multiple-choice question.

Discrimination: for each question, the correlation across people between a person's mean score
on the question and their mean score on every *other* question (the rest score). Leaving the
question out of the overall score keeps it from correlating with itself, which inflates the
index of questions attempted often. A question separates people poorly when the index is below
:data:`LOW_DISCRIMINATION`; it needs :data:`MIN_PEOPLE` people with a rest score to be judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.authoring.calibrate import RATINGS, Flag, QuestionFacts, point_flags, time_flag
from app.team.server import check_usable, connect

PASS = 0.6
"""A person passes a question when their mean score on it reaches this."""
MIN_PEOPLE = 3
LOW_DISCRIMINATION = 0.2
WORK_MEM = "64MB"

RATED = """
rated AS (
    SELECT DISTINCT ON (r.attempt_uuid) r.owner, r.question_id, r.rating, r.duration_ms,
        r.rubric_ticked, r.rubric_coverage,
        coalesce(r.rubric_coverage, r.auto_grade::int::float8) AS score,
        a.time_budget_s, a.content_hash, a.skill
    FROM drillbit.reviews r JOIN drillbit.attempts a ON a.uuid = r.attempt_uuid
    WHERE NOT EXISTS (SELECT 1 FROM drillbit.undos u WHERE u.review_uuid = r.uuid)
    ORDER BY r.attempt_uuid, r.rated_at DESC, r.uuid DESC
)"""


def questions_sql(max_points: int) -> str:
    """One statement that reads the rated attempts once: totals per person, question and
    version, from which come the totals per person and question (people, discrimination) and
    the rubric point counts per version."""
    indexes = range(max_points)
    ticks = "".join(
        f", count(*) FILTER (WHERE rubric_coverage IS NOT NULL AND rubric_ticked @> '[{i}]')"
        f" AS tick_{i}"
        for i in indexes
    )
    tick_sums = ", ".join(f"sum(tick_{i})" for i in indexes) or "0"
    return f"""
WITH {RATED},
person_version AS (
    SELECT owner, question_id, content_hash, max(skill) AS skill, count(*) AS n,
        count(score) AS scored, sum(score) AS total, sum(duration_ms / 1000.0) AS seconds,
        count(*) FILTER (WHERE rating = 1) AS again, count(*) FILTER (WHERE rating = 2) AS hard,
        count(*) FILTER (WHERE rating = 3) AS good, count(*) FILTER (WHERE rating = 4) AS easy,
        sum(rating) AS rating_sum, sum(rating * rating) AS rating_squares,
        count(*) FILTER (WHERE rubric_coverage IS NOT NULL) AS graded{ticks}
    FROM rated GROUP BY owner, question_id, content_hash
),
person_question AS (
    SELECT owner, question_id, sum(n) AS n, sum(scored) AS scored, sum(total) AS total,
        sum(seconds) AS seconds, sum(again) AS again, sum(hard) AS hard, sum(good) AS good,
        sum(easy) AS easy, sum(rating_sum) AS rating_sum, sum(rating_squares) AS rating_squares
    FROM person_version GROUP BY owner, question_id
),
person AS (
    SELECT owner, sum(total) AS total, sum(scored) AS scored FROM person_question GROUP BY owner
),
points AS (
    SELECT question_id, jsonb_object_agg(content_hash, jsonb_build_array(graded, ticks)) AS points
    FROM (
        SELECT question_id, content_hash, sum(graded) AS graded, ARRAY[{tick_sums}] AS ticks
        FROM person_version GROUP BY question_id, content_hash
    ) per_version
    GROUP BY question_id
)
SELECT pq.question_id, count(*) AS people, sum(pq.n) AS attempts,
    sum(pq.seconds) / sum(pq.n) AS mean_seconds, sum(pq.total) / nullif(sum(pq.scored), 0),
    sum(pq.again), sum(pq.hard), sum(pq.good), sum(pq.easy),
    coalesce(sqrt(greatest(sum(pq.rating_squares) - sum(pq.rating_sum) ^ 2 / sum(pq.n), 0)
        / nullif(sum(pq.n) - 1, 0)), 0) AS rating_spread,
    corr(pq.total / nullif(pq.scored, 0), (p.total - pq.total) / nullif(p.scored - pq.scored, 0))
        AS discrimination,
    count(*) FILTER (WHERE pq.scored > 0 AND p.scored > pq.scored) AS judged,
    count(*) FILTER (WHERE pq.scored > 0) AS scored_people,
    count(*) FILTER (WHERE pq.scored > 0 AND pq.total / pq.scored >= {PASS}) AS passed,
    max(pt.points::text)::jsonb AS points
FROM person_question pq JOIN person p USING (owner) LEFT JOIN points pt USING (question_id)
GROUP BY pq.question_id ORDER BY pq.question_id
"""


SKILLS = f"""
WITH {RATED},
person_skill AS (
    SELECT skill, owner, avg(score) AS mean, count(*) AS attempts,
        count(*) FILTER (WHERE rating >= 3) AS recalled
    FROM rated GROUP BY skill, owner
)
SELECT skill, count(*) AS people, sum(attempts) AS attempts, avg(mean) AS readiness,
    sum(recalled)::float8 / sum(attempts) AS recalled,
    count(*) FILTER (WHERE mean >= {PASS}) AS ready_people
FROM person_skill GROUP BY skill ORDER BY skill
"""


@dataclass(frozen=True)
class TeamCalibration:
    question_id: str
    skill: str
    title: str
    people: int
    attempts: int
    budget_seconds: int
    mean_seconds: float
    time_ratio: float
    mean_score: float | None
    ratings: dict[str, int]
    rating_spread: float
    discrimination: float | None
    passed: int
    scored_people: int
    point_shares: tuple[float, ...] = ()
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "id": self.question_id,
            "skill": self.skill,
            "title": self.title,
            "people": self.people,
            "attempts": self.attempts,
            "budget_seconds": self.budget_seconds,
            "mean_seconds": round(self.mean_seconds, 1),
            "time_ratio": round(self.time_ratio, 3),
            "mean_score": rounded(self.mean_score),
            "ratings": self.ratings,
            "rating_spread": round(self.rating_spread, 3),
            "discrimination": rounded(self.discrimination),
            "passed": self.passed,
            "scored_people": self.scored_people,
            "point_shares": [round(share, 3) for share in self.point_shares],
            "flags": [
                {"kind": flag.kind, "message": flag.message, "point": flag.point}
                for flag in self.flags
            ],
        }


def separation_flags(
    people: int, passed: int, judged: int, discrimination: float | None
) -> list[Flag]:
    """Questions everyone passes, everyone fails, or that do not tell people apart."""
    if people < MIN_PEOPLE:
        return []
    if passed == people:
        return [Flag("everyone-passes", f"all {people} people pass it: too easy to tell apart")]
    if passed == 0:
        return [Flag("everyone-fails", f"none of {people} people pass it: too hard, or unclear")]
    if judged >= MIN_PEOPLE and (discrimination is None or discrimination < LOW_DISCRIMINATION):
        index = "undefined" if discrimination is None else f"{discrimination:.2f}"
        return [
            Flag(
                "no-separation",
                f"does not separate strong from weak candidates: discrimination {index}"
                f" over {judged} people (below {LOW_DISCRIMINATION})",
            )
        ]
    return []


def fetch(url: str, sql: str) -> list[tuple[Any, ...]]:
    with connect(url) as connection:
        check_usable(connection)
        with connection.transaction(), connection.cursor() as cursor:
            # Totals per person and question are a few hundred thousand groups on a large team:
            # hashed in memory rather than spilled to disk in batches (this transaction only).
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute(sql)
            return cursor.fetchall()


def calibrate_team(url: str, facts: Sequence[QuestionFacts]) -> list[TeamCalibration]:
    """Per question of ``facts`` that the team attempted, in the order of ``facts``."""
    known = {fact.id: fact for fact in facts}
    max_points = min(max((len(fact.rubric) for fact in facts), default=0), 64)
    rows = {row[0]: row for row in fetch(url, questions_sql(max_points)) if row[0] in known}
    results = []
    for fact in facts:
        row = rows.get(fact.id)
        if row is None:
            continue
        (_, people, attempts, mean_seconds, mean_score, *ratings) = row[:9]
        spread, discrimination, judged, scored_people, passed, points = row[9:]
        mean_seconds = float(mean_seconds)
        ratio = mean_seconds / fact.budget_seconds  # against the budget the bank has now
        attempts = int(attempts)
        flags: list[Flag] = []
        timing = time_flag(ratio, attempts, fact.budget_seconds, mean_seconds)
        if timing is not None:
            flags.append(timing)
        # Point shares count only attempts at the current version: an edit may renumber points.
        graded, ticks = (points or {}).get(fact.content_hash, (0, []))
        shares = tuple(ticks[i] / graded for i in range(len(fact.rubric))) if graded else ()
        if shares:
            flags += point_flags(fact.rubric, shares, graded)
        disc = None if discrimination is None else float(discrimination)
        flags += separation_flags(scored_people, passed, judged, disc)
        results.append(
            TeamCalibration(
                question_id=fact.id,
                skill=fact.skill,
                title=fact.title,
                people=people,
                attempts=attempts,
                budget_seconds=fact.budget_seconds,
                mean_seconds=mean_seconds,
                time_ratio=ratio,
                mean_score=None if mean_score is None else float(mean_score),
                ratings=dict(zip(RATINGS, map(int, ratings), strict=True)),
                rating_spread=float(spread),
                discrimination=disc,
                passed=passed,
                scored_people=scored_people,
                point_shares=shares,
                flags=tuple(flags),
            )
        )
    return results


TABLE_HEADER = (
    "id",
    "people",
    "attempts",
    "time/budget",
    "score",
    "again",
    "hard",
    "good",
    "easy",
    "spread",
    "discr.",
    "pass",
    "flags",
)


def table_rows(results: Sequence[TeamCalibration]) -> list[tuple[str, ...]]:
    return [
        (
            item.question_id,
            str(item.people),
            str(item.attempts),
            f"{item.time_ratio:.2f}",
            "-" if item.mean_score is None else f"{item.mean_score:.0%}",
            *(str(item.ratings[name]) for name in RATINGS),
            f"{item.rating_spread:.2f}",
            "-" if item.discrimination is None else f"{item.discrimination:+.2f}",
            f"{item.passed}/{item.scored_people}",
            str(len(item.flags)) if item.flags else "",
        )
        for item in results
    ]


@dataclass(frozen=True)
class TeamSkill:
    skill: str
    people: int
    attempts: int
    readiness: float | None
    """Mean over people of their mean score in the skill."""
    recalled: float
    """Share of rated attempts rated Good or Easy."""
    ready_people: int
    """People whose mean score in the skill reaches the pass mark."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "people": self.people,
            "attempts": self.attempts,
            "readiness": None if self.readiness is None else round(self.readiness, 3),
            "recalled": round(self.recalled, 3),
            "ready_people": self.ready_people,
        }


def skills_team(url: str) -> list[TeamSkill]:
    return [
        TeamSkill(
            skill or "(none)",
            people,
            int(attempts),
            None if readiness is None else float(readiness),
            float(recalled),
            ready,
        )
        for skill, people, attempts, readiness, recalled, ready in fetch(url, SKILLS)
    ]


def skills_table(skills: Sequence[TeamSkill]) -> list[tuple[str, ...]]:
    from app.textfmt import printable

    return [
        (
            printable(item.skill),  # written by whoever practised: may hold escapes
            str(item.people),
            str(item.attempts),
            "-" if item.readiness is None else f"{item.readiness:.0%}",
            f"{item.recalled:.0%}",
            f"{item.ready_people}/{item.people}",
        )
        for item in skills
    ]


SKILLS_HEADER = ("skill", "people", "attempts", "readiness", "good/easy", "ready")
