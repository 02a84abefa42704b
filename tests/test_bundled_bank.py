"""The bundled bank meets its quality bar (issue 3), so that it cannot regress."""

from __future__ import annotations

from collections import Counter

import pytest

from app.bank.loader import load_bank
from app.bank.quality import (
    ALL_SKILLS,
    CORE_SKILLS,
    MAX_QUICK_FIRE_SHARE,
    MIN_ARTEFACT_SHARE,
    MIN_HARD_SHARE,
    bank_findings,
    bundles_claims,
    has_artefact,
    non_coding,
    question_findings,
    word_count,
)
from app.paths import bundled_bank


@pytest.fixture(scope="module")
def bank():
    loaded, problems = load_bank([bundled_bank()])
    assert problems == [], "\n".join(map(str, problems))
    return loaded


def test_bundled_bank_validates_and_meets_the_bar(bank) -> None:
    assert bank_findings(bank) == {}


def test_every_skill_of_the_role_is_there(bank) -> None:
    assert set(ALL_SKILLS) <= set(bank.skills)
    assert len(non_coding(list(bank.questions.values()))) >= 320


@pytest.mark.parametrize("skill", ALL_SKILLS)
def test_skill_counts_and_shares(bank, skill: str) -> None:
    everything = bank.select(skills=[skill])
    questions = non_coding(everything)  # coding exercises come on top of the counts
    assert len(questions) >= (25 if skill in CORE_SKILLS else 20 if skill == "behavioural" else 12)
    difficulties = Counter(q.difficulty for q in questions)
    assert all(difficulties[d] for d in ("easy", "medium", "hard"))
    assert difficulties["hard"] / len(questions) >= MIN_HARD_SHARE
    assert sum(q.kind == "quick-fire" for q in questions) / len(questions) <= MAX_QUICK_FIRE_SHARE
    for question in everything:
        assert question.id.split("-")[0] == questions[0].id.split("-")[0], question.id
        assert question_findings(question) == [], question.id


def test_debugging_questions_embed_artefacts(bank) -> None:
    debugging = [q for q in bank.questions.values() if q.kind == "debugging"]
    assert sum(map(has_artefact, debugging)) / len(debugging) >= MIN_ARTEFACT_SHARE
    in_skill = bank.select(skills=["debugging"])
    assert sum(map(has_artefact, in_skill)) / len(in_skill) >= MIN_ARTEFACT_SHARE


def test_design_answers_are_long_enough(bank) -> None:
    for question in bank.questions.values():
        if question.kind == "design":
            assert word_count(question.answer) >= 250, question.id


SCENARIOS = {
    "a TLS/HTTP edge proxy": "net-design-tls-edge-proxy",
    "a caching reverse proxy with per-customer configuration": "dist-design-config-distribution",
    "filtering malicious traffic": "fraud-edge-filtering-design",
    "a serverless platform with a global key-value store": "dist-design-edge-kv-store",
    "an authoritative DNS server and a public recursive resolver": "net-design-dns-platform",
    "connection optimisation from the edge to origin servers": "net-design-edge-to-origin",
    "a log pipeline at 250M events per second": "log-pipeline-250m-design",
    "a machine-learning feature and model platform": "fraud-ml-platform-design",
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_system_design_scenarios_are_covered(bank, scenario: str) -> None:
    question = bank.questions[SCENARIOS[scenario]]
    assert question.kind == "design"
    assert word_count(question.answer) >= 250


def test_rubric_points_make_one_claim_each(bank) -> None:
    """Issue 15: a point that bundles two claims cannot be ticked yes or no honestly."""
    bundled = [
        (question.id, point.point)
        for question in bank.questions.values()
        for point in question.rubric
        if bundles_claims(point.point)
    ]
    assert bundled == []


def test_behavioural_round_is_there(bank) -> None:
    behavioural = bank.select(skills=["behavioural"])
    assert len(behavioural) >= 20
    assert all(q.kind == "behavioural" and q.red_flags and q.follow_ups for q in behavioural)
