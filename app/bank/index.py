"""The bank's index: what picking and placing questions needs, without their text.

Kept free of pydantic and YAML so that a session started from the compiled cache imports
neither before its first screen.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Iterator, Mapping
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

    def tags(self) -> set[str]:
        return {tag for entry in self.entries.values() for tag in entry.tags}

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
    header: tuple[str, str | None, str | None] | None
    """(skill, title, description) when the header is valid; a part file of a skill directory
    has no title and description."""
    header_position: tuple[int, int]
    title_position: tuple[int, int]
    rows: list[tuple[str, str, str, tuple[str, ...], int, str, str]]
    """Each valid question's IndexEntry fields, in file order."""
    lines: list[int]
    columns: list[int]
    """The line and column of each question's id."""
    loops: list[Loop]
    loop_skill_positions: dict[tuple[str, str], tuple[int, int]]
    problems: list[Problem]


def skill_home(path: Path, skill: str) -> Path:
    """The bank directory a skill's file belongs to: a part file in ``<bank>/<skill>/`` belongs
    to ``<bank>``, a single ``<bank>/<skill>.yaml`` to ``<bank>``."""
    return path.parent.parent if path.parent.name == skill else path.parent


def assemble_index(
    files: Iterable[FileSummary], known_skills: Collection[str] = ()
) -> tuple[Bank, list[Problem]]:
    """The bank's skills, index, placements and loops, without question text.

    A skill may spread over ``<skill>.yaml`` and the files of ``<skill>/``: exactly one of
    them (``<skill>.yaml`` or ``<skill>/_skill.yaml``) carries its title and description. The
    same skill in two banks is an error.
    """
    bank = Bank()
    problems: list[Problem] = []
    loop_checks: list[tuple[Path, str, str, int, int]] = []
    homes: dict[str, Path] = {}
    carriers: dict[str, FileSummary] = {}
    first_file: dict[str, FileSummary] = {}
    for summary in files:
        problems.extend(summary.problems)
        for loop in summary.loops:
            bank.loops[loop.name] = loop
        for (loop_name, skill), (line, column) in summary.loop_skill_positions.items():
            loop_checks.append((summary.path, loop_name, skill, line, column))
        if summary.header is None:
            continue
        slug, title, description = summary.header
        home = skill_home(summary.path, slug)
        if slug in homes and homes[slug] != home:
            other = first_file[slug].path
            line, column = summary.header_position
            message = f"skill '{slug}' is also defined in {other}"
            problems.append(Problem(str(summary.path), line, column, message))
            continue
        if slug not in homes:
            homes[slug] = home
            first_file[slug] = summary
            # A stand-in until the file with the title comes: keeps the skills in file order.
            bank.skills[slug] = Skill(slug, slug, "", summary.path)
        if title is not None:
            if slug in carriers:
                line, column = summary.title_position
                message = (
                    f"the title and description of skill '{slug}' are already in"
                    f" {carriers[slug].path}; keep them in one file"
                )
                problems.append(Problem(str(summary.path), line, column, message))
            else:
                carriers[slug] = summary
                bank.skills[slug] = Skill(slug, title, description or "", summary.path)
        _add_entries(bank, slug, summary, problems)
    for slug, first in first_file.items():
        if slug in carriers:
            continue
        if not _carrier_elsewhere(first.path, slug):
            line, column = first.header_position
            message = (
                f"skill '{slug}' has no title and description: write them in {slug}.yaml,"
                f" or in {slug}/_skill.yaml when the skill is only a directory"
            )
            problems.append(Problem(str(first.path), line, column, message))
    for path, loop_name, skill, line, column in loop_checks:
        if skill not in bank.skills and skill not in known_skills:
            message = f"loop '{loop_name}' names the skill '{skill}', which no bank file defines"
            problems.append(Problem(str(path), line, column, message))
    return bank, problems


def _carrier_elsewhere(path: Path, skill: str) -> bool:
    """Whether a file that would carry the skill's title exists but was not loaded: a part
    file validated on its own, beside ``_skill.yaml`` or ``<skill>.yaml``."""
    home = skill_home(path, skill)
    candidates = [home / f"{skill}.yaml", home / f"{skill}.yml", home / skill / "_skill.yaml"]
    return any(candidate != path and candidate.is_file() for candidate in candidates)


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


SKILL_HEADER_FILE = "_skill.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


def bank_files(directories: Iterable[Path]) -> Iterator[Path]:
    """The YAML files of each bank directory (or the path itself where a file is named).

    A bank directory holds ``<skill>.yaml`` files and ``<skill>/`` directories of more YAML
    files (``_skill.yaml`` first); nothing deeper is read. Each skill's single file comes just
    before its directory. A directory that cannot be listed is yielded as it is, for the loader
    to report.
    """
    for directory in directories:
        children = _children(directory)
        if children is None:
            yield directory
            continue
        entries: list[tuple[str, int, Path]] = []
        for child in children:
            if child.suffix in YAML_SUFFIXES and not _is_dir(child):
                entries.append((child.stem, 0, child))
            elif _is_dir(child) and not child.name.startswith((".", "_")):
                entries.append((child.name, 1, child))
        for _, is_directory, child in sorted(entries):
            if not is_directory:
                yield child
                continue
            parts = [
                part
                for part in _children(child) or ()
                if part.suffix in YAML_SUFFIXES and not _is_dir(part)
            ]
            yield from sorted(parts, key=lambda part: (part.name != SKILL_HEADER_FILE, part.name))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _children(directory: Path) -> list[Path] | None:
    """The entries of ``directory``, or None when it is not a directory we can list."""
    if not _is_dir(directory):
        return None
    try:
        return list(directory.iterdir())
    except OSError:
        return None


def skill_directories(directories: Iterable[Path]) -> Iterator[Path]:
    """The skill directories inside bank directories (what ``watch`` watches for new files)."""
    for directory in directories:
        for child in _children(directory) or ():
            if _is_dir(child) and not child.name.startswith((".", "_")):
                yield child
