"""Faults an adversarial run found in the store and import (issue 17), each pinned by a test."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.bank.durations import MAX_BUDGET_S, parse_duration
from app.bank.loader import load_bank
from app.practice import scheduler
from app.practice.scheduler import Grade
from app.stats.report import stats_report
from app.store.db import Store, StoreBusy, local_day
from app.store.exchange import ImportError_, export_json, import_json
from tests.conftest import FIXED_NOW, FIXTURE_BANK, TIME_ZONES

EDGE_MOMENTS = ("9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:02.000000Z")


def _export(attempts: list[dict], sessions: list[dict] | None = None) -> str:
    session = {
        "id": 1,
        "uuid": "s1",
        "started_at": "2026-01-01T00:00:00.000000Z",
        "ended_at": None,
        "mode": "auto",
        "filters": "{}",
        "reschedule": 1,
    }
    return json.dumps(
        {
            "format": "drillbit-history",
            "version": 1,
            "schema_version": 3,
            "exported_at": "2026-01-02T00:00:00.000000Z",
            "sessions": sessions if sessions is not None else [session],
            "attempts": attempts,
            "cards": [],
        }
    )


def _attempt(number: int, moment: str = "2026-01-01T00:00:00.000000Z", **extra: object) -> dict:
    return {
        "id": number,
        "uuid": f"a{number}",
        "session_id": 1,
        "question_id": "q",
        "skill": "debugging",
        "content_hash": "h",
        "started_at": moment,
        "time_spent_ms": 1000,
        "time_budget_s": 60,
        "hints_used": 0,
        "answer": "",
        "rubric_ticked": "[]",
        "rubric_coverage": None,
        "rating": 3,
        "auto_grade": None,
        "rated_at": moment,
        "status": "rated",
        "card_before": None,
        **extra,
    }


@pytest.mark.parametrize("moment", [*EDGE_MOMENTS, "1999-12-31T23:59:59.999999Z"])
def test_import_refuses_moments_outside_a_sane_range_with_their_place(
    tmp_path: Path, moment: str
) -> None:
    with Store(tmp_path / "h.db") as store, pytest.raises(ImportError_) as caught:
        import_json(store, _export([_attempt(1), _attempt(2, moment)]))
    assert "attempts.1.started_at" in str(caught.value)
    assert "before 2000 or in the future" in str(caught.value)


def test_import_refuses_a_moment_more_than_a_day_ahead(tmp_path: Path) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with Store(tmp_path / "h.db") as store, pytest.raises(ImportError_, match="rated_at"):
        import_json(store, _export([_attempt(1, rated_at=ahead)]))


def _store_with_edge_ratings(path: Path) -> Store:
    """A history whose ratings sit at the calendar's edges (written before import refused them)."""
    store = Store(path)
    session = store.start_session("auto", now=FIXED_NOW)
    for number, moment in enumerate(EDGE_MOMENTS):
        attempt = store.start_attempt(session, f"q{number}", "debugging", "h", 60, now=FIXED_NOW)
        store.rate(
            attempt,
            rating=3,
            answer="",
            time_spent_ms=1000,
            hints_used=0,
            rubric_ticked=[],
            rubric_coverage=0.5,
            auto_grade=None,
            review=None,
            now=datetime.fromisoformat(moment),
        )
    return store


@pytest.mark.parametrize("time_zone", TIME_ZONES, indirect=True)
def test_stats_and_streak_survive_any_stored_moment(tmp_path: Path, time_zone: str) -> None:
    with _store_with_edge_ratings(tmp_path / "h.db") as store:
        assert store.current_streak(date(2026, 3, 2)) == 0
        days = store.day_totals()
        assert all(isinstance(day.day, date) for day in days)
        bank, _ = load_bank([FIXTURE_BANK])
        assert "Rated attempts: 2." in stats_report(bank, store, now=FIXED_NOW)
        assert json.loads(stats_report(bank, store, as_json=True, now=FIXED_NOW))["streak"] == 0


