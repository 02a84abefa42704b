"""The review log (schema 4): migration from rated attempts, undo events, cards as replays."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.practice import scheduler
from app.store.db import Store
from app.store.exchange import export_json, import_json
from app.store.schema import APPLICATION_ID, V1, V2, V3
from tests.test_team import practise

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def replayed_due(store: Store, question_id: str) -> datetime | None:
    standing = [
        (row["rating"], datetime.fromisoformat(row["rated_at"]), row["duration_ms"])
        for row in store.reviews()
        if row["question_id"] == question_id and row["schedules"] and not row["undone"]
    ]
    card = scheduler.replay(question_id, standing)
    return None if card is None else card.due


def test_migration_turns_rated_attempts_into_reviews_and_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    card = scheduler.review(scheduler.new_card("q1", T0), scheduler.Grade.GOOD, T0)
    with sqlite3.connect(path) as db:
        for script in (V1, V2, V3):
            db.executescript(script)
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("PRAGMA user_version=3")
        db.execute(
            "INSERT INTO sessions (uuid, started_at, mode, reschedule) VALUES"
            " ('s1', '2026-03-02T09:00:00.000000Z', 'due', 1),"
            " ('s2', '2026-03-02T10:00:00.000000Z', 'mock', 0)"
        )
        db.execute(
            "INSERT INTO attempts (uuid, session_id, question_id, content_hash, started_at,"
            " time_budget_s, time_spent_ms, answer, rating, rated_at, status) VALUES"
            " ('a1', 1, 'q1', 'h', '2026-03-02T09:00:00.000000Z', 60, 5000, 'first', 3,"
            "  '2026-03-02T09:00:00.000000Z', 'rated'),"
            " ('a2', 2, 'q1', 'h', '2026-03-02T10:00:00.000000Z', 60, 7000, 'mock', 1,"
            "  '2026-03-02T10:01:00.000000Z', 'rated'),"
            " ('a3', 1, 'q2', 'h', '2026-03-02T09:05:00.000000Z', 60, 0, 'draft', NULL, NULL,"
            "  'open')"
        )
        db.execute(
            "INSERT INTO cards (question_id, card, due, reps) VALUES ('q1', ?, ?, 1)",
            (card.to_json(), card.due.isoformat()),
        )
    db.close()
    with Store(path) as store:
        reviews = [
            (
                r["uuid"],
                r["attempt_uuid"],
                r["rating"],
                r["schedules"],
                r["answer"],
                r["duration_ms"],
            )
            for r in store.reviews()
        ]
        assert reviews == [
            ("a1-r", "a1", 3, 1, "first", 5000),
            ("a2-r", "a2", 1, 0, "mock", 7000),  # a mock interview's rating never schedules
        ]
        assert len(store.device) == 32
        assert store.card("q1") is not None and store.card("q1").card_json == card.to_json()
        assert [a.uuid for a in store.attempts(rated_only=False)] == ["a1", "a2", "a3"]
        # Replaying the log gives the card the first release computed rating by rating.
        assert store.meta("replay_pending") == "1"
        store.replay_cards()
        assert store.card("q1").due == card.due and store.meta("replay_pending") is None
    assert path.with_name("h.sqlite3.v3.bak").exists()


def test_each_rating_gives_the_card_a_replay_gives(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        for day, grade in enumerate((3, 1, 3, 4, 2)):
            practise(store, "q1", grade, T0 + timedelta(days=day * 3))
        assert store.card("q1").due == replayed_due(store, "q1")
        assert store.card("q1").reps == 5
        # A clock set back: the review lands before the last one; the card is replayed.
        practise(store, "q1", 1, T0 + timedelta(days=7))
        assert store.card("q1").due == replayed_due(store, "q1")
        assert [r["rating"] for r in store.reviews()] == [3, 1, 3, 1, 4, 2]


def test_undo_is_an_event_and_the_card_goes_back(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        practise(store, "q1", 3, T0)
        before = store.card("q1")
        attempt = practise(store, "q1", 1, T0 + timedelta(days=2))
        assert store.undo_rating(attempt, now=T0 + timedelta(days=2, minutes=1))
        assert store.card("q1").due == before.due
        assert [(r["rating"], r["undone"]) for r in store.reviews()] == [(3, 0), (1, 1)]
        assert len(store.undos()) == 1
        assert not store.undo_rating(attempt)  # once
        only = practise(store, "q2", 3, T0)
        assert store.undo_rating(only)
        assert store.card("q2") is None


def test_changes_since_numbers_local_changes_and_never_pulled_rows(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        top0, _ = store.changes_since(0)
        practise(store, "q1", 3, T0)
        top1, rows = store.changes_since(top0)
        assert {name: len(batch) for name, batch in rows.items()} == {
            "sessions": 1,
            "attempts": 1,
            "reviews": 1,
            "undos": 0,
        }
        store.apply_pulled(
            {
                "sessions": [("s9", "2026-03-01T00:00:00.000000Z", None, "auto", "{}", 1)],
                "attempts": [
                    (
                        "a9",
                        "s9",
                        "q1",
                        "x",
                        "h",
                        "2026-03-01T00:00:00.000000Z",
                        60,
                        1000,
                        0,
                        "",
                        "open",
                        None,  # the language: not a coding exercise
                    )
                ],
                "reviews": [
                    (
                        "r9",
                        "a9",
                        "q1",
                        1,
                        "2026-03-01T00:00:10.000000Z",
                        1000,
                        1,
                        "other",
                        "ans",
                        0,
                        "[]",
                        0.5,
                        None,
                    )
                ],
            },
            {"pulled_xid": "7"},
        )
        top2, rows = store.changes_since(top1)
        assert top2 == top1 and not any(rows.values())
        assert store.meta("pulled_xid") == "7"
        # The pulled review sorts first: the card is the replay of both.
        assert store.card("q1").due == replayed_due(store, "q1")
        assert store.attempts()[0].uuid == "a9" or store.attempts()[1].uuid == "a9"


def test_an_export_from_before_the_log_imports_with_its_reviews(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite3") as a:
        practise(a, "q1", 3, T0)
        practise(a, "q1", 4, T0 + timedelta(days=3))
        text = export_json(a, now=T0 + timedelta(days=4))
    with Store(tmp_path / "b.sqlite3") as b:
        assert import_json(b, text) == (2, 2)
        assert [r["rating"] for r in b.reviews()] == [3, 4]
        assert b.card("q1").due == replayed_due(b, "q1")
        assert import_json(b, text) == (0, 0)
        assert len(b.reviews()) == 2
