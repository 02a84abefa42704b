"""``drillbit stats``: the statistics as a text table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from app.bank.index import Bank
from app.stats.compute import per_day, per_question, per_skill, streak
from app.store.db import Store, utc_now


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return lines


def stats_report(
    bank: Bank,
    store: Store,
    *,
    skills: Sequence[str] = (),
    as_json: bool = False,
    now: datetime | None = None,
) -> str:
    now = now or utc_now()
    index = [e for e in bank.index() if not skills or e.skill in skills]

    def attempt_skill(question_id: str, recorded: str) -> str:
        return bank.skill_of(question_id) if question_id in bank else recorded

    attempts = [
        a for a in store.attempts() if not skills or attempt_skill(a.question_id, a.skill) in skills
    ]
    cards = store.cards()
    by_skill = per_skill(index, attempts, cards, now)
    local = now.astimezone().tzinfo
    days = per_day(attempts, local)
    today = now.astimezone(local).date()
    rubric_sizes = {q.id: len(q.rubric) for q in bank.questions.values()}
    questions = per_question(index, attempts, rubric_sizes)
    current_streak = streak((d.day for d in days), today)
    if as_json:
        document = {
            "skills": [asdict(s) for s in by_skill],
            "days": [{**asdict(d), "day": d.day.isoformat()} for d in days],
            "streak": current_streak,
            "questions": [{**asdict(q), "ratings": dict(q.ratings)} for q in questions],
        }
        return json.dumps(document, indent=2, default=str)
    lines = [f"Streak: {current_streak} day(s).  Attempts: {len(attempts)}.", ""]
    lines += _table(
        ("skill", "seen", "coverage", "readiness", "due", "time/budget"),
        [
            (
                s.skill,
                f"{s.seen}/{s.total}",
                _pct(s.mean_coverage),
                _pct(s.readiness),
                str(s.due),
                "-" if s.time_accuracy is None else f"{s.time_accuracy:.2f}x",
            )
            for s in by_skill
        ],
    )
    if days:
        lines += [
            "",
            *_table(
                ("day", "attempts", "minutes"),
                [
                    (d.day.isoformat(), str(d.attempts), str(round(d.seconds / 60)))
                    for d in days[-14:]
                ],
            ),
        ]
    if questions:
        lines += [
            "",
            *_table(
                ("question", "skill", "attempts", "coverage", "time/budget", "ratings A/H/G/E"),
                [
                    (
                        q.question_id + (" (retired)" if q.retired else ""),
                        q.skill,
                        str(q.attempts),
                        _pct(q.mean_coverage),
                        f"{q.mean_time_ratio:.2f}x",
                        "/".join(str(q.ratings.get(r, 0)) for r in (1, 2, 3, 4)),
                    )
                    for q in questions
                ],
            ),
        ]
    return "\n".join(lines)
