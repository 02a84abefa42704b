"""Typed models of the question bank, the single source of its JSON Schema.

The models are frozen standard-library dataclasses. Pydantic validates them and generates the
schema (see ``app.bank.validation``), but this module never imports it: a session started from
the compiled cache unpickles its questions without paying for pydantic at all.

The constraints live in the annotations as small markers (``Rule``, ``Before``, ``After``)
that implement pydantic's ``__get_pydantic_core_schema__`` hook; with postponed annotations they
are only evaluated when a validator is built. Attribute docstrings become schema descriptions.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal, TypeVar

from app.bank.durations import DURATION_PATTERN, parse_duration
from app.bank.durations import format_duration as format_duration

_T = TypeVar("_T")

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")
Kind = Literal["concept", "scenario", "design", "debugging", "quick-fire", "behavioural", "coding"]
KINDS: tuple[Kind, ...] = (
    "concept",
    "scenario",
    "design",
    "debugging",
    "quick-fire",
    "behavioural",
    "coding",
)
Language = Literal["python", "go", "rust"]
LANGUAGES: tuple[Language, ...] = ("python", "go", "rust")
CODE_TIMEOUT_DEFAULT = "10s"
CODE_TIMEOUT_RANGE = (1, 120)
"""Seconds a coding exercise's run (compile and tests) may be given, at least and at most."""

# Pydantic's configuration for every model: unknown keys are errors; strictness is per field
# (see Rule), because a strict dataclass would refuse the plain mappings YAML gives.
PYDANTIC_CONFIG = {"extra": "forbid", "use_attribute_docstrings": True}


class Rule:
    """Constraints merged into the pydantic core schema of the annotated type, such as
    ``strict``, ``min_length``, ``pattern``, ``ge`` or ``le``."""

    def __init__(self, **constraints: Any) -> None:
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        return {**handler(source), **self.constraints}


class Before:
    """Runs ``function`` on the raw value before the annotated type validates it."""

    def __init__(self, function: Callable[[Any], Any], json_schema: Any = None) -> None:
        self.function = function
        self.json_schema = json_schema

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        inner = handler(source)
        return {
            "type": "function-before",
            "function": {"type": "no-info", "function": self.function},
            "schema": inner,
        }

    def __get_pydantic_json_schema__(self, schema: Any, handler: Callable[[Any], Any]) -> Any:
        generated = handler(schema)
        return self.json_schema(generated) if self.json_schema else generated


class After:
    """Runs ``function`` on the value once the annotated type has validated it."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        return {
            "type": "function-after",
            "function": {"type": "no-info", "function": self.function},
            "schema": handler(source),
        }


class FieldError(ValueError):
    """A rule of a whole model that concerns one of its fields, reported at that field."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


Slug = Annotated[str, Rule(strict=True, pattern=SLUG_PATTERN, max_length=80)]
Text = Annotated[str, Rule(strict=True, min_length=1)]

# Characters that show nothing yet change what a title means or matches: zero-width spaces and
# joiners, word joiners and invisible operators, bidi marks, fillers, tag characters. A zero
# width joiner inside an emoji sequence and the tags of a flag emoji draw something and are kept.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2060-\u2064"
    "\u3164\ufeff\uffa0\U000e0000-\U000e007f]"
)
_EMOJI_JOINED = re.compile(
    "(?<=[\u00a9\u00ae\u2000-\u3300\ufe0f\U0001f000-\U0001faff])\u200d(?=[\u2000-\u3300\U0001f000-\U0001faff])"
)
_FLAG_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def invisible_character(text: str) -> str | None:
    """The first character a title must not contain because it shows nothing, if any."""
    found = _INVISIBLE.search(_FLAG_TAGS.sub("", _EMOJI_JOINED.sub("", text)))
    return found.group() if found else None


def _visible(text: str) -> str:
    char = invisible_character(text)
    if char is not None:
        name = unicodedata.name(char, "an invisible character")
        raise ValueError(
            f"text contains the invisible character U+{ord(char):04X} ({name}); remove it"
        )
    return text


Title = Annotated[str, Rule(strict=True, min_length=1), After(_visible)]
"""A name people read and search for (questions, skills, loops, rounds): visible characters."""
OptionalText = Annotated[str, Rule(strict=True)] | None
Flag = Annotated[bool, Rule(strict=True)]


def _check_duration(text: str) -> str:
    parse_duration(text)
    return text


Duration = Annotated[str, Rule(strict=True, pattern=DURATION_PATTERN), After(_check_duration)]


