"""The history store at scale: 100,000 attempts over 2,000 questions.

    python benchmarks/store.py [--runs 5]

Prints, from one run:
- `drillbit stats` against a bare sqlite3 aggregate query in a fresh interpreter (the floor):
  target <= 2x;
- planning a session as the app does (`history_for` then `plan`, mode auto, 5 questions)
  against a bare sqlite3 read of what planning reads (cards, mean coverage, questions seen),
  the two taking turns: target <= 3x.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import REPO, generate_bank, median_of, scratch, wall

sys.path.insert(0, str(REPO))

BARE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute(
    "SELECT question_id, count(*), avg(rubric_coverage), avg(time_spent_ms / 1000.0 / time_budget_s),"
    " sum(rating = 1), sum(rating = 2), sum(rating = 3), sum(rating = 4)"
    " FROM attempts WHERE status = 'rated' GROUP BY question_id"
).fetchall()
days = db.execute(
    "SELECT date(rated_at), count(*), sum(time_spent_ms) FROM attempts WHERE status = 'rated'"
    " GROUP BY 1"
).fetchall()
for row in rows:
    print(*row)
"""


def fill(path: Path, bank: Path, attempts: int = 100_000) -> list[str]:
    """Write ``attempts`` rated attempts over the bank's questions, with their FSRS cards."""
    from app.bank.loader import load_bank
    from app.practice import scheduler
    from app.store.db import Store, to_text

    loaded, _ = load_bank([bank])
    ids = list(loaded.entries)
    Store(path).close()
    db = sqlite3.connect(path)
    rng = random.Random(7)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with db:
        db.execute(
            "INSERT INTO sessions (uuid, started_at, mode) VALUES (?, ?, 'auto')",
            (str(uuid.uuid4()), to_text(start)),
        )
        rows = []
        for n in range(attempts):
            question_id = ids[n % len(ids)]
            moment = start + timedelta(minutes=7 * n)
            rows.append(
                (
                    str(uuid.uuid4()),
                    question_id,
                    loaded.entries[question_id].skill,
                    "h",
                    to_text(moment),
                    rng.randint(30_000, 900_000),
                    600,
                    rng.randint(0, 2),
                    "answer text",
                    json.dumps([0, 1]),
                    rng.random(),
                    rng.randint(1, 4),
                    to_text(moment),
                )
            )
        db.executemany(
            "INSERT INTO attempts (uuid, session_id, question_id, skill, content_hash, started_at,"
            " time_spent_ms, time_budget_s, hints_used, answer, rubric_ticked, rubric_coverage, rating,"
            " rated_at, status) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'rated')",
            rows,
        )
        for question_id in ids:
            card = scheduler.review(
                scheduler.new_card(question_id, start), scheduler.Grade.GOOD, start
            )
            db.execute(
                "INSERT INTO cards (question_id, card, due, reps) VALUES (?, ?, ?, 1)",
                (
                    question_id,
                    card.to_json(),
                    to_text(start + timedelta(days=rng.randint(-30, 60))),
                ),
            )
    db.close()
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    directory = scratch()
    bank = generate_bank(directory / "bank", questions=2_000, files=2)
    database = directory / "history.sqlite3"
    fill(database, bank)
    env = {**os.environ, "PYTHONPATH": str(REPO), "DRILLBIT_CACHE_DIR": str(directory / "cache")}
    stats = [sys.executable, "-m", "app", "--bank", str(bank), "--db", str(database), "stats"]
    bare = [sys.executable, "-c", BARE, str(database)]
    wall(stats, env)  # warm the bank cache
    ours = median_of(args.runs, lambda: wall(stats, env))
    floor = median_of(args.runs, lambda: wall(bare, env))
    print(f"drillbit stats, 100,000 attempts / 2,000 questions: {ours * 1000:.0f} ms")
    print(f"bare sqlite3 aggregate in a fresh interpreter:      {floor * 1000:.0f} ms")
    print(f"ratio: {ours / floor:.2f}x (target <= 2x)")

    ours, floor = planning_against_bare_reads(database, bank, directory, args.runs * 40)
    print(f"planning a session (history_for + plan): median {ours * 1000:.2f} ms")
    print(f"bare sqlite3 read of the same rows:       median {floor * 1000:.2f} ms")
    print(f"ratio: {ours / floor:.2f}x (target <= 3x)")


BARE_PLANNING_READS = (
    "SELECT question_id, card, due FROM cards",
    "SELECT question_id, avg(coalesce(rubric_coverage, auto_grade)) FROM attempts"
    " WHERE status = 'rated' GROUP BY question_id",
    "SELECT DISTINCT question_id FROM attempts WHERE status = 'rated'",
)


def planning_against_bare_reads(
    database: Path, bank: Path, directory: Path, runs: int
) -> tuple[float, float]:
    """Medians of the app's planning path and of the bare reads, measured turn about."""
    os.environ["DRILLBIT_CACHE_DIR"] = str(directory / "cache")
    from app.bank.cache import load_bank_cached
    from app.practice.planner import Filters, plan
    from app.practice.session import history_for
    from app.store.db import Store

    loaded, _ = load_bank_cached([bank])
    index = loaded.index()
    now = datetime(2025, 3, 1, tzinfo=UTC)
    bare = sqlite3.connect(database)

    def planning() -> None:
        history = history_for(store, now)
        entries = plan(index, mode="auto", filters=Filters(), history=history, now=now, count=5)
        assert len(entries) == 5

    def bare_reads() -> None:
        for sql in BARE_PLANNING_READS:
            bare.execute(sql).fetchall()

    ours, theirs = [], []
    with Store(database, verify=False) as store:
        planning()  # warm the page cache and the imports
        bare_reads()
        for _ in range(runs):
            for measure, samples in ((planning, ours), (bare_reads, theirs)):
                begin = time.perf_counter()
                measure()
                samples.append(time.perf_counter() - begin)
    bare.close()
    return statistics.median(ours), statistics.median(theirs)


if __name__ == "__main__":
    main()
