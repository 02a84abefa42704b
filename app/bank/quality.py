"""The bundled bank's quality bar, as data: counts, shares and per-question checks."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from app.bank.loader import Bank
from app.bank.models import DIFFICULTIES, KINDS, Question, format_duration

CORE_SKILLS = ("debugging", "apis", "distributed-systems", "network-protocols")
OTHER_SKILLS = (
    "security",
    "systems-programming",
    "performance",
    "databases",
    "observability",
    "log-analysis",
    "fraud-and-abuse",
    "ci-and-git",
    "go-and-rust",
    "problem-solving",
    "behavioural",
)
ALL_SKILLS = CORE_SKILLS + OTHER_SKILLS
MIN_CORE, MIN_OTHER, MIN_TOTAL = 25, 12, 320
MIN_BEHAVIOURAL = 20
MIN_HARD_SHARE, MAX_QUICK_FIRE_SHARE, MIN_ARTEFACT_SHARE = 0.20, 0.20, 0.40
MIN_ANSWER_WORDS, MIN_DESIGN_ANSWER_WORDS = 120, 250
MIN_RUBRIC, MAX_RUBRIC = 3, 8

_FENCE = re.compile(r"^\s*(```|~~~)", re.MULTILINE)

# What a rubric point reads like when it bundles two claims a reviewer would tick separately:
# two clauses, two sentences, "X and why Y", or a second verb ("explains X and proposes Y").
_SECOND_VERBS = "|".join(
    [
        "explains",
        "names",
        "notes",
        "proposes",
        "states",
        "mentions",
        "describes",
        "identifies",
        "recognises",
        "recognizes",
        "gives",
        "uses",
        "shows",
        "computes",
        "chooses",
        "picks",
        "fixes",
        "suggests",
        "says",
        "adds",
        "checks",
        "avoids",
        "sets",
        "keeps",
        "calls",
        "distinguishes",
        "quantifies",
        "estimates",
        "recommends",
        "points",
        "rejects",
        "prefers",
        "asks",
        "measures",
        "verifies",
        "confirms",
        "flags",
        "reads",
        "accounts",
        "argues",
        "designs",
        "applies",
        "handles",
        "returns",
        "makes",
        "puts",
        "defines",
        "drops",
        "derives",
        "tests",
        "writes",
        "replaces",
        "includes",
        "considers",
        "links",
        "separates",
        "sizes",
        "limits",
        "bounds",
        "rates",
        "compares",
        "plans",
        "moves",
        "runs",
        "routes",
        "sends",
        "raises",
        "lowers",
        "spots",
        "traces",
        "finds",
        "rules",
        "treats",
        "interprets",
        "attributes",
        "alerts",
        "monitors",
        "documents",
        "communicates",
        "escalates",
        "reverts",
        "rolls",
        "follows",
    ]
)
_BUNDLED_CLAIMS = re.compile(
    r";\s|\bas well as\b|\.\s+[A-Z]"
    r"|\band (?:that|why|how|what|when|where|whether|which)\b"
    rf"|\b(?:and|then|but|while) (?:{_SECOND_VERBS})\b"
)


def bundles_claims(point: str) -> bool:
    """Whether a rubric point makes more than one claim, so it cannot be ticked yes or no."""
    return _BUNDLED_CLAIMS.search(point) is not None


def word_count(text: str) -> int:
    return len(text.split())


def has_artefact(question: Question) -> bool:
    """Whether the prompt embeds a fenced code block (a log, a trace, a snippet)."""
    return len(_FENCE.findall(question.prompt)) >= 2


def question_findings(question: Question) -> list[str]:
    """Everything one question misses of the quality bar."""
    findings = []
    quick = question.kind == "quick-fire"
    if quick and not question.choices:
        findings.append("quick-fire without choices")
    if question.choices and not quick:
        findings.append("has choices but kind is not quick-fire")
    if question.kind == "coding" and question.code is not None:
        for language, code in question.code.languages.items():
            if code.starter.strip() == code.solution.strip():
                findings.append(f"{language} starter is the solution")
    if len(question.hints) < 2:
        findings.append(f"{len(question.hints)} hint(s), needs 2")
    if not quick:
        minimum = MIN_DESIGN_ANSWER_WORDS if question.kind == "design" else MIN_ANSWER_WORDS
        words = word_count(question.answer)
        if words < minimum:
            findings.append(f"answer has {words} words, needs {minimum}")
        if not MIN_RUBRIC <= len(question.rubric) <= MAX_RUBRIC:
            findings.append(
                f"{len(question.rubric)} rubric points, needs {MIN_RUBRIC}-{MAX_RUBRIC}"
            )
        bundled = [i for i, p in enumerate(question.rubric, 1) if bundles_claims(p.point)]
        if bundled:
            findings.append(f"rubric point(s) {bundled} bundle two claims: split or rephrase")
        if word_count(question.prompt) < 8:
            findings.append("prompt is too bare (under 8 words)")
    if not question.follow_ups:
        findings.append("no follow-up")
    if not question.references:
        findings.append("no reference")
    if not question.tags:
        findings.append("no tags")
    return findings


@dataclass
class SkillCoverage:
    skill: str
    total: int
    by_difficulty: Counter[str]
    by_kind: Counter[str]
    seconds: int
    debugging_with_artefact: int
    debugging: int
    coding: int
    """Coding exercises, counted apart from ``total``."""


def non_coding(questions: list[Question]) -> list[Question]:
    """The questions the counts and shares are about: coding exercises come on top of them."""
    return [question for question in questions if question.kind != "coding"]


def skill_coverage(bank: Bank, skill: str) -> SkillCoverage:
    """Counts and shares of the skill's questions outside coding exercises."""
    everything = bank.select(skills=[skill])
    questions = non_coding(everything)
    debugging = [q for q in questions if q.kind == "debugging"]
    return SkillCoverage(
        skill=skill,
        total=len(questions),
        by_difficulty=Counter(q.difficulty for q in questions),
        by_kind=Counter(q.kind for q in questions),
        seconds=sum(q.time_seconds for q in questions),
        debugging_with_artefact=sum(has_artefact(q) for q in debugging),
        debugging=len(debugging),
        coding=len(everything) - len(questions),
    )