def _follow_up_from_text(value: Any) -> Any:
    return {"question": value} if isinstance(value, str) else value


def _text_or(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "string", "minLength": 1}, schema]}


def model(cls: type[_T]) -> type[_T]:
    """Every model is a frozen, keyword-only dataclass with the shared pydantic configuration."""
    cls.__pydantic_config__ = PYDANTIC_CONFIG  # type: ignore[attr-defined]
    return dataclass(frozen=True, kw_only=True)(cls)


@model
class RubricPoint:
    """One key point a good answer makes, ticked by the candidate after the reveal."""

    point: Text
    """What the answer must say or do, checkable against the candidate's own answer."""
    weight: Annotated[int, Rule(strict=True, ge=1, le=10)] = 1
    """How much the point counts, relative to the others (1 to 10)."""


@model
class Choice:
    """One option of a quick-fire multiple-choice question."""

    text: Text
    """The option as the candidate reads it."""
    correct: Flag = False
    """true for a right option (at least one must be); write true or false."""


@model
class FollowUp:
    """A question the interviewer may ask next, optionally with its answer."""

    question: Text
    """What the interviewer asks next (Markdown)."""
    answer: OptionalText = None
    """The answer to expect, shown after the reveal (Markdown)."""


@model
class LanguageCode:
    """One language of a coding exercise: what the candidate starts from, the reference and the tests."""

    starter: Text
    """Compiles or imports, and fails at least one test."""
    solution: Text
    """The reference solution, shown after the reveal; passes every test."""
    tests: Text
    """Python: a unittest module importing ``solution``; Go: a ``package solution`` _test.go
    file; Rust: a ``mod tests`` appended to the code under ``#[cfg(test)]``."""


@model
class CodeBlock:
    """The runnable part of a coding exercise: the languages it offers and the run's timeout."""

    timeout: Duration = CODE_TIMEOUT_DEFAULT
    """Wall-clock limit of one run (compile and tests), 1s to 120s; default 10s."""
    python: LanguageCode | None = None
    """Python 3.11, standard library only: solution.py and a unittest module."""
    go: LanguageCode | None = None
    """Go 1.19, standard library only: package solution and a _test.go file."""
    rust: LanguageCode | None = None
    """Rust 1.63 (edition 2021), standard library only: the code and a mod tests."""

    def __post_init__(self) -> None:
        if not self.languages:
            raise ValueError("code needs at least one language (python, go or rust)")
        low, high = CODE_TIMEOUT_RANGE
        if not low <= parse_duration(self.timeout) <= high:
            raise FieldError("timeout", f"code timeout must be between {low}s and {high}s")

    @property
    def languages(self) -> dict[Language, LanguageCode]:
        """The languages offered, in the order python, go, rust."""
        found = {language: getattr(self, language) for language in LANGUAGES}
        return {language: code for language, code in found.items() if code is not None}

    @property
    def timeout_seconds(self) -> int:
        return parse_duration(self.timeout)


