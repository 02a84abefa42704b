"""The history store: durability, concurrency, versions, undo, export and import."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.practice import scheduler
from app.practice.scheduler import Grade
from app.store.db import Store, StoreError
from app.store.exchange import export_csv, export_json, import_json
from app.store.schema import APPLICATION_ID, SCHEMA_VERSION, V1
from tests.conftest import FIXED_NOW, REPO


def rate_one(
    store: Store, question_id: str = "q1", grade: Grade = Grade.GOOD, now=FIXED_NOW
) -> int:
    session = store.start_session("auto", now=now)
    attempt = store.start_attempt(session, question_id, "skill", "hash", 300, now=now)
    store.rate(
        attempt,
        rating=int(grade),
        answer="my answer",
        time_spent_ms=120_000,
        hints_used=1,
        rubric_ticked=[0, 2],
        rubric_coverage=0.5,
        auto_grade=None,
        review=scheduler.reviewer(question_id, grade, now),
        now=now,
    )
    return attempt


def test_new_database_has_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with Store(path) as store:
        db = store.connection
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_rating_is_committed_immediately(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = Store(path)
    rate_one(store)
    # A second connection sees it without the first closing or committing anything else.
    other = sqlite3.connect(path)
    assert other.execute("SELECT rating, status FROM attempts").fetchall() == [(3, "rated")]
    store.close()


def test_check_constraints_reject_bad_rows(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        attempt = store.start_attempt(session, "q1", "s", "h", 60, now=FIXED_NOW)
        with pytest.raises(StoreError, match="CHECK"), store.transaction() as db:
            db.execute("UPDATE attempts SET rating = 7 WHERE id = ?", (attempt,))


def test_fsrs_due_dates_move_with_each_rating(tmp_path: Path) -> None:
    intervals = {}
    for grade in Grade:
        with Store(tmp_path / f"{grade.name}.sqlite3") as store:
            rate_one(store, grade=grade)
            intervals[grade] = store.card("q1").due - FIXED_NOW
    assert intervals[Grade.AGAIN] == timedelta(days=1)
    assert (
        intervals[Grade.AGAIN]
        <= intervals[Grade.HARD]
        < intervals[Grade.GOOD]
        < intervals[Grade.EASY]
    )
    assert intervals[Grade.EASY] == timedelta(days=8)


def test_undo_restores_the_card(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        rate_one(store, "q1", Grade.GOOD)
        first_due = store.card("q1").due
        second = rate_one(store, "q1", Grade.EASY, now=first_due)
        assert store.card("q1").due > first_due
        assert store.undo_rating(second)
        assert store.card("q1").due == first_due
        assert store.attempt(second).status == "open"
        assert not store.undo_rating(second)


def test_next_due_gives_the_soonest_cards_first_through_the_due_index(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        for n, grade in enumerate((Grade.EASY, Grade.AGAIN, Grade.GOOD, Grade.HARD)):
            rate_one(store, f"q{n}", grade, now=FIXED_NOW + timedelta(minutes=n))
        every = sorted(store.cards().values(), key=lambda row: row.due)
        assert store.next_due(3) == every[:3]
        assert [row.question_id for row in every][:2] == ["q1", "q3"]  # Again, then Hard
        plan = store.connection.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM cards ORDER BY due LIMIT 3"
        ).fetchall()
        assert any("cards_due" in step["detail"] for step in plan)


def test_undo_of_first_rating_forgets_the_card(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        attempt = rate_one(store)
        assert store.undo_rating(attempt)
        assert store.card("q1") is None


def test_draft_is_saved(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        attempt = store.start_attempt(session, "q1", "s", "h", 60, now=FIXED_NOW)
        store.save_draft(attempt, "half an answer", 5000, 1)
        assert store.last_draft("q1") == "half an answer"


def _scribble(path: Path, first_page: int, *, spare_schema: bool = False) -> None:
    """Overwrite 64 bytes inside every page from ``first_page`` on: a damaged database.

    ``spare_schema`` leaves the schema's pages whole (the schema spans several pages, wherever
    SQLite put them), so the file opens and only a check finds the damage."""
    spared: set[int] = set()
    if spare_schema:
        with closing(sqlite3.connect(path)) as db:
            rows = db.execute("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'")
            spared = {pageno - 1 for (pageno,) in rows}  # dbstat counts pages from 1
    data = bytearray(path.read_bytes())
    for offset in range(4096 * first_page + 100, len(data), 4096):
        if offset // 4096 not in spared:
            data[offset : offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def _file_bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_not_sqlite_file_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my precious notes\n" * 100)
    before = _file_bytes(path)
    with pytest.raises(StoreError, match="not a drillbit database"):
        Store(path)
    assert _file_bytes(path) == before


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    before = _file_bytes(path)
    with pytest.raises(StoreError, match="not a drillbit database"):
        Store(path)
    assert _file_bytes(path) == before


def test_corrupt_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with Store(path) as store:
        for i in range(200):
            rate_one(store, f"q{i}")
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _scribble(path, first_page=1)
    before = _file_bytes(path)
    with pytest.raises(StoreError, match="corrupt"):
        Store(path)
    assert _file_bytes(path) == before


def test_newer_version_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with Store(path) as store:
        rate_one(store)
        store.connection.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.connection.execute("PRAGMA journal_mode=DELETE")
    before = _file_bytes(path)
    with pytest.raises(StoreError, match="newer drillbit"):
        Store(path)
    assert _file_bytes(path) == before


def test_migration_from_first_version_keeps_data_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(V1)
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("PRAGMA user_version=1")
        db.execute(
            "INSERT INTO sessions (uuid, started_at, mode) VALUES ('s1', '2026-01-01T00:00:00.000000Z', 'due')"
        )
        db.execute(
            "INSERT INTO attempts (uuid, session_id, question_id, content_hash, started_at,"
            " time_budget_s, rating, rated_at, status) VALUES ('a1', 1, 'q1', 'h',"
            " '2026-01-01T00:00:00.000000Z', 60, 3, '2026-01-01T00:01:00.000000Z', 'rated')"
        )
    db.close()
    with Store(path) as store:
        attempts = store.attempts()
        assert [(a.uuid, a.rating, a.skill) for a in attempts] == [("a1", 3, "")]
        assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    backup = path.with_name("h.sqlite3.v1.bak")
    with sqlite3.connect(backup) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        assert db.execute("SELECT uuid FROM attempts").fetchall() == [("a1",)]


def test_directory_as_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)


def test_export_import_round_trip_and_idempotent(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite3") as source:
        rate_one(source, "q1")
        rate_one(source, "q2", Grade.EASY)
        exported = export_json(source, now=FIXED_NOW)
    with Store(tmp_path / "b.sqlite3") as target:
        assert import_json(target, exported) == (2, 2)
        assert export_json(target, now=FIXED_NOW) == exported
        assert import_json(target, exported) == (0, 0)
        assert export_json(target, now=FIXED_NOW) == exported


def test_import_rejects_garbage_with_a_clear_message(tmp_path: Path) -> None:
    with Store(tmp_path / "b.sqlite3") as store:
        for text, match in [
            ("{", "not a JSON file"),
            ("[]", "not a drillbit history export"),
            ('{"format": "drillbit-history", "version": 1}', "damaged export"),
        ]:
            with pytest.raises(StoreError, match=match):
                import_json(store, text)


def test_csv_export_has_a_row_per_attempt(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite3") as store:
        rate_one(store, "q1")
        lines = export_csv(store).splitlines()
    assert lines[0].startswith("session_uuid,session_mode,attempt_uuid,question_id")
    assert len(lines) == 2 and ",q1," in lines[1]


WRITER = """
import sys
from datetime import UTC, datetime
from app.store.db import Store
store = Store(sys.argv[1])
session = store.start_session("auto")
for i in range(int(sys.argv[2])):
    attempt = store.start_attempt(session, f"{sys.argv[3]}-{i}", "s", "h", 60)
    store.rate(attempt, rating=3, answer="", time_spent_ms=1, hints_used=0, rubric_ticked=[],
               rubric_coverage=None, auto_grade=None, review=None)
    if i == 20:
        print("rated", flush=True)
