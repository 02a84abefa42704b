"""The bank's index: what picking and placing questions needs, without their text.

Kept free of pydantic and YAML so that a session started from the compiled cache imports
neither before its first screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from app.bank.problems import Problem

if TYPE_CHECKING:
    from app.bank.models import Loop, Question


@dataclass(frozen=True)
class Placement:
    """Where a question lives: its skill and the file and line that define it."""

    skill: str
    path: Path
    line: int


class IndexEntry(NamedTuple):
    """What picking a question needs, without its text. A tuple: cheap to cache and load."""

    id: str
    skill: str
    difficulty: str
    tags: tuple[str, ...]
    time_seconds: int
    kind: str
    title: str

    @classmethod
    def of(cls, question: Question, skill: str) -> IndexEntry:
        return cls(
            question.id,
            skill,
            question.difficulty,
            tuple(question.tags),
            question.time_seconds,
            question.kind,
            question.title,
        )


@dataclass(frozen=True)
class Skill:
    slug: str
    title: str
    description: str
    path: Path


@dataclass
class Bank:
    """Every valid question of one or more bank directories, in file order."""

    skills: dict[str, Skill] = field(default_factory=dict)
    questions: Mapping[str, Question] = field(default_factory=dict)
    """Full questions by id. From the cache this mapping loads each question on first use."""
    placements: dict[str, Placement] = field(default_factory=dict)
    loops: dict[str, Loop] = field(default_factory=dict)
    entries: dict[str, IndexEntry] = field(default_factory=dict)
    """The index: everything a session needs to pick questions, in bank order."""

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self.entries

    def index(self) -> list[IndexEntry]:
        return list(self.entries.values())

    def skill_of(self, question_id: str) -> str:
        return self.placements[question_id].skill

    def select(
        self,
        skills: Iterable[str] = (),
        difficulty: str | None = None,
        tags: Iterable[str] = (),
        ids: Iterable[str] = (),
    ) -> list[Question]:
        """Questions matching every filter given (skills: any of; tags: all of)."""
        wanted_skills, wanted_tags, wanted_ids = set(skills), set(tags), set(ids)
        return [
            self.questions[entry.id]
            for entry in self.entries.values()
            if (not wanted_skills or entry.skill in wanted_skills)
            and (difficulty is None or entry.difficulty == difficulty)
            and wanted_tags <= set(entry.tags)
            and (not wanted_ids or entry.id in wanted_ids)
        ]


@dataclass
class FileSummary:
    """A loaded file reduced to what assembling a bank needs (and what the cache stores)."""

    path: Path
    header: tuple[str, str, str] | None
    """(skill, title, description) when the header is valid."""
    header_position: tuple[int, int]
    entries: list[tuple[IndexEntry, int, int]]
    """Each valid question's index entry and the line and column of its id."""
    loops: list[Loop]
    loop_skill_positions: dict[tuple[str, str], tuple[int, int]]
    problems: list[Problem]


def assemble_index(files: Iterable[FileSummary]) -> tuple[Bank, list[Problem]]:
    """The bank's skills, index, placements and loops, without question text."""
    bank = Bank()
    problems: list[Problem] = []
    loop_checks: list[tuple[Path, str, str, int, int]] = []
    for summary in files:
        problems.extend(summary.problems)
        for loop in summary.loops:
            bank.loops[loop.name] = loop
        for (loop_name, skill), (line, column) in summary.loop_skill_positions.items():
            loop_checks.append((summary.path, loop_name, skill, line, column))
        if summary.header is None:
            continue
        slug, title, description = summary.header
        if slug in bank.skills:
            other = bank.skills[slug].path
            line, column = summary.header_position
            message = f"skill '{slug}' is also defined in {other}"
            problems.append(Problem(str(summary.path), line, column, message))
            continue
        bank.skills[slug] = Skill(slug, title, description, summary.path)
        for entry, line, column in summary.entries:
            if entry.id in bank.entries:
                first = bank.placements[entry.id]
                problems.append(
                    Problem(
                        str(summary.path),
                        line,
                        column,
                        f"duplicate id '{entry.id}': already used at {first.path}:{first.line}",
                    )
                )
                continue
            bank.entries[entry.id] = entry
            bank.placements[entry.id] = Placement(slug, summary.path, line)
    for path, loop_name, skill, line, column in loop_checks:
        if skill not in bank.skills:
            message = f"loop '{loop_name}' names the skill '{skill}', which no bank file defines"
            problems.append(Problem(str(path), line, column, message))
    return bank, problems


def bank_files(directories: Iterable[Path]) -> Iterator[Path]:
    """The YAML files of each directory (or the path itself where a file is named)."""
    for directory in directories:
        if directory.is_dir():
            yield from sorted(c for c in directory.iterdir() if c.suffix in (".yaml", ".yml"))
        else:
            yield directory
