"""The interviewers' commands: new, watch, kit, export-anki and calibrate.

The logic lives in ``app.authoring``; these functions read the options, report and exit.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from app.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    UserError,
    add_skill_filter,
    bank_path,
    bank_paths,
    check_ids,
    check_loop,
    check_skills,
    checked_name,
    did_you_mean,
    err,
    load,
    open_store,
    out,
    out_json,
    print_flags,
    print_table,
    require_terminal,
    write_output,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# -- drillbit new ----------------------------------------------------------------------------


def add_new(parser: argparse.ArgumentParser) -> None:
    from app.bank.models import DIFFICULTIES, KINDS

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


def _run_editor(path: Path, line: int) -> None:
    from app.editor import EditorError, editor_command, run_editor

    try:
        status = run_editor(editor_command(path, line))
    except EditorError as error:
        if not (os.environ.get("VISUAL", "").strip() or os.environ.get("EDITOR", "").strip()):
            err(f"drillbit: {error}; edit {path}:{line} yourself, then run drillbit validate")
            return
        raise UserError(f"{error}; the question was added at {path}:{line}") from None
    if status != 0:
        err(f"drillbit: the editor exited with status {status}; validating anyway")


def cmd_new(args: argparse.Namespace) -> int:
    from app.authoring.scaffold import (
        ScaffoldError,
        bank_raw_ids,
        file_with_room,
        scaffold,
        skill_file,
        start_skill,
        validate_file,
    )
    from app.paths import bank_dirs, config_path, own_bank_advice
    from app.textfmt import printable

    skill = args.skill
    if not _SLUG.match(skill):
        raise UserError(
            f"'{skill}' is not a skill slug (lowercase letters, digits and hyphens)", EXIT_USAGE
        )
    if args.title is not None and not args.title.strip():
        raise UserError("--title must not be empty", EXIT_USAGE)
    directories = [bank_path(path, missing_ok=True) for path in bank_dirs(args.bank or ())]
    first = directories[0]
    advice = own_bank_advice(first)
    if advice:
        raise UserError(advice)
    path = skill_file(first, skill) if first.exists() else None
    started = path is None
    if path is None:
        from app.bank.loader import load_bank

        bank, _ = load_bank([directory for directory in directories if directory.exists()])
        if skill in bank.skills:
            raise UserError(
                f"skill '{skill}' is defined in {bank.skills[skill].path}, not in the first bank"
                f" {first}; name its bank first with --bank",
                EXIT_USAGE,
            )
        if first.is_file():
            raise UserError(f"{first} is the file of another skill; name a bank directory")
        close = did_you_mean(skill, bank.skills)
        if close and not args.new_skill:
            raise UserError(
                f"no skill '{skill}'{close}; to start a new skill '{skill}' anyway, add"
                " --new-skill",
                EXIT_USAGE,
            )
        try:
            path = start_skill(first, skill)
        except OSError as error:
            raise UserError(f"{first}: cannot create: {error.strerror or error}") from None
        out(f"{path}:1: started skill '{skill}'; fill in its title and description")
    try:
        roomy = file_with_room(path, skill)
    except OSError as error:
        raise UserError(f"{path.parent}: cannot create: {error.strerror or error}") from None
    skill_ids: set[str] = set()
    if roomy != path:
        out(f"{path} is close to the 1 MiB limit: the question goes into {roomy}")
        skill_ids = bank_raw_ids([path])  # the new file takes the prefix of the skill's ids
        path = roomy
    try:
        added = scaffold(
            path,
            skill,
            bank_raw_ids(directories),
            title=args.title,
            difficulty=args.difficulty,
            kind=args.kind,
            skill_ids=skill_ids,
        )
    except ScaffoldError as error:
        raise UserError(str(error)) from None
    shown_path = printable(str(added.path), one_line=True)
    out(f"{shown_path}:{added.line}: added question '{added.question_id}'")
    if not args.no_edit:
        _run_editor(added.path, added.line)
    problems = validate_file(directories, added.path)
    for problem in problems:
        out(str(problem))
    from app.bank.loader import is_placeholder_problem

    unfilled = sum(map(is_placeholder_problem, problems))
    # Straight after scaffolding the placeholders are expected; after an edit they are errors.
    errors = len(problems) - (unfilled if args.no_edit else 0)
    summary = f"{shown_path}: {errors} error(s)"
    if args.no_edit and unfilled:
        summary += f", {unfilled} placeholder(s) to fill in (then run drillbit validate)"
    out(summary if not errors else f"FAILED: {summary}")
    if started and first not in bank_dirs():
        out(
            f"practise from this bank with --bank {first}, DRILLBIT_BANK={first}, or"
            f' banks = ["{first}"] in {config_path()}'
        )
    return EXIT_ERROR if errors else EXIT_OK


# -- drillbit watch --------------------------------------------------------------------------


def add_watch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a bank file or directory (default: the configured bank)",
    )


def cmd_watch(args: argparse.Namespace) -> int:
    paths = [bank_path(Path(args.path).expanduser())] if args.path else bank_paths(args)
    require_terminal("drillbit watch", "in scripts, use drillbit validate")
    from app.authoring.watch import run_watch

    return run_watch(paths)


# -- drillbit kit ----------------------------------------------------------------------------


def add_kit(parser: argparse.ArgumentParser) -> None:
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

    bank, _ = load(args)
    if args.skill:
        skills = list(dict.fromkeys(args.skill))
        check_skills(bank, skills)
        kit = kit_for_skills(bank, skills)
    elif args.loop:
        check_loop(bank, args.loop)
        kit = kit_for_loop(bank, bank.loops[args.loop], seed=args.seed)
    else:
        ids = list(dict.fromkeys(part.strip() for part in args.ids.split(",") if part.strip()))
        if not ids:
            raise UserError("--ids needs at least one question id", EXIT_USAGE)
        check_ids(bank, ids)
        kit = kit_for_ids(bank, ids)
    if not kit.question_ids:
        raise UserError("the kit would hold no questions")
    text = kit_html(bank, kit) if _kit_format(args) == "html" else kit_markdown(bank, kit)
    write_output(args.out, text)
    if args.out != "-":
        err(f"drillbit: wrote {args.out} ({len(kit.question_ids)} question(s))")
    return EXIT_OK


# -- drillbit export-anki --------------------------------------------------------------------


def add_export_anki(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="FILE", help="the deck to write (.apkg)")
    add_skill_filter(parser)


def cmd_export_anki(args: argparse.Namespace) -> int:
    from app.authoring.anki import write_deck

    if args.out == "-":
        raise UserError("--out must name a file: an .apkg is a zip archive", EXIT_USAGE)
    out_path = checked_name(Path(args.out).expanduser())
    if not out_path.parent.is_dir():
        raise UserError(f"{out_path.parent}: no such directory", EXIT_USAGE)
    if out_path.is_dir():
        raise UserError(f"{out_path}: is a directory", EXIT_USAGE)
    bank, _ = load(args)
    skills = list(dict.fromkeys(args.skill or ()))
    check_skills(bank, skills)
    ids = [question.id for question in bank.select(skills=skills)]
    if not ids:
        raise UserError("no questions to export")
    try:
        count = write_deck(bank, ids, out_path)
    except OSError as error:
        raise UserError(
            f"{out_path}: cannot write: {error.strerror or error}", EXIT_USAGE
        ) from None
    err(f"drillbit: wrote {out_path} ({count} note(s))")
    return EXIT_OK


# -- drillbit calibrate ----------------------------------------------------------------------


def add_calibrate(parser: argparse.ArgumentParser) -> None:
    from app.cli.team import add_team_options

    add_skill_filter(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    add_team_options(parser)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from app.authoring import calibrate as cal

    bank, _ = load(args)
    skills = list(dict.fromkeys(args.skill or ()))
    check_skills(bank, skills)
    facts = cal.question_facts(bank, skills)
    if args.team:
        from app.cli.team import calibrate_team

        return calibrate_team(args, facts)
    with open_store(args, verify=False) as store:
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
        out_json(document)
        return EXIT_OK
    if not results:
        out(f"No rated attempts yet for {len(facts)} question(s): practise first.")
        return EXIT_OK
    print_table(cal.TABLE_HEADER, cal.table_rows(results))
    out(
        f"{len(results)} question(s) with attempts, {unattempted} without;"
        f" {sum(len(item.flags) for item in results)} flag(s) on {len(flagged)} question(s)"
    )
    print_flags(flagged)
    return EXIT_OK
