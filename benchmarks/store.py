"""The history store at scale: 100,000 attempts over 2,000 questions.

    python benchmarks/store.py [--runs 5]

Prints, from one run:
- `drillbit stats` against a bare sqlite3 aggregate query in a fresh interpreter (the floor):
  target <= 2x;
- picking the next due question (the cards_due index): target under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
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

    from app.store.db import Store

    with Store(database) as store:
        now = datetime(2025, 3, 1, tzinfo=UTC)
        samples = []
        for _ in range(200):
            begin = time.perf_counter()
            store.due_ids(now, limit=1)
            samples.append(time.perf_counter() - begin)
        samples.sort()
        print(
            f"next due question: median {samples[100] * 1000:.3f} ms, p99 {samples[198] * 1000:.3f} ms (target < 5 ms)"
        )


if __name__ == "__main__":
    main()
