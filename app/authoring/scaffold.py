"""Scaffold a new question into a skill file, keeping the file's comments and formatting.

The question is appended with ruamel.yaml's round-trip loader and dumper. The result is then
checked to be the original text with one chunk inserted; should the round trip have normalised
anything else (odd spacing, a flow list written ``[a,  b]``), the chunk ruamel.yaml wrote is
spliced into the untouched original text instead. Either way every byte of the file outside the
new question stays as it was.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

from app.bank.models import SLUG_PATTERN
from app.bank.placeholders import PLACEHOLDER_TITLE, PLACEHOLDERS

if TYPE_CHECKING:
    from app.bank.problems import Problem


_SLUG = re.compile(SLUG_PATTERN)


class ScaffoldError(Exception):
    """The question could not be added; the file was not changed."""


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    question_id: str
    line: int
    """1-based line of the new question's ``- id:`` entry."""


def id_prefix(skill: str, ids: Iterable[str]) -> str:
    """The prefix the skill's ids share (``net`` for ``net-tcp-...``), else the skill itself."""
    firsts = Counter(question_id.split("-", 1)[0] for question_id in ids if "-" in question_id)
    if firsts:
        # The most common first segment; ties go to the one seen first.
        return firsts.most_common(1)[0][0]
    return skill


def fresh_id(prefix: str, taken: Iterable[str]) -> str:
    """``<prefix>-new-<n>`` with the smallest ``n`` not already used."""
    used = set(taken)
    number = 1
    while f"{prefix}-new-{number}" in used:
        number += 1
    return f"{prefix}-new-{number}"


