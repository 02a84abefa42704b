"""The practice session's state machine, start path and numbers, driven without a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bank.loader import load_bank
from app.clock import FakeClock
from app.practice.grading import grade_choice, score
from app.practice.planner import Filters
from app.practice.request import PracticeRequest, Refusal, start_session
from app.practice.scheduler import Grade
from app.practice.session import Phase, PracticeSession, State
from app.practice.summary import per_skill as summary_per_skill
from app.practice.summary import totals
from app.stats.compute import at_a_glance
from app.stats.compute import per_skill as stats_per_skill
from app.store.db import Store
from tests.conftest import FIXED_NOW, FIXTURE_BANK

PRACTICE_BANK = Path(__file__).parent / "fixtures" / "practice"


@pytest.fixture(scope="module")
def bank():
    loaded, problems = load_bank([FIXTURE_BANK, PRACTICE_BANK])
    assert problems == []
    return loaded


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "h.sqlite3") as opened:
        yield opened


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_NOW)


def session_of(bank, store, clock, *ids: str, **request: object) -> PracticeSession:
    session = start_session(bank, store, clock, PracticeRequest(ids=ids, **request))  # type: ignore[arg-type]
    assert isinstance(session, PracticeSession)
    return session


def test_a_question_moves_answering_revealed_rated(bank, store, clock) -> None:
    session = session_of(bank, store, clock, "net-tcp-handshake", "dbg-markup")
    item = session.current
    assert item.state is State.ANSWERING
    assert session.can("reveal") and session.can("hint") and not session.can("rate")
    assert session.next_hint() == "Think about sequence numbers."
    assert session.reveal()
    assert item.state is State.REVEALED
    assert not session.can("reveal") and not session.can("hint") and session.can("rate")
    session.toggle_rubric(0)
    assert item.coverage == 0.5
    step = session.rate(Grade.GOOD)
    assert step.kind == "question" and item.state is State.RATED
    assert session.current.entry.id == "dbg-markup"
    assert session.skip().kind == "finished" and session.finished
    assert [a.rating for a in store.attempts()] == [3]


def test_undo_returns_to_the_revealed_question_and_reopens_a_finished_session(
    bank, store, clock
) -> None:
    session = session_of(bank, store, clock, "net-tcp-handshake")
    session.reveal()
    assert session.rate(Grade.HARD).kind == "finished"
    assert session.can("undo") and not session.can("reveal")
    assert session.undo()
    assert not session.finished and session.current.state is State.REVEALED
    assert store.attempts() == []
    assert session.rate(Grade.EASY).kind == "finished"
    assert [a.rating for a in store.attempts()] == [4]


def test_pause_stops_clocks_and_every_key_but_resume_and_quit(bank, store, clock) -> None:
    session = session_of(bank, store, clock, "net-tcp-handshake")
    clock.advance(10)
    session.pause()
    assert session.paused
    assert [
        a for a in ("reveal", "hint", "write", "skip", "pick", "pause", "quit") if session.can(a, 0)
    ] == [
        "pause",
        "quit",
    ]
    assert session.next_hint() is None and not session.reveal()
    clock.advance(600)
    session.resume()
    clock.advance(5)
    assert session.remaining().total_seconds() == 300 - 15


def test_a_loop_hides_answers_then_reviews_each_round(bank, store, clock) -> None:
    session = session_of_loop = start_session(
        bank, store, clock, PracticeRequest(loop="hostile", seed=1)
    )
    assert isinstance(session_of_loop, PracticeSession)
    assert session.phase is Phase.ANSWER and session.hiding_answers
    assert not session.can("reveal") and session.can("next")
    first_round = session.rounds[0].title
    step = session.next_in_round()  # the round's only question: its review starts
    assert step == ("review", first_round)
    assert session.phase is Phase.REVIEW and session.current.state is State.REVEALED
    assert not session.can("skip") and session.can("rate")
    step = session.rate(Grade.GOOD)
    assert step == ("round", "[/]Round two")
    assert session.phase is Phase.ANSWER and session.current.state is State.ANSWERING
    assert session.skip() == ("finished", "")  # a skipped round has nothing to review
    assert store.cards() == {}  # loops do not reschedule


def test_multi_select_is_graded_on_the_whole_set(bank, store, clock) -> None:
    session = session_of(bank, store, clock, "mc-multi")
    item = session.current
    assert item.multi_select
    assert session.pick(1) is False and session.pick(3) is False and session.pick(4) is False
    assert item.picked == {1, 3, 4}
    grade = item.choice_grade
    assert grade is not None and not grade.correct
    assert (grade.right, grade.wrong, grade.missing) == ({1, 3}, {4}, {5})
    session.pick(4)  # a second press takes the pick back
    session.pick(5)
    assert item.auto_grade is True
    session.reveal()
    assert session.suggestion().grade >= Grade.GOOD
    session.rate(Grade.GOOD)
    assert store.attempts()[0].auto_grade is True


def test_a_single_answer_choice_replaces_its_pick_and_no_pick_suggests_again(
    bank, store, clock
) -> None:
    session = session_of(bank, store, clock, "net-quick-port")
    assert session.suggestion().grade == Grade.AGAIN  # revealed without a pick
    assert session.pick(0) is True and session.pick(1) is True
    assert session.current.picked == {1} and session.current.auto_grade is True
    question = bank.questions["net-quick-port"]
    assert grade_choice(question, []) is None
    assert grade_choice(question, [7]) is None  # an option that does not exist


def test_a_draft_left_by_a_crash_comes_back_once(bank, store, clock) -> None:
    crashed = session_of(bank, store, clock, "net-tcp-handshake")
    crashed.set_answer("half an answer")
    crashed.save_draft()  # then kill -9: the session is never finished
    again = session_of(bank, store, clock, "net-tcp-handshake")
    assert again.current.answer == "half an answer" and again.current.restored
    again.reveal()
    again.rate(Grade.GOOD)
    later = session_of(bank, store, clock, "net-tcp-handshake")
    assert later.current.answer == "" and not later.current.restored


def test_ids_give_exactly_those_questions_and_unknown_ids_are_a_usage_error(
    bank, store, clock
) -> None:
    session = session_of(bank, store, clock, "dbg-markup", "net-quick-port", "dbg-markup")
    assert [e.id for e in session.entries] == ["dbg-markup", "net-quick-port"]
    refused = start_session(bank, store, clock, PracticeRequest(ids=("nope",)))
    assert isinstance(refused, Refusal) and refused.usage and "nope" in refused.message
    refused = start_session(bank, store, clock, PracticeRequest(loop="nope"))
    assert isinstance(refused, Refusal) and refused.usage
    refused = start_session(bank, store, clock, PracticeRequest(filters=Filters(("none",))))
    assert isinstance(refused, Refusal) and not refused.usage


def test_all_skills_for_a_new_user_interleave_skills(bank, store, clock) -> None:
    session = session_of(bank, store, clock, mode="new", count=3)
    assert len({entry.skill for entry in session.entries}) == 3


def test_a_total_time_shows_a_session_countdown(bank, store, clock) -> None:
    session = session_of(bank, store, clock, mode="new", count=None, total_seconds=600)
    assert session.session_remaining().total_seconds() == 600
    clock.advance(90)
    assert session.session_remaining().total_seconds() == 510
    assert session_of(bank, store, clock, "dbg-markup").session_remaining() is None


def test_summary_stats_and_home_give_the_same_numbers(bank, store, clock) -> None:
    """One rubric question at 50% and one choice question right: both screens say 75%; a loop's
    ratings count as practised on the home screen as they do as seen in the stats."""
    session = session_of(bank, store, clock, "net-tcp-handshake", "net-quick-port")
    session.reveal()
    session.toggle_rubric(0)  # weight 2 of 4
    clock.advance(150)
    session.rate(Grade.GOOD)
    session.pick(1)
    session.reveal()
    clock.advance(30)
    session.rate(Grade.GOOD)
    assert [i.score for i in session.items] == [0.5, 1.0] and score(None, None) is None
    (row,) = summary_per_skill(session.items)
    index = bank.index()
    now = clock.now()
    stats = {
        s.skill: s for s in stats_per_skill(index, store.question_totals(), store.cards(), now)
    }
    assert row.mean_score == stats["network-protocols"].mean_coverage == 0.75
    assert row.time_ratio == pytest.approx(stats["network-protocols"].time_accuracy)
    assert totals(session)[:2] == (2, 0)
    loop = start_session(bank, store, clock, PracticeRequest(loop="hostile", seed=1))
    assert isinstance(loop, PracticeSession)
    loop.next_in_round()
    loop.rate(Grade.GOOD)  # not rescheduled: no card
    glance = {g.skill: g for g in at_a_glance(index, store.cards(), store.seen_ids(), now)}
    stats = {
        s.skill: s for s in stats_per_skill(index, store.question_totals(), store.cards(), now)
    }
    for skill in ("choices", "network-protocols"):
        assert glance[skill].practised == stats[skill].seen
    assert glance["choices"].practised == 1
