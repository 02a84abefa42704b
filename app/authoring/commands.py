"""The authoring subcommands: new, watch, kit, export-anki and calibrate.

Each has an ``add_arguments_*`` that fills its subparser and a ``cmd_*`` that runs it, for
``app.cli`` to wire up. This module imports nothing heavy at import time (``app.cli`` must stay
fast and must not import Textual); each command imports what it needs when it runs. User errors
are raised as ``app.cli.UserError``, imported inside the command to avoid an import cycle.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.bank.index import SKILL_HEADER_FILE
from app.bank.models import DIFFICULTIES, KINDS

if TYPE_CHECKING:
    from app.bank.loader import Bank
    from app.bank.problems import Problem


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    from app.bank.names import did_you_mean

    return did_you_mean(word, options)


def _check_skills(bank: Bank, skills: Sequence[str]) -> None:
    from app.bank.names import check_names
    from app.cli import EXIT_USAGE, UserError

    message = check_names(bank, skills=skills)
    if message:
        raise UserError(message, EXIT_USAGE)


def _write_text(path_text: str, text: str) -> None:
    """Write ``text`` to the file (or stdout for ``-``), replacing it in one rename."""
    from app.authoring.scaffold import write_atomically
    from app.cli import UserError

    if path_text == "-":
        sys.stdout.write(text)
        return
    path = Path(path_text).expanduser()
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}") from None


# -- drillbit new ----------------------------------------------------------------------------


def add_arguments_new(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skill", required=True, metavar="S", help="the skill whose file gets the question"
    )
    parser.add_argument("--title", metavar="T", help="the title (default: a placeholder)")
    parser.add_argument("--difficulty", choices=DIFFICULTIES, default="medium")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="concept",
        help="what sort of question (quick-fire adds placeholder choices); default concept",
    )
    parser.add_argument(
        "--no-edit", action="store_true", help="do not open $VISUAL or $EDITOR; only scaffold"
    )
    parser.add_argument(
        "--new-skill",
        action="store_true",
        help="start the skill even though its name is close to an existing one",
    )


def _skill_file(first: Path, skill: str) -> Path | None:
    """The file of ``first`` that a new question of ``skill`` goes into: the skill's single
    file, else the last file of its directory, else None."""
    if first.is_file():
        return first if skill in (first.stem, first.parent.name) else None
    for suffix in (".yaml", ".yml"):
        candidate = first / f"{skill}{suffix}"
        if candidate.is_file():
            return candidate
    directory = first / skill
    if directory.is_dir():
        parts = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
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


def _start_skill(bank: Path, skill: str) -> Path:
    """Create the bank directory (with the schema editors use) and the skill's file."""
    from app.authoring.scaffold import write_atomically
    from app.bank.placeholders import SKILL_DESCRIPTION, SKILL_TITLE
    from app.bank.schema import LOOPS_SCHEMA_FILE, SKILL_SCHEMA_FILE, loops_schema_text, schema_text
    from app.cli import UserError

    path = bank / f"{skill}.yaml"
    try:
        bank.mkdir(parents=True, exist_ok=True)
        for name, text in (
            (SKILL_SCHEMA_FILE, schema_text()),
            (LOOPS_SCHEMA_FILE, loops_schema_text()),
        ):
            if not (bank / name).exists():
                write_atomically(bank / name, text.encode("utf-8"))
        text = NEW_SKILL.format(skill=skill, title=SKILL_TITLE, description=SKILL_DESCRIPTION)
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot create: {error.strerror or error}") from None
    _out(f"{path}:1: started skill '{skill}'; fill in its title and description")
    return path


def _raw_ids(directories: Sequence[Path]) -> set[str]:
    """Every id written anywhere in the bank, in valid questions or not."""
    from app.authoring.scaffold import raw_ids
    from app.bank.loader import bank_files, read_text
    from app.bank.yamltree import parse

    ids: set[str] = set()
    for path in bank_files(directories):
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


def validate_file(directories: Sequence[Path], path: Path) -> list[Problem]:
    """The bank's problems that concern ``path``: its own, and duplicates of its ids."""
    from app.bank.loader import load_bank

    _, problems = load_bank(
        [*directories, path] if not any(_inside(path, d) for d in directories) else directories
    )
    return [
        problem
        for problem in problems
        if _same_file(problem, path) or f"already used at {path}:" in problem.message
    ]


