"""Every coding exercise proves itself: its reference solution passes every test and its
starter fails at least one, in every language whose toolchain is here (under CI=true, in all
three: a missing go or rustc is a failure, not a skip). Real interpreters and compilers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from app.bank.loader import load_bank
from app.bank.models import Question
from app.bank.validation import validate
from app.coding.runner import run_question
from app.coding.toolchains import toolchain
from app.paths import bundled_bank
from tests.coding_support import shared_go_cache  # noqa: F401 (an autouse fixture)

FIXTURES = Path(__file__).parent / "fixtures" / "coding"


def _exercises() -> list[Question]:
    """The bundled bank's coding exercises, the fixture's too. The skill directories
    (questions/<skill>/*.yaml) are read here directly as well, so the exercises are proved
    whether or not the loader reads those directories yet."""
    found: dict[str, Question] = {}
    for directory in (bundled_bank(), FIXTURES):
        bank, _ = load_bank([directory])
        for question in bank.questions.values():
            if question.kind == "coding":
                found[question.id] = question
    for path in sorted(bundled_bank().glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for raw in data.get("questions") or []:
            if isinstance(raw, dict) and raw.get("kind") == "coding":
                question = validate(Question, raw)
                found.setdefault(question.id, question)
    return list(found.values())


CASES = [
    pytest.param(question, language, id=f"{question.id}-{language}")
    for question in _exercises()
    for language in (question.code.languages if question.code else {})
]


def _require(language: str) -> None:
    if not toolchain(language).available:  # type: ignore[arg-type]
        if os.environ.get("CI") == "true":
            pytest.fail(f"{language} toolchain missing under CI: .ci/run installs it")
        pytest.skip(f"{language} is not installed")


@pytest.mark.parametrize(("question", "language"), CASES)
def test_the_reference_solution_passes_every_test(question: Question, language: str) -> None:
    _require(language)
    code = question.code.languages[language].solution  # type: ignore[union-attr,index]
    result = run_question(question, language, code)  # type: ignore[arg-type]
    details = [f"{t.name}: {t.status} {t.message}" for t in result.tests if t.status != "passed"]
    assert result.status == "passed", (result.summary, details, result.output[-2000:])
    assert result.total >= 3, "an exercise needs edge-case tests beyond the happy path"


@pytest.mark.parametrize(("question", "language"), CASES)
def test_the_starter_runs_and_fails_a_test(question: Question, language: str) -> None:
    _require(language)
    code = question.code.languages[language].starter  # type: ignore[union-attr,index]
    result = run_question(question, language, code)  # type: ignore[arg-type]
    assert result.status == "failed", (result.summary, result.output[-2000:])
    assert result.passed < result.total
