"""What every command shares: output, user errors and exit codes, the bank, the history.

Nothing heavy is imported at module level: ``drillbit --version`` and the practice screen's
start-up pay only for argparse.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.bank.index import Bank
    from app.bank.problems import Problem
    from app.store.db import Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
"""0: done; 1: a problem in the data or files; 2: a usage error (options, names, ids, paths)."""


class UserError(Exception):
    """A problem the user can fix: printed as one line, with an exit code, never a traceback."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def out(text: str = "") -> None:
    """Print text for people; what a terminal would act on is shown escaped."""
    from app.textfmt import printable

    sys.stdout.write(printable(text) + "\n")


def out_json(data: Any) -> None:
    """Print data as JSON, the same JSON but with nothing a terminal would act on."""
    import json

    from app.textfmt import printable_json

    sys.stdout.write(printable_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def err(text: str) -> None:
    """One line on stderr, whatever file names or values it quotes."""
    from app.textfmt import printable

    sys.stderr.write(printable(text, one_line=True) + "\n")


def did_you_mean(word: str, options: Iterable[str]) -> str:
    from app.textfmt import did_you_mean as suggestion

    return suggestion(word, options)


def unknown(what: str, word: str, options: Iterable[str]) -> UserError:
    """``no skill 'x' (did you mean 'y'?); the bank has: ...`` as a usage error."""
    names = sorted(options)
    known = ", ".join(names) or "none"
    return UserError(
        f"no {what} '{word}'{did_you_mean(word, names)}; the bank has: {known}", EXIT_USAGE
    )


def check_skills(bank: Bank, skills: Iterable[str]) -> None:
    for skill in skills:
        if skill not in bank.skills:
            raise unknown("skill", skill, bank.skills)


def check_ids(bank: Bank, ids: Sequence[str]) -> None:
    missing = [question_id for question_id in ids if question_id not in bank]
    if missing:
        hint = did_you_mean(missing[0], bank.questions)
        names = ", ".join(repr(question_id) for question_id in missing)
        raise UserError(f"no question with id {names}{hint}", EXIT_USAGE)


def load(args: argparse.Namespace, *, strict: bool = False) -> tuple[Bank, list[Problem]]:
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
            err(str(problem))
        if strict:
            raise UserError(f"the bank has {len(problems)} problem(s); run drillbit validate")
        err(f"drillbit: {len(problems)} problem(s) in the bank; those questions are left out")
    return bank, problems


def open_store(args: argparse.Namespace, *, verify: bool = True) -> Store:
    """The history database; ``verify=False`` for commands that only read it."""
    from app.paths import database_path
    from app.store.db import Store, StoreError

    try:
        return Store(database_path(args.db), verify=verify)
    except StoreError as error:
        raise UserError(str(error)) from None


def print_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from app.textfmt import table

    for line in table(header, rows):
        out(line)


def require_terminal(command: str, instead: str) -> None:
    """Screens need a terminal on both ends; scripts get one line saying what to use."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(f"{command} needs a terminal (stdin and stdout must be a TTY); {instead}")


def write_output(path_text: str, text: str) -> None:
    """Write ``text`` to the file (or stdout for ``-``), replacing it in one rename."""
    from app.authoring.scaffold import write_atomically

    if path_text == "-":
        sys.stdout.write(text)
        return
    path = Path(path_text).expanduser()
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}", EXIT_USAGE) from None


def add_filters(parser: argparse.ArgumentParser) -> None:
    from app.bank.models import DIFFICULTIES

    add_skill_filter(parser)
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    parser.add_argument("--tag", action="append", metavar="T", help="only with this tag (repeat)")


def add_skill_filter(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skill", action="append", metavar="S", help="only this skill (repeat)")
