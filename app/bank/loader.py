"""Load bank files into validated models, or into located problems. Never raises on bad input."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from app.bank.index import (
    SKILL_HEADER_FILE,
    Bank,
    FileSummary,
    IndexEntry,
    Placement,
    Skill,
    assemble_index,
    bank_files,
)
from app.bank.models import (
    DIFFICULTIES,
    KINDS,
    FieldError,
    Loop,
    LoopsFile,
    Question,
    SkillHeader,
)
from app.bank.placeholders import PLACEHOLDER_TEXTS, is_placeholder_id
from app.bank.problems import Problem
from app.bank.validation import ValidationError, validate

__all__ = ["Bank", "FileSummary", "IndexEntry", "LoadedFile", "Placement", "Skill", "load_bank"]
from app.bank.yamltree import Tree, parse
from app.textfmt import did_you_mean

MAX_FILE_BYTES = 1024 * 1024
LOOPS_FILE = "loops.yaml"


@dataclass
class LoadedFile:
    """What one bank file gave: its header, its valid questions and its problems."""

    path: Path
    header: SkillHeader | None = None
    header_position: tuple[int, int] = (1, 1)
    title_position: tuple[int, int] = (1, 1)
    questions: list[tuple[Question, tuple[int, int]]] = field(default_factory=list)
    """Each valid question with the position of its id."""
    loops: list[Loop] = field(default_factory=list)
    loop_skill_positions: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------------


def _position_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def _too_large(path: Path) -> str:
    """What to do with a file over the limit, in the format that exists: a skill directory."""
    directory = path.with_suffix("")
    return (
        "the file is larger than 1 MiB; spread the skill over several files: move questions"
        f" into {directory}/ (any file name, each holding only skill: and questions:), or,"
        " when this file is already in a skill's directory, into another file beside it"
    )


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text, or the problem that stops it being read. Only regular files are read,
    and never more than 1 MiB of them (a FIFO or /dev/zero must not hang or fill memory)."""
    data, problems = read_bank_bytes(path)
    if data is None:
        return None, problems
    return decode_text(data, path)


