"""The one module that owns drillbit's command line. Heavy imports happen inside each command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__
from app.authoring import commands as authoring

if TYPE_CHECKING:
    from app.bank.index import Bank
    from app.bank.problems import Problem

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """A problem the user can fix: printed as one line, with an exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# -- helpers ---------------------------------------------------------------------------------


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _load(args: argparse.Namespace, *, strict: bool = False) -> tuple[Bank, list[Problem]]:
    """The configured bank. Problems go to stderr; with ``strict`` they are fatal."""
    from app.bank.cache import load_bank_cached
    from app.paths import bank_dirs

    directories = bank_dirs(args.bank or ())
    for directory in directories:
        if not directory.exists():
            raise UserError(f"{directory}: no such bank directory or file", EXIT_USAGE)
    bank, problems = load_bank_cached(directories)
    if problems:
        for problem in problems:
            _err(str(problem))
        if strict:
            raise UserError(f"the bank has {len(problems)} problem(s); run drillbit validate")
        _err(f"drillbit: {len(problems)} problem(s) in the bank; those questions are left out")
    return bank, problems


def _question_json(bank: Bank, question_id: str) -> dict[str, Any]:
    from app.bank.models import as_data

    question = bank.questions[question_id]
    return {"skill": bank.skill_of(question_id), **as_data(question)}


# -- commands --------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from app.bank.index import bank_files
    from app.bank.loader import load_bank
    from app.paths import bank_dirs

    paths = [Path(p).expanduser() for p in args.paths] or bank_dirs(args.bank or ())
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UserError(f"{path}: no such file or directory; no bank files found")
    if not list(bank_files(paths)):
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
        _out(str(problem))
    files = len(list(bank_files(paths)))
    summary = (
        f"{len(bank)} questions in {len(bank.skills)} skills ({files} files),"
        f" {len(bank.loops)} loops: {len(problems)} error(s)"
    )
    _out(summary if not problems else f"FAILED: {summary}")
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


def cmd_schema(args: argparse.Namespace) -> int:
    from app.bank.schema import loops_schema_text, schema_text

    sys.stdout.write(loops_schema_text() if args.loops else schema_text())
    return EXIT_OK


def _check_names(
    bank: Bank, skills: Sequence[str] = (), tags: Sequence[str] = (), loop: str | None = None
) -> None:
    from app.bank.names import check_names

    message = check_names(bank, skills, tags, loop)
    if message:
        raise UserError(message, EXIT_USAGE)


def cmd_list(args: argparse.Namespace) -> int:
    bank, _ = _load(args)
    _check_names(bank, args.skill or (), args.tag or ())
    selected = bank.select(args.skill or (), args.difficulty, args.tag or ())
    if args.format == "json":
        _out(
            json.dumps([_question_json(bank, q.id) for q in selected], indent=2, ensure_ascii=False)
        )
        return EXIT_OK
    from app.bank.durations import format_duration

    rows = [
        (q.id, bank.skill_of(q.id), q.difficulty, format_duration(q.time_seconds), q.kind, q.title)
        for q in selected
    ]
    _print_table(("id", "skill", "difficulty", "time", "kind", "title"), rows)
    _out(f"{len(rows)} question(s)")
    return EXIT_OK


def _print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from app.textfmt import table

    for line in table(header, rows):
        _out(line)


