"""Grading, planning and statistics: the pure core behind the practice screens."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from app.bank.index import IndexEntry
from app.bank.loader import load_bank
from app.clock import FakeClock
from app.practice.grading import rubric_coverage, suggest
from app.practice.planner import Filters, History, plan, plan_loop
from app.practice.scheduler import Grade, format_interval
from app.practice.session import PracticeSession
from app.stats.compute import per_question, per_skill, streak
from app.store.db import Store
from tests.conftest import FIXED_NOW, FIXTURE_BANK


@pytest.fixture(scope="module")
def bank():
    loaded, problems = load_bank([FIXTURE_BANK])
    assert problems == []
    return loaded


def test_rubric_coverage_is_weighted(bank) -> None:
    question = bank.questions["net-tcp-handshake"]  # weights 2, 1, 1
    assert rubric_coverage(question, []) == 0
    assert rubric_coverage(question, [0]) == 0.5
    assert rubric_coverage(question, [0, 1, 2]) == 1
    assert rubric_coverage(question, [7]) == 0  # out-of-range ticks are ignored


@pytest.mark.parametrize(
    ("coverage", "hints", "spent", "expected"),
    [
        (0.39, 0, 60, Grade.AGAIN),
        (0.40, 0, 60, Grade.HARD),
        (0.69, 0, 60, Grade.HARD),
        (0.70, 0, 60, Grade.GOOD),
        (0.89, 0, 60, Grade.GOOD),
        (0.90, 0, 60, Grade.EASY),
        (1.00, 1, 60, Grade.GOOD),  # any hint caps at Good
        (1.00, 2, 60, Grade.HARD),  # half or more of the hints (at least two) cap at Hard
        (1.00, 0, 301, Grade.GOOD),  # over budget caps at Good
        (1.00, 0, 451, Grade.HARD),  # over 1.5x budget caps at Hard
        (0.20, 2, 999, Grade.AGAIN),  # caps never raise
    ],
)
def test_suggestion_rule(bank, coverage, hints, spent, expected) -> None:
    question = bank.questions["net-tcp-handshake"]  # 5m budget, 2 hints
    suggestion = suggest(
        question, coverage=coverage, auto_grade=None, hints_used=hints, time_spent_s=spent
    )
    assert suggestion.grade == expected


def test_choice_suggestion(bank) -> None:
    question = bank.questions["net-quick-port"]  # 1m budget
    assert (
        suggest(question, coverage=None, auto_grade=False, hints_used=0, time_spent_s=5).grade
        == Grade.AGAIN
    )
    assert (
        suggest(question, coverage=None, auto_grade=True, hints_used=0, time_spent_s=5).grade
        == Grade.EASY
    )
    assert (
        suggest(question, coverage=None, auto_grade=True, hints_used=0, time_spent_s=40).grade
        == Grade.GOOD
    )


def test_format_interval() -> None:
    assert [
        format_interval(timedelta(**kw))
        for kw in ({"minutes": 10}, {"hours": 5}, {"days": 3}, {"days": 64}, {"days": 500})
    ] == ["10m", "5h", "3d", "2.1mo", "1.4y"]


def entries(*specs: tuple[str, str, str, int]) -> list[IndexEntry]:
    return [IndexEntry(i, s, d, ("t",), t, "concept", i) for i, s, d, t in specs]


INDEX = entries(
    ("a1", "apis", "easy", 300),
    ("a2", "apis", "hard", 600),
    ("n1", "net", "medium", 300),
    ("n2", "net", "easy", 120),
    ("n3", "net", "hard", 900),
)


def test_plan_due_orders_by_due_date() -> None:
    history = History(
        due={
            "a2": FIXED_NOW - timedelta(days=1),
            "n1": FIXED_NOW - timedelta(days=3),
            "n2": FIXED_NOW + timedelta(days=1),
        },
        seen=frozenset({"a2", "n1", "n2"}),
    )
    chosen = plan(INDEX, mode="due", filters=Filters(), history=history, now=FIXED_NOW)
    assert [e.id for e in chosen] == ["n1", "a2"]


def test_plan_new_and_auto() -> None:
    history = History(
        due={"n1": FIXED_NOW - timedelta(hours=1)},
        seen=frozenset({"n1", "a2"}),
        coverage={"a2": 0.2, "n1": 0.9},
    )
    assert [
        e.id for e in plan(INDEX, mode="new", filters=Filters(), history=history, now=FIXED_NOW)
    ] == ["a1", "n2", "n3"]
    auto = plan(INDEX, mode="auto", filters=Filters(), history=history, now=FIXED_NOW)
    assert [e.id for e in auto] == ["n1", "a1", "n2", "n3", "a2"]


def test_plan_weakest_spreads_across_skills() -> None:
    history = History(
        recall={"a1": 0.9, "a2": 0.5, "n1": 0.1, "n2": 0.3},
        seen=frozenset({"a1", "a2", "n1", "n2"}),
        coverage={"a1": 0.95, "a2": 0.9, "n1": 0.8, "n2": 0.2},
    )
    chosen = plan(INDEX, mode="weakest", filters=Filters(), history=history, now=FIXED_NOW)
    assert [e.id for e in chosen] == ["n1", "a2", "n2", "a1"]


def test_plan_filters_count_and_time() -> None:
    history = History()
    net = plan(
        INDEX,
        mode="new",
        filters=Filters(skills=("net",), difficulty="easy"),
        history=history,
        now=FIXED_NOW,
    )
    assert [e.id for e in net] == ["n2"]
    assert (
        len(plan(INDEX, mode="new", filters=Filters(), history=history, now=FIXED_NOW, count=2))
        == 2
    )
    timed = plan(
        INDEX, mode="new", filters=Filters(), history=history, now=FIXED_NOW, total_seconds=700
    )
    assert [e.id for e in timed] == [
        "a1",
        "n1",
    ]  # 300 + 300; the 600 s one does not fit, n2 would exceed... no: 600 + 120 > 700
    assert sum(e.time_seconds for e in timed) <= 700


def test_plan_random_is_seeded() -> None:
    first = plan(INDEX, mode="random", filters=Filters(), history=History(), now=FIXED_NOW, seed=4)
    again = plan(INDEX, mode="random", filters=Filters(), history=History(), now=FIXED_NOW, seed=4)
    assert first == again and sorted(first) == sorted(INDEX)


def test_plan_loop_never_repeats_and_spreads(bank) -> None:
    rounds = plan_loop(bank.index(), bank.loops["mini"], History(), FIXED_NOW, seed=1)
    [round_] = rounds
    assert round_.time_seconds == 600
    assert {e.skill for e in round_.questions} == {"network-protocols", "debugging"}


def test_stats_on_a_known_fixture(tmp_path: Path, bank) -> None:
    from app.practice import scheduler

    with Store(tmp_path / "h.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)

        def rate(
            question_id: str,
            grade: int,
            coverage: float | None,
            spent_ms: int,
            day: int,
            auto: bool | None = None,
        ) -> None:
            when = FIXED_NOW + timedelta(days=day)
            attempt = store.start_attempt(
                session,
                question_id,
                "network-protocols",
                "h",
                bank.questions[question_id].time_seconds if question_id in bank else 240,
                now=when,
            )
            store.rate(
                attempt,
                rating=grade,
                answer="",
                time_spent_ms=spent_ms,
                hints_used=0,
                rubric_ticked=[],
                rubric_coverage=coverage,
                auto_grade=auto,
                review=scheduler.reviewer(question_id, Grade(grade), when),
                now=when,
            )

        rate("net-tcp-handshake", 3, 0.5, 150_000, 0)  # half the budget
        rate("net-tcp-handshake", 4, 1.0, 450_000, 1)  # 1.5x the budget
        rate("net-quick-port", 1, None, 30_000, 2, auto=False)
        rate("gone-question", 3, 0.25, 60_000, 2)  # no longer in the bank: retired
        totals = store.question_totals()
        days = store.day_totals()
        cards = store.cards()
    questions = {q.question_id: q for q in per_question(bank.index(), totals)}
    assert questions["net-tcp-handshake"].attempts == 2
    assert questions["net-tcp-handshake"].mean_coverage == pytest.approx(0.75)
    assert questions["net-tcp-handshake"].mean_time_ratio == pytest.approx(1.0)
    assert questions["net-tcp-handshake"].ratings == (0, 0, 1, 1)
    assert questions["net-quick-port"].mean_coverage == 0.0
    assert questions["gone-question"].retired
    skills = {
        s.skill: s for s in per_skill(bank.index(), totals, cards, FIXED_NOW + timedelta(days=3))
    }
    net = skills["network-protocols"]
    assert (net.total, net.seen, net.attempts) == (2, 2, 3)
    assert net.mean_coverage == pytest.approx(0.5)  # (0.5 + 1.0 + 0) / 3
    assert net.time_accuracy == pytest.approx((0.5 + 1.5 + 0.5) / 3)
    assert net.due == 1  # the quick-fire question, rated Again two days ago (due after one day)
    assert 0 < net.readiness < 1
    assert skills["debugging"].seen == 0 and skills["debugging"].readiness == 0
    assert [(d.day, d.attempts) for d in days] == [
        (date(2026, 3, 2), 1),
        (date(2026, 3, 3), 1),
        (date(2026, 3, 4), 2),
    ]
    assert streak((d.day for d in days), date(2026, 3, 4)) == 3
    assert streak((d.day for d in days), date(2026, 3, 5)) == 3  # today still open
    assert streak((d.day for d in days), date(2026, 3, 6)) == 0


def test_a_session_is_written_at_its_first_action_with_the_times_it_began(
    tmp_path: Path, bank
) -> None:
    """The first question is shown before anything is written (every write waits for the
    history's integrity check); the first action then writes the session and its open attempt
    with the moments they began, and later attempts are written as they open."""
    store = Store(tmp_path / "h.sqlite3")
    clock = FakeClock(FIXED_NOW)
    session = PracticeSession(bank, store, clock, bank.index()[:2], mode="new")

    def rows(table: str) -> list[str]:
        query = f"SELECT started_at FROM {table}"
        return [row[0] for row in store.connection.execute(query)]

    assert rows("sessions") == [] and rows("attempts") == []
    clock.advance(30)
    session.set_answer("draft")
    session.save_draft()
    session.save_draft()  # written once
    began = FIXED_NOW.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # the store writes UTC like this
    assert rows("sessions") == [began] and rows("attempts") == [began]
    session.skip()  # moves on: the next attempt is written as it opens
    assert len(rows("attempts")) == 2
    store.close()
