"""``drillbit run`` and ``drillbit doctor``: coding exercises from the command line."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from app.cli.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, UserError, check_ids, err, load, out

_SUFFIXES = {".py": "python", ".go": "go", ".rs": "rust"}


def add_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="a coding exercise's id")
    parser.add_argument("file", nargs="?", metavar="FILE", help="your code ('-' for stdin)")
    parser.add_argument(
        "--lang", choices=("python", "go", "rust"), help="default: from FILE, else the first"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--solution", action="store_true", help="run the reference solution")
    which.add_argument("--starter", action="store_true", help="run the starter code")
    parser.add_argument(
        "--trust", action="store_true", help="run code from a bank not trusted yet, without asking"
    )


def _language(args: argparse.Namespace, offered: list[str]) -> str:
    language = args.lang
    if language is None and args.file not in (None, "-"):
        language = _SUFFIXES.get(Path(args.file).suffix)
    language = language or offered[0]
    if language not in offered:
        raise UserError(
            f"{args.id} has no {language} version (it offers {', '.join(offered)})", EXIT_USAGE
        )
    return language


def _code(args: argparse.Namespace, starter: str, solution: str) -> str:
    if args.solution or args.starter:
        if args.file is not None:
            raise UserError("give FILE or --solution/--starter, not both", EXIT_USAGE)
        return solution if args.solution else starter
    if args.file is None:
        raise UserError("give the code to run: FILE, - for stdin, --solution or --starter", 2)
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        return data.decode("utf-8")
    except OSError as error:
        raise UserError(f"{args.file}: cannot read: {error.strerror}", EXIT_USAGE) from None
    except UnicodeDecodeError:
        raise UserError(f"{args.file}: not UTF-8 text", EXIT_USAGE) from None


def _check_trust(bank_path: Path, skip: bool) -> None:
    """Ask once per bank (and its contents) before running code that came with it."""
    from app.coding import trust

    if skip or trust.decision(bank_path) is True:
        return
    if trust.decision(bank_path) is False:
        raise UserError(
            f"you chose not to run code from the bank at {bank_path}; pass --trust to run it"
        )
    if not sys.stdin.isatty():
        raise UserError(
            f"the bank at {bank_path} is not trusted to run code yet: run this once in a"
            " terminal to answer, or pass --trust",
            EXIT_USAGE,
        )
    err(f"drillbit: running tests executes code that came with the bank at {bank_path}")
    sys.stderr.write("Trust this bank and run its code on this machine? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower() in ("y", "yes")
    trust.remember(bank_path, answer)
    if not answer:
        raise UserError("not run: the bank is not trusted (drillbit will not ask again)")


def cmd_run(args: argparse.Namespace) -> int:
    from app.coding.report import result_lines
    from app.coding.runner import run_question
    from app.coding.trust import bank_root
    from app.paths import bank_dirs

    bank, _ = load(args)
    check_ids(bank, [args.id])
    question = bank.questions[args.id]
    if question.code is None:
        raise UserError(f"{args.id} is a {question.kind} question, not a coding exercise", 2)
    language = _language(args, list(question.code.languages))
    version = question.code.languages[language]  # type: ignore[index]
    code = _code(args, version.starter, version.solution)
    _check_trust(bank_root(bank.placements[args.id].path, bank_dirs(args.bank or ())), args.trust)
    result = run_question(question, language, code)  # type: ignore[arg-type]
    for line in result_lines(args.id, result):
        out(line)
    if result.status == "unavailable":
        return EXIT_ERROR
    return EXIT_OK if result.all_passed else EXIT_ERROR


def add_doctor(parser: argparse.ArgumentParser) -> None:
    pass


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.coding.sandbox import isolation
    from app.coding.toolchains import toolchains
    from app.textfmt import printable, table

    bank, _ = load(args)
    offered = Counter(
        language
        for question in bank.questions.values()
        if question.code is not None
        for language in question.code.languages
    )
    rows = []
    for chain in toolchains():
        enables = (
            f"{offered[chain.language]} coding exercise(s) in {chain.language}"
            if chain.available
            else f"nothing: install {'golang-go' if chain.language == 'go' else 'rustc'}"
        )
        rows.append(
            (chain.language, printable(chain.version) or "not found", chain.path or "-", enables)
        )
    for line in table(("language", "version", "path", "enables"), rows):
        out(line)
    out("")
    out(f"sandbox: {isolation().describe()}")
    return EXIT_OK