"""


def _writer(path: Path, count: int, tag: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(count), tag],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_two_processes_writing_500_each_all_land(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    Store(path).close()
    writers = [_writer(path, 500, "a"), _writer(path, 500, "b")]
    for writer in writers:
        writer.communicate(timeout=120)
        assert writer.returncode == 0
    with Store(path) as store:
        assert len(store.attempts()) == 1000


def test_kill_9_loses_no_committed_attempt(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    Store(path).close()
    writer = _writer(path, 100_000, "k")
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "rated"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with Store(path) as store:
        rated = store.attempts()
        assert len(rated) >= 21
        # Every committed attempt is whole: ids are contiguous and every one is rated.
        ids = sorted(int(a.question_id.split("-")[1]) for a in rated)
        assert ids == list(range(len(ids)))


def test_current_streak_walks_back_from_today(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        for offset in (0, 1, 1, 2, 4):  # today, yesterday twice, two days ago, a gap, four days ago
            rate_one(store, f"q{offset}", now=FIXED_NOW - timedelta(days=offset))
        today = FIXED_NOW.date()
        assert store.current_streak(today) == 3
        assert store.current_streak(today + timedelta(days=1)) == 3  # today still open
        assert store.current_streak(today + timedelta(days=2)) == 0


@pytest.mark.parametrize("verify", ["background", "later"])
def test_background_verification_refuses_writes_to_a_corrupt_file(
    tmp_path: Path, verify: str
) -> None:
    """ "later" never started its check before this write, so the write checks first itself."""
    path = tmp_path / "h.sqlite3"
    with Store(path) as store:
        for i in range(200):
            rate_one(store, f"q{i}")
        store.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _scribble(path, first_page=3, spare_schema=True)
    before = path.read_bytes()
    store = Store(path, verify=verify)  # type: ignore[arg-type]  # opens at once: reads go ahead
    with pytest.raises(StoreError, match="corrupt"):
        store.start_session("auto")
    store.close()
    assert path.read_bytes() == before


@pytest.mark.parametrize("verify", ["background", "later"])
def test_background_verification_lets_writes_through_on_a_sound_file(
    tmp_path: Path, verify: str
) -> None:
    path = tmp_path / "h.sqlite3"
    with Store(path) as store:
        rate_one(store, "q1")
    with Store(path, verify=verify) as store:  # type: ignore[arg-type]
        if verify == "later":
            store.start_verification()
        rate_one(store, "q2")
        assert len(store.attempts()) == 2


def _open_at_once(path: str, barrier: Any, errors: Any) -> None:
    barrier.wait()
    try:
        Store(Path(path)).close()
    except StoreError as error:
        errors.put(str(error))


def test_processes_creating_one_database_at_once_all_open_it(tmp_path: Path) -> None:
    """Two drillbits started together on a new database: the one that loses the race must see
    the winner's schema whole, never a half-read header ("not a drillbit database")."""
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    for attempt in range(12):
        path = tmp_path / f"h{attempt}.sqlite3"
        barrier = context.Barrier(6)
        workers = [
            context.Process(target=_open_at_once, args=(str(path), barrier, errors))
            for _ in range(6)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