def _yaml(mapping: int = 2, sequence: int = 4, offset: int = 2) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _block(value: Any) -> Any:
    """A plain value as ruamel.yaml round-trip nodes, in the bank's usual style."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _block(item)
        return mapping
    if isinstance(value, list):
        seq = CommentedSeq(_block(item) for item in value)
        if all(isinstance(item, str) and len(item) < 20 for item in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def new_question(
    question_id: str,
    *,
    title: str | None = None,
    difficulty: str = "medium",
    kind: str = "concept",
) -> CommentedMap:
    """Every field of a question, filled with placeholders that pass validation."""
    fields: dict[str, Any] = {
        "id": question_id,
        "title": title or PLACEHOLDER_TITLE,
        "difficulty": difficulty,
        "time": "1m" if kind == "quick-fire" else PLACEHOLDERS["time"],
        "kind": kind,
    }
    for key in (
        "tags",
        "prompt",
        "hints",
        "answer",
        "rubric",
        "follow_ups",
        "references",
        "interviewer_notes",
        "red_flags",
    ):
        fields[key] = PLACEHOLDERS[key]
    if kind == "quick-fire":
        fields["choices"] = PLACEHOLDERS["choices"]
    if kind == "coding":
        fields["code"] = PLACEHOLDERS["code"]
    return _block(fields)


def raw_ids(data: Any) -> list[str]:
    """The ids written in a parsed skill file, valid questions or not."""
    questions = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(questions, list):
        return []
    return [
        str(item["id"])
        for item in questions
        if isinstance(item, dict) and item.get("id") is not None
    ]


def _indentation(text: str, seq: CommentedSeq) -> tuple[int, int]:
    """(sequence, offset) as the file writes the items of ``questions``."""
    if not seq or seq.fa.flow_style():
        return 4, 2
    line, column = seq.lc.item(0)
    lines = text.splitlines()
    if line >= len(lines):
        return 4, 2
    dash = lines[line].find("-")
    if dash < 0 or dash >= column:
        return 4, 2
    return column, dash


def _splice_position(text: str, root: CommentedMap) -> int:
    """Where the ``questions`` block ends in ``text``: before the next top-level key (and the
    comments and blank lines just above it), or the end of the file."""
    keys = list(root)
    after = keys[keys.index("questions") + 1 :]
    if not after:
        return len(text)
    next_line = root.lc.key(after[0])[0]
    lines = text.splitlines(keepends=True)
    start = next_line
    while start > 0 and (not lines[start - 1].strip() or lines[start - 1].startswith("#")):
        start -= 1
    return sum(len(line) for line in lines[:start])


def _inserted(original: str, result: str) -> tuple[int, str] | None:
    """``(k, chunk)`` when ``result == original[:k] + chunk + original[k:]``, else None."""
    prefix = 0
    limit = min(len(original), len(result))
    while prefix < limit and original[prefix] == result[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < len(original) - prefix
        and suffix < len(result) - prefix
        and original[-1 - suffix] == result[-1 - suffix]
    ):
        suffix += 1
    if prefix + suffix != len(original):
        return None
    return prefix, result[prefix : len(result) - suffix]


def append_question(text: str, question: CommentedMap, source: str = "<bank>") -> str:
    """``text`` (a skill file, ``\\n`` line endings) with ``question`` appended to its questions.

    Raises :class:`ScaffoldError` when the file cannot take a question as it stands.
    """
    try:
        root = _yaml().load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ScaffoldError(
            f"{where}: the file is not valid YAML; fix it first (drillbit validate)"
        ) from None
    if not isinstance(root, CommentedMap):
        raise ScaffoldError(f"{source}: the top level must be a mapping with a questions list")
    questions = root.get("questions")
    if questions is None:
        questions = CommentedSeq()
        root["questions"] = questions
    if not isinstance(questions, CommentedSeq):
        raise ScaffoldError(f"{source}: 'questions' must be a list")
    empty_or_flow = not questions or questions.fa.flow_style()
    if empty_or_flow:
        questions.fa.set_block_style()
    sequence, offset = _indentation(text, questions)
    yaml = _yaml(sequence=sequence, offset=offset)
    questions.append(question)
    result = _dump(yaml, root)
    if empty_or_flow or _inserted(text, result) is not None:
        return result
    # The round trip changed more than the appended question: splice the chunk ruamel.yaml
    # wrote for the question alone into the original text, which stays byte for byte.
    chunk = _dump(yaml, {"questions": CommentedSeq([question])}).split("\n", 1)[1]
    position = _splice_position(text, root)
    before, after = text[:position], text[position:]
    if before and not before.endswith("\n"):
        before += "\n"
    return before + chunk + after


def question_line(text: str, question_id: str) -> int:
    """The 1-based line of the question with ``question_id`` (of its ``id`` key)."""
    root = _yaml().load(text)
    for index, item in enumerate(root["questions"]):
        if isinstance(item, dict) and item.get("id") == question_id:
            return seq_line(root["questions"], index)
    raise ScaffoldError(f"question '{question_id}' not found after writing it")


def seq_line(seq: CommentedSeq, index: int) -> int:
    return int(seq.lc.item(index)[0]) + 1


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename. An existing file keeps its permission bits
    (and a symlink its target); a new one gets the usual ones (0666 less the umask)."""
    if path.is_symlink():
        path = path.resolve()
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(partial, mode)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def scaffold(
    path: Path,
    skill: str,
    taken_ids: Iterable[str],
    *,
    title: str | None = None,
    difficulty: str = "medium",
    kind: str = "concept",
    skill_ids: Iterable[str] = (),
) -> Scaffolded:
    """Append a new question to the skill file at ``path`` and return where it went.

    ``taken_ids`` are the ids used anywhere in the bank; the new id is unique among them and
    among the ids written in this file.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ScaffoldError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScaffoldError(f"{path}: the file is not UTF-8; fix it first") from None
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    try:
        parsed = _yaml().load(text)
    except YAMLError:
        parsed = None
    own_ids = raw_ids(parsed)
    prefix = id_prefix(skill, own_ids or skill_ids)
    if not _SLUG.match(prefix):
        prefix = skill
    question_id = fresh_id(prefix, [*taken_ids, *own_ids])
    question = new_question(question_id, title=title, difficulty=difficulty, kind=kind)
    result = append_question(text, question, str(path))
    line = question_line(result, question_id)
    if crlf:
        result = result.replace("\n", "\r\n")
    if bom:
        result = "\ufeff" + result
    try:
        write_atomically(path, result.encode("utf-8"))
    except OSError as error:
        raise ScaffoldError(f"{path}: cannot write: {error.strerror or error}") from None
    return Scaffolded(path, question_id, line)


def skill_file(first_bank: Path, skill: str) -> Path | None:
    """The file of the first bank (a directory or one file) that a new question of ``skill``
    goes into: the skill's single file, else the last file of its directory, else None."""
    from app.bank.index import SKILL_HEADER_FILE, YAML_SUFFIXES

    if first_bank.is_file():
        return first_bank if skill in (first_bank.stem, first_bank.parent.name) else None
    for suffix in YAML_SUFFIXES:
        candidate = first_bank / f"{skill}{suffix}"
        if candidate.is_file():
            return candidate
    directory = first_bank / skill
    if directory.is_dir():
        parts = sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES)
        others = [part for part in parts if part.name != SKILL_HEADER_FILE]
        if others or parts:
            return (others or parts)[-1]
    return None