@model
class Question:
    """One interview question, as a curator writes it in a bank file."""

    id: Slug
    """Unique, stable slug across the bank; history keys on it."""
    title: Title
    """A short title, shown in lists and above the prompt."""
    difficulty: Difficulty
    """easy, medium or hard, for the role's level."""
    time: Duration
    """A time budget such as 90s, 8m, 1h or 1h30m."""
    kind: Kind = "concept"
    """concept, scenario, design, debugging, quick-fire, behavioural or coding."""
    tags: Annotated[list[Text], Rule(strict=True)] = field(default_factory=list)
    """Topics for filtering with --tag, such as [tcp, tls]."""
    prompt: Text
    """The question as the candidate sees it (Markdown)."""
    hints: Annotated[list[Text], Rule(strict=True)] = field(default_factory=list)
    """From gentle to strong."""
    answer: Text
    """The model answer (Markdown)."""
    rubric: Annotated[list[RubricPoint], Rule(strict=True)] = field(default_factory=list)
    """Key points a good answer makes, each one checkable claim with a weight."""
    follow_ups: Annotated[
        list[Annotated[FollowUp, Before(_follow_up_from_text, _text_or)]], Rule(strict=True)
    ] = field(default_factory=list)
    """Markdown strings, or {question, answer} mappings."""
    references: Annotated[list[Text], Rule(strict=True)] = field(default_factory=list)
    """Where the facts come from: RFC sections, official documentation, papers."""
    interviewer_notes: OptionalText = None
    """Hidden from candidates until the answer is revealed."""
    red_flags: Annotated[list[Text], Rule(strict=True)] = field(default_factory=list)
    """Answers that should worry an interviewer."""
    choices: Annotated[list[Choice], Rule(strict=True)] | None = None
    """For quick-fire multiple choice; graded automatically."""
    code: CodeBlock | None = None
    """For kind coding (and only for it): starter, solution and tests per language."""

    def __post_init__(self) -> None:
        # Pydantic reports a ValueError raised here like any other validation error; the
        # loader places a FieldError at its field.
        if self.kind == "coding" and self.code is None:
            raise FieldError("kind", "kind coding needs a code block")
        if self.code is not None and self.kind != "coding":
            raise FieldError("code", f"code is only for kind coding, not {self.kind}")
        if self.kind == "coding" and self.choices is not None:
            raise FieldError("choices", "a coding exercise has no choices")
        if self.choices is not None:
            if len(self.choices) < 2:
                raise FieldError("choices", "choices needs at least two options")
            if not any(choice.correct for choice in self.choices):
                raise FieldError("choices", "choices needs at least one option with correct: true")

    @cached_property
    def time_seconds(self) -> int:
        return parse_duration(self.time)

    @cached_property
    def content_hash(self) -> str:
        """A short hash of everything the question says; changes when a curator edits it."""
        import hashlib  # here, not at the top: it loads OpenSSL, and a start does not need it

        canonical = json.dumps(as_data(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    @property
    def rubric_weight(self) -> int:
        return sum(point.weight for point in self.rubric)


def as_data(value: Any) -> dict[str, Any]:
    """A model as plain JSON-ready data: mappings, lists, text, numbers, booleans and None."""
    return dataclasses.asdict(value)


@model
class SkillFile:
    """A bank file: a skill and its questions. A skill is one file ``<skill>.yaml``, or a
    directory ``<skill>/`` of such files, or both; exactly one file (``<skill>.yaml``, else
    ``<skill>/_skill.yaml``) carries the skill's title and description."""

    skill: Slug
    """The skill's slug: the file name without .yaml, or the name of the skill directory."""
    title: Title | None = None
    """The skill's name as shown on the home screen. Only in <skill>.yaml or _skill.yaml."""
    description: Text | None = None
    """What the skill covers, in a sentence or two. Only beside the title."""
    questions: Annotated[list[Question], Rule(strict=True)] = field(default_factory=list)
    """The questions, in the order a curator reads them."""


@model
class SkillHeader:
    """The top level of a bank file without its questions, validated on its own."""

    skill: Slug
    title: Title | None = None
    description: Text | None = None
    questions: Annotated[list[Any], Rule(strict=True)] = field(default_factory=list)


@model
class LoopRound:
    """One round of a mock-interview loop: a time box, what it draws from, and a break after.

    The planner fills the round with questions up to its time and never beyond it."""

    title: Title
    """The round's name, shown when it starts (for example: Systems design)."""
    time: Duration
    """The round's length, such as 45m or 1h; its questions never add up to more."""
    skills: Annotated[list[Slug], Rule(strict=True)] = field(default_factory=list)
    """The skills the round draws from; leave out to draw from every skill."""
    kinds: Annotated[list[Kind], Rule(strict=True)] = field(default_factory=list)
    """The kinds of question the round asks (design, scenario, coding, behavioural...);
    leave out for every kind except quick-fire and coding (and behavioural, when the round
    names no skills)."""
    difficulty: Difficulty | None = None
    """Only questions of this difficulty; leave out for any."""
    count: Annotated[int, Rule(strict=True, ge=1, le=20)] | None = None
    """At most this many questions; leave out to fill the round's time."""
    break_after: Duration | None = None
    """A break after the round, such as 10m, before the next one starts."""

    @cached_property
    def time_seconds(self) -> int:
        return parse_duration(self.time)

    @cached_property
    def break_seconds(self) -> int:
        return parse_duration(self.break_after) if self.break_after else 0


@model
class Loop:
    """A named mock-interview loop, such as a phone screen or an onsite."""

    name: Slug
    """The loop's slug, as given to drillbit practice --loop NAME."""
    title: Title
    """The loop's name as shown on screen."""
    description: Annotated[str, Rule(strict=True)] = ""
    """What the loop is for, in a sentence."""
    rounds: Annotated[list[LoopRound], Rule(strict=True, min_length=1)]
    """The rounds, in the order they run."""


@model
class LoopsFile:
    """``loops.yaml``: the named mock-interview loops of a bank."""

    loops: Annotated[list[Loop], Rule(strict=True, min_length=1)]
    """The loops, each with its rounds."""
