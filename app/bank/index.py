"""The bank's index: what picking and placing questions needs, without their text.

Kept free of pydantic and YAML so that a session started from the compiled cache imports
neither before its first screen.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from app.bank.problems import Problem

if TYPE_CHECKING:
    from app.bank.models import Loop, Question


class Placement(NamedTuple):
    """Where a question lives: its skill and the file and line that define it. A tuple: a 10k
    bank makes 10,000 of them at every start."""

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
        # Values that repeat across a bank are interned: the cache then pickles each once.
        return cls(
            question.id,
            sys.intern(skill),
            sys.intern(question.difficulty),
            tuple(sys.intern(tag) for tag in question.tags),
            question.time_seconds,
            sys.intern(question.kind),
            question.title,
        )


class Skill(NamedTuple):
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
    """A loaded file reduced to what assembling a bank needs (and what the cache stores).

    The index entries are kept as plain tuples, in columns beside their positions: that is
    what the cache unpickles at every start, and plain tuples unpickle about twice as fast as
    named ones."""

    path: Path
    header: tuple[str, str, str] | None
    """(skill, title, description) when the header is valid."""
    header_position: tuple[int, int]
    rows: list[tuple[str, str, str, tuple[str, ...], int, str, str]]
    """Each valid question's IndexEntry fields, in file order."""
    lines: list[int]
    columns: list[int]
    """The line and column of each question's id."""
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
        _add_entries(bank, slug, summary, problems)
    for path, loop_name, skill, line, column in loop_checks:
        if skill not in bank.skills:
            message = f"loop '{loop_name}' names the skill '{skill}', which no bank file defines"
            problems.append(Problem(str(path), line, column, message))
    return bank, problems


def _add_entries(bank: Bank, slug: str, summary: FileSummary, problems: list[Problem]) -> None:
    """Index one file's questions, reporting ids already taken."""
    ids = [row[0] for row in summary.rows]
    entries = map(IndexEntry._make, summary.rows)
    placements = map(Placement._make, zip(repeat(slug), repeat(summary.path), summary.lines))
    if bank.entries.keys().isdisjoint(ids) and len(set(ids)) == len(ids):
        # The usual case, in bulk: a 10k bank starts in a third of the time of one by one.
        bank.entries.update(zip(ids, entries, strict=True))
        bank.placements.update(zip(ids, placements, strict=True))
        return
    for entry, placement, column in zip(entries, placements, summary.columns, strict=True):
        if entry.id in bank.entries:
            first = bank.placements[entry.id]
            problems.append(
                Problem(
                    str(summary.path),
                    placement.line,
                    column,
                    f"duplicate id '{entry.id}': already used at {first.path}:{first.line}",
                )
            )
            continue
        bank.entries[entry.id] = entry
        bank.placements[entry.id] = placement


def bank_files(directories: Iterable[Path]) -> Iterator[Path]:
    """The YAML files of each directory (or the path itself where a file is named)."""
    for directory in directories:
        if directory.is_dir():
            yield from sorted(c for c in directory.iterdir() if c.suffix in (".yaml", ".yml"))
        else:
            yield directory