NEW_SKILL = """\
# yaml-language-server: $schema=schema.json
skill: {skill}
title: "{title}"
description: "{description}"
questions: []
"""


ROOM_FOR_A_QUESTION = 64 * 1024
"""Room kept below the 1 MiB limit for the question ``new`` appends, placeholders and all."""

PART_FILE = """\
# yaml-language-server: $schema=../schema.json
skill: {skill}
questions: []
"""


def file_with_room(path: Path, skill: str) -> Path:
    """``path``, or a new file in the skill's directory when ``path`` is too close to the
    1 MiB limit to take another question."""
    from app.bank.loader import MAX_FILE_BYTES

    try:
        if path.stat().st_size + ROOM_FOR_A_QUESTION <= MAX_FILE_BYTES:
            return path
    except OSError:
        return path  # scaffold reports it
    directory = path.parent if path.parent.name == skill else path.parent / skill
    directory.mkdir(exist_ok=True)
    number = 1
    while (directory / f"more-{number}.yaml").exists():
        number += 1
    part = directory / f"more-{number}.yaml"
    write_atomically(part, PART_FILE.format(skill=skill).encode("utf-8"))
    return part


def start_skill(bank: Path, skill: str) -> Path:
    """Create the bank directory (with the schemas editors use) and the skill's file, its
    title and description placeholders to fill in. Raises OSError."""
    from app.bank.placeholders import SKILL_DESCRIPTION, SKILL_TITLE
    from app.bank.schema import (
        LOOPS_SCHEMA_FILE,
        SKILL_SCHEMA_FILE,
        loops_schema_text,
        schema_text,
    )

    bank.mkdir(parents=True, exist_ok=True)
    for name, text in (
        (SKILL_SCHEMA_FILE, schema_text()),
        (LOOPS_SCHEMA_FILE, loops_schema_text()),
    ):
        if not (bank / name).exists():
            write_atomically(bank / name, text.encode("utf-8"))
    path = bank / f"{skill}.yaml"
    text = NEW_SKILL.format(skill=skill, title=SKILL_TITLE, description=SKILL_DESCRIPTION)
    write_atomically(path, text.encode("utf-8"))
    return path


def bank_raw_ids(directories: Iterable[Path]) -> set[str]:
    """Every id written anywhere in the bank, in valid questions or not."""
    from app.bank.loader import bank_files, read_text
    from app.bank.yamltree import parse

    ids: set[str] = set()
    for path in bank_files(list(directories)):
        text, _ = read_text(path)
        if text is not None:
            ids.update(raw_ids(parse(text, str(path)).data))
    return ids


def _inside(path: Path, directory: Path) -> bool:
    try:
        return path.resolve().is_relative_to(directory.resolve())
    except (OSError, RuntimeError):
        return False


def _same_file(problem: Problem, path: Path) -> bool:
    try:
        return Path(problem.path).resolve() == path.resolve()
    except OSError:
        return False


def validate_file(directories: Iterable[Path], path: Path) -> list[Problem]:
    """The bank's problems that concern ``path``: its own, and duplicates of its ids."""
    from app.bank.loader import load_bank

    directories = list(directories)
    if not any(_inside(path, directory) for directory in directories):
        directories.append(path)
    _, problems = load_bank(directories)
    return [
        problem
        for problem in problems
        if _same_file(problem, path) or f"already used at {path}:" in problem.message
    ]