def skill_findings(coverage: SkillCoverage) -> list[str]:
    findings = []
    minimum = MIN_CORE if coverage.skill in CORE_SKILLS else MIN_OTHER
    if coverage.skill == "behavioural":
        minimum = MIN_BEHAVIOURAL
    if coverage.total < minimum:
        findings.append(f"{coverage.total} questions, needs {minimum}")
    for difficulty in DIFFICULTIES:
        if not coverage.by_difficulty[difficulty]:
            findings.append(f"no {difficulty} question")
    if coverage.total and coverage.by_difficulty["hard"] / coverage.total < MIN_HARD_SHARE:
        findings.append(f"hard share under {MIN_HARD_SHARE:.0%}")
    if coverage.total and coverage.by_kind["quick-fire"] / coverage.total > MAX_QUICK_FIRE_SHARE:
        findings.append(f"quick-fire share over {MAX_QUICK_FIRE_SHARE:.0%}")
    if (
        coverage.debugging
        and coverage.debugging_with_artefact / coverage.debugging < MIN_ARTEFACT_SHARE
    ):
        findings.append(f"under {MIN_ARTEFACT_SHARE:.0%} of debugging questions embed an artefact")
    return findings


def bank_findings(bank: Bank, *, bundled: bool = True) -> dict[str, list[str]]:
    """Findings keyed by skill slug or question id; empty when the bank meets the bar.

    ``bundled`` adds the bundled bank's own targets: every skill present, and the total size.
    """
    findings: dict[str, list[str]] = {}
    expected = set(ALL_SKILLS) if bundled else set()
    for skill in sorted(expected | set(bank.skills)):
        if skill not in bank.skills:
            findings[skill] = ["skill file missing"]
            continue
        found = skill_findings(skill_coverage(bank, skill))
        if found:
            findings[skill] = found
    counted = len(non_coding(list(bank.questions.values())))
    if bundled and counted < MIN_TOTAL:
        findings["bank"] = [f"{counted} questions outside coding exercises, needs {MIN_TOTAL}"]
    for question in bank.questions.values():
        found = question_findings(question)
        if found:
            findings[question.id] = found
    return findings


def coverage_report(bank: Bank, *, details: bool = True, bundled: bool = True) -> str:
    """The ``drillbit bank`` table: skill x difficulty, kinds, time, and what misses the bar."""
    # Difficulties, total and time count questions outside coding exercises; "coding" counts those.
    header = ["skill", *DIFFICULTIES, "total", *KINDS, "time"]
    rows = []
    totals: Counter[str] = Counter()
    for skill in bank.skills:
        cov = skill_coverage(bank, skill)
        row = [skill, *(str(cov.by_difficulty[d]) for d in DIFFICULTIES), str(cov.total)]
        kinds = {**cov.by_kind, "coding": cov.coding}
        row += [str(kinds.get(k, 0)) for k in KINDS] + [format_duration(cov.seconds)]
        rows.append(row)
        totals.update(cov.by_difficulty)
        totals["total"] += cov.total
        totals.update({f"kind:{k}": v for k, v in kinds.items()})
        totals["seconds"] += cov.seconds
    rows.append(
        ["all", *(str(totals[d]) for d in DIFFICULTIES), str(totals["total"])]
        + [str(totals[f"kind:{k}"]) for k in KINDS]
        + [format_duration(totals["seconds"])]
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, lines[1])
    findings = bank_findings(bank, bundled=bundled)
    if details and findings:
        lines.append("")
        lines.append("Below the quality bar:")
        lines.extend(f"  {key}: {'; '.join(found)}" for key, found in findings.items())
    lines.append("")
    lines.append(
        "quality bar: met" if not findings else f"quality bar: {len(findings)} item(s) below it"
    )
    return "\n".join(lines)
