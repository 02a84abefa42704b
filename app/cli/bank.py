"""Reading the bank: validate, schema, list, show and bank."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    UserError,
    add_filters,
    bank_path,
    bank_paths,
    check_ids,
    check_skills,
    check_tags,
    checked_name,
    load,
    out,
    out_json,
    print_table,
)

if TYPE_CHECKING:
    from app.bank.index import Bank


def add_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")


def cmd_validate(args: argparse.Namespace) -> int:
    from app.bank.index import bank_files
    from app.bank.loader import load_bank

    paths = [Path(p).expanduser() for p in args.paths] or bank_paths(args)
    for path in paths:
        if not checked_name(path).is_symlink():  # a dangling link is the loader's to report
            bank_path(path)
    files = len(list(bank_files(paths)))
    if not files:
        where = ", ".join(str(path) for path in paths)
        raise UserError(
            f"no bank files found in {where} (a bank holds <skill>.yaml files, <skill>/"
            " directories of them, and loops.yaml)"
        )
    bank, problems = load_bank(paths)
    if args.paths and bank.loops:
        # A loops file checked on its own names skills of the banks it is used with.
        bank, problems = load_bank(paths, known_skills=_context_skills(args, paths))
    for problem in problems:
        out(str(problem))
    summary = (
        f"{len(bank)} questions in {len(bank.skills)} skills ({files} files),"
        f" {len(bank.loops)} loops: {len(problems)} error(s)"
    )
    out(summary if not problems else f"FAILED: {summary}")
    return EXIT_ERROR if problems else EXIT_OK


def _context_skills(args: argparse.Namespace, paths: Sequence[Path]) -> set[str]:
    """The skills of the configured banks and of the directories holding the named loops
    files."""
    from app.bank.cache import load_bank_cached
    from app.paths import bank_dirs

    around = [path.parent for path in paths if path.is_file() and path.name == "loops.yaml"]
    context = [path for path in [*bank_dirs(args.bank or ()), *around] if path.exists()]
    bank, _ = load_bank_cached(context)
    return set(bank.skills)


def add_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--loops", action="store_true", help="the schema of loops.yaml instead")


def cmd_schema(args: argparse.Namespace) -> int:
    from app.bank.schema import loops_schema_text, schema_text

    sys.stdout.write(loops_schema_text() if args.loops else schema_text())
    return EXIT_OK


def add_list(parser: argparse.ArgumentParser) -> None:
    add_filters(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _question_json(bank: Bank, question_id: str) -> dict[str, Any]:
    from app.bank.models import as_data

    question = bank.questions[question_id]
    return {"skill": bank.skill_of(question_id), **as_data(question)}


def cmd_list(args: argparse.Namespace) -> int:
    bank, _ = load(args)
    check_skills(bank, args.skill or ())
    check_tags(bank, args.tag or ())
    selected = bank.select(args.skill or (), args.difficulty, args.tag or ())
    if args.format == "json":
        out_json([_question_json(bank, question.id) for question in selected])
        return EXIT_OK
    from app.bank.durations import format_duration

    rows = [
        (q.id, bank.skill_of(q.id), q.difficulty, format_duration(q.time_seconds), q.kind, q.title)
        for q in selected
    ]
    print_table(("id", "skill", "difficulty", "time", "kind", "title"), rows)
    out(f"{len(rows)} question(s)")
    return EXIT_OK


def add_show(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id")
    parser.add_argument("--with-answer", action="store_true", help="add answer, rubric, follow-ups")


def cmd_show(args: argparse.Namespace) -> int:
    from app.render import print_question

    bank, _ = load(args)
    check_ids(bank, [args.id])
    print_question(bank, args.id, with_answer=args.with_answer)
    return EXIT_OK


def add_bank(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--brief", dest="details", action="store_false", help="no per-question list"
    )


def cmd_bank(args: argparse.Namespace) -> int:
    """Questions per skill and difficulty, with the quality bar's verdict."""
    from app.bank.quality import coverage_report
    from app.paths import bank_dirs, bundled_bank

    bank, problems = load(args)
    bundled = bank_dirs(args.bank or ()) == [bundled_bank()]
    out(coverage_report(bank, details=args.details, bundled=bundled))
    return EXIT_ERROR if problems else EXIT_OK
