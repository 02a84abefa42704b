"""Typed models of the question bank, the single source of its JSON Schema."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.bank.durations import DURATION_PATTERN, parse_duration
from app.bank.durations import format_duration as format_duration

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
Kind = Literal["concept", "scenario", "design", "debugging", "quick-fire"]
KINDS: tuple[Kind, ...] = ("concept", "scenario", "design", "debugging", "quick-fire")

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1)]


def _check_duration(text: str) -> str:
    parse_duration(text)
    return text


Duration = Annotated[
    str,
    StringConstraints(pattern=DURATION_PATTERN),
    AfterValidator(_check_duration),
    Field(description="A time budget such as 90s, 8m, 1h or 1h30m."),
]


class _Strict(BaseModel):
    # defer_build: schemas are built on first validation, not at import, so that a session
    # started from the compiled cache (which only unpickles) does not pay for them.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class RubricPoint(_Strict):
    """One key point a good answer makes, ticked by the candidate after the reveal."""

    point: Text
    """What the answer must say or do, checkable against the candidate's own answer."""
    weight: int = Field(1, ge=1, le=10)
    """How much the point counts, relative to the others (1 to 10)."""


class Choice(_Strict):
    """One option of a quick-fire multiple-choice question."""

    text: Text
    correct: bool = False


def _follow_up_from_text(value: Any) -> Any:
    return {"question": value} if isinstance(value, str) else value


class FollowUp(_Strict):
    """A question the interviewer may ask next, optionally with its answer."""

    question: Text
    answer: str | None = None


class Question(_Strict):
    """One interview question, as a curator writes it in a bank file."""

    id: Slug = Field(description="Unique, stable slug across the bank; history keys on it.")
    title: Text
    difficulty: Difficulty
    time: Duration
    kind: Kind = Field("concept", description="concept, scenario, design, debugging or quick-fire.")
    tags: list[Text] = Field(default_factory=list)
    prompt: Text = Field(description="The question as the candidate sees it (Markdown).")
    hints: list[Text] = Field(default_factory=list, description="From gentle to strong.")
    answer: Text = Field(description="The model answer (Markdown).")
    rubric: list[RubricPoint] = Field(default_factory=list)
    follow_ups: list[Annotated[FollowUp, BeforeValidator(_follow_up_from_text)]] = Field(
        default_factory=list,
        description="Markdown strings, or {question, answer} mappings.",
    )
    references: list[Text] = Field(default_factory=list)
    interviewer_notes: str | None = Field(
        None, description="Hidden from candidates until the answer is revealed."
    )
    red_flags: list[Text] = Field(
        default_factory=list, description="Answers that should worry an interviewer."
    )
    choices: list[Choice] | None = Field(
        None, description="For quick-fire multiple choice; graded automatically."
    )

    @model_validator(mode="after")
    def _choices_have_a_correct_one(self) -> Question:
        if self.choices is not None:
            if len(self.choices) < 2:
                raise ValueError("choices needs at least two options")
            if not any(choice.correct for choice in self.choices):
                raise ValueError("choices needs at least one option with correct: true")
        return self

    @cached_property
    def time_seconds(self) -> int:
        return parse_duration(self.time)

    @cached_property
    def content_hash(self) -> str:
        """A short hash of everything the question says; changes when a curator edits it."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def rubric_weight(self) -> int:
        return sum(point.weight for point in self.rubric)


class SkillFile(_Strict):
    """A bank file: one skill and its questions."""

    skill: Slug = Field(description="The skill's slug; equal to the file name without .yaml.")
    title: Text
    description: Text
    questions: list[Question] = Field(default_factory=list)


class SkillHeader(_Strict):
    """The top level of a bank file without its questions, validated on its own."""

    skill: Slug
    title: Text
    description: Text
    questions: list[Any] = Field(default_factory=list)


class LoopRound(_Strict):
    """One round of a mock-interview loop: a time box and what it draws from."""

    title: Text
    time: Duration
    skills: list[Slug] = Field(min_length=1)
    count: int = Field(1, ge=1, le=20)
    difficulty: Difficulty | None = None

    @cached_property
    def time_seconds(self) -> int:
        return parse_duration(self.time)


class Loop(_Strict):
    """A named mock-interview loop, such as a phone screen or an onsite."""

    name: Slug
    title: Text
    description: str = ""
    rounds: list[LoopRound] = Field(min_length=1)


class LoopsFile(_Strict):
    """``questions/loops.yaml``: the named mock-interview loops."""

    loops: list[Loop] = Field(min_length=1)
