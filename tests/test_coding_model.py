"""The coding exercise's format: kind coding comes with code, and code only with kind coding."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bank.loader import load_file
from app.bank.quality import question_findings

FIXTURE = Path(__file__).parent / "fixtures" / "coding" / "problem-solving.yaml"

HEADER = """\
skill: problem-solving
title: Problem solving
description: Test.
questions:
"""

EXERCISE = """\
  - id: ps-code-x
    kind: coding
    title: X
    difficulty: easy
    time: 15m
    prompt: Write f.
    answer: Like this.
    code:
      timeout: 5s
      python:
        starter: "def f(): raise NotImplementedError"
        solution: "def f(): return 1"
        tests: "import unittest"
"""


def messages(write_bank, text: str) -> list[str]:
    path = write_bank(HEADER + text, name="problem-solving.yaml")
    return [problem.message for problem in load_file(path).problems]


def test_an_exercise_loads_with_its_languages() -> None:
    loaded = load_file(FIXTURE)
    assert loaded.problems == []
    question = loaded.questions[0][0]
    assert question.kind == "coding"
    assert question.code is not None
    assert list(question.code.languages) == ["python", "go", "rust"]
    assert question.code.timeout_seconds == 20


def test_timeout_defaults_to_ten_seconds(write_bank) -> None:
    path = write_bank(HEADER + EXERCISE.replace("      timeout: 5s\n", ""), "problem-solving.yaml")
    loaded = load_file(path)
    assert loaded.problems == []
    assert loaded.questions[0][0].code.timeout_seconds == 10


def test_kind_coding_needs_code(write_bank) -> None:
    text = EXERCISE.split("    code:")[0]
    assert any("kind coding needs a code block" in m for m in messages(write_bank, text))


def test_code_only_on_kind_coding(write_bank) -> None:
    text = EXERCISE.replace("kind: coding", "kind: concept")
    assert any("code is only for kind coding" in m for m in messages(write_bank, text))


@pytest.mark.parametrize(("timeout", "ok"), [("1s", True), ("2m", True), ("121s", False)])
def test_timeout_is_bounded(write_bank, timeout: str, ok: bool) -> None:
    found = messages(write_bank, EXERCISE.replace("timeout: 5s", f"timeout: {timeout}"))
    assert (found == []) is ok, found
    if not ok:
        assert any("between 1s and 120s" in m for m in found)


def test_code_needs_a_language(write_bank) -> None:
    text = EXERCISE.split("      python:")[0]
    assert any("at least one language" in m for m in messages(write_bank, text))


def test_unknown_language_and_missing_tests_are_reported(write_bank) -> None:
    text = EXERCISE.replace("      python:", "      java:")
    assert messages(write_bank, text)
    text = EXERCISE.replace('        tests: "import unittest"\n', "")
    assert any("tests" in m for m in messages(write_bank, text))


def test_quality_bar_of_a_coding_exercise() -> None:
    question = load_file(FIXTURE).questions[0][0]
    assert question_findings(question) == []


def test_skill_counts_leave_coding_exercises_out() -> None:
    from app.bank.loader import load_bank
    from app.bank.quality import skill_coverage

    bank, problems = load_bank([FIXTURE])
    assert problems == []
    coverage = skill_coverage(bank, "problem-solving")
    assert (coverage.total, coverage.coding) == (0, 1)
    assert not coverage.by_kind["quick-fire"]


def test_a_starter_that_is_the_solution_is_flagged() -> None:
    import dataclasses

    question = load_file(FIXTURE).questions[0][0]
    python = question.code.python
    same = dataclasses.replace(python, starter=python.solution)
    code = dataclasses.replace(question.code, python=same)
    findings = question_findings(dataclasses.replace(question, code=code))
    assert findings == ["python starter is the solution"]
