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

if TYPE_CHECKING:
    from app.bank.problems import Problem

PLACEHOLDER_TITLE = "TODO: a short title"
PLACEHOLDERS: dict[str, Any] = {
    "time": "10m",
    "tags": ["todo"],
    "prompt": (
        "TODO: the question as the candidate sees it (Markdown).\n"
        "Embed artefacts such as logs, traces or code in fenced blocks.\n"
    ),
    "hints": ["TODO: a gentle hint", "TODO: a stronger hint"],
    "answer": "TODO: the model answer (Markdown).\n",
    "rubric": [
        {"point": "TODO: a key point a good answer makes", "weight": 2},
        {"point": "TODO: another key point", "weight": 1},
    ],
    "follow_ups": [
        {"question": "TODO: a question to ask next", "answer": "TODO: the answer to expect"},
    ],
    "references": ["TODO: an RFC section, a documentation URL or a paper"],
    "code": {
        "timeout": "10s",
        "python": {
            "starter": "def solve(data):\n    raise NotImplementedError  # TODO: the starter\n",
            "solution": "def solve(data):\n    return data  # TODO: the reference solution\n",
            "tests": (
                "import unittest\n\nfrom solution import solve\n\n\n"
                "class SolveTest(unittest.TestCase):\n"
                "    def test_todo_name_each_test_after_a_behaviour(self):\n"
                "        self.assertEqual(solve(1), 1)\n"
            ),
        },
    },
    "interviewer_notes": "TODO: what to listen for; hidden until the answer is revealed",
    "red_flags": ["TODO: an answer that should worry an interviewer"],
    "choices": [
        {"text": "TODO: a wrong option", "correct": False},
        {"text": "TODO: the right option", "correct": True},
    ],
}
"""Placeholder values: each one passes validation, and each one is easy to find again."""

_NEW_ID = re.compile(r"-new-\d+$")
_SLUG = re.compile(SLUG_PATTERN)


class ScaffoldError(Exception):
    """The question could not be added; the file was not changed."""


@dataclass(frozen=True)
class Scaffolded:
    path: Path
    question_id: str
    line: int
    """1-based line of the new question's ``- id:`` entry."""


def _placeholder_texts() -> set[str]:
    texts: set[str] = {PLACEHOLDER_TITLE, "todo"}

    def walk(value: Any) -> None:
        if isinstance(value, str):
            if value.startswith("TODO"):
                texts.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(PLACEHOLDERS)
    return texts


PLACEHOLDER_TEXTS = frozenset(_placeholder_texts())


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


def is_placeholder_id(question_id: str) -> bool:
    return bool(_NEW_ID.search(question_id))


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
    prefix = id_prefix(skill, own_ids)
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


def placeholder_warnings(path: Path) -> list[str]:
    """``path:line:col: warning: ...`` for each placeholder still in the file: ids that end in
    ``-new-N`` and fields still holding a placeholder that ``drillbit new`` wrote."""
    from app.bank.loader import read_text
    from app.bank.yamltree import parse

    text, _ = read_text(path)
    if text is None:
        return []
    tree = parse(text, str(path))
    questions = tree.data.get("questions") if isinstance(tree.data, dict) else None
    if not isinstance(questions, list):
        return []
    warnings: list[str] = []

    def warn(where: tuple[str | int, ...], message: str) -> None:
        line, column = tree.position(where)
        warnings.append(f"{path}:{line}:{column}: warning: {message}")

    def placeholders(value: Any, where: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
        if isinstance(value, str):
            return where if value in PLACEHOLDER_TEXTS else None
        items: Iterable[tuple[str | int, Any]] = ()
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, list):
            items = enumerate(value)
        for key, item in items:
            found = placeholders(item, (*where, key))
            if found is not None:
                return found
        return None

    for index, item in enumerate(questions):
        if not isinstance(item, dict):
            continue
        base = ("questions", index)
        question_id = item.get("id")
        if isinstance(question_id, str) and is_placeholder_id(question_id):
            warn(
                (*base, "id"),
                f"'{question_id}' is a placeholder id; name the question"
                " (ids are stable: rename before anyone practises it)",
            )
        for key, value in item.items():
            found = placeholders(value, (*base, key))
            if found is not None:
                warn(found, f"'{key}' still holds placeholder text")
    return warnings


def skill_file(first_bank: Path, skill: str) -> Path | None:
    """The file of ``skill`` in the first bank (a directory or one file), if it has one."""
    if first_bank.is_file():
        return first_bank if first_bank.stem == skill else None
    for suffix in (".yaml", ".yml"):
        candidate = first_bank / f"{skill}{suffix}"
        if candidate.is_file():
            return candidate
    return None


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


def _same_file(problem: Problem, path: Path) -> bool:
    try:
        return Path(problem.path).resolve() == path.resolve()
    except OSError:
        return False


def validate_file(directories: Iterable[Path], path: Path) -> list[Problem]:
    """The bank's problems that concern ``path``: its own, and duplicates of its ids."""
    from app.bank.loader import load_bank

    _, problems = load_bank(directories)
    return [
        problem
        for problem in problems
        if _same_file(problem, path) or f"already used at {path}:" in problem.message
    ]