@pytest.mark.parametrize("time_zone", TIME_ZONES, indirect=True)
@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_local_day_of_an_edge_moment_keeps_its_utc_day(moment: str, time_zone: str) -> None:
    instant = datetime.fromisoformat(moment)
    assert local_day(instant) == instant.date()  # the local day, or UTC past the edge


@pytest.mark.parametrize("text", ["100000000000000s", "300000h", "24h1s", "0s", "9" * 40 + "s"])
def test_time_budgets_are_bounded_to_a_day(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
    assert parse_duration("24h") == MAX_BUDGET_S


def test_what_drillbit_exports_drillbit_imports_even_for_an_old_huge_budget(tmp_path: Path) -> None:
    with Store(tmp_path / "old.db") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        store.start_attempt(session, "q", "debugging", "h", 300_000 * 3600, now=FIXED_NOW)
        # A row recorded before budgets were bounded, as an earlier drillbit could write it.
        store.connection.execute("UPDATE attempts SET time_budget_s = ?", (300_000 * 3600,))
        text = export_json(store, now=FIXED_NOW)
    with Store(tmp_path / "new.db") as other:
        assert import_json(other, text) == (1, 1)
        assert other.attempts(rated_only=False)[0].time_budget_s == MAX_BUDGET_S


@pytest.mark.parametrize("key", ["id", "uuid"])
def test_import_refuses_two_sessions_with_one_id(tmp_path: Path, key: str) -> None:
    first = json.loads(_export([]))["sessions"][0]
    second = {**first, "id": 2, "uuid": "s2", key: first[key]}
    with Store(tmp_path / "h.db") as store, pytest.raises(ImportError_, match="appears twice"):
        import_json(store, _export([_attempt(1)], sessions=[first, second]))
    with Store(tmp_path / "h.db") as store:
        assert store.attempts(rated_only=False) == []


@pytest.mark.parametrize("key", ["id", "uuid"])
def test_import_refuses_two_attempts_with_one_id(tmp_path: Path, key: str) -> None:
    first = _attempt(1)
    second = {**_attempt(2), key: first[key]}
    with Store(tmp_path / "h.db") as store, pytest.raises(ImportError_, match=f"attempts.1.{key}"):
        import_json(store, _export([first, second]))


def test_two_processes_rating_one_question_both_count_in_the_card(tmp_path: Path) -> None:
    """The card is read and written in one transaction: a rating that lands while another is
    being recorded waits for it and reviews the card it produced, so no review is lost."""
    path = tmp_path / "h.db"
    first, second = Store(path), Store(path, busy_timeout=0.05)
    later = FIXED_NOW + timedelta(days=3)
    session = first.start_session("auto", now=FIXED_NOW)
    attempt_one = first.start_attempt(session, "q", "debugging", "h", 60, now=FIXED_NOW)
    attempt_two = second.start_attempt(session, "q", "debugging", "h", 60, now=FIXED_NOW)
    seen: list[str | None] = []

    def rate(store: Store, attempt: int, when: datetime, grade: Grade) -> None:
        review = scheduler.reviewer("q", grade, when)

        def watched(card_json: str | None) -> tuple[str, datetime]:
            seen.append(card_json)
            if len(seen) == 1:
                # The other process tries to rate while this rating is being recorded.
                with pytest.raises(StoreBusy):
                    rate(second, attempt_two, later, Grade.GOOD)
            return review(card_json)

        store.rate(
            attempt,
            rating=int(grade),
            answer="",
            time_spent_ms=1,
            hints_used=0,
            rubric_ticked=[],
            rubric_coverage=None,
            auto_grade=None,
            review=watched,
            now=when,
        )

    rate(first, attempt_one, FIXED_NOW, Grade.AGAIN)
    rate(second, attempt_two, later, Grade.GOOD)
    card = second.card("q")
    assert card is not None and card.reps == 2
    assert seen[0] is None  # the first review started from no card
    assert seen[-1] is not None and json.loads(seen[-1])["last_review"].startswith("2026-03-02")
    assert scheduler.parse_card(card.card_json).last_review == later
    first.close()
    second.close()
