"""Team mode against a real PostgreSQL that this script starts (as the tests do) and stops.

    python benchmarks/sync.py [--runs 3]

Prints, the compared operations taking turns run by run, on one server:
- the first sync of 100,000 rated attempts (sessions, attempts and reviews) into a fresh server
  database, against a bare psycopg COPY of the same rows into the same tables: target <= 2x;
- a sync with nothing new, against a bare psycopg connect plus one query: target <= 2x;
- ``calibrate --team`` (``app.team.report.calibrate_team``) over 1,000,000 rated attempts from
  100 people on 2,000 questions, against the bare SQL aggregate it needs (per question: attempts,
  time against budget, mean score and rating counts over each attempt's standing review):
  target <= 2x.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from common import REPO, scratch

sys.path.insert(0, str(REPO))

import psycopg

from app.authoring.calibrate import QuestionFacts
from app.store.db import Store, to_text
from app.team import report, server
from app.team.sync import COLUMNS, sync
from tests.pgserver import Cluster, find_server, start_cluster

ATTEMPTS = 100_000
QUESTIONS = 2_000


def fill(path: str) -> None:
    """A device's history: ATTEMPTS rated attempts in sessions of 50, each with its review."""
    rng = random.Random(16)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with Store(path) as store:
        device = store.device
    db = sqlite3.connect(path)
    with db:
        sessions, attempts, reviews = [], [], []
        for n in range(ATTEMPTS):
            moment = to_text(start + timedelta(minutes=7 * n))
            if n % 50 == 0:
                sessions.append((str(uuid.uuid4()), moment, moment))
            attempt_uuid = str(uuid.uuid4())
            question = f"q-{rng.randrange(QUESTIONS):04d}"
            rating, coverage, spent = rng.randint(1, 4), rng.random(), rng.randint(10, 900) * 1000
            answer = f"answer {n}: " + "checked the retransmission counters with nstat; " * 3
            attempts.append(
                (
                    attempt_uuid,
                    len(sessions),
                    question,
                    "networking",
                    "h",
                    moment,
                    spent,
                    300,
                    answer,
                    "[0, 1]",
                    coverage,
                    rating,
                    moment,
                )
            )
            reviews.append(
                (
                    str(uuid.uuid4()),
                    attempt_uuid,
                    question,
                    rating,
                    moment,
                    spent,
                    device,
                    answer,
                    "[0, 1]",
                    coverage,
                )
            )
        db.executemany(
            "INSERT INTO sessions (uuid, started_at, ended_at, mode) VALUES (?, ?, ?, 'auto')",
            sessions,
        )
        db.executemany(
            "INSERT INTO attempts (uuid, session_id, question_id, skill, content_hash, started_at,"
            " time_spent_ms, time_budget_s, answer, rubric_ticked, rubric_coverage, rating,"
            " rated_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'rated')",
            attempts,
        )
        db.executemany(
            "INSERT INTO reviews (uuid, attempt_uuid, question_id, rating, rated_at, duration_ms,"
            " device, answer, rubric_ticked, rubric_coverage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reviews,
        )
    db.close()


class Databases:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.count = 0

    def fresh(self) -> str:
        """A new database with the drillbit schema; returns its admin URL."""
        self.count += 1
        name = f"bench_{self.count}"
        with self.cluster.admin() as admin:
            admin.execute(f"CREATE DATABASE {name}")
        url = self.cluster.url(name)
        server.init(url)
        return url


def bare_copy(url: str, rows: dict[str, list[tuple[object, ...]]]) -> None:
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table in ("sessions", "attempts", "reviews"):
            columns = ", ".join(COLUMNS[table])
            with cursor.copy(f"COPY drillbit.{table} ({columns}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(
    runs: int, ours: Callable[[], float], bare: Callable[[], float]
) -> tuple[float, float, float]:
    pairs = [(ours(), bare()) for _ in range(runs)]
    return (
        statistics.median(p[0] for p in pairs),
        statistics.median(p[1] for p in pairs),
        statistics.median(p[0] / p[1] for p in pairs),
    )