def _run_editor(path: Path, line: int) -> None:
    from app.cli import UserError

    editor = os.environ.get("VISUAL", "").strip() or os.environ.get("EDITOR", "").strip()
    if not editor:
        _err(
            f"drillbit: neither $VISUAL nor $EDITOR is set; edit {path}:{line} yourself,"
            " then run drillbit validate"
        )
        return
    try:
        import shlex

        command = [*shlex.split(editor), f"+{line}", str(path)]
    except ValueError as error:
        raise UserError(f"cannot read the editor command '{editor}': {error}") from None
    try:
        result = subprocess.run(command, check=False)
    except OSError as error:
        raise UserError(
            f"cannot run the editor '{command[0]}': {error.strerror or error};"
            f" the question was added at {path}:{line}"
        ) from None
    if result.returncode != 0:
        _err(f"drillbit: the editor exited with status {result.returncode}; validating anyway")


def cmd_new(args: argparse.Namespace) -> int:
    from app.authoring.scaffold import ScaffoldError, scaffold
    from app.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UserError
    from app.paths import bank_dirs, config_path, own_bank_advice

    skill = args.skill
    if not _SLUG.match(skill):
        raise UserError(
            f"'{skill}' is not a skill slug (lowercase letters, digits and hyphens)", EXIT_USAGE
        )
    if args.title is not None and not args.title.strip():
        raise UserError("--title must not be empty", EXIT_USAGE)
    directories = bank_dirs(args.bank or ())
    first = directories[0]
    advice = own_bank_advice(first)
    if advice:
        raise UserError(advice)
    path = _skill_file(first, skill) if first.exists() else None
    started = path is None
    if path is None:
        from app.bank.loader import load_bank

        bank, _ = load_bank([d for d in directories if d.exists()])
        if skill in bank.skills:
            raise UserError(
                f"skill '{skill}' is defined in {bank.skills[skill].path}, not in the first bank"
                f" {first}; name its bank first with --bank",
                EXIT_USAGE,
            )
        if first.is_file():
            raise UserError(f"{first} is the file of another skill; name a bank directory")
        close = _did_you_mean(skill, sorted(bank.skills))
        if close and not args.new_skill:
            raise UserError(
                f"no skill '{skill}'{close}; to start a new skill '{skill}' anyway, add"
                " --new-skill",
                EXIT_USAGE,
            )
        path = _start_skill(first, skill)
    try:
        added = scaffold(
            path,
            skill,
            _raw_ids(directories),
            title=args.title,
            difficulty=args.difficulty,
            kind=args.kind,
        )
    except ScaffoldError as error:
        raise UserError(str(error)) from None
    _out(f"{added.path}:{added.line}: added question '{added.question_id}'")
    if not args.no_edit:
        _run_editor(added.path, added.line)
    problems = validate_file(directories, added.path)
    for problem in problems:
        _out(str(problem))
    from app.bank.loader import is_placeholder_problem

    unfilled = sum(map(is_placeholder_problem, problems))
    errors = len(problems) - (unfilled if args.no_edit else 0)
    summary = f"{added.path}: {errors} error(s)"
    if args.no_edit and unfilled:
        summary += f", {unfilled} placeholder(s) to fill in (then run drillbit validate)"
    _out(summary if not errors else f"FAILED: {summary}")
    if started and first not in bank_dirs():
        _out(
            f"practise from this bank with --bank {first}, DRILLBIT_BANK={first}, or"
            f' banks = ["{first}"] in {config_path()}'
        )
    return EXIT_ERROR if errors else EXIT_OK


# -- drillbit watch --------------------------------------------------------------------------


def add_arguments_watch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a bank file or directory (default: the configured bank)",
    )


def cmd_watch(args: argparse.Namespace) -> int:
    from app.cli import EXIT_USAGE, UserError
    from app.paths import bank_dirs

    paths = [Path(args.path).expanduser()] if args.path else bank_dirs(args.bank or ())
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or directory", EXIT_USAGE)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "drillbit watch needs a terminal (stdin and stdout must be a TTY);"
            " in scripts, use drillbit validate"
        )
    from app.authoring.watch import run_watch

    return run_watch(paths)


# -- drillbit kit ----------------------------------------------------------------------------