def read_bank_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes (at most 1 MiB), or the problem that stops them being read."""
    from app.fileio import NotRegularFileError, TooLargeError, read_bounded

    try:
        return read_bounded(path, MAX_FILE_BYTES), []
    except IsADirectoryError:
        message = "is a directory, not a bank file"
    except NotRegularFileError:
        message = "not a regular file (a FIFO, device or socket); bank files are plain files"
    except TooLargeError:
        message = _too_large(path)
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
    return None, [Problem(str(path), 1, 1, message)]


def decode_text(data: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    name = str(path)
    if not data.strip():
        message = (
            "the file is empty; a bank file needs skill and questions (and a title and description)"
        )
        return None, [Problem(name, 1, 1, message)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position_of_offset(data, error.start)
        message = f"the file is not UTF-8 (byte 0x{data[error.start]:02x})"
        return None, [Problem(name, line, column, message)]
    return text.removeprefix("\ufeff"), []


# -- pydantic errors in plain English --------------------------------------------------------


def _describe_value(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    return type(value).__name__


_YAML_TRAP = {
    True: "unquoted true and false are booleans in YAML; quote the text",
    False: "unquoted true and false are booleans in YAML; quote the text",
}
_YAML11_BOOLEANS = frozenset({"yes", "no", "on", "off", "y", "n"})


def _trap_hint(value: Any) -> str:
    if isinstance(value, bool):
        return f" ({_YAML_TRAP[value]})"
    if isinstance(value, float):
        return " (YAML reads this as a number; quote it to keep it as text)"
    if isinstance(value, int):
        return " (YAML reads this as a number; quote it to keep it as text)"
    return ""


def _field_name(loc: tuple[Any, ...]) -> str:
    names = [str(part) for part in loc if isinstance(part, str)]
    return names[-1] if names else "value"


# An unknown key: pydantic names it so for dataclasses, and extra_forbidden for models.
_UNKNOWN_KEY = ("unexpected_keyword_argument", "extra_forbidden")


def _message(error: dict[str, Any], model: type[Any]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    value = error.get("input")
    name = _field_name(loc)
    if kind == "missing":
        return f"missing required field '{name}'"
    if kind in _UNKNOWN_KEY:
        allowed = _allowed_keys(model, loc[:-1])
        return f"unknown key '{loc[-1]}'{did_you_mean(str(loc[-1]), allowed)}"
    if kind == "literal_error":
        options = ", ".join(_literal_options(name))
        return f"{name} must be one of {options}, not {_describe_value(value)}{_trap_hint(value)}"
    if kind in ("string_type", "str_type"):
        return f"{name} must be text, not {_describe_value(value)}{_trap_hint(value)}"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "string_pattern_mismatch":
        if name == "time":
            return (
                f"time must be a duration like 90s, 8m, 1h or 1h30m, not {_describe_value(value)}"
            )
        return (
            f"{name} must be a slug (lowercase letters, digits and single hyphens),"
            f" not {_describe_value(value)}"
        )
    if kind == "list_type":
        return f"{name} must be a list, not {_describe_value(value)}"
    if kind in ("dataclass_type", "model_type", "model_attributes_type", "dict_type"):
        return f"{name} must be a mapping, not {_describe_value(value)}"
    if kind in ("int_type", "int_parsing"):
        return f"{name} must be a whole number, not {_describe_value(value)}"
    if kind in ("bool_type", "bool_parsing"):
        hint = ""
        if isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
            hint = (
                " (drillbit reads YAML 1.2, as editors do: yes, no, on and off are text there;"
                " write true or false)"
            )
        return f"{name} must be true or false, not {_describe_value(value)}{hint}"
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = error.get("ctx", {}).get("ge", error.get("ctx", {}).get("le"))
        relation = "at least" if kind == "greater_than_equal" else "at most"
        return f"{name} must be {relation} {limit}, not {_describe_value(value)}"
    if kind == "too_short":
        return f"{name} needs at least {error.get('ctx', {}).get('min_length', 1)} item(s)"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{name}: {error['msg']}"


def _literal_options(name: str) -> tuple[str, ...]:
    return {"difficulty": DIFFICULTIES, "kind": KINDS}.get(name, ())


def _allowed_keys(model: type[Any], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if current is None or part not in _field_names(current):
            return []
        current = _model_in(typing.get_type_hints(current)[part])
    return _field_names(current) if current is not None else []


def _field_names(model: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(model)]


def _model_in(annotation: Any) -> Any:
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _validate(
    model: type[Any], data: Any, tree: Tree, base: tuple[Any, ...], source: str
) -> tuple[Any, list[Problem]]:
    try:
        return validate(model, data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = (*base, *error["loc"])
            cause = error.get("ctx", {}).get("error")
            if isinstance(cause, FieldError):
                loc = (*loc, cause.field_name)
            if tree.is_poisoned(loc):
                continue
            if error["type"] in _UNKNOWN_KEY:
                line, column = tree.keys.get(loc, tree.position(loc))
            elif error["type"] == "missing":
                line, column = tree.position(loc[:-1])
            else:
                line, column = tree.position(loc)
            problems.append(Problem(source, line, column, _message(error, model)))
        return None, problems


def _tainted(tree: Tree, path: tuple[Any, ...]) -> bool:
    """Whether the parse reported a problem at ``path``, above it or inside it.

    Such a value (a control character, an alias, an unknown tag) may still validate, but it was
    reported as an error, so it is left out of the bank like any other invalid question.
    """
    return tree.is_poisoned(path) or any(bad[: len(path)] == path for bad in tree.poisoned)


# -- files and banks -------------------------------------------------------------------------


def load_file(path: Path) -> LoadedFile:
    """Parse and validate one skill file (or ``loops.yaml``)."""
    loaded = LoadedFile(path)
    text, problems = read_text(path)
    loaded.problems.extend(problems)
    if text is None:
        return loaded
    return load_text(text, path, loaded)


def load_text(text: str, path: Path, loaded: LoadedFile | None = None) -> LoadedFile:
    loaded = loaded or LoadedFile(path)
    source = str(path)
    tree = parse(text, source, watch=PLACEHOLDER_TEXTS)
    loaded.problems.extend(tree.problems)
    data = tree.data
    if data is None and not tree.problems:
        loaded.problems.append(Problem(source, 1, 1, "the file holds no YAML document"))
        return loaded
    if data is None:
        return loaded
    if not isinstance(data, dict):
        line, column = tree.position(())
        loaded.problems.append(
            Problem(
                source,
                line,
                column,
                f"the top level must be a mapping, not {_describe_value(data)}",
            )
        )
        return loaded
    if path.name == LOOPS_FILE:
        loops_file, problems = _validate(LoopsFile, data, tree, (), source)
        loaded.problems.extend(problems)
        if loops_file is not None:
            loaded.loops = [
                loop for i, loop in enumerate(loops_file.loops) if not _tainted(tree, ("loops", i))
            ]
            for i, loop in enumerate(loops_file.loops):
                if _tainted(tree, ("loops", i)):
                    continue
                for j, round_ in enumerate(loop.rounds):
                    for k, skill in enumerate(round_.skills):
                        where = ("loops", i, "rounds", j, "skills", k)
                        loaded.loop_skill_positions.setdefault(
                            (loop.name, skill), tree.position(where)
                        )
        return loaded
    header, problems = _validate(SkillHeader, data, tree, (), source)
    loaded.problems.extend(problems)
    loaded.header_position = tree.position(("skill",))
    loaded.title_position = tree.keys.get(("title",), loaded.header_position)
    if header is not None:
        header_problems = _header_problems(header, path, tree, source)
        loaded.problems.extend(header_problems)
        if any(not is_placeholder_problem(problem) for problem in header_problems):
            header = None  # left out: a wrong skill or a misplaced title must not count
    if any(len(bad) < 2 or bad[0] != "questions" for bad in tree.poisoned):
        header = None  # the header itself holds a reported problem: leave the file out
    loaded.header = header
    questions = data.get("questions")
    if isinstance(questions, list):
        for index, item in enumerate(questions):
            question, problems = _validate(Question, item, tree, ("questions", index), source)
            loaded.problems.extend(problems)
            if question is None or _tainted(tree, ("questions", index)):
                continue
            leftovers = placeholder_problems(item, tree, ("questions", index), source)
            loaded.problems.extend(leftovers)
            if not leftovers:  # a scaffold not yet filled in is never served
                loaded.questions.append((question, tree.position(("questions", index, "id"))))
    return loaded


def _header_problems(header: SkillHeader, path: Path, tree: Tree, source: str) -> list[Problem]:
    """A skill file's own rules: its skill names the file or its directory, and only the file
    that may carry the title and description carries them, both of them."""
    problems: list[Problem] = []

    def problem(where: tuple[str, ...], message: str) -> None:
        # The skill's value is what is wrong; for title and description, the key is.
        located = tree.position(where) if where == ("skill",) else tree.keys.get(where)
        line, column = located or tree.position(where)
        problems.append(Problem(source, line, column, message))

    skill = header.skill
    in_directory = path.parent.name == skill
    if not in_directory and path.stem != skill:
        problem(
            ("skill",),
            f"skill '{skill}' must match the file name '{path.stem}' (or, for a file in a"
            f" skill's directory, the directory name '{path.parent.name}')",
        )
        return problems
    carries = path.stem in (skill, SKILL_HEADER_FILE.removesuffix(".yaml"))
    has_title, has_description = header.title is not None, header.description is not None
    if (has_title or has_description) and not carries:
        where = ("title",) if has_title else ("description",)
        problem(
            where,
            f"the title and description of skill '{skill}' belong in {skill}.yaml or"
            f" {skill}/{SKILL_HEADER_FILE}; the other files of {skill}/ hold only skill and"
            " questions",
        )
    elif has_title != has_description:
        missing = "description" if has_title else "title"
        problem(
            (), f"missing required field '{missing}' (a skill's title and description go together)"
        )
    for key, value in (("title", header.title), ("description", header.description)):
        if value is not None and value in PLACEHOLDER_TEXTS:
            problem(
                (key,),
                f"'{key}' still holds the placeholder drillbit new wrote; write the skill's {key}",
            )
    return problems


def is_placeholder_problem(problem: Problem) -> bool:
    """Whether the problem is a placeholder ``drillbit new`` wrote and nobody replaced."""
    return "drillbit new wrote" in problem.message


def placeholder_problems(
    item: Any, tree: Tree, base: tuple[str | int, ...], source: str
) -> list[Problem]:
    """Errors for what ``drillbit new`` wrote and nobody replaced: a ``-new-N`` id and fields
    still holding placeholder text (the first in each field), each at its place."""
    problems: list[Problem] = []
    if not isinstance(item, dict):
        return problems
    question_id = item.get("id")
    if isinstance(question_id, str) and is_placeholder_id(question_id):
        line, column = tree.position((*base, "id"))
        problems.append(
            Problem(
                source,
                line,
                column,
                f"'{question_id}' is the placeholder id drillbit new wrote; name the question"
                " (ids are stable: rename it before anyone practises it)",
            )
        )
    # The parse noted every string equal to a placeholder text (usually none).
    reported: set[str | int] = set()
    for path in tree.watched:
        if len(path) <= len(base) or path[: len(base)] != base or path[len(base)] in reported:
            continue
        key = path[len(base)]
        reported.add(key)
        line, column = tree.position(path)
        message = f"'{key}' still holds the placeholder text drillbit new wrote; fill it in"
        problems.append(Problem(source, line, column, message))
    return problems


def load_bank(
    paths: Iterable[Path], known_skills: Collection[str] = ()
) -> tuple[Bank, list[Problem]]:
    """Load every file under ``paths``. Bad files and questions are reported and skipped.
    Loops may also name ``known_skills`` (defined in banks loaded elsewhere)."""
    return assemble((load_file(path) for path in bank_files(paths)), known_skills)


def summarise(loaded: LoadedFile) -> FileSummary:
    """What assembling a bank (and the cache) needs of a loaded file."""
    header = loaded.header
    skill = header.skill if header else ""
    return FileSummary(
        loaded.path,
        (header.skill, header.title, header.description) if header else None,
        loaded.header_position,
        loaded.title_position,
        [tuple(IndexEntry.of(q, skill)) for q, _ in loaded.questions],  # type: ignore[misc]
        [line for _, (line, _) in loaded.questions],
        [column for _, (_, column) in loaded.questions],
        loaded.loops,
        loaded.loop_skill_positions,
        loaded.problems,
    )


def assemble(
    files: Iterable[LoadedFile], known_skills: Collection[str] = ()
) -> tuple[Bank, list[Problem]]:
    """Merge loaded files into one bank, reporting ids and skills defined twice."""
    loaded_files = list(files)
    questions = {q.id: q for loaded in loaded_files for q, _ in loaded.questions}
    bank, problems = assemble_index((summarise(f) for f in loaded_files), known_skills)
    bank.questions = {question_id: questions[question_id] for question_id in bank.entries}
    return bank, problems