def first_and_empty_syncs(databases: Databases, runs: int) -> None:
    path = str(scratch() / "device.sqlite3")
    fill(path)
    store = Store(path, verify=False)
    _, rows = store.changes_since(0)

    def first_sync() -> float:
        url = databases.fresh()
        return timed(lambda: sync(store, url))

    def first_bare() -> float:
        url = databases.fresh()
        return timed(lambda: bare_copy(url, rows))

    ours, floor, ratio = interleaved(runs, first_sync, first_bare)
    print(f"first sync, {ATTEMPTS:,} attempts: {ours * 1000:.0f} ms")
    print(f"bare psycopg COPY of the same rows: {floor * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 2x)")

    url = databases.fresh()
    sync(store, url)
    sync(store, url)

    def bare_query() -> None:
        with psycopg.connect(url) as connection:
            connection.execute("SELECT value FROM drillbit.meta WHERE key = 'server_id'").fetchall()

    ours, floor, ratio = interleaved(
        runs * 10, lambda: timed(lambda: sync(store, url)), lambda: timed(bare_query)
    )
    print(f"sync with nothing new: {ours * 1000:.1f} ms")
    print(f"bare connect plus one query: {floor * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 2x)")
    store.close()


TEAM_ROWS = """
INSERT INTO drillbit.attempts (uuid, owner, session_uuid, question_id, skill, content_hash,
    started_at, time_budget_s, time_spent_ms, hints_used, answer, status, rev)
SELECT 'a' || n, 'user' || (n % 100), 's' || (n / 50), 'q-' || lpad((n * 7919 % 2000)::text, 4, '0'),
    'skill-' || (n * 7919 % 2000 / 200), 'h', timestamptz '2025-01-01' + n * interval '1 minute',
    300, 0, 0, '', 'rated', 1
FROM generate_series(1::bigint, 1000000) AS n;
INSERT INTO drillbit.reviews (uuid, owner, attempt_uuid, question_id, rating, rated_at,
    duration_ms, schedules, device, answer, hints_used, rubric_ticked, rubric_coverage, auto_grade)
SELECT 'r' || n, 'user' || (n % 100), 'a' || n, 'q-' || lpad((n * 7919 % 2000)::text, 4, '0'),
    1 + (n * 31 + n % 100) % 4, timestamptz '2025-01-01' + n * interval '1 minute',
    (30 + (n * 13) % 600) * 1000, true, 'd', 'an answer', 0, '[0]',
    least(1.0, (n % 100) / 100.0 + ((n * 17) % 40) / 100.0), NULL
FROM generate_series(1::bigint, 1000000) AS n;
INSERT INTO drillbit.undos (uuid, owner, review_uuid, at, device)
SELECT 'u' || n, 'user' || (n % 100), 'r' || n, timestamptz '2025-01-01' + n * interval '1 minute',
    'd' FROM generate_series(1, 1000000, 1000) AS n;
ANALYZE;
"""

BARE_AGGREGATE = """
WITH rated AS (
    SELECT DISTINCT ON (r.attempt_uuid) r.question_id, r.rating, r.duration_ms,
        coalesce(r.rubric_coverage, r.auto_grade::int::float8) AS score, a.time_budget_s
    FROM drillbit.reviews r JOIN drillbit.attempts a ON a.uuid = r.attempt_uuid
    WHERE NOT EXISTS (SELECT 1 FROM drillbit.undos u WHERE u.review_uuid = r.uuid)
    ORDER BY r.attempt_uuid, r.rated_at DESC, r.uuid DESC
)
SELECT question_id, count(*), avg(duration_ms / 1000.0 / time_budget_s), avg(score),
    count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
    count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4)
FROM rated GROUP BY question_id
"""


def team_calibration(databases: Databases, runs: int) -> None:
    url = databases.fresh()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(TEAM_ROWS)
    facts = [
        QuestionFacts(f"q-{n:04d}", f"skill-{n // 200}", f"question {n}", 300, ("a", "b"), "h")
        for n in range(QUESTIONS)
    ]

    def bare() -> None:
        with psycopg.connect(url) as connection:
            connection.execute(BARE_AGGREGATE).fetchall()

    # Every attempt at two of the questions was undone (the undos fall on n = 1 mod 1000).
    assert len(report.calibrate_team(url, facts)) == QUESTIONS - 2
    ours, floor, ratio = interleaved(
        runs, lambda: timed(lambda: report.calibrate_team(url, facts)), lambda: timed(bare)
    )
    print(f"calibrate --team, 1,000,000 attempts / 100 people: {ours * 1000:.0f} ms")
    print(f"bare SQL aggregate: {floor * 1000:.0f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("sync", "calibrate"))
    args = parser.parse_args()
    bin_dir = find_server()
    if bin_dir is None:
        sys.exit("benchmarks/sync.py needs PostgreSQL's binaries and psycopg")
    cluster, stop = start_cluster(bin_dir)
    try:
        databases = Databases(cluster)
        if args.only in (None, "sync"):
            first_and_empty_syncs(databases, args.runs)
        if args.only in (None, "calibrate"):
            team_calibration(databases, args.runs)
    finally:
        stop()


if __name__ == "__main__":
    main()
