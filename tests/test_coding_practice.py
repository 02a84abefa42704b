"""The coding part of an attempt: code per language, runs off the caller's thread, stored runs
and drafts, and the suggested rating from tests passed, time and hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bank.loader import load_file
from app.coding.results import RunResult, TestResult
from app.practice.coding import CodingWork, record_run, suggest_coding
from app.practice.scheduler import Grade
from app.store.db import Store
from tests.conftest import FIXED_NOW

FIXTURE = Path(__file__).parent / "fixtures" / "coding" / "problem-solving.yaml"
QUESTION = load_file(FIXTURE).questions[0][0]  # 15m budget, two hints
BUDGET = QUESTION.time_seconds


def result(passed: int, total: int, status: str = "failed") -> RunResult:
    tests = tuple(
        TestResult(f"test_{n}", "passed" if n < passed else "failed") for n in range(total)
    )
    return RunResult("python", status, "", tests)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("passed", "total", "expected"),
    [(0, 5, Grade.AGAIN), (3, 5, Grade.HARD), (4, 5, Grade.GOOD), (5, 5, Grade.EASY)],
)
def test_the_share_of_tests_passed_gives_the_base(passed: int, total: int, expected: Grade) -> None:
    status = "passed" if passed == total else "failed"
    suggestion = suggest_coding(
        QUESTION,
        result=result(passed, total, status),
        coverage=None,
        hints_used=0,
        time_spent_s=60,
    )
    assert suggestion.grade == expected
    assert suggestion.reasons[0] == f"tests {passed}/{total}"


def test_no_run_is_again() -> None:
    suggestion = suggest_coding(QUESTION, result=None, coverage=None, hints_used=0, time_spent_s=60)
    assert suggestion == (Grade.AGAIN, ("tests not run",))


def test_hints_time_and_rubric_cap_a_full_pass() -> None:
    full = result(5, 5, "passed")
    one_hint = suggest_coding(QUESTION, result=full, coverage=None, hints_used=1, time_spent_s=60)
    assert one_hint.grade == Grade.GOOD
    late = suggest_coding(
        QUESTION, result=full, coverage=None, hints_used=0, time_spent_s=BUDGET * 1.6
    )
    assert late.grade == Grade.HARD and "over time" in late.reasons
    thin = suggest_coding(QUESTION, result=full, coverage=0.2, hints_used=0, time_spent_s=60)
    assert thin == (Grade.HARD, ("tests 5/5", "rubric 20%"))


def test_work_keeps_code_per_language_and_recovers_a_draft() -> None:
    work = CodingWork(QUESTION, languages=["python", "go"])
    assert work.code == QUESTION.code.python.starter
    work.code = "def parse_port(text):\n    return 1\n"
    assert work.switch("go") == QUESTION.code.go.starter
    assert work.switch("python") == "def parse_port(text):\n    return 1\n"
    assert work.reset() == QUESTION.code.python.starter
    with pytest.raises(ValueError, match="rust is not available"):
        work.switch("rust")
    recovered = CodingWork(QUESTION, languages=["python", "go"], draft=("package solution\n", "go"))
    assert (recovered.language, recovered.code) == ("go", "package solution\n")
    assert recovered.solution == QUESTION.code.go.solution


def test_a_run_fails_then_the_fix_passes_and_both_are_stored(tmp_path: Path) -> None:
    with Store(tmp_path / "history.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        attempt = store.start_attempt(
            session, QUESTION.id, "problem-solving", QUESTION.content_hash, BUDGET, now=FIXED_NOW
        )
        work = CodingWork(QUESTION, languages=["python"])
        stored: list[int] = []

        def keep(run: RunResult, code: str) -> None:
            stored.append(record_run(store, attempt, code, run))

        first = work.run(keep).result(timeout=60)
        assert first.status == "failed"
        work.code = QUESTION.code.python.solution
        second = work.run(keep).result(timeout=60)
        assert second.status == "passed"
        assert len(stored) == 2
        runs = store.code_runs(attempt)
        assert [(r.status, r.passed, r.total) for r in runs] == [("failed", 0, 5), ("passed", 5, 5)]
        assert RunResult.from_json(runs[1].result_json) == second
        assert runs[1].code == QUESTION.code.python.solution
        assert store.last_code_draft(QUESTION.id) == (QUESTION.code.python.solution, "python")
        suggestion = work.suggestion(coverage=1.0, hints_used=0, time_spent_s=60)
        assert suggestion.grade == Grade.EASY


def test_drafts_carry_the_language(tmp_path: Path) -> None:
    with Store(tmp_path / "history.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        attempt = store.start_attempt(
            session, QUESTION.id, "problem-solving", QUESTION.content_hash, BUDGET, now=FIXED_NOW
        )
        store.save_draft(attempt, "package solution\n", 1500, 0, language="go")
        store.save_draft(attempt, "package solution // more\n", 3500, 1)
        assert store.last_code_draft(QUESTION.id) == ("package solution // more\n", "go")
        assert store.attempt(attempt).language == "go"


def test_a_new_run_cancels_the_one_under_way() -> None:
    work = CodingWork(QUESTION, languages=["python"])
    work.code = "def parse_port(text):\n    while True:\n        pass\n"
    slow = work.run()
    work.code = QUESTION.code.python.solution
    fast = work.run()
    assert slow.result(timeout=30).status == "cancelled"
    assert fast.result(timeout=60).status == "passed"
    assert work.suggestion(coverage=None, hints_used=0, time_spent_s=60).grade == Grade.EASY


def test_kits_show_prompt_visible_tests_and_the_solution_for_the_interviewer() -> None:
    from app.authoring.kit import kit_for_ids, kit_html, kit_markdown
    from app.authoring.markdown import question_markdown
    from app.bank.loader import load_bank

    bank, _ = load_bank([FIXTURE])
    text = kit_markdown(bank, kit_for_ids(bank, [QUESTION.id]))
    assert "### Tests the candidate runs" in text
    assert "```python\n" + QUESTION.code.python.tests.rstrip("\n") + "\n```" in text
    assert "```rust\n" + QUESTION.code.rust.tests.rstrip("\n") + "\n```" in text
    assert "### Reference solution" in text
    assert QUESTION.code.go.solution.rstrip("\n") in text
    assert "Languages: python, go, rust; the tests run with a 20s limit." in text
    page = kit_html(bank, kit_for_ids(bank, [QUESTION.id]))
    assert '<code class="language-go">' in page
    candidate = question_markdown(QUESTION, "problem-solving", with_answer=False)
    assert QUESTION.code.python.tests.splitlines()[0] in candidate
    assert "Reference solution" not in candidate
    assert QUESTION.code.python.solution.splitlines()[1] not in candidate


def test_a_fence_is_longer_than_any_backtick_run_in_the_code() -> None:
    from app.authoring.markdown import fenced

    assert fenced("x = '```'\n", "python") == "````python\nx = '```'\n````"


def test_anki_cards_of_coding_exercises_carry_prompt_and_solution() -> None:
    from app.authoring.anki import note_fields

    fields = note_fields(QUESTION, "problem-solving")
    assert "parse_port(text)" in fields[2]  # the prompt
    assert "<strong>rust</strong>" in fields[3]
    assert "s.parse::&lt;u16&gt;()" in fields[3]  # the Rust solution, escaped
    assert "Validate the characters first" in fields[3]  # then the explanation


def test_stats_and_calibrate_count_a_rated_coding_attempt(tmp_path: Path) -> None:
    from app.authoring.calibrate import calibrate, question_facts
    from app.bank.loader import load_bank

    bank, _ = load_bank([FIXTURE])
    with Store(tmp_path / "history.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        attempt = store.start_attempt(
            session, QUESTION.id, "problem-solving", QUESTION.content_hash, BUDGET, now=FIXED_NOW
        )
        record_run(store, attempt, QUESTION.code.python.solution, result(5, 5, "passed"))
        store.rate(
            attempt,
            rating=3,
            answer=QUESTION.code.python.solution,
            time_spent_ms=BUDGET * 500,
            hints_used=0,
            rubric_ticked=[0, 1],
            rubric_coverage=2 / 3,
            auto_grade=None,
            review=None,
            now=FIXED_NOW,
        )
        (totals,) = store.question_totals()
        assert (totals.question_id, totals.attempts, totals.ratings) == (
            QUESTION.id,
            1,
            (0, 0, 1, 0),
        )
        (calibration,) = calibrate(question_facts(bank), store.attempts())
        assert (calibration.question_id, calibration.attempts) == (QUESTION.id, 1)
        assert calibration.mean_coverage == pytest.approx(2 / 3)


def test_runs_survive_export_and_import(tmp_path: Path) -> None:
    from app.store.exchange import export_json, import_json

    with Store(tmp_path / "a.sqlite3") as store:
        session = store.start_session("auto", now=FIXED_NOW)
        attempt = store.start_attempt(
            session, QUESTION.id, "problem-solving", QUESTION.content_hash, BUDGET, now=FIXED_NOW
        )
        store.save_draft(attempt, "def parse_port(text): ...\n", 2000, 0, language="python")
        record_run(
            store,
            attempt,
            "def parse_port(text): ...\n",
            result(2, 5),
        )
        text = export_json(store, now=FIXED_NOW)
    with Store(tmp_path / "b.sqlite3") as other:
        assert import_json(other, text) == (1, 1)
        assert import_json(other, text) == (0, 0)  # twice changes nothing
        (copied,) = other.attempts(rated_only=False)
        assert copied.language == "python"
        (run,) = other.code_runs(copied.id)
        assert (run.status, run.passed, run.total) == ("failed", 2, 5)
        assert RunResult.from_json(run.result_json) == result(2, 5)