def add_arguments_kit(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--skill", action="append", metavar="S", help="every question of a skill")
    which.add_argument("--loop", metavar="NAME", help="one draw of a mock-interview loop")
    which.add_argument("--ids", metavar="ID,...", help="these questions, in this order")
    parser.add_argument(
        "--format",
        choices=("md", "html"),
        help="md or html (default: from the --out suffix, else md)",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write; - is stdout")
    parser.add_argument(
        "--seed", type=int, default=0, help="with --loop: which draw (the same seed, the same kit)"
    )


def _kit_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.out).suffix.lower()
    return "html" if suffix in (".html", ".htm") else "md"


def cmd_kit(args: argparse.Namespace) -> int:
    from app.authoring.kit import kit_for_ids, kit_for_loop, kit_for_skills, kit_html, kit_markdown
    from app.cli import EXIT_OK, EXIT_USAGE, UserError, _load

    bank, _ = _load(args)
    if args.skill:
        skills = list(dict.fromkeys(args.skill))
        _check_skills(bank, skills)
        kit = kit_for_skills(bank, skills)
    elif args.loop:
        from app.bank.names import check_names

        message = check_names(bank, loop=args.loop)
        if message:
            raise UserError(message, EXIT_USAGE)
        kit = kit_for_loop(bank, bank.loops[args.loop], seed=args.seed)
    else:
        ids = list(dict.fromkeys(part.strip() for part in args.ids.split(",") if part.strip()))
        if not ids:
            raise UserError("--ids needs at least one question id", EXIT_USAGE)
        unknown = [question_id for question_id in ids if question_id not in bank]
        if unknown:
            hint = _did_you_mean(unknown[0], list(bank.questions))
            raise UserError(
                f"no question with id {', '.join(repr(u) for u in unknown)}{hint}", EXIT_USAGE
            )
        kit = kit_for_ids(bank, ids)
    if not kit.question_ids:
        raise UserError("the kit would hold no questions")
    text = kit_html(bank, kit) if _kit_format(args) == "html" else kit_markdown(bank, kit)
    _write_text(args.out, text)
    if args.out != "-":
        _err(f"drillbit: wrote {args.out} ({len(kit.question_ids)} question(s))")
    return EXIT_OK


# -- drillbit export-anki --------------------------------------------------------------------


def add_arguments_export_anki(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="the deck to write (.apkg)")
    parser.add_argument("--skill", action="append", metavar="S", help="only this skill (repeat)")


def cmd_export_anki(args: argparse.Namespace) -> int:
    from app.authoring.anki import write_deck
    from app.cli import EXIT_OK, EXIT_USAGE, UserError, _load

    if args.out == "-":
        raise UserError("--out must name a file: an .apkg is a zip archive", EXIT_USAGE)
    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise UserError(f"{out.parent}: no such directory", EXIT_USAGE)
    if out.is_dir():
        raise UserError(f"{out}: is a directory", EXIT_USAGE)
    bank, _ = _load(args)
    skills = list(dict.fromkeys(args.skill or ()))
    _check_skills(bank, skills)
    ids = [question.id for question in bank.select(skills=skills)]
    if not ids:
        raise UserError("no questions to export")
    try:
        count = write_deck(bank, ids, out)
    except OSError as error:
        raise UserError(f"{out}: cannot write: {error.strerror or error}") from None
    _err(f"drillbit: wrote {out} ({count} note(s))")
    return EXIT_OK


# -- drillbit calibrate ----------------------------------------------------------------------


def add_arguments_calibrate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skill", action="append", metavar="S", help="only this skill (repeat)")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def question_facts(bank: Bank, skills: Sequence[str] = ()) -> list[Any]:
    from app.authoring.calibrate import QuestionFacts

    return [
        QuestionFacts(
            id=question.id,
            skill=bank.skill_of(question.id),
            title=question.title,
            budget_seconds=question.time_seconds,
            rubric=tuple(point.point for point in question.rubric),
            content_hash=question.content_hash,
        )
        for question in bank.select(skills=skills)
    ]


def cmd_calibrate(args: argparse.Namespace) -> int:
    from app.authoring import calibrate as cal
    from app.cli import EXIT_OK, _load, _open_store, _print_table

    bank, _ = _load(args)
    skills = list(dict.fromkeys(args.skill or ()))
    _check_skills(bank, skills)
    facts = question_facts(bank, skills)
    with _open_store(args, verify=False) as store:
        attempts = store.attempts()
    results = cal.calibrate(facts, attempts)
    unattempted = len(facts) - len(results)
    flagged = [item for item in results if item.flags]
    if args.format == "json":
        document = {
            "thresholds": {
                "time_too_short": cal.TIME_TOO_SHORT,
                "time_too_long": cal.TIME_TOO_LONG,
                "min_time_attempts": cal.MIN_TIME_ATTEMPTS,
                "rare_point": cal.RARE_POINT,
                "min_point_attempts": cal.MIN_POINT_ATTEMPTS,
            },
            "questions": [item.as_dict() for item in results],
            "without_attempts": unattempted,
        }
        _out(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not results:
        _out(f"No rated attempts yet for {len(facts)} question(s): practise first.")
        return EXIT_OK
    _print_table(cal.TABLE_HEADER, cal.table_rows(results))
    _out(
        f"{len(results)} question(s) with attempts, {unattempted} without;"
        f" {sum(len(item.flags) for item in results)} flag(s) on {len(flagged)} question(s)"
    )
    if flagged:
        _out("")
        _out("Flags:")
        for item in flagged:
            for flag in item.flags:
                _out(f"  {item.question_id}: {flag.message}")
    return EXIT_OK