def cmd_show(args: argparse.Namespace) -> int:
    from app.render import print_question

    bank, _ = _load(args)
    if args.id not in bank:
        from difflib import get_close_matches

        close = get_close_matches(args.id, list(bank.questions), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UserError(f"no question with id '{args.id}'{hint}")
    print_question(bank, args.id, with_answer=args.with_answer)
    return EXIT_OK


def cmd_summary(args: argparse.Namespace) -> int:
    """Questions per skill and difficulty, with the quality bar's verdict (``drillbit bank``)."""
    from app.bank.quality import coverage_report
    from app.paths import bank_dirs, bundled_bank

    bank, problems = _load(args)
    bundled = bank_dirs(args.bank or ()) == [bundled_bank()]
    _out(coverage_report(bank, details=getattr(args, "details", True), bundled=bundled))
    return EXIT_ERROR if problems else EXIT_OK


def _open_store(args: argparse.Namespace, *, verify: bool = True) -> Any:
    """The history database; ``verify=False`` for commands that only read it."""
    from app.paths import database_path
    from app.store.db import Store, StoreError

    try:
        return Store(database_path(args.db), verify=verify)
    except StoreError as error:
        raise UserError(str(error)) from None


def cmd_stats(args: argparse.Namespace) -> int:
    from app.stats.report import stats_report

    bank, _ = _load(args)
    _check_names(bank, args.skill or ())
    with _open_store(args, verify=False) as store:
        _out(stats_report(bank, store, skills=args.skill or (), as_json=args.format == "json"))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from app.store.exchange import export_csv, export_json

    with _open_store(args, verify=False) as store:
        text = export_json(store) if args.format == "json" else export_csv(store)
    if args.out in (None, "-"):
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{args.out}: cannot write: {error.strerror}") from None
    _err(f"drillbit: wrote {args.out}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from app.store.db import StoreError
    from app.store.exchange import import_json

    try:
        data = Path(args.file).read_bytes() if args.file != "-" else sys.stdin.buffer.read()
        text = data.decode("utf-8")
    except OSError as error:
        raise UserError(f"{args.file}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(f"{args.file}: not a drillbit history export (not UTF-8)") from None
    with _open_store(args) as store:
        try:
            sessions, attempts = import_json(store, text)
        except StoreError as error:
            raise UserError(f"{args.file}: {error}") from None
    _out(f"imported {sessions} session(s) and {attempts} attempt(s)")
    return EXIT_OK


def _require_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the practice screen needs a terminal (stdin and stdout must be a TTY);"
            " for scripts, use drillbit list, show, stats or export"
        )


def cmd_home(args: argparse.Namespace) -> int:
    _require_terminal()
    from app.tui.launch import run_tui

    return run_tui(args, practice=False)


def cmd_practice(args: argparse.Namespace) -> int:
    if args.time:
        from app.bank.durations import parse_duration

        try:
            args.total_seconds = parse_duration(args.time)
        except ValueError as error:
            raise UserError(str(error), EXIT_USAGE) from None
    else:
        args.total_seconds = None
    if args.count is not None and args.count < 1:
        raise UserError("--count must be at least 1", EXIT_USAGE)
    if args.loop:
        ignored = [
            option
            for option, given in (
                ("--skill", args.skill),
                ("--tag", args.tag),
                ("--difficulty", args.difficulty),
                ("--count", args.count is not None),
                ("--time", args.time),
                ("--mode", args.mode != "auto"),
            )
            if given
        ]
        if ignored:
            raise UserError(
                f"--loop plans its own rounds (skills, kinds, time); it cannot honour"
                f" {', '.join(ignored)}: drop them, or practise without --loop",
                EXIT_USAGE,
            )
    args.preloaded_bank = None
    if args.skill or args.tag or args.loop:
        # Names are checked before anything starts; the TUI then takes this bank as loaded.
        from app.bank.cache import load_bank_cached
        from app.paths import bank_dirs

        args.preloaded_bank = load_bank_cached(bank_dirs(args.bank or ()))
        _check_names(args.preloaded_bank[0], args.skill or (), args.tag or (), args.loop)
    _require_terminal()
    from app.tui.launch import run_tui

    return run_tui(args, practice=True)


# -- parser ----------------------------------------------------------------------------------


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skill", action="append", metavar="S", help="only this skill (repeat)")
    parser.add_argument("--difficulty", choices=("easy", "medium", "hard"))
    parser.add_argument("--tag", action="append", metavar="T", help="only with this tag (repeat)")


def _common_options(default: Any) -> argparse.ArgumentParser:
    """--bank and --db, accepted before or after the subcommand.

    Subcommands get SUPPRESS as default so that they do not overwrite a value given earlier.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--bank",
        action="append",
        metavar="DIR",
        default=default,
        help="a bank directory or file (repeatable; default: $DRILLBIT_BANK or the bundled bank)",
    )
    common.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="the history database (default: $DRILLBIT_DB or the user data directory)",
    )
    return common


def _add_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories")


def _add_list(parser: argparse.ArgumentParser) -> None:
    _add_filters(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _add_show(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id")
    parser.add_argument("--with-answer", action="store_true", help="add answer, rubric, follow-ups")


def _add_stats(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skill", action="append", metavar="S", help="only this skill (repeat)")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    parser.add_argument("--out", metavar="FILE", help="write here instead of stdout")


def _add_import(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="a file written by drillbit export")


def _add_practice(parser: argparse.ArgumentParser) -> None:
    _add_filters(parser)
    parser.add_argument("-n", "--count", type=int, metavar="N", help="number of questions")
    parser.add_argument("--time", metavar="30m", help="total time for the session")
    parser.add_argument(
        "--mode",
        choices=("auto", "due", "new", "weakest", "random", "mock"),
        default="auto",
        help="auto: due, then new, then weakest (default)",
    )
    parser.add_argument("--loop", metavar="NAME", help="run a mock-interview loop")
    parser.add_argument(
        "--reschedule", action="store_true", help="let mock and loop ratings reschedule"
    )
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)


def _add_bank(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--brief", dest="details", action="store_false", help="no per-question list"
    )


def _add_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--loops", action="store_true", help="the schema of loops.yaml instead")


Handler = Callable[[argparse.Namespace], int]
COMMANDS: list[tuple[str, Handler, str, Callable[[argparse.ArgumentParser], None]]] = [
    ("validate", cmd_validate, "check bank files; print file:line:col problems", _add_validate),
    ("schema", cmd_schema, "print the JSON Schema of a skill file (or loops.yaml)", _add_schema),
    ("list", cmd_list, "list questions", _add_list),
    ("show", cmd_show, "render one question as a candidate sees it", _add_show),
    ("stats", cmd_stats, "progress per skill, per day and per question", _add_stats),
    ("export", cmd_export, "write every session and attempt (json or csv)", _add_export),
    ("import", cmd_import, "merge a json export into the history", _add_import),
    ("practice", cmd_practice, "start a practice session straight away", _add_practice),
    (
        "new",
        authoring.cmd_new,
        "scaffold a question and open it in $EDITOR",
        authoring.add_arguments_new,
    ),
    (
        "watch",
        authoring.cmd_watch,
        "re-validate and preview bank files as they change",
        authoring.add_arguments_watch,
    ),
    (
        "kit",
        authoring.cmd_kit,
        "write an interviewer's kit (Markdown or printable HTML)",
        authoring.add_arguments_kit,
    ),
    (
        "export-anki",
        authoring.cmd_export_anki,
        "write the bank as an Anki deck (.apkg)",
        authoring.add_arguments_export_anki,
    ),
    (
        "calibrate",
        authoring.cmd_calibrate,
        "flag time budgets and rubric points",
        authoring.add_arguments_calibrate,
    ),
    ("bank", cmd_summary, "coverage of the bank: skills x difficulty, kinds, quality", _add_bank),
]


def _commands_named(argv: Sequence[str] | None) -> set[str] | None:
    """The subcommand that ``argv`` names, or None for all of them.

    Building a subparser costs about 0.3 ms (argparse looks on disk for translations of its
    texts), and start-up should not pay that for the thirteen commands not asked for. All are
    built for help and for a word that is not a command, so that argparse lists them all.
    """
    if argv is None:
        return None
    arguments = iter(argv)
    for argument in arguments:
        if argument in ("-h", "--help"):
            return None
        if argument in ("--bank", "--db"):
            next(arguments, None)  # the option's value
        elif not argument.startswith("-"):
            return {argument} if argument in _COMMAND_NAMES else None
    return set()  # no command: the home screen


_COMMAND_NAMES = frozenset(name for name, *_ in COMMANDS)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; given the arguments, with only the subcommands they may name."""
    common = _common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="drillbit",
        description="Practise systems and edge-network engineering interviews in the terminal.",
        parents=[_common_options(None)],
    )
    parser.add_argument("--version", action="version", version=f"drillbit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _commands_named(argv)
    for name, handler, help_, add_arguments in COMMANDS:
        if wanted is None or name in wanted:
            child = sub.add_parser(name, help=help_, description=help_, parents=[common])
            child.set_defaults(handler=handler)
            add_arguments(child)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.paths import ConfigError

    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(arguments).parse_args(arguments)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            return cmd_home(args)
        return handler(args)
    except UserError as error:
        _err(f"drillbit: {error}")
        return error.code
    except ConfigError as error:
        _err(f"drillbit: {error}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("drillbit: interrupted")
        return 130
    except BrokenPipeError:
        # Output piped into head and the like: exit quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
