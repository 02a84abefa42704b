"""``drillbit stats``: the statistics as a text table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from app.bank.index import Bank
from app.stats.compute import per_question, per_skill, streak
from app.store.db import Store, utc_now
from app.textfmt import table


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


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
    totals = store.question_totals()
    questions = [q for q in per_question(bank.index(), totals) if not skills or q.skill in skills]
    by_skill = per_skill(index, totals, store.cards(), now)
    days = store.day_totals()
    today = now.astimezone().date()
    current_streak = streak((d.day for d in days), today)
    if as_json:
        document = {
            "streak": current_streak,
            "skills": [asdict(s) for s in by_skill],
            "days": [{**d._asdict(), "day": d.day.isoformat()} for d in days],
            "questions": [asdict(q) for q in questions],
        }
        return json.dumps(document, indent=2)
    attempts = sum(q.attempts for q in questions)
    lines = [f"Streak: {current_streak} day(s).  Rated attempts: {attempts}.", ""]
    lines += table(
        ("skill", "seen", "coverage", "readiness", "due", "time/budget"),
        [
            (
                s.skill,
                f"{s.seen}/{s.total}",
                _pct(s.mean_coverage),
                _pct(s.readiness),
                str(s.due),
                _ratio(s.time_accuracy),
            )
            for s in by_skill
        ],
    )
    if days:
        recent = [
            (d.day.isoformat(), str(d.attempts), str(round(d.seconds / 60))) for d in days[-14:]
        ]
        lines += ["", "Last practice days:", *table(("day", "attempts", "minutes"), recent)]
    if questions:
        lines += [
            "",
            *table(
                (
                    "question",
                    "skill",
                    "attempts",
                    "coverage",
                    "time/budget",
                    "again/hard/good/easy",
                ),
                [
                    (
                        q.question_id + (" (retired)" if q.retired else ""),
                        q.skill,
                        str(q.attempts),
                        _pct(q.mean_coverage),
                        _ratio(q.mean_time_ratio),
                        "/".join(map(str, q.ratings)),
                    )
                    for q in questions
                ],
            ),
        ]
    return "\n".join(lines)
